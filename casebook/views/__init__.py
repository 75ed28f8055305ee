"""The three blueprints: public pages, curator pages (later) and the JSON API."""
