"""Health checks for load balancers and orchestrators: no sign-in, no CSRF, never cached."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from .. import search
from ..db import get_session
from ..services import health
from ..web import csrf

bp = Blueprint("health", __name__)
csrf.exempt(bp)


def _answer(body: dict, status: int):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    """The process is up and answers requests."""
    return _answer({"status": "ok"}, 200)


@bp.get("/readyz")
def readyz():
    """Ready to serve: the database answers and the search index is present and not far behind (else 503)."""
    ready, body = health.readiness(get_session(), search.get_index(), current_app.config["READY_MAX_LAG"])
    return _answer(body, 200 if ready else 503)
