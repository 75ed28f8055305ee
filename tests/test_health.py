"""Issue 9: /healthz (the process answers) and /readyz (database and search index ready)."""
from sqlmodel import Session

from casebook import search
from casebook.db import get_engine
from casebook.search import changes

from . import writes
from .conftest import case_data, make_app


def readyz(app):
    response = app.test_client().get("/readyz")
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    return response.status_code, response.get_json()


def test_healthz_answers_without_database_or_index(app):
    response = app.test_client().get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})
    assert response.headers["Cache-Control"] == "no-store"


def test_ready_when_the_index_holds_every_change(loaded_app):
    index = search.get_index(loaded_app)
    with Session(get_engine(loaded_app)) as db:
        latest = changes.latest(db)
    assert latest >= 12
    assert readyz(loaded_app) == (200, {
        "status": "ok", "database": "ok",
        "index": {"present": True, "generation": index.current_name(), "applied": latest, "rebuilding": False},
        "latest": latest, "lag": 0, "max_lag": 50,
    })


def test_not_ready_without_an_index(app):
    status, body = readyz(app)
    assert status == 503
    assert body["status"] == "unavailable" and body["database"] == "ok"
    assert body["index"] == {"present": False, "generation": None, "applied": None, "rebuilding": False}


def test_not_ready_when_the_index_is_too_far_behind(database_url, tmp_path):
    """Another instance's changes this one has not applied count against it."""
    here = make_app(database_url, tmp_path / "here", READY_MAX_LAG=1)
    there = make_app(database_url, tmp_path / "there")
    try:
        with Session(get_engine(here)) as db:
            writes.save(db, search.get_index(here), case_data(slug="a"))
        assert readyz(here)[0] == 200
        with Session(get_engine(there)) as db:
            writes.save(db, search.get_index(there), case_data(slug="b"))
        status, body = readyz(here)
        assert (status, body["lag"], body["status"]) == (200, 1, "ok")
        with Session(get_engine(there)) as db:
            writes.save(db, search.get_index(there), case_data(slug="c"))
        status, body = readyz(here)
        assert (status, body["latest"], body["index"]["applied"], body["lag"], body["status"]) == (503, 3, 1, 2, "unavailable")
    finally:
        for app in (here, there):
            get_engine(app).dispose()


def test_health_routes_need_no_sign_in_or_csrf(loaded_app):
    client = loaded_app.test_client()
    assert client.get("/readyz").status_code == 200
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405  # read-only; refused as such, not as a CSRF failure
