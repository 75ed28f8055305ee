"""axe-core (WCAG 2.1 A/AA) on every page of the URL map, and on the pages' other states.

Every GET route is opened with arguments from the bundled data: HTML pages are checked with
axe (curator pages signed in as the editor), the others must answer with their own type. A new
HTML page fails here until it is on the accessibility statement (casebook/accessibility.py).
"""
from __future__ import annotations

import re

import pytest

from casebook.accessibility import TESTED_PAGES

from .axe import violations
from .conftest import STEPPED

ARGS = {"slug": STEPPED, "code": "172073", "fmt": "csv", "ref": "sc1a2603edea393f7",
        "inquiry_id": "1", "token": "not-a-token-of-any-subscription"}  # ref: = 保育所 保育園
# Pages of an e-mail alert's token: here the made-up token's 404 page (the pages themselves are
# checked with real tokens in test_alert_pages.py).
NEED_A_TOKEN = {"alerts.confirm_page", "alerts.manage", "alerts.unsubscribe_page"}
# The batch PDF of one search result keeps WeasyPrint's work short.
QUERY = {"curate.diff": "?a=1&b=2", "sheets.download_batch": "?q=秩父"}
# GET routes whose answer is not a page (JSON, PDF, downloads): checked for status and type only.
# Revisions need an API token (the sign-in cookie does not authorise the API): 401 problem+json.
NOT_PAGES = {"api.search_cases": 200, "api.show_case": 200, "api.show_revisions": 401, "api.list_facets": 200,
             "api.find_municipalities": 200, "api.show_municipality": 200, "api.suggest_keywords": 200,
             "api.openapi_json": 200, "sheets.download_sheet": 200, "sheets.download_batch": 200,
             "public.export_cases": 200, "exports.export_table": 200, "curate.export_all": 200, "curate.import_template": 200,
             "health.healthz": 200, "health.readyz": 200, "feeds.search_feed": 200,
             "curate.export_thesaurus": 200}
# Other states of pages: selected facets, no results, wrong input, candidates, errors.
STATES = ["/cases?q=窓口&theme=outsourcing&band=20000-50000", "/cases?q=存在しない語句ｘｙｚ",
          "/cases?band=bogus", "/cases?sort=population&page=1", "/mygov?q=こうち", "/no-such-page", "/logout",
          "/cases/no-such-case"]


def get_routes(app):
    """(endpoint, URL) for every GET route but static files, arguments filled in."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        url = rule.rule
        for name, value in ARGS.items():
            url = re.sub(rf"<(?:[a-z]+:)?{name}>", value, url)
        assert "<" not in url, f"no value for an argument of {rule.rule}: add it to ARGS"
        yield rule.endpoint, url + QUERY.get(rule.endpoint, "")


def is_curator(endpoint: str) -> bool:
    return endpoint.startswith(("curate.", "tokens."))


def check(page, url: str, status: int = 200) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.status == status, (url, response and response.status)
    return [f"{url}: {line}" for line in violations(page)]


def test_every_page_has_no_axe_violations(served, page, editor_page):
    base_url, app = served
    found, problems = set(), []
    for endpoint, url in get_routes(app):
        tab = editor_page if is_curator(endpoint) else page
        answer = tab.request.get(base_url + url, max_redirects=0)
        if not answer.headers["content-type"].startswith("text/html"):
            assert answer.status == NOT_PAGES.get(endpoint), (url, answer.status, answer.headers["content-type"])
            continue
        if endpoint in NEED_A_TOKEN:
            problems += check(tab, base_url + url, 404)
            continue
        assert answer.status == 200, (url, answer.status)
        found.add(endpoint)
        problems += check(tab, base_url + url)
    assert problems == []
    assert found == set(TESTED_PAGES), "HTML pages and the accessibility statement's list differ"
    # The NEED_A_TOKEN pages are visited as their 404 answer on purpose: the browser logs that 404.
    expected = [e for e in page.console_errors + editor_page.console_errors if "status of 404" in e]
    assert len(expected) <= len(NEED_A_TOKEN)
    assert tab.evaluate("axe.version") and [e for e in page.console_errors + editor_page.console_errors
                                            if e not in expected] == []


@pytest.mark.parametrize("url", STATES)
def test_page_states_have_no_axe_violations(base_url, page, url):
    status = 400 if "bogus" in url else 404 if "no-such" in url else 405 if url == "/logout" else 200
    assert check(page, base_url + url, status) == []
    if status == 400:
        assert page.title().startswith("検索条件に誤りがあります: ")
    if url.startswith("/mygov"):
        assert page.get_by_role("table").count() == 1                  # the candidates, with their headers


def test_form_errors_are_tied_to_their_fields(base_url, page, editor_page):
    page.goto(base_url + "/login")
    page.get_by_role("button", name="ログイン").click()
    assert page.title().startswith("入力内容に誤りがあります: ログイン")       # the title tells too
    email = page.get_by_label("メールアドレス")
    assert email.get_attribute("aria-invalid") == "true"
    described = email.get_attribute("aria-describedby")
    assert page.locator(f"#{described}").inner_text() == "メールアドレスを入力してください。"
    assert violations(page) == []

    page.goto(base_url + "/mygov")
    page.get_by_role("button", name="この人口を基準にする").click()
    assert page.title().startswith("入力内容に誤りがあります: あなたの団体を選ぶ")
    population = page.get_by_label("人口（人）")
    assert population.get_attribute("aria-invalid") == "true"
    assert "人口を入力してください" in page.locator("#" + population.get_attribute("aria-describedby")).inner_text()
    assert violations(page) == []

    editor_page.goto(base_url + "/curate/cases/new")
    editor_page.get_by_role("button", name="保存する").click()
    assert editor_page.title().startswith("入力内容に誤りがあります: 事例の新規作成")
    invalid = editor_page.locator("[aria-invalid=true]")
    assert invalid.count() >= 2
    for i in range(invalid.count()):
        field = invalid.nth(i)
        assert editor_page.locator("#" + field.get_attribute("aria-describedby")).inner_text().strip()
    assert violations(editor_page) == []
