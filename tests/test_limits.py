"""Issue 14: limits on what one request or one visitor may cost.

Repeated search arguments are refused at once; a visitor's batch of
sheets is capped (a signed-in curator's less so); the expensive pages are rate-limited per
visitor with a Japanese 429 page and Retry-After; an empty limit setting turns its limit off.
"""
import io
import time

import pytest
from pypdf import PdfReader

from casebook import config, ratelimit
from casebook.config import ConfigError
from casebook.db import get_engine
from casebook.search import MAX_FACET_VALUES
from casebook.services import sheets

from .conftest import CASES_DIR, login, make_app

BUNDLED = len(list(CASES_DIR.glob("*.yaml")))
TOO_MANY = f"一度に指定できるのは{MAX_FACET_VALUES}個までです（464個指定されています）。条件を絞り込んでください。"
NOTHING_FOUND = "/cases/sheets.pdf?q=存在しない語句ぞ"   # a one-page PDF: the cheapest to render


def visitor(app, address: str = "192.0.2.1"):
    """A test client coming from `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def assert_too_many_requests(response):
    """The 429: Japanese (a page, or problem+json under /api), with Retry-After."""
    assert response.status_code == 429, response.get_data(as_text=True)[:300]
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    if response.mimetype == "application/problem+json":
        assert response.get_json()["title"] == "リクエストが多すぎます"
    else:
        page = response.get_data(as_text=True)
        assert response.mimetype == "text/html"
        assert "<h1>リクエストが多すぎます</h1>" in page and "秒待ってから、もう一度お試しください。" in page


# --- repeated arguments ------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/cases", "/cases/sheets", "/cases/sheets.pdf", "/cases/export.csv",
                                  "/api/v1/cases", "/api/v1/facets"])
def test_hundreds_of_values_of_one_facet_are_refused_at_once(client, path):
    # 464 tag= values used to cost 600-900 times the request in time and in the answer's size.
    query = [("tag", f"タグ{i}") for i in range(464)]
    client.get(path, query_string=query)   # warm: the first request of an app opens the index
    started = time.perf_counter()
    response = client.get(path, query_string=query)
    elapsed = time.perf_counter() - started
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert elapsed < 0.5 and len(response.data) < 20_000, (elapsed, len(response.data))
    if path.startswith("/api/"):
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["errors"] == [{"field": "tag", "message": TOO_MANY}]
    else:
        assert TOO_MANY in response.get_data(as_text=True)


def test_values_up_to_the_cap_still_work_and_every_list_argument_is_capped(client):
    tags = [("tag", f"タグ{i}") for i in range(MAX_FACET_VALUES)]
    assert client.get("/cases", query_string=tags).status_code == 200
    assert client.get("/api/v1/cases", query_string=tags).status_code == 200
    for name, value in (("theme", "cloud"), ("band", "0-5000"), ("region", "四国"), ("pref", "高知県"),
                        ("kind", "town"), ("year", "2020"), ("boost", "pref")):
        response = client.get("/api/v1/cases", query_string=[(name, value)] * (MAX_FACET_VALUES + 1))
        assert response.status_code == 400 and response.get_json()["errors"] == [{"field": name, "message": (
            f"一度に指定できるのは{MAX_FACET_VALUES}個までです（{MAX_FACET_VALUES + 1}個指定されています）。"
            "条件を絞り込んでください。")}], name


# --- batches of sheets ------------------------------------------------------------------------

def test_a_visitors_batch_is_capped_and_a_signed_in_curators_is_larger(accounts, add_case, monkeypatch):
    for i in range(31 - BUNDLED):
        add_case(slug=f"extra-{i:02d}", title=f"追加の事例{i}")
    total = max(BUNDLED, 31)
    page = accounts.test_client().get("/cases/sheets").get_data(as_text=True)
    assert sheets.MAX_BATCH == 30 and page.count('<article class="sheet"') == 30
    assert (f"検索結果は{total}件ありますが、一度に印刷できるのは先頭の30件までです。"
            "条件を絞り込んで分けて印刷してください。") in page
    editor = login(accounts, "editor@example.jp")
    page = editor.get("/cases/sheets").get_data(as_text=True)
    assert sheets.MAX_BATCH_SIGNED_IN == 200 and page.count('<article class="sheet"') == total
    assert "一度に印刷できるのは" not in page
    # The PDF holds the same sheets as the page (cut smaller here: 30 pages take seconds to render).
    monkeypatch.setattr(sheets, "MAX_BATCH", 2)
    assert len(PdfReader(io.BytesIO(accounts.test_client().get("/cases/sheets.pdf").data)).pages) == 1 + 2


# --- rate limits on pages ---------------------------------------------------------------------

def test_pdfs_are_rate_limited_per_visitor(accounts):
    accounts.config["PDF_RATE_LIMIT"] = "2/minute"
    first = visitor(accounts)
    for _ in range(2):
        assert first.get(NOTHING_FOUND).status_code == 200
    assert_too_many_requests(first.get("/cases/kochi-madoguchi-itaku/sheet.pdf"))
    assert_too_many_requests(first.get(NOTHING_FOUND))
    assert first.get("/cases/kochi-madoguchi-itaku/sheet").status_code == 200  # the printable page is no PDF
    assert visitor(accounts, "192.0.2.2").get(NOTHING_FOUND).status_code == 200  # another address
    editor = login(accounts, "editor@example.jp")
    editor.environ_base["REMOTE_ADDR"] = "192.0.2.1"
    assert editor.get(NOTHING_FOUND).status_code == 200  # a signed-in curator counts on their own


def test_search_pages_exports_and_sheets_are_rate_limited_per_visitor(client):
    client.application.config["HTML_RATE_LIMIT"] = "3/minute"
    first = visitor(client.application)
    for url in ("/cases?q=窓口", "/cases/export.csv", "/cases/sheets"):
        assert first.get(url).status_code == 200, url
    for url in ("/cases", "/cases/export.json", "/cases/sheets", "/cases/kochi-madoguchi-itaku/sheet", NOTHING_FOUND):
        assert_too_many_requests(first.get(url))
    for url in ("/", "/cases/kochi-madoguchi-itaku", "/about", "/healthz"):  # cheap pages are not counted
        assert first.get(url).status_code == 200, url
    assert visitor(client.application, "192.0.2.2").get("/cases").status_code == 200


def test_the_api_limit_answers_through_the_same_limiter(client):
    client.application.config["API_RATE_LIMIT"] = "1/minute"
    assert client.get("/api/v1/facets").status_code == 200
    assert_too_many_requests(client.get("/api/v1/facets"))
    assert client.get("/cases").status_code == 200  # pages count apart from the API


# --- settings -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("setting", "url"), [
    ("API_RATE_LIMIT", "/api/v1/cases/no-such-case"),
    ("HTML_RATE_LIMIT", "/cases?page=x"),
    ("PDF_RATE_LIMIT", "/cases/sheets.pdf?page=x"),   # counted, then refused before any PDF is made
])
def test_an_empty_limit_in_the_environment_turns_it_off(monkeypatch, database_url, tmp_path, setting, url):
    monkeypatch.setenv(f"CASEBOOK_{setting}", "")
    app = make_app(database_url, tmp_path)
    try:
        assert app.config[setting] == "" and ratelimit.get_limiter(app, setting) is None
        client = app.test_client()
        allowed, _period = ratelimit.parse_rate(config.DEFAULTS[setting])
        statuses = {client.get(url).status_code for _ in range(allowed + 1)}
        assert 429 not in statuses and statuses
    finally:
        get_engine(app).dispose()


@pytest.mark.parametrize("setting", ["HTML_RATE_LIMIT", "PDF_RATE_LIMIT"])
def test_a_limit_in_the_environment_applies(monkeypatch, database_url, tmp_path, setting):
    monkeypatch.setenv(f"CASEBOOK_{setting}", "2/hour")
    app = make_app(database_url, tmp_path)
    try:
        client = app.test_client()
        assert [client.get("/cases/sheets.pdf?page=x").status_code for _ in range(3)] == [400, 400, 429]
        assert 3000 < int(client.get("/cases/sheets.pdf?page=x").headers["Retry-After"]) <= 3600
    finally:
        get_engine(app).dispose()


@pytest.mark.parametrize("setting", ["API_RATE_LIMIT", "HTML_RATE_LIMIT", "PDF_RATE_LIMIT"])
@pytest.mark.parametrize("value", ["lots", "10/fortnight", "-5/minute"])
def test_a_malformed_limit_is_refused_at_start(database_url, tmp_path, setting, value):
    with pytest.raises(ConfigError, match=setting):
        make_app(database_url, tmp_path, **{setting: value})


def test_the_limits_are_defaults_in_the_settings():
    assert ratelimit.parse_rate(config.DEFAULTS["HTML_RATE_LIMIT"]) == (300, 60)
    assert ratelimit.parse_rate(config.DEFAULTS["PDF_RATE_LIMIT"]) == (10, 60)
    assert ratelimit.parse_rate("0") is None and ratelimit.parse_rate(" ") is None
