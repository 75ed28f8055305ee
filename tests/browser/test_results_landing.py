"""Issue 19, item 5: after a facet click, a sort or a page turn, the page lands on its results, with
the keyboard's next stop after the results heading — with and without JavaScript."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from .axe import violations


def _next_stop_is_after_the_heading(page) -> bool:
    page.keyboard.press("Tab")
    return page.evaluate("document.getElementById('result-count').compareDocumentPosition(document.activeElement)"
                         " === Node.DOCUMENT_POSITION_FOLLOWING")


def test_a_facet_click_lands_on_the_results(base_url, page):
    page.goto(base_url + "/cases?q=窓口")
    facet = page.locator("[data-facet=theme] a").first
    facet.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"theme=.*#result-count$"))
    expect(page.locator("#result-count")).to_be_in_viewport()
    assert _next_stop_is_after_the_heading(page)
    assert violations(page) == []


def test_a_sort_lands_on_the_results(base_url, page):
    page.goto(base_url + "/cases?q=窓口")
    page.select_option("#sort", "newest")
    page.get_by_role("button", name="並べ替え").click()
    page.wait_for_url(re.compile(r"sort=newest.*#result-count$"))
    expect(page.locator("#result-count")).to_be_in_viewport()


def test_without_javascript_a_facet_click_lands_on_the_results(base_url, browser):
    context = browser.new_context(locale="ja-JP", java_script_enabled=False, viewport={"width": 375, "height": 812})
    try:
        page = context.new_page()
        page.goto(base_url + "/cases?q=窓口")
        page.locator("[data-facet=band] a").first.click()
        page.wait_for_url(re.compile(r"band=.*#result-count$"))
        expect(page.locator("#result-count")).to_be_in_viewport()
        assert _next_stop_is_after_the_heading(page)
    finally:
        context.close()


def test_back_to_the_results_keeps_the_query_and_facets(base_url, page):
    page.goto(base_url + "/cases?q=窓口")
    page.locator("[data-facet=theme] a").first.click()
    page.wait_for_url(re.compile(r"theme="))
    searched = page.url.split("#")[0]
    page.locator(".case-card h3 a").first.click()
    page.get_by_role("link", name="検索結果に戻る").click()
    page.wait_for_url(re.compile(r"#result-count$"))
    assert set(page.url.split("#")[0].split("?")[1].split("&")) == set(searched.split("?")[1].split("&"))
    expect(page.locator("#result-count")).to_be_in_viewport()
    assert violations(page) == []
