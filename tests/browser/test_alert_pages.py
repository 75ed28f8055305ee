"""The e-mail alert pages in Chromium: axe on each state, the round trip without JavaScript
(request → confirmation mail in the outbox → confirm → manage → unsubscribe)."""
from __future__ import annotations

import re
from email import message_from_bytes, policy

import pytest

from .axe import violations


@pytest.fixture
def outbox(served, tmp_path):
    """The served app writes its messages to a folder of this test (it has no SMTP_HOST)."""
    _base, app = served
    before = app.config.get("SMTP_OUTBOX")
    app.config["SMTP_OUTBOX"] = str(tmp_path)
    yield tmp_path
    app.config["SMTP_OUTBOX"] = before


def last_link(outbox, kind: str) -> str:
    files = sorted(outbox.glob("*.eml"))
    text = message_from_bytes(files[-1].read_bytes(), policy=policy.default).get_content()
    return re.search(rf"/alerts/{kind}/[A-Za-z0-9_-]+", text).group(0)


def test_alert_pages_have_no_axe_violations(base_url, page, outbox):
    page.goto(base_url + "/cases?theme=outsourcing")
    page.get_by_role("link", name=re.compile("メールで受け取る")).click()
    assert page.title().startswith("検索の新着をメールで受け取る") and violations(page) == []
    page.get_by_role("button", name="登録").click()                                # no address
    assert page.title().startswith("入力内容に誤りがあります")
    assert page.get_by_label("メールアドレス").get_attribute("aria-invalid") == "true" and violations(page) == []
    page.get_by_label("メールアドレス").fill("axe@town.example.lg.jp")
    page.get_by_label("毎週まとめて届ける").check()
    page.get_by_role("button", name="登録").click()
    assert "確認のメールを送りました" in page.content() and violations(page) == []

    page.goto(base_url + last_link(outbox, "confirm"))
    assert violations(page) == []
    page.get_by_role("button", name="登録を確定する").click()
    assert page.title().startswith("メール配信を登録しました") and violations(page) == []
    page.get_by_role("link", name="配信の設定").click()
    assert page.title().startswith("メール配信の設定") and violations(page) == []
    page.get_by_label("毎日").check()
    page.get_by_role("button", name="頻度を変更する").click()
    assert "「毎日」に変更しました" in page.content() and violations(page) == []
    manage = page.url
    page.goto(manage.replace("/manage/", "/unsubscribe/"))
    assert violations(page) == []
    page.get_by_role("button", name="配信を停止する").click()
    assert page.title().startswith("配信を停止しました") and violations(page) == []
    assert page.goto(manage).status == 404
