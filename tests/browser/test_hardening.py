"""The web surface: security headers from the real server, cookie flags, error pages in Japanese.

These need no browser: they run wherever the suite runs.
"""
from __future__ import annotations

import platform
import re
import urllib.error
import urllib.request
from importlib.metadata import version

import pytest

from casebook import create_app
from casebook.db import get_engine
from casebook.services.references import COOKIE
from casebook.web import CSP

from ..conftest import PASSWORD

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def fetch(url: str):
    """GET through the real werkzeug server (urllib), errors included."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def csp(headers) -> dict[str, str]:
    return {d.split()[0]: d.split(None, 1)[1] for d in headers["Content-Security-Policy"].split("; ")}


@pytest.mark.parametrize("path, status, mimetype", [
    ("/cases?q=窓口", 200, "text/html"),
    ("/api/v1/cases", 200, "application/json"),
    ("/no-such-page", 404, "text/html"),
    ("/api/v1/cases/no-such-case", 404, "application/problem+json"),
])
def test_security_headers_on_pages_and_api(base_url, path, status, mimetype):
    code, headers, _ = fetch(base_url + urllib.request.quote(path, safe="/?=&"))
    assert (code, headers.get_content_type()) == (status, mimetype)
    assert {name: headers[name] for name in EXPECTED} == EXPECTED
    policy = csp(headers)
    assert policy["default-src"] == "'self'" and policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in headers["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in headers                     # plain HTTP: no HSTS
    # Only the server's own Server header (the development server's here; gunicorn's in production).
    assert headers.get_all("Server") == [f"Werkzeug/{version('werkzeug')} Python/{platform.python_version()}"]


def test_the_app_adds_no_server_header(client):
    for path in ("/", "/api/v1/cases", "/no-such-page"):
        assert "Server" not in client.get(path).headers


def test_hsts_over_https(client):
    response = client.get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def cookie(response, name: str) -> dict[str, str | bool]:
    """The attributes of one Set-Cookie header, lower-cased."""
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            attributes = {}
            for part in header.split(";")[1:]:
                key, _, value = part.strip().partition("=")
                attributes[key.lower()] = value or True
            return attributes
    raise AssertionError(f"no {name} cookie in {response.headers.getlist('Set-Cookie')}")


def sign_in_and_choose(app, base_url: str):
    """Sign in (session cookie) and choose a population (the 'my government' cookie)."""
    client = app.test_client()

    def csrf(path: str) -> str:
        page = client.get(path, base_url=base_url).get_data(as_text=True)
        return re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page).group(1)

    # Over HTTPS, Flask-WTF also checks that the form was sent from this site (Referer).
    signed_in = client.post("/login", base_url=base_url, headers={"Referer": f"{base_url}/login"},
                            data={"csrf_token": csrf("/login"), "email": "editor@example.jp", "password": PASSWORD})
    assert signed_in.status_code == 302
    chosen = client.post("/mygov", base_url=base_url, headers={"Referer": f"{base_url}/mygov"},
                         data={"csrf_token": csrf("/mygov"), "population": "9000"})
    assert chosen.status_code == 302
    return cookie(signed_in, "session"), cookie(chosen, COOKIE)


def test_cookies_over_https_are_secure_httponly_samesite(accounts):
    for attributes in sign_in_and_choose(accounts, "https://localhost"):
        assert attributes["secure"] is True and attributes["httponly"] is True and attributes["samesite"] == "Lax"


def test_cookies_over_http_follow_secure_cookies(accounts):
    for attributes in sign_in_and_choose(accounts, "http://localhost"):
        assert "secure" not in attributes and attributes["httponly"] is True and attributes["samesite"] == "Lax"
    accounts.config["SECURE_COOKIES"] = 1       # behind a TLS proxy that the app cannot see
    accounts.config["SESSION_COOKIE_SECURE"] = True
    for attributes in sign_in_and_choose(accounts, "http://localhost"):
        assert attributes["secure"] is True


def test_secure_cookies_setting_reaches_flask(database_url, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": database_url,
                      "SEARCH_INDEX_DIR": str(tmp_path), "SECURE_COOKIES": 1})
    assert app.config["SESSION_COOKIE_SECURE"] is True and app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    get_engine(app).dispose()


def error_page(response) -> tuple[str, str]:
    html = response.get_data(as_text=True)
    assert response.mimetype == "text/html" and '<html lang="ja">' in html
    assert "Traceback" not in html and "Werkzeug" not in html and "Internal Server Error" not in html
    title = re.search(r"<title>(.*?)</title>", html).group(1)
    return title, re.search(r"<h1>(.*?)</h1>", html).group(1)


@pytest.mark.parametrize("method, path, status, heading", [
    ("get", "/no-such-page", 404, "ページが見つかりません"),
    ("get", "/cases/no-such-case", 404, "ページが見つかりません"),
    ("get", "/logout", 405, "この操作はできません"),
    ("delete", "/cases", 405, "この操作はできません"),
])
def test_error_pages_are_japanese(client, method, path, status, heading):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert error_page(response) == (f"{heading} | 先進事例データベース casebook", heading)
    assert f"エラーコード {status}" in response.get_data(as_text=True)
    if status == 405:
        assert "GET" in response.headers["Allow"] or "POST" in response.headers["Allow"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_an_unexpected_exception_shows_the_500_page(database_url, tmp_path, caplog):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": database_url, "SEARCH_INDEX_DIR": str(tmp_path)})

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert error_page(response) == ("サーバーでエラーが発生しました | 先進事例データベース casebook", "サーバーでエラーが発生しました")
    assert "secret detail" not in response.get_data(as_text=True)
    assert "secret detail" in caplog.text                                  # logged for the operator
    assert response.headers["Content-Security-Policy"] == CSP and "Server" not in response.headers
    get_engine(app).dispose()
