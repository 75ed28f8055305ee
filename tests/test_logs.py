"""Request logs: one JSON line per request on `casebook.requests`, with the request id echoed."""
import json

import pytest
from sqlmodel import Session

from casebook.db import get_engine
from casebook.services import tokens, users

from .conftest import PASSWORD, login


@pytest.fixture
def lines(caplog):
    """The request lines logged so far, parsed."""
    caplog.set_level("INFO", logger="casebook.requests")

    def read() -> list[dict]:
        return [json.loads(r.getMessage()) for r in caplog.records if r.name == "casebook.requests"]
    return read


def test_one_line_per_request_with_its_facts(app, lines):
    response = app.test_client().get("/login?next=/curate", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert response.status_code == 200
    [line] = lines()
    assert isinstance(line.pop("duration_ms"), float)
    request_id = line.pop("request_id")
    assert len(request_id) == 32 and response.headers["X-Request-ID"] == request_id
    assert line == {"method": "GET", "path": "/login", "status": 200, "remote_addr": "192.0.2.7",
                    "user_id": None, "bytes": len(response.data)}


@pytest.mark.parametrize(("offered", "kept"), [("proxy-5f1c2a7e-0001", True), ("short", False), ("bad id <script>", False)])
def test_a_request_id_from_a_proxy_is_kept_when_it_looks_like_one(app, lines, offered, kept):
    response = app.test_client().get("/nowhere", headers={"X-Request-ID": offered})
    [line] = lines()
    assert (line["status"], line["path"]) == (404, "/nowhere")
    assert (line["request_id"] == offered) is kept
    assert response.headers["X-Request-ID"] == line["request_id"]


def test_the_user_is_named_for_signed_in_curators_and_api_tokens(app, lines):
    with Session(get_engine(app)) as db:
        editor = users.create_user(db, "editor@example.jp", PASSWORD, "editor")
        _token, plain = tokens.create_token(db, editor, "logs")
        editor_id = editor.id
    client = login(app, "editor@example.jp")
    client.get("/curate/users")
    app.test_client().get("/api/v1/cases/missing", headers={"Authorization": f"Bearer {plain}"})
    app.test_client().get("/api/v1/cases", headers={"Authorization": "Bearer cbk_wrong"})
    by_path = {(line["method"], line["path"]): line for line in lines()}
    assert by_path[("POST", "/login")]["status"] == 302
    assert (by_path[("GET", "/curate/users")]["user_id"], by_path[("GET", "/curate/users")]["status"]) == (editor_id, 200)
    assert (by_path[("GET", "/api/v1/cases/missing")]["user_id"], by_path[("GET", "/api/v1/cases/missing")]["status"]) \
        == (editor_id, 404)
    assert (by_path[("GET", "/api/v1/cases")]["user_id"], by_path[("GET", "/api/v1/cases")]["status"]) == (None, 401)
