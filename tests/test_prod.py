"""Production serving: weak secrets refused, and gunicorn serving the app with its settings."""
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from casebook import config, create_app
from casebook.config import ConfigError

from .conftest import ROOT

GUNICORN = Path(sys.executable).with_name("gunicorn")


@pytest.mark.parametrize("secret", [
    "dev", "change-me", "0123456789abcdef0123", "change-me-" + secrets.token_hex(16), "a" * 64,
    "this-is-an-example-secret-for-the-docs-only",
])
def test_weak_secrets_are_refused_outside_debug_and_testing(monkeypatch, tmp_path, secret):
    monkeypatch.setenv("CASEBOOK_SECRET_KEY", secret)
    with pytest.raises(ConfigError, match=r"CASEBOOK_SECRET_KEY is too weak: use at least 32 random characters"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}", "SEARCH_INDEX_DIR": str(tmp_path / "index")})


def test_a_generated_secret_is_accepted():
    config.check_secret(secrets.token_hex(32))
    config.check_secret(secrets.token_urlsafe(32))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(tmp_path: Path, database_url: str, secret: str, port: int) -> subprocess.Popen:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CASEBOOK_")}
    environ.update(CASEBOOK_DATABASE_URL=database_url, CASEBOOK_SEARCH_INDEX_DIR=str(tmp_path / "index"),
                   CASEBOOK_SECRET_KEY=secret, CASEBOOK_BIND=f"127.0.0.1:{port}", CASEBOOK_WORKERS="2")
    with (tmp_path / "stderr.log").open("wb") as stderr:  # the child keeps its own copy
        return subprocess.Popen([str(GUNICORN), "-c", "python:casebook.gunicorn_conf"], cwd=ROOT, env=environ,
                                stdout=subprocess.DEVNULL, stderr=stderr)


def test_gunicorn_refuses_a_weak_secret_with_the_message_alone(tmp_path, database_url):
    server = serve(tmp_path, database_url, "change-me", free_port())
    assert server.wait(timeout=30) != 0
    stderr = (tmp_path / "stderr.log").read_text()
    assert "casebook: CASEBOOK_SECRET_KEY is too weak" in stderr and "Traceback" not in stderr


def test_gunicorn_serves_the_app_names_itself_casebook_and_logs_json_lines(loaded_app, tmp_path, database_url):
    port = free_port()
    server = serve(tmp_path, database_url, secrets.token_hex(32), port)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/cases?q=%E6%B0%B4", timeout=5)
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "stderr.log").read_text()
                time.sleep(0.2)
        body = json.loads(response.read())
        assert (response.status, response.headers["Server"]) == (200, "casebook")
        assert body["total"] > 0
        request_id = response.headers["X-Request-ID"]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    lines = [json.loads(line) for line in (tmp_path / "stderr.log").read_text().splitlines() if line.startswith("{")]
    [line] = [line for line in lines if line["request_id"] == request_id]
    assert (line["method"], line["path"], line["status"], line["user_id"]) == ("GET", "/api/v1/cases", 200, None)
