"""What a person does: search from the home page, narrow by two facets, open a case and its
print sheet, come back with the filters kept — with the mouse, with the keyboard only, at 200%
zoom and on a 375-pixel-wide phone."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

FACETS = ("band", "region")


def facet(page, name: str):
    """The sidebar's section of one facet."""
    return page.locator(f"aside.facets section[data-facet={name}]")


def result_total(page) -> int:
    return int(re.match(r"[\d,]+", page.locator("#result-count").inner_text()).group().replace(",", ""))


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def assert_filtered(page, expected_query: dict, total: int) -> None:
    assert query(page) == expected_query
    assert page.locator("aside.facets a[aria-current=true]").count() == 2
    assert result_total(page) == total


def test_search_narrow_open_case_and_sheet_and_come_back(base_url, page):
    page.goto(base_url + "/")
    expect(page).to_have_title(re.compile("^トップページ"))
    page.get_by_label("キーワード").fill("窓口")
    page.get_by_role("button", name="検索", exact=True).click()
    expect(page).to_have_title(re.compile("^「窓口」の検索結果"))
    everything = result_total(page)
    assert everything >= 5
    for name in FACETS:
        facet(page, name).get_by_role("link").first.click()
        expect(page.locator("aside.facets a[aria-current=true]")).to_have_count(FACETS.index(name) + 1)
    filtered, total = query(page), result_total(page)
    assert set(filtered) == {"q", "band", "region"} and 0 < total < everything
    assert page.locator("article.case-card").count() == total

    first = page.locator("article.case-card h3 a").first
    title = first.inner_text().strip()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page).to_have_title(re.compile(re.escape(title)))
    page.get_by_role("link", name=re.compile("印刷用シート")).click()
    expect(page).to_have_title(re.compile("^印刷用シート: "))
    expect(page.get_by_role("button", name="印刷する")).to_be_visible()   # print.js ran under the CSP

    page.go_back()
    page.go_back()
    assert_filtered(page, filtered, total)
    assert page.console_errors == []


FOCUS_STYLE = """el => { const s = getComputedStyle(el);
  return {outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2, tag: el.tagName,
          text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40),
          box: el.getBoundingClientRect().toJSON()} }"""
ORDER = "([a, b]) => a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? 1 : -1"


def tab_to(page, selector: str, limit: int = 120) -> list[dict]:
    """Press Tab until the focus is on `selector`; every stop must show its focus and follow the
    document order (no positive tabindex, nothing focusable out of order)."""
    stops = []
    previous = page.evaluate_handle("document.activeElement")
    for _ in range(limit):
        page.keyboard.press("Tab")
        current = page.evaluate_handle("document.activeElement")
        style = current.evaluate(FOCUS_STYLE)
        assert style["outline"], f"no visible focus on {style}"
        assert style["box"]["width"] > 0 and style["box"]["height"] > 0, f"focus on an invisible element: {style}"
        if stops:
            assert page.evaluate(ORDER, [previous, current]) == 1, f"focus went backwards to {style}"
        stops.append(style)
        if current.evaluate("(el, s) => el.matches(s)", selector):
            return stops
        previous = current
    raise AssertionError(f"{selector} not reached with Tab: {[s['text'] for s in stops]}")


def test_the_same_with_the_keyboard_only(base_url, page):
    page.goto(base_url + "/")
    stops = tab_to(page, ".skip-link")
    assert len(stops) == 1 and stops[0]["text"] == "本文へ移動" and stops[0]["box"]["x"] >= 0   # first, and on screen
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    tab_to(page, "#q", limit=1)                                  # the search box is the first stop in the main part
    page.keyboard.type("窓口")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile("^「窓口」の検索結果"))
    everything = result_total(page)

    for name in FACETS:
        tab_to(page, f"aside.facets section[data-facet={name}] a")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.locator("#result-count")).to_be_in_viewport()    # a facet click lands on the results (issue 19)
        page.focus("#q")                                              # back up to the search box for the next facet
    expect(page.locator("aside.facets a[aria-current=true]")).to_have_count(2)
    filtered, total = query(page), result_total(page)
    assert set(filtered) == {"q", "band", "region"} and 0 < total < everything

    title = page.locator("article.case-card h3 a").first.inner_text().strip()
    tab_to(page, "article.case-card h3 a")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    tab_to(page, ".case-links a")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile("^印刷用シート: "))
    stops = tab_to(page, "[data-print]")
    assert [s["text"] for s in stops[:2]] == ["事例のページへ戻る", "PDFをダウンロード"]

    # The browser's own Back (Alt+←) belongs to its window, which key presses sent to a headless page do not reach.
    page.go_back()
    expect(page).to_have_title(f"{title} | 先進事例データベース casebook")
    page.go_back()
    expect(page).to_have_title(re.compile("^「窓口」の検索結果"))
    assert_filtered(page, filtered, total)


FITS = """() => { const width = document.documentElement.clientWidth; const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || el.closest('.table-scroll, .visually-hidden, .skip-link')) continue;
    if (r.left < -1 || r.right > width + 1) out.push(`${el.tagName}.${el.className} ${Math.round(r.left)}..${Math.round(r.right)}`);
  }
  return {scroll: document.documentElement.scrollWidth - width, out: out.slice(0, 8)} }"""


def assert_fits(page) -> None:
    """No horizontal scrolling and no element sticking out at the sides (tables scroll in their own box)."""
    assert page.evaluate(FITS) == {"scroll": 0, "out": []}, page.url


def narrow_flow(base_url, page) -> None:
    page.goto(base_url + "/")
    assert_fits(page)
    page.get_by_label("キーワード").fill("水道")
    page.get_by_role("button", name="検索", exact=True).click()
    expect(page).to_have_title(re.compile("^「水道」の検索結果"))
    assert_fits(page)
    for name in FACETS:
        link = facet(page, name).get_by_role("link").first
        link.scroll_into_view_if_needed()
        link.click()
        page.wait_for_load_state()
        assert_fits(page)
    expect(page.locator("aside.facets a[aria-current=true]")).to_have_count(2)
    page.locator("article.case-card h3 a").first.click()
    expect(page.locator("dl.facts").first).to_be_visible()
    assert_fits(page)
    scroller = page.locator(".table-scroll").first
    assert scroller.get_attribute("tabindex") == "0"            # a wide table scrolls in its own box, by keyboard too
    assert scroller.evaluate("el => el.getBoundingClientRect().right <= document.documentElement.clientWidth")


def test_at_200_percent_zoom(base_url, open_page):
    # 200% zoom of a 1280×800 window: a 640-CSS-pixel viewport drawn with two device pixels each.
    page = open_page(viewport={"width": 640, "height": 400}, device_scale_factor=2)
    narrow_flow(base_url, page)
    assert page.evaluate("window.devicePixelRatio") == 2


def test_on_a_375_pixel_wide_phone(base_url, open_page):
    page = open_page(viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True, has_touch=True)
    narrow_flow(base_url, page)
    page.goto(base_url + "/cases?q=窓口&sort=population")
    assert_fits(page)
    results = page.locator("#result-count")
    expect(results).not_to_be_in_viewport()                     # the facets come first on one column…
    page.get_by_role("link", name=re.compile("^絞り込みを飛ばして")).click()
    expect(results).to_be_in_viewport()                         # …and a link leads past them
    font = page.locator("article.case-card .snippet").first.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert font >= 16
