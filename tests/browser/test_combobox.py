"""Issue 17, item 6: the search box's keyword suggestions (static/combobox.js), a WAI-ARIA combobox:
keyboard, mouse, IME composition, axe with the listbox open, and the plain box without JavaScript."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from .axe import violations

SUGGESTIONS = "/api/v1/suggestions"


def box(page):
    return page.locator("#q")


def listbox(page):
    return page.get_by_role("listbox", name="入力候補")


def options(page):
    return listbox(page).get_by_role("option")


def type_into(page, text: str) -> None:
    box(page).click()
    box(page).fill("")
    box(page).press_sequentially(text, delay=30)
    expect(listbox(page)).to_be_visible()


def searched_for(page) -> list[str]:
    return parse_qs(urlsplit(page.url).query).get("q", [])


def test_the_box_becomes_a_combobox(base_url, page):
    page.goto(base_url + "/")
    q = box(page)
    expect(q).to_have_attribute("role", "combobox")
    expect(q).to_have_attribute("aria-expanded", "false")
    expect(q).to_have_attribute("aria-autocomplete", "list")
    controls = q.get_attribute("aria-controls")
    assert page.locator(f"#{controls}").get_attribute("role") == "listbox"
    expect(listbox(page)).to_be_hidden()
    expect(page.get_by_role("combobox", name="キーワード")).to_have_count(1)


def test_keyboard_moves_through_and_picks_a_suggestion(base_url, page):
    page.goto(base_url + "/")
    type_into(page, "窓口")
    q = box(page)
    expect(q).to_have_attribute("aria-expanded", "true")
    count = options(page).count()
    assert count >= 2
    expect(page.get_by_role("status").filter(has_text="候補")).to_have_text(f"候補 {count} 件")
    expect(q).not_to_have_attribute("aria-activedescendant", re.compile(".+"))

    q.press("ArrowDown")
    first, second = options(page).nth(0), options(page).nth(1)
    expect(q).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    expect(first).to_have_attribute("aria-selected", "true")
    q.press("ArrowDown")
    expect(q).to_have_attribute("aria-activedescendant", second.get_attribute("id"))
    expect(first).to_have_attribute("aria-selected", "false")
    q.press("ArrowUp")
    expect(q).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    q.press("ArrowUp")                                          # wraps to the last
    expect(options(page).last).to_have_attribute("aria-selected", "true")
    q.press("ArrowDown")                                        # and back to the first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(q).to_be_focused()                                   # focus never leaves the input

    picked = first.locator(".combobox-text").inner_text()
    q.press("Enter")
    expect(page).to_have_title(re.compile("^「" + re.escape(picked) + "」の検索結果"))
    assert searched_for(page) == [picked]
    assert page.console_errors == []


def test_escape_closes_and_tab_leaves(base_url, page):
    page.goto(base_url + "/cases")
    type_into(page, "クラウド")
    q = box(page)
    q.press("ArrowDown")
    q.press("Escape")
    expect(listbox(page)).to_be_hidden()
    expect(q).to_have_attribute("aria-expanded", "false")
    expect(q).not_to_have_attribute("aria-activedescendant", re.compile(".+"))
    expect(q).to_have_value("クラウド")                          # Escape closes the list, keeps the text
    q.press("ArrowDown")                                        # opens again on the first suggestion
    expect(listbox(page)).to_be_visible()
    expect(options(page).first).to_have_attribute("aria-selected", "true")
    q.press("Tab")
    expect(listbox(page)).to_be_hidden()
    expect(page.get_by_role("button", name="検索", exact=True)).to_be_focused()
    expect(q).to_have_value("クラウド")
    # Enter without a suggestion chosen searches for what was typed.
    q.focus()
    q.press("Enter")
    expect(page).to_have_title(re.compile("^「クラウド」の検索結果"))


def test_a_click_picks_and_governments_come_by_their_reading(base_url, page):
    page.goto(base_url + "/")
    type_into(page, "はくい")
    government = options(page).filter(has_text="羽咋市")
    expect(government).to_have_count(1)
    expect(government.locator(".combobox-kind")).to_have_text(re.compile("^団体・[0-9]+件$"))
    government.click()
    expect(page).to_have_title(re.compile("^「羽咋市」の検索結果"))
    assert searched_for(page) == ["羽咋市"]


def test_nothing_is_fetched_while_an_ime_composes(base_url, page):
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if SUGGESTIONS in r.url else None)
    page.goto(base_url + "/")
    box(page).click()
    cdp = page.context.new_cdp_session(page)
    for text in ("ま", "まど", "まどぐ", "まどぐち"):
        cdp.send("Input.imeSetComposition", {"text": text, "selectionStart": len(text), "selectionEnd": len(text)})
    page.wait_for_timeout(600)                                  # well past the debounce
    assert asked == []
    expect(listbox(page)).to_be_hidden()
    cdp.send("Input.insertText", {"text": "窓口"})               # the conversion is committed
    expect(listbox(page)).to_be_visible()
    expect(box(page)).to_have_value("窓口")
    assert len(asked) == 1 and "q=%E7%AA%93%E5%8F%A3" in asked[0]


def test_no_axe_violations_with_the_listbox_open(base_url, page):
    page.goto(base_url + "/cases?q=委託")
    type_into(page, "広域")
    box(page).press("ArrowDown")
    expect(options(page).first).to_have_attribute("aria-selected", "true")
    assert violations(page) == []
    page.goto(base_url + "/")
    type_into(page, "こうち")
    assert violations(page) == []
    assert page.console_errors == []


def test_without_javascript_the_box_is_plain(base_url, open_page):
    page = open_page(java_script_enabled=False)
    page.goto(base_url + "/")
    q = box(page)
    assert q.get_attribute("role") is None and q.get_attribute("aria-expanded") is None
    assert page.locator("[role=listbox]").count() == 0
    q.fill("窓口")
    q.press("Enter")
    expect(page).to_have_title(re.compile("^「窓口」の検索結果"))
    assert page.locator("article.case-card").count() >= 5
