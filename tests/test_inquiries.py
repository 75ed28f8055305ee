"""Questions about a case (services/inquiries.py, views/inquiries.py, views/curate_inquiries.py), end to end
over HTTP with the mail going to a real SMTP server (tests/mailserver.py)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from casebook.cli_admin import inquiries_group
from casebook.db import get_engine
from casebook.models import AuditEntry, Inquiry, utcnow
from casebook.services import inquiries

from .conftest import login, token
from .mailserver import MailServer

SLUG = "chichibu-suido-kouikika"
ASK = f"/cases/{SLUG}/ask"
GOV = "suido@town.example.lg.jp"


@pytest.fixture
def server():
    with MailServer() as server:
        yield server


@pytest.fixture
def site(accounts, server):
    accounts.config.update(server.settings, SMTP_FROM="casebook 事務局 <jimukyoku@example.go.jp>",
                           PUBLIC_URL="https://casebook.example.jp")
    return accounts


def question(**changes) -> dict:
    return {"name": "山田 一郎", "organisation": "○○町 総務課", "email": "yamada@town.example.lg.jp",
            "question": "委託の仕様書はどのように作りましたか。", **changes}


def ask(client, **changes):
    return client.post(ASK, data={"csrf_token": token(client, ASK), **question(**changes)})


def stored(app) -> list[Inquiry]:
    with Session(get_engine(app)) as db:
        return list(db.exec(select(Inquiry).order_by(Inquiry.id)))


def audit_actions(app) -> list[str]:
    with Session(get_engine(app)) as db:
        return [e.action for e in db.exec(select(AuditEntry).order_by(AuditEntry.id)) if e.action.startswith("inquiry")]


def test_the_case_page_links_to_the_ask_page_and_sets_no_cookie(site):
    client = site.test_client()
    response = client.get(f"/cases/{SLUG}")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert f'href="{ASK}"' in response.get_data(as_text=True)
    assert "csrf_token" not in response.get_data(as_text=True)


def test_a_question_is_stored_and_its_receipt_arrives(site, server):
    response = ask(site.test_client(), consent_to_publish="y")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "質問を受け付けました" in page and "受付確認のメールをお送りしました" in page
    [inquiry] = stored(site)
    assert (inquiry.status, inquiry.unsent, inquiry.consent_to_publish) == ("new", "", True)
    [receipt] = server.messages
    assert receipt["To"] == "yamada@town.example.lg.jp" and f"受付番号 {inquiry.id}" in receipt["Subject"]
    assert "委託の仕様書" in receipt.get_content() and f"https://casebook.example.jp/cases/{SLUG}" in receipt.get_content()
    assert audit_actions(site) == ["inquiry.create", "inquiry.mail"]


def test_without_csrf_nothing_is_stored(site, server):
    response = site.test_client().post(ASK, data=question())
    assert response.status_code == 400 and "不正な送信" in response.get_data(as_text=True)
    assert stored(site) == [] and server.messages == []


def test_the_honeypot_gets_the_same_answer_and_stores_nothing(site, server):
    response = ask(site.test_client(), website="http://spam.example/")
    assert response.status_code == 200 and "質問を受け付けました" in response.get_data(as_text=True)
    assert stored(site) == [] and server.messages == []


@pytest.mark.parametrize("changes, message", [
    ({"email": "not-an-address"}, "メールアドレスの形式が正しくありません"),
    ({"email": "a@example.jp\r\nBcc: victim@example.jp"}, "メールアドレスの形式が正しくありません"),
    ({"email": ""}, "メールアドレスを入力してください"),
    ({"question": "  "}, "質問を入力してください"),
    ({"name": ""}, "お名前を入力してください"),
    ({"question": "あ" * 1_000_000}, "質問は4000文字以内で入力してください"),
])
def test_bad_input_gets_japanese_errors_and_stores_nothing(site, server, changes, message):
    response = ask(site.test_client(), **changes)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert "入力内容に誤りがあります" in response.get_data(as_text=True)
    assert stored(site) == [] and server.messages == []


def test_too_many_questions_get_a_japanese_429(site):
    site.config["INQUIRY_RATE_LIMIT"] = "2/hour"
    client = site.test_client()
    assert ask(client).status_code == 200 and ask(client, email="other@example.jp").status_code == 200
    response = ask(client, email="third@example.jp")
    assert response.status_code == 429 and "問い合わせが送られました" in response.get_data(as_text=True)
    assert response.headers["Retry-After"] and len(stored(site)) == 2


def test_unknown_or_unpublished_cases_cannot_be_asked_about(site, add_case):
    add_case(slug="draft-case", status="draft")
    client = site.test_client()
    assert client.get("/cases/draft-case/ask").status_code == 404
    assert client.get("/cases/no-such-case/ask").status_code == 404


def test_curators_without_the_editor_role_cannot_see_or_act(site):
    ask(site.test_client())
    curator = login(site, "curator@example.jp")
    assert curator.get("/curate/inquiries").status_code == 403
    assert curator.get("/curate/inquiries/1").status_code == 403
    response = curator.post("/curate/inquiries/1/close", data={"csrf_token": token(curator, "/curate/"),
                                                              "confirmed": "yes"})
    assert response.status_code == 403 and stored(site)[0].status == "new"
    assert site.test_client().get("/curate/inquiries").status_code == 302  # anonymous: to sign-in


@pytest.mark.parametrize("url", ["/curate/inquiries/0", "/curate/inquiries/999", "/curate/inquiries/abc",
                                 "/curate/inquiries/99999999999999999999999", "/curate/inquiries?status=<bogus>"])
def test_garbage_ids_are_not_errors(site, url):
    editor = login(site, "editor@example.jp")
    assert editor.get(url).status_code in (200, 404)
    if url.endswith("999"):
        response = editor.post(url + "/answer", data={"csrf_token": token(editor, "/curate/"), "answer": "x"})
        assert response.status_code == 404


def act(client, number, action, **data):
    return client.post(f"/curate/inquiries/{number}/{action}",
                       data={"csrf_token": token(client, f"/curate/inquiries/{number}"), **data})


def test_forward_answer_publish_and_close(site, server):
    ask(site.test_client(), consent_to_publish="y")
    [inquiry] = stored(site)
    editor = login(site, "editor@example.jp")
    inbox = editor.get("/curate/inquiries").get_data(as_text=True)
    assert "問い合わせ（対応中 1件）" in inbox and "山田 一郎" in inbox

    assert act(editor, inquiry.id, "forward", to="bad address", note="").status_code == 400
    response = act(editor, inquiry.id, "forward", to=GOV, note="ご回答をお願いします。")
    assert response.status_code == 302
    forwarded = server.messages[-1]
    assert server.recipients[-1] == [GOV] and "ご回答をお願いします。" in forwarded.get_content()
    assert "yamada@town.example.lg.jp" not in forwarded.as_string() and "委託の仕様書" in forwarded.get_content()
    assert "山田 一郎" in forwarded.get_content()

    assert act(editor, inquiry.id, "answer", answer="").status_code == 400
    assert act(editor, inquiry.id, "answer", answer="県の様式を使いました。").status_code == 302
    answer = server.messages[-1]
    assert server.recipients[-1] == ["yamada@town.example.lg.jp"] and "県の様式を使いました。" in answer.get_content()

    assert "質問と回答" not in site.test_client().get(f"/cases/{SLUG}").get_data(as_text=True)
    assert act(editor, inquiry.id, "publish", public_question="仕様書の作り方は？").status_code == 302
    page = site.test_client().get(f"/cases/{SLUG}").get_data(as_text=True)
    assert "質問と回答" in page and "仕様書の作り方は？" in page and "県の様式を使いました。" in page
    assert "山田" not in page and "yamada@" not in page

    confirm = act(editor, inquiry.id, "close")
    assert confirm.status_code == 200 and "はい、終了する" in confirm.get_data(as_text=True)
    assert stored(site)[0].status == "answered"
    assert act(editor, inquiry.id, "close", confirmed="yes").status_code == 302
    assert act(editor, inquiry.id, "unpublish", confirmed="yes").status_code == 302
    assert "質問と回答" not in site.test_client().get(f"/cases/{SLUG}").get_data(as_text=True)
    assert stored(site)[0].status == "closed"
    assert audit_actions(site) == ["inquiry.create", "inquiry.mail", "inquiry.forward", "inquiry.answer",
                                   "inquiry.mail", "inquiry.publish", "inquiry.close", "inquiry.unpublish"]
    with Session(get_engine(site)) as db:
        details = [e.detail + e.target for e in db.exec(select(AuditEntry)) if e.action.startswith("inquiry")]
    assert not any("yamada" in d or "山田" in d or GOV in d for d in details)


def test_without_consent_nothing_can_be_published(site):
    ask(site.test_client())
    [inquiry] = stored(site)
    editor = login(site, "editor@example.jp")
    act(editor, inquiry.id, "answer", answer="回答です。")
    response = act(editor, inquiry.id, "publish", public_question="質問")
    assert response.status_code == 400 and "同意していない" in response.get_data(as_text=True)
    assert stored(site)[0].published is False and "inquiry.publish" not in audit_actions(site)


@pytest.mark.parametrize("mode", ["refuse", "drop"])
def test_a_receipt_the_server_refuses_is_kept_unsent_and_retried(site, server, mode):
    server.mode = mode
    response = ask(site.test_client())
    assert response.status_code == 200 and "まだお送りできていません" in response.get_data(as_text=True)
    [inquiry] = stored(site)
    assert inquiry.unsent == "receipt" and server.messages == []
    editor = login(site, "editor@example.jp")
    assert "メール未送信" in editor.get("/curate/inquiries").get_data(as_text=True)
    assert "メール未送信" in editor.get("/curate/inquiries?status=unsent").get_data(as_text=True)
    act(editor, inquiry.id, "retry")
    assert stored(site)[0].unsent == "receipt" and server.messages == []    # still refused: still unsent
    server.mode = "accept"
    act(editor, inquiry.id, "retry")
    assert stored(site)[0].unsent == "" and len(server.messages) == 1
    assert audit_actions(site) == ["inquiry.create", "inquiry.mail_failed", "inquiry.mail_failed", "inquiry.mail"]


def test_a_forward_the_server_refuses_is_not_recorded(site, server):
    ask(site.test_client())
    [inquiry] = stored(site)
    server.mode = "refuse"
    editor = login(site, "editor@example.jp")
    response = act(editor, inquiry.id, "forward", to=GOV, note="")
    assert response.status_code == 400 and "転送は記録されていません" in response.get_data(as_text=True)
    assert stored(site)[0].status == "new" and "inquiry.forward" not in audit_actions(site)


def test_spam_is_set_aside_without_mail(site, server):
    server.mode = "refuse"
    ask(site.test_client())
    [inquiry] = stored(site)
    editor = login(site, "editor@example.jp")
    assert act(editor, inquiry.id, "spam", confirmed="yes").status_code == 302
    got = stored(site)[0]
    assert (got.status, got.unsent) == ("spam", "")
    assert act(editor, inquiry.id, "answer", answer="x").status_code == 400


def test_purge_removes_personal_data_after_the_retention(site):
    client = site.test_client()
    ask(client, consent_to_publish="y")
    ask(client, email="second@example.jp")
    first, second = stored(site)
    with Session(get_engine(site)) as db:
        for number in (first.id, second.id):
            inquiry = db.get(Inquiry, number)
            inquiry.status, inquiry.answer, inquiry.closed_at = "closed", "回答", utcnow() - timedelta(days=400)
            inquiry.published, inquiry.public_question = number == first.id, "公開した質問"
            db.add(inquiry)
        db.commit()
    result = site.test_cli_runner().invoke(inquiries_group, ["purge", "--days", "365"])
    assert result.exit_code == 0 and "2 件" in result.output, result.output
    [kept] = stored(site)
    assert (kept.name, kept.email, kept.question, kept.public_question) == ("", "", "", "公開した質問")
    assert "公開した質問" in client.get(f"/cases/{SLUG}").get_data(as_text=True)
    assert site.test_cli_runner().invoke(inquiries_group, ["purge"]).output.count("0 件") == 1


def test_header_injection_in_the_name_stays_in_the_body(site, server):
    ask(site.test_client(), name="悪意\r\nBcc: victim@example.jp")
    [message] = server.messages
    assert message["Bcc"] is None and server.recipients == [["yamada@town.example.lg.jp"]]
    assert "悪意Bcc: victim@example.jp 様" in message.get_content()   # line breaks dropped from the name


def test_the_retention_default_is_documented_in_the_service():
    assert inquiries.RETENTION_DAYS == 365
