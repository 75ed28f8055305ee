"""The blueprints that more than one view module adds routes to, so no view module imports another.

The API's reads (views/api.py, which also holds its request hooks) and writes (views/api_write.py)
share `api`; the curator pages (views/curate.py) and bulk work (views/curate_bulk.py) share
`curate` (and the thesaurus page, views/curate_thesaurus.py). The app factory imports every view
module and registers every blueprint explicitly.
"""
from __future__ import annotations

from flask import Blueprint

api = Blueprint("api", __name__, url_prefix="/api/v1")
curate = Blueprint("curate", __name__, url_prefix="/curate")
