"""The thesaurus page in a browser (editors): axe on its states, errors tied to their fields, the removal asked first.

Nothing here changes the served app's thesaurus (other browser tests search with it): the add
form is sent empty and the removal stops at its confirmation page.
"""
from __future__ import annotations

from casebook.search import thesaurus

from .axe import violations

NURSERY = thesaurus.Line("=", ("保育所", "保育園")).ref


def test_the_thesaurus_page_and_its_states_have_no_axe_violations(base_url, editor_page):
    for url in ("/curate/thesaurus", "/curate/thesaurus?word=保育&test=保育園入所の事例",
                f"/curate/thesaurus/{NURSERY}/edit"):
        response = editor_page.goto(base_url + url)
        assert response is not None and response.status == 200, url
        assert violations(editor_page) == [], url


def test_an_empty_line_is_refused_with_the_error_tied_to_its_field(base_url, editor_page):
    editor_page.goto(base_url + "/curate/thesaurus")
    editor_page.get_by_role("button", name="追加する").click()
    assert editor_page.title().startswith("入力内容に誤りがあります: 検索の同義語辞書")
    words = editor_page.get_by_label("語", exact=True)
    assert words.get_attribute("aria-invalid") == "true"
    assert "語を入力してください" in editor_page.locator("#" + words.get_attribute("aria-describedby")).inner_text()
    assert violations(editor_page) == []


def test_removing_asks_first(base_url, editor_page):
    editor_page.goto(base_url + "/curate/thesaurus?word=保育園")
    editor_page.get_by_role("row", name="保育所・保育園").get_by_role("button", name="削除").click()
    assert editor_page.get_by_role("heading", level=1).inner_text() == "本当にこの行を削除しますか"
    assert violations(editor_page) == []
    editor_page.get_by_role("link", name="いいえ、やめて戻る").click()
    assert editor_page.title().startswith("検索の同義語辞書")
    assert editor_page.get_by_role("row", name="保育所・保育園").get_by_role("button", name="削除").count() == 1  # still there
