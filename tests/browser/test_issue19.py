"""Issue 19 in the browser: the editor's error summary, preview and confirmation steps, labels
beside checkboxes, and the public pages at 375 px and at 200 % zoom — each checked with axe."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .axe import violations
from .test_flows import assert_fits

CASE = "hirosaki-jichitai-cloud"          # a published case with effects
TOGGLED = "kochi-madoguchi-itaku"         # unpublished and published again here
ZOOMS = {"375px": {"viewport": {"width": 375, "height": 812}, "device_scale_factor": 2, "is_mobile": True,
                   "has_touch": True},
         "200%": {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2}}


def active_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_the_error_summary_takes_focus_and_its_links_reach_the_fields(base_url, editor_page):
    page = editor_page
    page.goto(base_url + "/curate/cases/new")
    page.get_by_role("button", name="保存する").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(page.locator("#error-summary-title")).to_be_focused()          # polled by Playwright, no eval under the CSP
    assert summary.evaluate("el => el.getBoundingClientRect().top") < 400          # seen without scrolling
    links = summary.locator("a")
    described = page.locator("[aria-invalid=true]").evaluate_all(
        "els => [...new Set(els.map(el => el.getAttribute('aria-describedby')))]")
    assert links.count() == len(described) >= 2                                    # one link per error
    for i in range(links.count()):
        target = links.nth(i).get_attribute("href")[1:]
        links.nth(i).click()
        assert active_id(page) == target
        assert page.locator(f"#{target}").get_attribute("aria-invalid") == "true"
        assert page.locator(f"#{target}").evaluate("el => { const r = el.getBoundingClientRect();"
                                                   " return r.top >= 0 && r.bottom <= innerHeight; }")
    assert violations(page) == []
    assert [e for e in page.console_errors if "status of 400" not in e] == []     # the page's own answer is a 400


def test_the_error_summary_works_with_the_keyboard(base_url, editor_page):
    page = editor_page
    page.goto(base_url + "/curate/cases/new")
    page.get_by_role("button", name="保存する").click()
    expect(page.locator("#error-summary-title")).to_be_focused()          # polled by Playwright, no eval under the CSP
    page.keyboard.press("Tab")                                                     # the first link of the summary
    first = page.evaluate("document.activeElement.getAttribute('href')")
    assert first and first.startswith("#")
    page.keyboard.press("Enter")
    assert active_id(page) == first[1:]


def test_the_preview_opens_at_the_top(base_url, editor_page):
    page = editor_page
    page.goto(base_url + f"/curate/cases/{CASE}/edit")
    page.get_by_role("button", name="確認（プレビュー）").click()
    heading = page.get_by_role("heading", name="プレビュー（まだ保存されていません）")
    expect(heading).to_be_in_viewport()
    expect(page.locator("#preview-title")).to_be_focused()          # polled by Playwright, no eval under the CSP
    assert violations(page) == []


def test_checkboxes_sit_beside_their_labels(base_url, editor_page):
    page = editor_page
    page.goto(base_url + f"/curate/cases/{CASE}/edit")
    for box in (page.locator("#participants-0-remove"), page.locator("#themes-0")):
        label = page.locator(f"label[for={box.get_attribute('id')}]")
        b, lb = box.bounding_box(), label.bounding_box()
        assert lb["x"] > b["x"] + b["width"] - 1                                   # to the right of its box
        assert abs((lb["y"] + lb["height"] / 2) - (b["y"] + b["height"] / 2)) < lb["height"]   # on its line
    label = page.locator("label[for=participants-0-remove]")
    label.click()
    assert page.locator("#participants-0-remove").is_checked()


def test_status_badges_do_not_look_like_buttons(base_url, editor_page):
    page = editor_page
    page.goto(base_url + f"/curate/cases/{CASE}")
    badge = page.locator(".status-badge").first
    expect(badge).to_have_text("公開中")
    style = badge.evaluate("el => { const s = getComputedStyle(el); return [s.borderTopWidth, s.borderRadius,"
                           " s.backgroundColor, s.display]; }")
    assert style == ["0px", "0px", "rgba(0, 0, 0, 0)", "inline"], style


def test_unpublish_and_publish_ask_to_confirm(base_url, editor_page):
    page = editor_page
    page.goto(base_url + f"/curate/cases/{TOGGLED}")
    page.get_by_role("button", name="公開を停止して下書きに戻す").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("本当に公開を停止して下書きに戻しますか")
    assert violations(page) == []
    page.get_by_role("link", name="いいえ、やめて戻る").click()
    expect(page.locator(".status-badge").first).to_have_text("公開中")            # nothing changed

    page.get_by_role("button", name="公開を停止して下書きに戻す").click()
    page.get_by_role("button", name="はい、公開を停止して下書きに戻す").click()
    expect(page.locator(".flash")).to_contain_text("現在の状態: 下書き")
    page.get_by_label("コメント（公開する）").fill("確認済み")
    page.get_by_role("button", name="公開する", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("本当に公開しますか")
    expect(page.get_by_label("コメント（履歴に残ります）")).to_have_value("確認済み")
    page.get_by_role("button", name="はい、公開する").click()
    expect(page.locator(".flash")).to_contain_text("現在の状態: 公開中")
    assert page.console_errors == []


def test_the_footer_has_a_sign_in_link(base_url, page):
    page.goto(base_url + "/")
    page.locator("footer").get_by_role("link", name=re.compile("^ログイン")).click()
    expect(page).to_have_url(re.compile(r"/login"))


@pytest.mark.parametrize("zoom", ZOOMS)
def test_the_effects_table_stacks_into_labelled_rows(base_url, open_page, zoom):
    page = open_page(**ZOOMS[zoom])
    page.goto(base_url + f"/cases/{CASE}")
    assert_fits(page)
    table = page.locator("table.stack")
    width = page.evaluate("document.documentElement.clientWidth")
    assert table.evaluate("el => el.getBoundingClientRect().right") <= width + 1  # nothing off-screen
    cells = table.locator("tbody td")
    for i in range(cells.count()):
        cell = cells.nth(i)
        shown = cell.evaluate("el => getComputedStyle(el, '::before').content")
        assert shown == f'"{cell.get_attribute("data-label")}"'
        assert cell.bounding_box()["width"] > width * 0.6                      # not one character per line
    wording = table.locator("td[data-label=内容]").first
    assert wording.bounding_box()["width"] > 200
    assert table.evaluate("el => el.getAttribute('role')") == "table"
    assert violations(page) == []


def test_the_effects_table_stays_a_table_on_a_wide_screen(base_url, page):
    page.goto(base_url + f"/cases/{CASE}")
    assert page.locator("table.stack td").first.evaluate("el => getComputedStyle(el).display") == "table-cell"
    assert page.locator("table.stack thead th").first.is_visible()


@pytest.mark.parametrize("zoom", ZOOMS)
def test_coverage_fits(base_url, open_page, zoom):
    page = open_page(**ZOOMS[zoom])
    page.goto(base_url + "/coverage")
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0
    assert_fits(page)
    assert violations(page) == []


def test_the_skip_the_filters_link_appears_on_focus_on_a_wide_screen(base_url, page):
    page.goto(base_url + "/cases?q=窓口")
    link = page.get_by_role("link", name=re.compile("^絞り込みを飛ばして"))
    assert link.bounding_box()["width"] <= 1                                        # hidden until focused
    page.get_by_role("button", name="検索", exact=True).focus()
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent").startswith("絞り込みを飛ばして"):
            break
    else:
        raise AssertionError("the link is not among the first Tab stops after the search button")
    box = link.bounding_box()
    assert box["width"] > 100 and box["height"] > 10
    page.keyboard.press("Enter")
    expect(page.locator("#result-count")).to_be_in_viewport()
    assert violations(page) == []


@pytest.mark.parametrize("zoom", [None, *ZOOMS])
def test_the_print_link_is_near_the_top_of_a_case_page(base_url, open_page, zoom):
    page = open_page(**(ZOOMS[zoom] if zoom else {"viewport": {"width": 1280, "height": 900}}))
    page.goto(base_url + f"/cases/{CASE}")
    link = page.get_by_role("link", name=re.compile("^この事例の印刷用シート"))
    heading = page.get_by_role("heading", level=1)
    assert link.bounding_box()["y"] > heading.bounding_box()["y"]
    assert link.evaluate("el => el.compareDocumentPosition(document.getElementById('effects'))"
                         " & Node.DOCUMENT_POSITION_FOLLOWING")
    stops = 0
    page.locator("body").focus()
    while stops < 20:
        page.keyboard.press("Tab")
        stops += 1
        if page.evaluate("document.activeElement.textContent").startswith("この事例の印刷用シート"):
            break
    assert stops < 15, stops


def test_without_javascript_the_summary_is_at_the_top(base_url, browser, editor_state):
    context = browser.new_context(locale="ja-JP", java_script_enabled=False, storage_state=editor_state,
                                  viewport={"width": 375, "height": 812})
    try:
        page = context.new_page()
        page.goto(base_url + "/curate/cases/new")
        page.get_by_role("button", name="保存する").click()
        expect(page.locator(".error-summary")).to_be_in_viewport()   # (axe needs JavaScript: checked above)
    finally:
        context.close()
