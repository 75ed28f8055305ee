"""Issue 19 item 2 in the browser: editor rows without reloads (static/editor.js), the 団体コード look-up
as it is typed, and the same steps without JavaScript (the page opens with focus on the new row)."""
from __future__ import annotations

from playwright.sync_api import expect
from sqlmodel import Session

from casebook.db import get_engine
from casebook.services import cases

from .axe import violations

NEW = "/curate/cases/new"


def stored(app, slug):
    with app.app_context(), Session(get_engine(app)) as db:
        return cases.get_case(db, slug, public=False)


def test_rows_are_added_without_a_reload_and_blank_ones_are_not_saved(served, editor_page):
    base_url, app = served
    page = editor_page
    page.goto(base_url + NEW)
    page.evaluate("window.__sameDocument = 'yes'")          # gone after any navigation
    url = page.url
    add = page.get_by_role("button", name="参加団体の行を追加")
    add.click()
    expect(page.locator("#participants-1-position")).to_be_focused()
    expect(page.locator("#participants-1-position")).to_be_in_viewport()
    expect(page.locator("#editor-announce")).to_have_text("参加団体の行を追加しました")
    expect(page.locator("#participants-1-row legend")).to_have_text("参加団体 2")
    add.click()                                                # again, while the new row is blank
    expect(page.locator("#participants-2-position")).to_be_focused()
    expect(page.locator("#participants-rows [data-row]")).to_have_count(3)
    assert page.evaluate("window.__sameDocument") == "yes" and page.url == url
    assert page.locator("#participants-2-remove + label, label[for=participants-2-remove]").count() >= 1
    page.get_by_role("button", name="効果の行を追加").click()
    expect(page.locator("#effects-0-position")).to_be_focused()
    expect(page.locator("[data-no-rows]")).to_have_count(0)
    assert violations(page) == []

    page.locator("#slug").fill("editor-rows-js")
    page.locator("#title").fill("行を足して保存した事例")
    page.locator("#themes-0").check()
    page.locator("#participants-0-name").fill("甲市")
    page.locator("#participants-0-kind").select_option("city")
    page.locator("#participants-1-code").press_sequentially("39201")   # Excel's 5 digits: 392014
    expect(page.locator("#participants-1-name")).to_have_value("高知市")
    page.locator("#effects-0-label").fill("窓口の待ち時間")
    page.get_by_role("button", name="保存する").click()
    page.wait_for_url("**/curate/cases/editor-rows-js/edit")
    case = stored(app, "editor-rows-js")
    assert [(p.name, p.code) for p in case.participants] == [("甲市", None), ("高知市", "392014")]
    assert [e.label for e in case.effects] == ["窓口の待ち時間"] and case.sources == []
    assert page.console_errors == []


def test_a_code_fills_the_empty_fields_of_its_row_as_it_is_typed(base_url, editor_page):
    page = editor_page
    page.goto(base_url + NEW)
    page.get_by_role("button", name="参加団体の行を追加").click()
    page.locator("#participants-1-name").fill("高知市役所")              # typed by the curator: kept
    code = page.locator("#participants-1-code")
    code.press_sequentially("392014")
    code.press("Enter")                 # looks the code up now; adds no row and sends nothing
    expect(page.locator("#participants-rows [data-row]")).to_have_count(2)
    status = page.locator("#participants-1-lookup")
    expect(status).to_contain_text("高知市（人口")
    expect(status).to_contain_text("を入れました")
    expect(page.locator("#participants-1-name")).to_have_value("高知市役所")
    expect(page.locator("#participants-1-prefecture")).to_have_value("高知県")
    expect(page.locator("#participants-1-kind")).to_have_value("city")
    expect(page.locator("#participants-1-population")).not_to_have_value("")
    expect(page.locator("#participants-1-population_year")).to_have_value("2020")
    assert "participants-1-lookup" in code.get_attribute("aria-describedby")
    # A code the master does not know, and one whose check digit is wrong.
    page.locator("#participants-0-code").press_sequentially("392015")
    expect(page.locator("#participants-0-lookup")).to_have_text("この団体コードは正しくありません（検査数字を確かめてください）")
    page.locator("#participants-0-code").fill("")
    page.locator("#participants-0-code").press_sequentially("479993")   # a valid code, no government
    expect(page.locator("#participants-0-lookup")).to_have_text("この団体コードはマスタにありません")
    expect(page.locator("#participants-0-name")).to_have_value("")
    assert violations(page) == []
    assert [e for e in page.console_errors if "404" not in e] == []       # the API's answer for an unknown code


def test_without_javascript_the_page_opens_at_the_new_row(base_url, browser, editor_state):
    context = browser.new_context(locale="ja-JP", java_script_enabled=False, storage_state=editor_state,
                                  viewport={"width": 375, "height": 812})
    try:
        page = context.new_page()
        page.goto(base_url + NEW)
        page.get_by_role("button", name="参加団体の行を追加").click()
        page.wait_for_load_state()
        first = page.locator("#participants-1-position")
        expect(first).to_be_focused()
        expect(first).to_be_in_viewport()
        page.get_by_role("button", name="参加団体の行を追加").click()     # again, while the new row is blank
        page.wait_for_load_state()
        expect(page.locator("#participants-rows [data-row]")).to_have_count(3)
        expect(page.locator("#participants-2-position")).to_be_focused()
        expect(page.locator("#participants-2-position")).to_be_in_viewport()
    finally:
        context.close()


def test_an_added_row_is_in_view_at_200_percent_zoom(base_url, open_page, editor_state):
    page = open_page(viewport={"width": 640, "height": 400}, device_scale_factor=2, storage_state=editor_state)
    page.goto(base_url + NEW)
    page.get_by_role("button", name="出典の行を追加").click()
    first = page.locator("#sources-1-position")
    expect(first).to_be_focused()
    expect(first).to_be_in_viewport()
    expect(page.locator("#editor-announce")).to_have_text("出典の行を追加しました")
    assert violations(page) == []
