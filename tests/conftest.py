"""Fixtures: an app over its own database and index under tmp_path.

The database is SQLite by default; with CASEBOOK_TEST_DATABASE_URL set (CI does), every
test gets its own PostgreSQL schema on that server instead.
"""
from __future__ import annotations

import copy
import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session

from casebook import case_fields, create_app, search
from casebook.db import get_engine, init_db

from . import writes

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = ROOT / "tests" / "cases"  # the twelve seed cases, frozen: tests count on them (cases/ grows)
# The reference data the tests read: the municipality master packaged with casebook (once ../shared/data).
SHARED_DATA = ROOT / "casebook" / "data"
PG_URL = os.environ.get("CASEBOOK_TEST_DATABASE_URL")
# The search engine the tests' apps run on (`make test-tantivy` sets tantivy); Whoosh by default.
SEARCH_ENGINE = os.environ.get("CASEBOOK_TEST_SEARCH_ENGINE") or "whoosh"


@contextmanager
def own_database(directory: Path, prefix: str = "t"):
    """A database URL of its own: a SQLite file in `directory`, or a fresh PostgreSQL schema dropped afterwards."""
    if not PG_URL:
        yield f"sqlite:///{directory / 'test.sqlite'}"
        return
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def database_url(tmp_path):
    """A fresh, empty database for one test."""
    with own_database(tmp_path) as url:
        yield url


CHROMIUM = "/usr/bin/chromium"
NO_BROWSER = "browser tests need Chromium (Debian package `chromium`) and Playwright: run `make system-deps install`"


def chromium_path() -> str:
    """Chromium's path; without it (or Playwright) a developer's run skips in one line, CI (CI=true) fails."""
    path = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        path = None
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(NO_BROWSER)
        pytest.skip(NO_BROWSER)
    return path


def make_app(database_url: str, tmp_path: Path, **settings):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "SEARCH_ENGINE": SEARCH_ENGINE,
        **settings,
    })
    init_db(get_engine(app))
    return app


@pytest.fixture
def app(database_url, tmp_path):
    """An app with an empty database and no index yet."""
    app = make_app(database_url, tmp_path)
    yield app
    get_engine(app).dispose()


@pytest.fixture
def loaded_app(app):
    """An app with the bundled cases loaded and indexed."""
    with app.app_context():
        with Session(get_engine(app)) as session:
            report = writes.load(session, search.get_index(app), [CASES_DIR])
    assert report.errors == [] and report.created >= 12
    return app


@pytest.fixture
def client(loaded_app):
    return loaded_app.test_client()


@pytest.fixture
def session(app):
    """A database session for service calls (no app context stays pushed, so requests made
    with the test client get their own, as in production)."""
    with Session(get_engine(app), expire_on_commit=False) as session:
        yield session


@pytest.fixture
def index(app):
    return search.get_index(app)


def case_data(**changes) -> dict:
    """A valid case in the validated shape (as CaseFileSchema.load returns it); blank fields from the registry."""
    data = {
        **case_fields.blank(), "slug": "test-case", "title": "テスト事例", "status": "published",
        "themes": ["outsourcing"],
        "participants": [{
            **case_fields.blank_row(case_fields.PARTICIPANTS), "role": "lead", "code": "392014", "name": "高知市",
            "prefecture": "高知県", "kind": "city", "population": 326814, "population_year": 2020,
        }],
    }
    data.update(copy.deepcopy(changes))
    return data


def participant(name: str, population: int | None, kind: str = "town", code: str | None = None,
                prefecture: str | None = "高知県", role: str = "member") -> dict:
    return {**case_fields.blank_row(case_fields.PARTICIPANTS), "role": role, "code": code, "name": name,
            "prefecture": prefecture, "kind": kind, "population": population,
            "population_year": 2020 if population is not None else None}


def effect(label: str, amount: str = "", kind: str = "cost", **changes) -> dict:
    return {**case_fields.blank_row(case_fields.EFFECTS), "kind": kind, "label": label, "amount": amount, **changes}


@pytest.fixture
def add_case(app):
    """Create a case through the service (database and index stay consistent)."""
    def add(**changes):
        with app.app_context():
            with Session(get_engine(app), expire_on_commit=False) as session:
                case, _ = writes.save(session, search.get_index(app), case_data(**changes))
                return case
    return add


PASSWORD = "correct-horse-battery"


@pytest.fixture
def accounts(loaded_app):
    """The bundled cases plus a curator and an editor (both with PASSWORD)."""
    from casebook.services import users

    with Session(get_engine(loaded_app)) as db:
        users.create_user(db, "curator@example.jp", PASSWORD, "curator", "担当 花子")
        users.create_user(db, "editor@example.jp", PASSWORD, "editor", "編集 太郎")
    return loaded_app


def token(client, url="/login"):
    """The CSRF token of a page, as a browser would send it back."""
    import re

    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', html).group(1)


def login(app, email):
    """A test client signed in as `email` through the login form."""
    client = app.test_client()
    response = client.post("/login", data={"csrf_token": token(client), "email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client
