"""Signing in and out (issue 14): safe redirects, revocable sessions, throttling behind a proxy,
the throttle under concurrency, and the password rules."""
from __future__ import annotations

import html
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from urllib.parse import urlsplit

import pytest
from sqlmodel import Session, func, select
from werkzeug.serving import make_server

from casebook import config
from casebook.config import ConfigError
from casebook.db import get_engine
from casebook.errors import InvalidInput
from casebook.models import ApiToken, AuditEntry, LoginAttempt, User
from casebook.services import users

from .conftest import PASSWORD, make_app, token

CURATOR, EDITOR = "curator@example.jp", "editor@example.jp"


@pytest.fixture
def people(app):
    """An empty app with a curator and an editor (both with PASSWORD); no cases are needed here."""
    with Session(get_engine(app)) as db:
        users.create_user(db, CURATOR, PASSWORD, "curator", "担当 花子")
        users.create_user(db, EDITOR, PASSWORD, "editor", "編集 太郎")
    return app


def sign_in(app, email=CURATOR, **client_args):
    client = app.test_client(**client_args)
    response = client.post("/login", data={"csrf_token": token(client), "email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def copy_of(app, client):
    """Another browser (another User-Agent) holding a copy of `client`'s session cookie."""
    other = app.test_client()
    other.environ_base["HTTP_USER_AGENT"] = "another-browser/1.0"
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def signed_in(client) -> bool:
    return client.get("/curate/").status_code == 200


def user_id(app, email) -> int:
    with Session(get_engine(app)) as db:
        return db.exec(select(User.id).where(User.email == email)).one()


def count(app, model) -> int:
    with Session(get_engine(app)) as db:
        return db.exec(select(func.count()).select_from(model)).one()


# --- 4. redirects after sign-in --------------------------------------------------------------

HOSTILE = ["/\t/evil.example/", "/\n/evil.example/", "/\r\n//evil.example", "/\\evil.example", "\\\\evil.example",
           "/\\/evil.example", "//evil.example", "///evil.example", "https://evil.example/", "http:evil.example",
           "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "evil.example", " //evil.example",
           "/\x00/evil.example", "/\x7f/evil.example", "\t//evil.example", "\x0b//evil.example", ""]


def assert_same_site(location: str) -> None:
    """A Location a browser resolves on this site: a path, even after it drops tabs and newlines
    and reads backslashes as slashes."""
    assert location.startswith("/"), location
    assert not any(ord(c) < 0x21 or ord(c) >= 0x7f for c in location), location
    browser_view = location.replace("\\", "/")
    assert not browser_view.startswith("//"), location
    parts = urlsplit(browser_view)
    assert (parts.scheme, parts.netloc) == ("", ""), location


@pytest.mark.parametrize("target", HOSTILE)
def test_sign_in_never_redirects_off_site(people, target):
    client = people.test_client()
    response = client.post("/login", data={"csrf_token": token(client), "email": CURATOR, "password": PASSWORD,
                                           "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/curate/"


@pytest.mark.parametrize("query", ["/%09/evil.example/", "/%0A/evil.example/", "/%0d%0a//evil.example",
                                   "/%5Cevil.example", "%2F%2Fevil.example", "https://evil.example"])
def test_the_next_of_the_sign_in_link_is_checked_too(people, query):
    client = people.test_client()
    page = client.get(f"/login?next={query}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page).group(1)
    hidden = re.search(r'<input[^>]*name="next"[^>]*>', page).group(0)
    value = html.unescape(re.search(r'value="([^"]*)"', hidden).group(1)) if "value=" in hidden else ""
    response = client.post("/login", data={"csrf_token": csrf, "email": CURATOR, "password": PASSWORD,
                                           "next": value})
    assert response.status_code == 302
    assert response.headers["Location"] == "/curate/"


@pytest.mark.parametrize(("target", "location"), [
    ("/curate/cases/new", "/curate/cases/new"),
    ("/curate/?tab=mine", "/curate/?tab=mine"),
    ("/cases?q=窓口", "/cases?q=%E7%AA%93%E5%8F%A3"),
    ("/curate\\users", "/curate/users"),
    ("/cases/x:y", "/cases/x:y"),
])
def test_same_site_paths_are_kept(people, target, location):
    client = people.test_client()
    response = client.post("/login", data={"csrf_token": token(client), "email": CURATOR, "password": PASSWORD,
                                           "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == location
    assert_same_site(response.headers["Location"])


@pytest.mark.parametrize("target", HOSTILE)
def test_choosing_a_government_never_redirects_off_site(app, target):
    client = app.test_client()
    response = client.post("/mygov/clear", data={"csrf_token": token(client, "/mygov"), "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# --- 6. revocable sessions -------------------------------------------------------------------

def test_a_copied_cookie_stops_working_at_sign_out(people):
    browser = sign_in(people)
    stolen = copy_of(people, browser)
    assert signed_in(stolen)
    assert browser.post("/logout", data={"csrf_token": token(browser, "/curate/")}).status_code == 302
    assert not signed_in(stolen)
    assert not signed_in(browser)
    response = stolen.post("/curate/tokens/", data={"csrf_token": token(stolen, "/login"), "name": "盗んだ"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert count(people, ApiToken) == 0


def test_sign_out_ends_every_session_of_that_user_only(people):
    first, second = sign_in(people), sign_in(people)
    editor = sign_in(people, EDITOR)
    first.post("/logout", data={"csrf_token": token(first, "/curate/")})
    assert not signed_in(second)
    assert signed_in(editor)
    again = sign_in(people)
    assert signed_in(again)


def test_a_new_sign_in_leaves_other_sessions_alone(people):
    first = sign_in(people)
    second = sign_in(people)
    assert signed_in(first) and signed_in(second)


def test_set_password_ends_sessions(people, session):
    stolen = copy_of(people, sign_in(people))
    users.set_password(session, CURATOR, "a-brand-new-passphrase")
    assert not signed_in(stolen)


def test_set_password_command_ends_sessions(people, monkeypatch):
    stolen = copy_of(people, sign_in(people))
    monkeypatch.setenv("CASEBOOK_NEW_PASSWORD", "a-brand-new-passphrase")
    result = people.test_cli_runner().invoke(args=["users", "set-password", CURATOR])
    assert result.exit_code == 0, result.output
    assert not signed_in(stolen)
    response = stolen.post("/curate/tokens/", data={"csrf_token": token(stolen, "/login"), "name": "盗んだ"})
    assert response.status_code == 302 and count(people, ApiToken) == 0


def update(editor, app, email, **data):
    form = {"csrf_token": token(editor, "/curate/users"), **data}
    return editor.post(f"/curate/users/{user_id(app, email)}", data=form)


def test_role_change_ends_sessions(people):
    stolen = copy_of(people, sign_in(people))
    editor = sign_in(people, EDITOR)
    assert update(editor, people, CURATOR, role="editor", active="y").status_code == 302
    assert not signed_in(stolen)
    assert signed_in(editor)


def test_an_unchanged_update_keeps_sessions(people):
    curator = sign_in(people)
    editor = sign_in(people, EDITOR)
    assert update(editor, people, CURATOR, role="curator", active="y").status_code == 302
    assert signed_in(curator)


def test_deactivation_ends_sessions_and_reactivation_does_not_revive_them(people):
    stolen = copy_of(people, sign_in(people))
    editor = sign_in(people, EDITOR)
    update(editor, people, CURATOR, role="curator")
    assert not signed_in(stolen)
    update(editor, people, CURATOR, role="curator", active="y")
    assert not signed_in(stolen)


def test_editor_ends_a_users_sessions(people):
    curator = sign_in(people)
    stolen = copy_of(people, curator)
    editor = sign_in(people, EDITOR)
    page = editor.get("/curate/users").get_data(as_text=True)
    action = f"/curate/users/{user_id(people, CURATOR)}/sessions"
    assert f'action="{action}"' in page and f"{CURATOR} のログインを終了" in page
    response = editor.post(action, data={"csrf_token": token(editor, "/curate/users")})
    assert response.status_code == 302 and response.headers["Location"] == "/curate/users"
    assert f"{CURATOR} のログインをすべて終了しました" in editor.get("/curate/users").get_data(as_text=True)
    assert not signed_in(curator) and not signed_in(stolen)
    assert signed_in(editor)
    response = stolen.post("/curate/tokens/", data={"csrf_token": token(stolen, "/login"), "name": "盗んだ"})
    assert response.status_code == 302 and count(people, ApiToken) == 0
    with Session(get_engine(people)) as db:
        entry = db.exec(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert (entry.action, entry.actor, entry.target) == ("user.update", EDITOR, CURATOR)
        assert entry.detail == "sessions=ended"


def test_ending_sessions_needs_an_editor_and_a_csrf_token(people):
    curator = sign_in(people)
    editor = sign_in(people, EDITOR)
    action = f"/curate/users/{user_id(people, EDITOR)}/sessions"
    assert curator.post(action, data={"csrf_token": token(curator, "/curate/")}).status_code == 403
    assert editor.post(action, data={"csrf_token": "forged"}).status_code == 400
    assert signed_in(editor)
    assert people.test_client().post(action).status_code in (302, 400)


def test_an_editor_who_ends_their_own_sessions_is_signed_out(people):
    editor = sign_in(people, EDITOR)
    response = editor.post(f"/curate/users/{user_id(people, EDITOR)}/sessions",
                           data={"csrf_token": token(editor, "/curate/users")})
    assert response.status_code == 302
    assert not signed_in(editor)


def test_end_sessions_command(people):
    stolen = copy_of(people, sign_in(people))
    result = people.test_cli_runner().invoke(args=["users", "end-sessions", CURATOR])
    assert result.exit_code == 0 and CURATOR in result.output
    assert not signed_in(stolen)
    assert people.test_cli_runner().invoke(args=["users", "end-sessions", "nobody@example.jp"]).exit_code == 1


def test_a_session_from_before_generations_is_signed_out(people):
    curator = sign_in(people)
    with curator.session_transaction() as s:
        s.pop("session_generation")
    assert not signed_in(curator)


# --- 7. throttling that fits a proxy ---------------------------------------------------------

def fail(db, email, address, times=1):
    for _ in range(times):
        with pytest.raises(InvalidInput, match="パスワードが違います"):
            users.authenticate(db, email, "wrong-password-123", address)


def test_failures_from_one_address_do_not_lock_out_other_accounts(people, session):
    for i in range(10):
        fail(session, f"nobody{i}@example.jp", "192.0.2.1")
    assert users.authenticate(session, EDITOR, PASSWORD, "192.0.2.1").email == EDITOR


def test_an_address_is_refused_after_many_failures(people, session, monkeypatch):
    monkeypatch.setattr(users, "ADDRESS_LOCK_AFTER", 15)
    for i in range(15):
        fail(session, f"nobody{i}@example.jp", "192.0.2.1")
    with pytest.raises(users.LoginRefused):
        users.authenticate(session, EDITOR, PASSWORD, "192.0.2.1")
    assert users.authenticate(session, EDITOR, PASSWORD, "192.0.2.2").email == EDITOR


def test_an_account_is_locked_from_every_address(people, session, monkeypatch):
    monkeypatch.setattr(users, "SLOW_AFTER", 100)
    for i in range(users.LOCK_AFTER):
        fail(session, CURATOR, f"192.0.2.{i + 1}")
    with pytest.raises(users.LoginRefused, match="しばらくログインできません"):
        users.authenticate(session, CURATOR, PASSWORD, "198.51.100.7")
    assert users.authenticate(session, EDITOR, PASSWORD, "192.0.2.1").email == EDITOR


def test_an_account_is_slowed_down_after_a_few_failures(people, session):
    fail(session, CURATOR, "192.0.2.1", users.SLOW_AFTER)
    with pytest.raises(users.LoginRefused) as refused:
        users.authenticate(session, CURATOR, PASSWORD, "192.0.2.2")
    assert re.fullmatch(r"\d秒待ってから、もう一度お試しください。", refused.value.errors[0][1])
    assert users.authenticate(session, EDITOR, PASSWORD, "192.0.2.1").email == EDITOR


def attempt_addresses(app) -> list[str]:
    with Session(get_engine(app)) as db:
        return list(db.exec(select(LoginAttempt.address).order_by(LoginAttempt.id)))


def test_forwarded_addresses_are_ignored_by_default(people):
    client = people.test_client()
    client.post("/login", data={"csrf_token": token(client), "email": CURATOR, "password": "wrong-password-123"},
                headers={"X-Forwarded-For": "203.0.113.9"})
    assert attempt_addresses(people) == ["127.0.0.1"]


@pytest.fixture
def proxied(database_url, tmp_path):
    """An app behind one trusted proxy, with a curator and an editor."""
    app = make_app(database_url, tmp_path, TRUSTED_PROXIES=1)
    with Session(get_engine(app)) as db:
        users.create_user(db, CURATOR, PASSWORD, "curator")
        users.create_user(db, EDITOR, PASSWORD, "editor")
    yield app
    get_engine(app).dispose()


def test_behind_a_trusted_proxy_the_client_address_is_used(proxied):
    for client_address in ("203.0.113.9", "203.0.113.10"):
        client = proxied.test_client()
        # A client's own X-Forwarded-For comes first; the proxy appends the address it saw.
        client.post("/login", data={"csrf_token": token(client), "email": CURATOR, "password": "wrong-password-123"},
                    headers={"X-Forwarded-For": f"198.51.100.1, {client_address}"})
    assert attempt_addresses(proxied) == ["203.0.113.9", "203.0.113.10"]


def test_behind_a_trusted_proxy_https_is_seen(proxied):
    response = proxied.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Secure" in response.headers["Set-Cookie"]


def test_without_a_trusted_proxy_forwarded_https_is_ignored(app):
    response = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers
    assert "Secure" not in response.headers["Set-Cookie"]


def test_trusted_proxies_from_the_environment(monkeypatch):
    monkeypatch.setenv("CASEBOOK_TRUSTED_PROXIES", "2")
    assert config.from_environment()["TRUSTED_PROXIES"] == 2
    assert config.DEFAULTS["TRUSTED_PROXIES"] == 0


@pytest.mark.parametrize("value", [-1, "x", 1.5])
def test_bad_trusted_proxies_are_refused(database_url, tmp_path, value):
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        make_app(database_url, tmp_path, TRUSTED_PROXIES=value)


@pytest.fixture
def served(database_url, tmp_path):
    """The app (without CSRF, to keep the burst simple) in a real threaded server: (base URL, app)."""
    app = make_app(database_url, tmp_path, WTF_CSRF_ENABLED=False)
    with Session(get_engine(app)) as db:
        users.create_user(db, CURATOR, PASSWORD, "curator")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        thread.join(timeout=10)
        get_engine(app).dispose()


def test_a_burst_of_sign_ins_gets_no_more_password_checks_than_the_limit(served, monkeypatch):
    base, app = served
    checks = []
    real_check = users.check_password_hash

    def counted(hashed, password):
        checks.append(password)
        return real_check(hashed, password)

    monkeypatch.setattr(users, "check_password_hash", counted)
    # However long the burst takes, the slow-down after SLOW_AFTER failures outlasts it.
    monkeypatch.setattr(users, "slow_down_seconds", lambda _failures: 600, raising=False)
    burst = 40
    start = threading.Barrier(burst)
    statuses, pages = [], []
    body = urllib.parse.urlencode({"email": CURATOR, "password": "wrong-password-123"}).encode()

    def attempt():
        start.wait()
        try:
            with urllib.request.urlopen(urllib.request.Request(f"{base}/login", data=body), timeout=60) as r:
                statuses.append(r.status)
        except urllib.error.HTTPError as exc:
            statuses.append(exc.code)
            pages.append(exc.read().decode())

    threads = [threading.Thread(target=attempt) for _ in range(burst)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert statuses == [401] * burst
    assert len(checks) == users.SLOW_AFTER
    assert sum("パスワードが違います" in p for p in pages) == users.SLOW_AFTER
    assert sum("しばらくログインできません" in p for p in pages) == burst - users.SLOW_AFTER
    assert count(app, LoginAttempt) == users.SLOW_AFTER


# --- 8. password rules -----------------------------------------------------------------------

WEAK = {
    "aaaaaaaaaaaa": "繰り返し", "abababababab": "繰り返し", "123412341234": "繰り返し", "xyzxyzxyzxyz": "繰り返し",
    "abcde-abcde-": "繰り返し", "passwordpassword": "繰り返し", "zzzzzzzzzzzzzzzzzzzzz1": "繰り返し",
    "123456789012": "連続", "abcdefghijkl": "連続", "lkjihgfedcba": "連続", "987654321098": "連続",
    "abcdef123456": "連続", "qwertyuiopasdf": "連続",
    "password1234": "よく使われる", "qwertyuiop12": "よく使われる", "Password123!": "よく使われる",
    "p@ssw0rd2024": "よく使われる", "iloveyou1234": "よく使われる", "!!welcome2024": "よく使われる",
    "hanako.tanaka@example.jp": "メールアドレス", "HANAKO.TANAKA@EXAMPLE.JP": "メールアドレス",
    "my-hanako.tanaka-2024": "メールアドレス",
}


@pytest.mark.parametrize(("password", "reason"), WEAK.items())
def test_weak_passwords_are_refused_at_creation(session, password, reason):
    with pytest.raises(InvalidInput) as refused:
        users.create_user(session, "hanako.tanaka@example.jp", password)
    assert reason in " ".join(message for _field, message in refused.value.errors)
    assert refused.value.errors[0][0] == "password"
    assert session.exec(select(func.count()).select_from(User)).one() == 0


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "123456789012", "passwordpassword", "curator@example.jp",
                                      "curator-2024-spring"])
def test_weak_passwords_are_refused_when_changed(people, session, password):
    with pytest.raises(InvalidInput):
        users.set_password(session, CURATOR, password)
    assert users.authenticate(session, CURATOR, PASSWORD, "127.0.0.1").email == CURATOR


@pytest.mark.parametrize("password", [PASSWORD, "another-long-password", "Tr0ub4dor&3-horse", "kochi-madoguchi-itaku",
                                      "窓口業務の民間委託を進める", "839201746352", "a1b2c3d4e5f6g7", "ab-editor-in-chief"])
def test_reasonable_passwords_are_accepted(session, password):
    assert users.create_user(session, "hanako.tanaka@example.jp", password).email == "hanako.tanaka@example.jp"


def test_a_short_local_part_does_not_forbid_its_letters(session):
    assert users.create_user(session, "ab@example.jp", "ab-correct-horse-battery").email == "ab@example.jp"


def test_the_users_page_explains_a_weak_password(people):
    editor = sign_in(people, EDITOR)
    response = editor.post("/curate/users", data={"csrf_token": token(editor, "/curate/users"),
                                                  "email": "new@example.jp", "role": "curator",
                                                  "password": "password1234"})
    assert response.status_code == 400 and "よく使われる" in response.get_data(as_text=True)
    assert count(people, User) == 2


def test_the_cli_refuses_a_weak_password(people, monkeypatch):
    monkeypatch.setenv("CASEBOOK_NEW_PASSWORD", "aaaaaaaaaaaa")
    runner = people.test_cli_runner()
    result = runner.invoke(args=["users", "create", "cli@example.jp"])
    assert result.exit_code == 1 and "繰り返し" in result.output
    result = runner.invoke(args=["users", "set-password", CURATOR])
    assert result.exit_code == 1 and "繰り返し" in result.output
