"""Issue 14: every database outage answers 503 (never 500), and the next request works again.

A lock held too long by another connection (SQLite and PostgreSQL), PostgreSQL backends
terminated between requests, during one, or after its answer was made, and the error table
itself. The PostgreSQL-only tests skip on SQLite runs; CI runs both.
"""
import random
import sqlite3
import threading
import time
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from casebook import search
from casebook.db import get_engine
from casebook.services import tokens, users

from . import writes
from .conftest import CASES_DIR, PASSWORD, PG_URL, login, make_app

SLUG = "kochi-madoguchi-itaku"
DOWN = {"type": "about:blank", "title": "データベースに接続できません", "status": 503,
        "detail": "しばらくしてから、もう一度お試しください。続く場合は管理者にお知らせください。"}
needs_postgresql = pytest.mark.skipif(not PG_URL, reason="PostgreSQL backends (CI runs these with CASEBOOK_TEST_DATABASE_URL)")


def outage_app(database_url, tmp_path, **settings):
    """An app with the bundled cases, an editor, and its token on app.api_headers."""
    app = make_app(database_url, tmp_path, **settings)
    with app.app_context(), Session(get_engine(app)) as db:
        writes.load(db, search.get_index(app), [CASES_DIR])
        editor = users.create_user(db, "editor@example.jp", PASSWORD, "editor")
        _token, plain = tokens.create_token(db, editor, "障害のテスト")
    app.api_headers = {"Authorization": f"Bearer {plain}"}
    return app


def assert_down(response):
    """The documented 503: problem+json under /api, the Japanese page elsewhere."""
    assert response.status_code == 503, response.get_data(as_text=True)[:500]
    if response.mimetype == "application/problem+json":
        assert response.get_json() == DOWN
    else:
        assert response.mimetype == "text/html" and "データベースに接続できません" in response.get_data(as_text=True)


def index_is_clean(app) -> bool:
    with app.app_context(), Session(get_engine(app)) as db:
        return search.check_index(db, search.get_index(app)).clean


# --- a lock held by another connection for longer than the app waits --------------------------

@contextmanager
def locked(app):
    """Hold a write lock from a connection of another program: SQLite's whole file, PostgreSQL's case table."""
    url = get_engine(app).url
    if url.get_backend_name() == "sqlite":
        other = sqlite3.connect(url.database, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    holder = create_engine(url, poolclass=NullPool)
    with holder.connect() as other:
        other.execute(text('LOCK TABLE "case" IN EXCLUSIVE MODE'))  # reads go on, writes wait
        try:
            yield
        finally:
            other.rollback()
    holder.dispose()


def test_a_write_during_a_long_lock_answers_503_and_succeeds_once_it_is_released(database_url, tmp_path):
    app = outage_app(database_url, tmp_path, DATABASE_LOCK_TIMEOUT=0.3)
    client, editor = app.test_client(), app.api_headers
    try:
        etag = client.get(f"/api/v1/cases/{SLUG}", headers=editor).headers["ETag"]
        change = {"json": {"title": "ロックが解けてからの題名"}, "headers": editor | {"If-Match": etag}}
        with locked(app):
            started = time.monotonic()
            assert_down(client.patch(f"/api/v1/cases/{SLUG}", **change))
            assert time.monotonic() - started < 5  # DATABASE_LOCK_TIMEOUT, not the default 10 s
            assert_down(client.patch(f"/api/v1/cases/{SLUG}", **change))   # the same again: no 500
            assert client.get(f"/api/v1/cases/{SLUG}").get_json()["version"] == int(etag.strip('"'))  # reads go on
        saved = client.patch(f"/api/v1/cases/{SLUG}", **change)
        assert saved.status_code == 200, saved.get_data(as_text=True)
        assert saved.get_json()["title"] == "ロックが解けてからの題名"
        assert saved.headers["ETag"] == f'"{int(etag.strip(chr(34))) + 1}"'  # the refused tries wrote nothing
        assert index_is_clean(app)
    finally:
        get_engine(app).dispose()


def test_a_curator_saving_during_a_long_lock_gets_the_503_page(database_url, tmp_path):
    from .test_curate import edit_form

    app = outage_app(database_url, tmp_path, DATABASE_LOCK_TIMEOUT=0.3)
    editor = login(app, "editor@example.jp")
    try:
        form = edit_form(editor, SLUG, title="ロック中に保存した題名")
        with locked(app):
            assert_down(editor.post(f"/curate/cases/{SLUG}/edit", data=form))
        assert editor.post(f"/curate/cases/{SLUG}/edit", data=form).status_code == 302
        assert editor.get("/curate/").status_code == 200  # still signed in
    finally:
        get_engine(app).dispose()


# --- PostgreSQL backends terminated (pg_terminate_backend), as by an administrator or a failover ----

@pytest.fixture
def pg_app(database_url, tmp_path):
    """An app whose connections carry an application_name of their own, so only they are terminated."""
    name = f"casebook-outage-{uuid.uuid4().hex[:8]}"
    url = make_url(database_url).update_query_dict({"application_name": name})
    app = outage_app(url.render_as_string(hide_password=False), tmp_path)
    app.admin = create_engine(PG_URL, poolclass=NullPool)
    app.application_name = name
    yield app
    get_engine(app).dispose()
    app.admin.dispose()


def terminate(app, pid: int | None = None) -> int:
    """Terminate the app's backends (or one of them) and wait until they are gone; return how many."""
    with app.admin.connect() as admin:
        return admin.execute(text(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
            "WHERE application_name = :name AND pid <> pg_backend_pid() AND (CAST(:pid AS integer) IS NULL OR pid = :pid)"),
            {"name": app.application_name, "pid": pid}).scalar()


@contextmanager
def terminated_at(app, statement: str):
    """Terminate the backend of the first query whose SQL contains `statement`, just before it runs."""
    engine, hit = get_engine(app), []

    def before(conn, _cursor, sql, *_args):
        # The request-limit counter (ratelimit_store.py) runs first and lets a request through when
        # its store fails; the statements meant here are the request's own.
        if not hit and statement in sql and "ratecounter" not in sql:
            hit.append(sql)
            terminate(app, conn.connection.dbapi_connection.info.backend_pid)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield hit
    finally:
        event.remove(engine, "before_cursor_execute", before)


REQUESTS = {  # name: (method, URL, keyword arguments for the test client; "token" and "etag" filled in)
    "search page": ("get", "/cases?q=窓口", {}),
    "case page": ("get", f"/cases/{SLUG}", {}),
    "API search": ("get", "/api/v1/cases?q=窓口", {}),
    "API read with a token": ("get", f"/api/v1/cases/{SLUG}", {"token": True}),
    "API write": ("patch", f"/api/v1/cases/{SLUG}", {"token": True, "etag": True, "json": {"title": "障害の後の題名"}}),
}


def prepare(app, client, name):
    """The request `name` ready to send: (method, URL, arguments), its If-Match read now; or the failed read's answer."""
    method, url, kw = REQUESTS[name]
    kw = dict(kw)
    headers = app.api_headers if kw.pop("token", False) else {}
    if kw.pop("etag", False):
        current = client.get(f"/api/v1/cases/{SLUG}")
        if current.status_code != 200:
            return current
        headers = headers | {"If-Match": current.headers["ETag"]}
    return method, url, kw | {"headers": headers}


def send(app, client, name):
    """Send the request `name`; return its answer."""
    prepared = prepare(app, client, name)
    if not isinstance(prepared, tuple):
        return prepared
    method, url, kw = prepared
    return getattr(client, method)(url, **kw)


@needs_postgresql
def test_backends_terminated_between_requests_are_replaced_unnoticed(pg_app):
    client = pg_app.test_client()
    for name in REQUESTS:
        assert send(pg_app, client, name).status_code == 200, name
        assert terminate(pg_app) >= 1  # the pooled connection the request used
        assert send(pg_app, client, name).status_code == 200, name  # pool_pre_ping replaced it


# The first query of each request (for a token: its look-up, in the API's before_request), and
# the write's own statements.
DURING = [(name, "SELECT") for name in REQUESTS] + [("API write", "UPDATE"), ("API write", "INSERT")]


@needs_postgresql
@pytest.mark.parametrize(("name", "statement"), DURING)
def test_a_backend_terminated_during_a_request_answers_503_and_the_next_request_works(pg_app, name, statement):
    client = pg_app.test_client()
    method, url, kw = prepare(pg_app, client, name)
    with terminated_at(pg_app, statement) as hit:
        response = getattr(client, method)(url, **kw)
    assert hit, "no statement was terminated"
    assert_down(response)
    for _ in range(2):  # the next requests get healthy connections (the write, too: nothing was half-saved)
        again = send(pg_app, client, name)
        assert again.status_code == 200, again.get_data(as_text=True)[:500]
    assert index_is_clean(pg_app)


@needs_postgresql
@pytest.mark.parametrize("name", REQUESTS)
def test_a_backend_terminated_after_the_answer_was_made_keeps_the_answer(pg_app, name):
    # Closing the request's session rolls back on a connection that is gone; that must not turn
    # the answer already made into a bare 500 (it did, from the app context's teardown).
    armed = []

    @pg_app.after_request
    def _terminate(response):
        if armed:
            terminate(pg_app)
        return response

    client = pg_app.test_client()
    method, url, kw = prepare(pg_app, client, name)
    armed.append(True)
    assert getattr(client, method)(url, **kw).status_code == 200
    armed.clear()
    assert send(pg_app, client, "search page").status_code == 200
    assert send(pg_app, client, "API read with a token").status_code == 200


@needs_postgresql
def test_backends_terminated_at_random_never_give_a_500(pg_app):
    client, stop, seen = pg_app.test_client(), threading.Event(), {}
    rng = random.Random(14)

    def terminator():
        while not stop.is_set():
            terminate(pg_app)
            stop.wait(rng.uniform(0.001, 0.04))

    thread = threading.Thread(target=terminator, daemon=True)
    thread.start()
    try:
        for _ in range(25):
            for name in REQUESTS:
                status = send(pg_app, client, name).status_code  # raises if the app let an error out
                seen.setdefault(name, set()).add(status)
    finally:
        stop.set()
        thread.join(10)
    for name, statuses in seen.items():
        assert statuses <= {200, 503}, (name, statuses)
    assert any(503 in statuses for statuses in seen.values())  # some requests did meet a terminated backend
    for name in REQUESTS:
        assert send(pg_app, client, name).status_code == 200, name
    assert index_is_clean(pg_app)


# --- the error table: which database errors are outages ---------------------------------------

def _psycopg_shutdown():
    import psycopg.errors

    return psycopg.errors.AdminShutdown("terminating connection due to administrator command")


OUTAGES = {
    "OperationalError": lambda: exc.OperationalError("SELECT 1", {}, Exception("database is locked")),
    "InterfaceError": lambda: exc.InterfaceError("SELECT 1", {}, Exception("connection already closed")),
    "invalidated connection": lambda: exc.DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True),
    "PendingRollbackError": lambda: exc.PendingRollbackError("This Session's transaction has been rolled back"),
    "pool timeout": lambda: exc.TimeoutError("QueuePool limit reached"),
    "psycopg AdminShutdown": _psycopg_shutdown,
}


@pytest.fixture
def faulty_app(app):
    """An app with two routes that raise the exception in app.fault: a page and an API-like path."""
    def fail():
        raise app.fault()

    app.add_url_rule("/test-fault", "test_fault", fail)
    app.add_url_rule("/api/v1/test-fault", "test_api_fault", fail)
    return app


@pytest.mark.parametrize("fault", OUTAGES)
@pytest.mark.parametrize("path", ["/test-fault", "/api/v1/test-fault"])
def test_every_kind_of_outage_is_the_documented_503(faulty_app, fault, path, caplog):
    faulty_app.fault = OUTAGES[fault]
    response = faulty_app.test_client().get(path)
    assert_down(response)
    assert response.mimetype == ("application/problem+json" if path.startswith("/api/") else "text/html")
    assert "database unavailable" in caplog.text


@pytest.mark.parametrize("fault", [
    lambda: exc.IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed")),
    lambda: exc.ProgrammingError("SELECT", {}, Exception("syntax error")),
])
def test_a_failed_query_is_a_500_not_an_outage(faulty_app, fault, caplog):
    faulty_app.fault = fault
    response = faulty_app.test_client().get("/api/v1/test-fault")
    assert response.status_code == 500 and response.get_json()["title"] == "サーバーでエラーが発生しました"
    assert "unhandled error" in caplog.text
