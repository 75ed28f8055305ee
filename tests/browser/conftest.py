"""Browser fixtures: one served app and one Chromium for the whole package.

The app runs in a real werkzeug server thread on a free loopback port, over its own database
(a SQLite file, or a schema of CASEBOOK_TEST_DATABASE_URL) and index, with the bundled cases,
the municipality master when the shared data has it, and an editor account. Without Chromium a
developer's run skips the browser tests in one line; CI (CI=true) fails them instead.
"""
from __future__ import annotations

import re
import threading

import pytest
from sqlmodel import Session
from werkzeug.serving import make_server

from casebook import search
from casebook.db import get_engine
from casebook.services import inquiries, municipalities, users

from .. import writes
from ..conftest import CASES_DIR, NO_BROWSER, PASSWORD, ROOT, SHARED_DATA, chromium_path, make_app, own_database

MASTER = SHARED_DATA / "municipalities.csv"
EDITOR = "editor@example.jp"
OUTPUT = ROOT / "test-output"
# Two rows of the master, for a checkout without the shared data (the pages need one to show).
SMALL_MASTER = """code,prefecture,name,kana,population,population_year,source,kind
172073,石川県,羽咋市,はくいし,20429,2020,令和2年国勢調査 速報集計,city
392014,高知県,高知市,こうちし,326814,2020,令和2年国勢調査 速報集計,city
"""
# A case whose workflow is stepped once more so that history and diff have two versions.
STEPPED = "hakui-madoguchi-itaku"


def fill_app(app) -> None:
    """Bundled cases, the master (when present), an editor, and a second revision of STEPPED."""
    with app.app_context(), Session(get_engine(app)) as db:
        index = search.get_index(app)
        report = writes.load(db, index, [CASES_DIR])
        assert report.errors == []
        municipalities.import_master(db, MASTER.read_bytes() if MASTER.exists() else SMALL_MASTER.encode(),
                                     "出典：政府統計の総合窓口(e-Stat)「令和2年国勢調査 速報集計」（総務省統計局）")
        editor = users.create_user(db, EDITOR, PASSWORD, "editor", "編集 太郎")
        writes.transition(db, index, STEPPED, "unpublish", editor, "確認のため")
        writes.transition(db, index, STEPPED, "publish", editor, "確認済み")
        inquiries.submit(db, STEPPED, {"name": "山田 一郎", "organisation": "○○町", "email": "yamada@town.example.lg.jp",
                                       "question": "仕様書はどう作りましたか。"})
        db.commit()


@pytest.fixture(scope="package")
def served(tmp_path_factory):
    """The app served on a free loopback port: (base URL, app)."""
    directory = tmp_path_factory.mktemp("browser")
    with own_database(directory, "b") as url:
        app = make_app(url, directory)
        fill_app(app)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}", app
        finally:
            server.shutdown()
            thread.join(timeout=10)
            get_engine(app).dispose()


@pytest.fixture(scope="package")
def base_url(served) -> str:
    return served[0]


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for the package (Debian's, never a downloaded build)."""
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"])
        yield browser
        browser.close()


@pytest.fixture(scope="package")
def editor_state(browser, base_url, tmp_path_factory) -> str:
    """Cookies of an editor signed in through the login form, for curator pages."""
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    page.goto(base_url + "/login")
    page.get_by_label("メールアドレス").fill(EDITOR)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(re.compile(r"/curate/"))
    path = tmp_path_factory.mktemp("state") / "editor.json"
    context.storage_state(path=str(path))
    context.close()
    return str(path)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so `page` can tell whether the test failed; report
    every skip for a missing browser at one place, so that `-ra` folds them into one line."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    if report.skipped and isinstance(report.longrepr, tuple) and report.longrepr[2].endswith(NO_BROWSER):
        report.longrepr = (chromium_path.__code__.co_filename, chromium_path.__code__.co_firstlineno, report.longrepr[2])
    return report


def _open_page(browser, request, **options):
    context = browser.new_context(locale="ja-JP", **options)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors
    return context, page


def _close_page(context, page, request) -> None:
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        OUTPUT.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
        page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)
    context.close()


@pytest.fixture
def page(browser, request):
    """A fresh anonymous tab (1280×900); a screenshot goes to test-output/ when the test fails."""
    context, page = _open_page(browser, request, viewport={"width": 1280, "height": 900})
    yield page
    _close_page(context, page, request)


@pytest.fixture
def editor_page(browser, editor_state, request):
    """A fresh tab signed in as the editor."""
    context, page = _open_page(browser, request, viewport={"width": 1280, "height": 900}, storage_state=editor_state)
    yield page
    _close_page(context, page, request)


@pytest.fixture
def open_page(browser, request):
    """Open tabs with other options (viewport, zoom); each is closed, and screenshotted on failure."""
    opened = []

    def open_(**options):
        context, page = _open_page(browser, request, **options)
        opened.append((context, page))
        return page
    yield open_
    for context, page in opened:
        _close_page(context, page, request)
