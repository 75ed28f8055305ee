"""E-mail alerts for a search end to end, against a real SMTP server started here (tests/mailserver.py):
subscribe, confirm from the mailed link, `casebook alerts send`, manage and unsubscribe."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlmodel import Session, select

from casebook import search
from casebook.db import get_engine
from casebook.models import AlertSubscription, AuditEntry, utcnow

from . import writes
from .conftest import CASES_DIR, case_data, make_app
from .mailserver import MailServer

PUBLIC = "https://casebook.example.go.jp"
ADDRESS = "tanaka@town.example.lg.jp"
MONDAY = "2030-01-07T08:00:00+09:00"
TUESDAY = "2030-01-08T08:00:00+09:00"
NEXT_MONDAY = "2030-01-14T08:00:00+09:00"


@pytest.fixture
def server():
    with MailServer() as server:
        yield server


@pytest.fixture
def app(database_url, tmp_path, server):
    app = make_app(database_url, tmp_path, PUBLIC_URL=PUBLIC, SMTP_FROM="casebook 事務局 <casebook@example.go.jp>",
                   **server.settings)
    with Session(get_engine(app)) as session:
        writes.load(session, search.get_index(app), [CASES_DIR])
    yield app
    get_engine(app).dispose()


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', html).group(1)


def subscribe(client, email=ADDRESS, frequency="daily", query="theme=outsourcing", **extra):
    page = client.get(f"/alerts/new?{query}")
    assert page.status_code == 200, page.get_data(as_text=True)
    data = {"csrf_token": csrf(page.get_data(as_text=True)), "email": email, "frequency": frequency, **extra}
    return client.post(f"/alerts/new?{query}", data=data)


def link(message, kind: str) -> str:
    """The path of the message's /alerts/<kind>/ link (checked to be on PUBLIC_URL)."""
    url = re.search(rf"{re.escape(PUBLIC)}/alerts/{kind}/[A-Za-z0-9_-]+", message.get_content()).group(0)
    return urlsplit(url).path


def confirmed(app, server, email=ADDRESS, frequency="daily", query="theme=outsourcing"):
    """Subscribe and confirm through the mailed link, as a person would; return the confirmation mail."""
    client = app.test_client()
    before = len(server.messages)
    response = subscribe(client, email, frequency, query)
    assert response.status_code == 200 and "確認のメールを送りました" in response.get_data(as_text=True)
    assert len(server.messages) == before + 1
    message = server.messages[-1]
    assert message["To"] == email and "登録確認" in message["Subject"]
    path = link(message, "confirm")
    page = client.get(path)
    assert page.status_code == 200 and "登録を確定する" in page.get_data(as_text=True)
    done = client.post(path, data={"csrf_token": csrf(page.get_data(as_text=True))})
    assert done.status_code == 200 and "登録しました" in done.get_data(as_text=True)
    return message


def add_case(app, slug, **changes):
    with Session(get_engine(app), expire_on_commit=False) as session:
        case, _ = writes.save(session, search.get_index(app), case_data(slug=slug, **changes))
        return case


def send(app, *args):
    return app.test_cli_runner().invoke(args=["alerts", "send", *args])


def subscriptions(app) -> list[AlertSubscription]:
    with Session(get_engine(app), expire_on_commit=False) as session:
        return list(session.exec(select(AlertSubscription).order_by(AlertSubscription.id)))


def test_subscribe_confirm_and_receive_a_digest_once_per_period(app, server):
    confirmed(app, server)
    assert send(app, "--now", MONDAY).output.startswith("送信 0 件")  # nothing changed since confirming
    add_case(app, "alert-new", title="窓口業務の委託の新しい事例")
    result = send(app, "--now", MONDAY)
    assert result.exit_code == 0 and "送信 1 件、失敗 0 件" in result.output, result.output
    digest = server.messages[-1]
    text = digest.get_content()
    assert digest["To"] == ADDRESS and "新着・更新事例 1件" in digest["Subject"]
    assert "■ 窓口業務の委託の新しい事例（新規）" in text and "団体: 高知市" in text and "人口規模: " in text
    assert f"{PUBLIC}/cases/alert-new" in text and "国勢調査" in text
    unsubscribe = link(digest, "unsubscribe")
    assert digest["List-Unsubscribe"] == f"<{PUBLIC}{unsubscribe}>"
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link(digest, "manage")
    count = len(server.messages)
    assert "送信 0 件" in send(app, "--now", MONDAY).output and len(server.messages) == count  # idempotent
    add_case(app, "alert-new", title="窓口業務の委託の新しい事例（改訂）")
    assert "送信 0 件" in send(app, "--now", MONDAY).output  # same day: waits for the next one
    assert "送信 1 件" in send(app, "--now", TUESDAY).output
    assert "（改訂）（更新）" in server.messages[-1].get_content()


def test_weekly_digests_come_once_a_week(app, server):
    confirmed(app, server, frequency="weekly")
    add_case(app, "alert-a", title="一つ目の事例")
    assert "送信 1 件" in send(app, "--now", MONDAY).output
    add_case(app, "alert-b", title="二つ目の事例")
    assert "送信 0 件" in send(app, "--now", TUESDAY).output
    assert "送信 1 件" in send(app, "--now", NEXT_MONDAY).output
    text = server.messages[-1].get_content()
    assert "二つ目の事例" in text and "一つ目の事例" not in text


def test_a_case_outside_the_search_is_not_sent(app, server):
    confirmed(app, server)
    add_case(app, "alert-other", title="別分野の事例", themes=["cloud"])
    assert "送信 0 件" in send(app, "--now", MONDAY).output


@pytest.mark.parametrize("mode", ["refuse", "drop"])
def test_a_refused_or_dropped_digest_is_not_marked_sent_and_the_next_run_sends_it(app, server, mode):
    confirmed(app, server)
    add_case(app, "alert-new", title="届くまで送る事例")
    count = len(server.messages)
    server.mode = mode
    result = send(app, "--now", MONDAY)
    assert result.exit_code == 1 and "送信 0 件、失敗 1 件" in result.output, result.output
    assert len(server.messages) == count
    sub, = subscriptions(app)
    assert sub.last_sent_at is None and sub.last_period == "" and sub.claimed_until is None
    server.mode = "accept"
    result = send(app, "--now", MONDAY)
    assert result.exit_code == 0 and "送信 1 件、失敗 0 件" in result.output
    assert "届くまで送る事例" in server.messages[-1].get_content()


def test_dry_run_sends_and_marks_nothing(app, server):
    confirmed(app, server)
    add_case(app, "alert-new", title="予定だけの事例")
    count = len(server.messages)
    result = send(app, "--now", MONDAY, "--dry-run")
    assert result.exit_code == 0 and "送信予定 1 件" in result.output and len(server.messages) == count
    assert "送信 1 件" in send(app, "--now", MONDAY).output


def test_one_click_unsubscribe_without_a_csrf_token_deletes_the_address(app, server):
    confirmed(app, server)
    add_case(app, "alert-new", title="停止前の事例")
    send(app, "--now", MONDAY)
    path = link(server.messages[-1], "unsubscribe")
    mailer = app.test_client()  # a mail program: no cookie, no form token
    page = mailer.get(path)
    assert page.status_code == 200 and "配信を停止する" in page.get_data(as_text=True)
    assert subscriptions(app)  # a GET (a link checker) deletes nothing
    response = mailer.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "配信を停止しました" in response.get_data(as_text=True)
    assert subscriptions(app) == []
    with Session(get_engine(app)) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.action.startswith("alert."))).all()
    assert entries and all(ADDRESS not in f"{e.actor} {e.target} {e.detail} {e.address}" for e in entries)
    assert mailer.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200  # again: same answer
    assert mailer.get(path).status_code == 404


def test_the_manage_page_changes_the_frequency_and_deletes(app, server):
    confirmed(app, server)
    add_case(app, "alert-new", title="設定を変える事例")
    send(app, "--now", MONDAY)
    path = link(server.messages[-1], "manage")
    client = app.test_client()
    page = client.get(path)
    assert page.status_code == 200 and "メール配信の設定" in page.get_data(as_text=True)
    assert client.post(path, data={"frequency": "weekly"}).status_code == 400  # no CSRF token
    response = client.post(path, data={"csrf_token": csrf(page.get_data(as_text=True)), "frequency": "weekly"})
    assert response.status_code == 200 and "「毎週」に変更しました" in response.get_data(as_text=True)
    assert subscriptions(app)[0].frequency == "weekly"
    bad = client.post(path, data={"csrf_token": csrf(page.get_data(as_text=True)), "frequency": "hourly"})
    assert bad.status_code == 400 and subscriptions(app)[0].frequency == "weekly"
    response = client.post(f"{path}/delete", data={"csrf_token": csrf(page.get_data(as_text=True))})
    assert response.status_code == 200 and subscriptions(app) == []
    assert client.get(path).status_code == 404


def test_subscribing_needs_a_csrf_token(app, server):
    response = app.test_client().post("/alerts/new?theme=outsourcing", data={"email": ADDRESS, "frequency": "daily"})
    assert response.status_code == 400 and subscriptions(app) == [] and server.messages == []


@pytest.mark.parametrize("email", ["", "tanaka", "tanaka@town", "a b@example.jp", "x@example.jp\r\nBcc: y@example.jp",
                                   "<tanaka@example.jp>", "a" * 250 + "@example.jp"])
def test_a_bad_address_gets_a_japanese_error_and_changes_nothing(app, server, email):
    response = subscribe(app.test_client(), email)
    assert response.status_code == 400
    assert "メールアドレス" in response.get_data(as_text=True)
    assert subscriptions(app) == [] and server.messages == []


def test_the_honeypot_gets_the_same_answer_and_stores_nothing(app, server):
    response = subscribe(app.test_client(), website="https://spam.example/")
    assert response.status_code == 200 and "確認のメールを送りました" in response.get_data(as_text=True)
    assert subscriptions(app) == [] and server.messages == []


def test_the_answer_does_not_tell_whether_an_address_is_subscribed(app, server):
    confirmed(app, server)
    with Session(get_engine(app)) as session:  # the last mail was long ago
        sub = session.exec(select(AlertSubscription)).one()
        sub.mailed_at = utcnow() - timedelta(hours=1)
        session.commit()
    again = subscribe(app.test_client())
    fresh = subscribe(app.test_client(), email="sato@town.example.lg.jp")
    strip = re.compile(r'name="csrf_token"[^>]*>')
    assert strip.sub("", again.get_data(as_text=True)) == strip.sub("", fresh.get_data(as_text=True))
    notice = server.messages[-2]
    assert notice["To"] == ADDRESS and "登録済み" in notice["Subject"] and link(notice, "manage")
    assert len(subscriptions(app)) == 2 and subscriptions(app)[0].confirmed_at is not None


def test_requests_are_rate_limited_per_address(app, server):
    app.config["ALERT_RATE_LIMIT"] = "2/hour"
    client = app.test_client()
    assert subscribe(client, query="theme=outsourcing").status_code == 200
    assert subscribe(client, query="q=窓口").status_code == 200
    response = subscribe(client, query="q=防災")
    assert response.status_code == 429 and "待ってから" in response.get_data(as_text=True)


def test_unconfirmed_requests_expire_and_are_purged(app, server):
    subscribe(app.test_client())
    path = link(server.messages[-1], "confirm")
    with Session(get_engine(app)) as session:
        sub = session.exec(select(AlertSubscription)).one()
        sub.created_at = utcnow() - timedelta(days=8)
        session.commit()
    assert app.test_client().get(path).status_code == 404
    result = app.test_cli_runner().invoke(args=["alerts", "purge"])
    assert result.exit_code == 0 and "1 件を削除しました" in result.output
    assert subscriptions(app) == []


def test_the_search_page_links_to_the_form_without_a_form_of_its_own(app):
    response = app.test_client().get("/cases?theme=outsourcing&sort=newest&page=1")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'href="/alerts/new?theme=outsourcing"' in html
    assert 'action="/alerts' not in html  # the search page needs no form token (and no cookie) for it


@pytest.mark.parametrize("token", ["x", "A" * 43, "A" * 500, "..%2F..%2Fetc", "%00%ff", "ａｂｃ" * 10])
def test_garbage_tokens_are_not_found_never_an_error(app, token):
    client = app.test_client()
    for path in (f"/alerts/confirm/{token}", f"/alerts/manage/{token}", f"/alerts/unsubscribe/{token}"):
        assert client.get(path).status_code == 404
        assert client.post(path, data={}).status_code in (200, 400, 404)
    assert client.post(f"/alerts/manage/{token}/delete").status_code in (400, 404)
    assert client.get("/alerts/new?band=nonsense").status_code == 400


def test_words_that_try_to_add_a_header_stay_in_one_line(app, server):
    query = "q=%E7%AA%93%E5%8F%A3%0D%0ABcc%3A+evil%40example.jp"  # 窓口\r\nBcc: evil@example.jp
    confirmed(app, server, query=query)
    add_case(app, "alert-new", title="窓口の新しい事例", summary="窓口 Bcc: evil@example.jp")
    result = send(app, "--now", MONDAY)
    assert result.exit_code == 0 and "送信 1 件" in result.output, result.output
    digest = server.messages[-1]
    assert "新着・更新事例" in digest["Subject"] and "\n" not in digest["Subject"]
    assert digest["Bcc"] is None and server.recipients[-1] == [ADDRESS]


def test_a_bad_now_is_refused_in_japanese(app):
    result = send(app, "--now", "来週")
    assert result.exit_code == 2 and "ISO 8601" in result.output
