"""Asking about a case and the editors' inbox in a browser: axe on every state, errors tied to their fields.

Without an SMTP host the served app writes its mail to a folder (services/mail.py). The question
asked here is never published, so the case pages other tests open are unchanged.
"""
from __future__ import annotations

from .axe import violations
from .conftest import STEPPED


def test_asking_and_the_inbox_have_no_axe_violations(base_url, page, editor_page):
    page.goto(base_url + f"/cases/{STEPPED}")
    page.get_by_role("link", name="この事例について質問する").click()
    assert page.title().startswith("この事例について質問する") and violations(page) == []

    page.get_by_role("button", name="質問を送る").click()                       # empty: errors on the fields
    assert page.title().startswith("入力内容に誤りがあります: この事例について質問する")
    email = page.get_by_label("メールアドレス（必須）")
    assert email.get_attribute("aria-invalid") == "true"
    assert "メールアドレスを入力してください" in page.locator("#" + email.get_attribute("aria-describedby")).inner_text()
    assert violations(page) == []

    page.get_by_label("お名前（必須）").fill("山田 一郎")
    email.fill("yamada@town.example.lg.jp")
    page.get_by_label("質問（必須）").fill("委託の仕様書はどのように作りましたか。")
    page.get_by_role("button", name="質問を送る").click()
    assert page.title().startswith("質問を受け付けました") and violations(page) == []

    editor_page.goto(base_url + "/curate/inquiries")
    assert violations(editor_page) == []
    editor_page.get_by_role("row", name="山田 一郎").first.get_by_role("link").click()
    assert editor_page.title().startswith("問い合わせ") and violations(editor_page) == []
    editor_page.get_by_role("button", name="転送する").click()                 # no address: the error on its field
    assert editor_page.title().startswith("入力内容に誤りがあります: 問い合わせ")
    assert editor_page.get_by_label("転送先のメールアドレス（団体の担当窓口）").get_attribute("aria-invalid") == "true"
    assert violations(editor_page) == []
    editor_page.get_by_role("button", name="終了する").click()
    assert editor_page.get_by_role("heading", level=1).inner_text() == "この問い合わせを終了しますか？"
    assert violations(editor_page) == []
    editor_page.get_by_role("link", name="いいえ、やめて戻る").click()
    assert editor_page.get_by_role("button", name="終了する").count() == 1      # still open
    for errors in (page.console_errors, editor_page.console_errors):  # the forms' 400 answers are meant
        assert [e for e in errors if "status of 400" not in e] == []
