"""Request logs: one JSON line per request on the `casebook.requests` logger.

Each line carries method, path, status, duration_ms, request_id, remote_addr, user_id (the
signed-in curator or the API token's owner, else null) and bytes (the body length, null when
streamed). Query strings are left out: they can carry names and addresses typed into forms.
The request id is the client's `X-Request-ID` when it looks like one (a proxy's), else a new
one, and is sent back in the response's `X-Request-ID` so a report can be matched with its line.
Where the lines go is the deployment's choice: gunicorn_conf sends them to stderr; elsewhere
the logger has no handler of its own and INFO lines are not shown (tests read them with caplog).
"""
from __future__ import annotations

import json
import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

log = logging.getLogger("casebook.requests")
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")


def start_request() -> None:
    """Note when the request started and which id it goes by."""
    g.request_started = time.perf_counter()
    offered = request.headers.get("X-Request-ID", "")
    g.request_id = offered if REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex


def _user_id() -> int | None:
    # The API's token owner, else the user Flask-Login already loaded for this request (auth's
    # before_request loads it); never a new database query, so logging cannot fail a request.
    user = g.get("api_user") or g.get("_login_user")
    return user.id if user is not None and getattr(user, "is_authenticated", False) else None


def log_request(response: Response) -> Response:
    """Write the request's line and echo its id."""
    started = g.get("request_started")
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers.setdefault("X-Request-ID", request_id)
    line = {
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started is not None else None,
        "request_id": request_id,
        "remote_addr": request.remote_addr,
        "user_id": _user_id(),
        "bytes": None if response.is_streamed else response.content_length,
    }
    log.info(json.dumps(line, ensure_ascii=False, separators=(",", ":")))
    return response


def init_app(app: Flask) -> None:
    """Log every request of `app` (register first, so the clock starts before other hooks run)."""
    app.before_request(start_request)
    app.after_request(log_request)
