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

# Until the factory imports them and names `inquiries.bp` (casebook/__init__.py): the inquiry
# views (issue 20 item 3) are imported here, after `curate` exists, and the ask page's blueprint
# is registered with `curate`, once per app.
from .views import curate_inquiries, inquiries  # noqa: E402,F401


@curate.record_once
def _register_inquiries(state) -> None:
    state.app.register_blueprint(inquiries.bp)

# Until the factory imports it and names `alerts.bp` (casebook/__init__.py): the e-mail alert
# pages (issue 20 item 2, views/alerts.py) are registered with `api`, once per app, and so is
# `casebook alerts` (cli_alerts.py) until cli.init_app lists it.
from . import cli_alerts  # noqa: E402
from .views import alerts  # noqa: E402


@api.record_once
def _register_alerts(state) -> None:
    state.app.register_blueprint(alerts.bp)
    state.app.cli.add_command(cli_alerts.alerts_group)
