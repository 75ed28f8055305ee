"""gunicorn settings for production (`make serve-prod`), read from the environment only.

    gunicorn -c python:casebook.gunicorn_conf

CASEBOOK_BIND (default 127.0.0.1:8000; put a reverse proxy with HTTPS in front), CASEBOOK_WORKERS
(default 2 × cores + 1) and CASEBOOK_TIMEOUT (seconds a worker may spend on one request, default
60: PDF batches are the slowest pages). The app's own settings (CASEBOOK_DATABASE_URL,
CASEBOOK_SECRET_KEY…) are checked here, in the master, so a bad one stops the server with its
message before any worker starts. Request logs are JSON lines on stderr (casebook.logs), other
messages plain lines on stderr; gunicorn's own access log is off. Responses say `Server: casebook`.
"""
from __future__ import annotations

import os
import sys

import gunicorn.http.wsgi
from flask import Flask

from casebook import load_config
from casebook.config import ConfigError


def _whole_number(name: str, default: int) -> int:
    value = os.environ.get(name) or str(default)
    if not value.isdigit() or int(value) < 1:
        sys.exit(f"casebook: {name} must be a positive whole number, not {value!r}")
    return int(value)


def _check_settings() -> None:
    # The same settings the workers will load; a refusal ends the master with the message alone.
    try:
        load_config(Flask("casebook", instance_relative_config=True), None)
    except ConfigError as exc:
        sys.exit(f"casebook: {exc}")


_check_settings()

# Name the server without its make or version, in the header and the WSGI environ.
gunicorn.http.wsgi.SERVER = "casebook"
gunicorn.http.wsgi.SERVER_SOFTWARE = "casebook"

wsgi_app = "casebook.wsgi:app"
proc_name = "casebook"
bind = [os.environ.get("CASEBOOK_BIND") or "127.0.0.1:8000"]
workers = _whole_number("CASEBOOK_WORKERS", 2 * (os.cpu_count() or 1) + 1)
timeout = _whole_number("CASEBOOK_TIMEOUT", 60)
graceful_timeout = 30
accesslog = None
control_socket_disable = True  # gunicorn ≥ 25 would otherwise open a control socket in $HOME

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(message)s"},
        "plain": {"format": "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "request_lines": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "line"},
        "stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "plain"},
    },
    "root": {"level": "WARNING", "handlers": ["stderr"]},
    "loggers": {
        "casebook.requests": {"level": "INFO", "handlers": ["request_lines"], "propagate": False},
        "casebook": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
    },
}
