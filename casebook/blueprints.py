"""The blueprints that more than one view module adds routes to, so no view module imports another.

The API's reads (views/api.py, which also holds its request hooks) and writes (views/api_write.py)
share `api`; the curator pages (views/curate.py) and bulk work (views/curate_bulk.py) share
`curate`. The app factory registers every blueprint explicitly, but for the search feed's
(views/feeds.py), which registers with `api` (below) until the factory's list names it.
"""
from __future__ import annotations

from flask import Blueprint

api = Blueprint("api", __name__, url_prefix="/api/v1")
curate = Blueprint("curate", __name__, url_prefix="/curate")

# The thesaurus page adds its routes to `curate` when imported; imported here, after `curate`
# exists, so that the factory's import of the curator views brings it along.
# The Atom feed of a search (views/feeds.py) has a blueprint of its own at the site's root. The
# factory's list of blueprints does not name it, so it is registered with `api`, once per app.
from .views import curate_thesaurus, feeds  # noqa: E402,F401


@api.record_once
def _register_feeds(state) -> None:
    state.app.register_blueprint(feeds.bp)
