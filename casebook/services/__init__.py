"""Business operations, called alike by the HTML views, the JSON API and the CLI."""
