"""Issue 8: writing through the JSON API — tokens, roles, versions (ETag / If-Match), problem+json, limits."""
import copy
import re

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from casebook import search
from casebook.db import get_engine
from casebook.models import ApiToken, AuditEntry, Case, Revision
from casebook.openapi import EXAMPLE_CASE
from casebook.services import tokens, users

PASSWORD = "correct-horse-battery"
NEW = copy.deepcopy(EXAMPLE_CASE)
SLUG = NEW["slug"]


@pytest.fixture
def api(loaded_app):
    """The bundled cases, a curator and an editor, each with a token: {"curator": headers, "editor": headers}."""
    headers = {}
    with loaded_app.app_context(), Session(get_engine(loaded_app)) as db:
        for role in ("curator", "editor"):
            user = users.create_user(db, f"{role}@example.jp", PASSWORD, role)
            _token, plain = tokens.create_token(db, user, f"{role}のテスト")
            headers[role] = {"Authorization": f"Bearer {plain}"}
    loaded_app.api_headers = headers
    return loaded_app


def problem(response, status):
    """Assert a problem+json answer with `status`; return its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"] == "about:blank"
    return body


def total(client, q):
    return client.get("/api/v1/cases", query_string={"q": q}).get_json()["total"]


def state(app):
    with app.app_context(), Session(get_engine(app)) as db:
        return (db.exec(select(func.count()).select_from(Revision)).one(),
                db.exec(select(func.sum(Case.version))).one(),
                db.exec(select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("case.%"))).one())


def index_is_clean(app):
    with app.app_context(), Session(get_engine(app)) as db:
        return search.check_index(db, search.get_index(app)).clean


def test_create_submit_publish_update_archive(api):
    client, curator, editor = api.test_client(), api.api_headers["curator"], api.api_headers["editor"]
    created = client.post("/api/v1/cases", json=NEW, headers=curator)
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.headers["ETag"] == '"1"'
    assert created.headers["Location"] == f"http://localhost/api/v1/cases/{SLUG}"
    body = created.get_json()
    assert (body["status"], body["version"], body["title"]) == ("draft", 1, NEW["title"])
    assert body["start_fiscal_year"] == 2019 and body["effects"][0]["unit"] == "時間"
    problem(client.get(f"/api/v1/cases/{SLUG}"), 404)  # drafts are not public
    assert client.get(f"/api/v1/cases/{SLUG}", headers=curator).get_json()["status"] == "draft"
    assert total(client, "申請書 自動化") == 0

    assert client.post(f"/api/v1/cases/{SLUG}/submit", json={"comment": "確認をお願いします"},
                       headers=curator).get_json()["status"] == "review"
    problem(client.post(f"/api/v1/cases/{SLUG}/publish", headers=curator), 403)
    published = client.post(f"/api/v1/cases/{SLUG}/publish", headers=editor | {"If-Match": '"2"'})
    assert published.status_code == 200 and published.headers["ETag"] == '"3"'
    assert total(client, "申請書 自動化") == 1
    assert client.get(f"/api/v1/cases/{SLUG}").headers["ETag"] == '"3"'
    assert index_is_clean(api)

    stale = client.patch(f"/api/v1/cases/{SLUG}", json={"title": "古い版からの変更"}, headers=editor | {"If-Match": '"2"'})
    assert problem(stale, 412)["errors"] == [{"field": "If-Match", "message": "現在の版は 3 です。"}]
    problem(client.patch(f"/api/v1/cases/{SLUG}", json={"title": "版の指定なし"}, headers=editor), 428)
    patched = client.patch(f"/api/v1/cases/{SLUG}", json={"title": "新しい題名", "source": {"url": "https://example.jp/"}},
                           headers=editor | {"If-Match": '"3"'})
    assert patched.status_code == 200 and patched.headers["ETag"] == '"4"'
    after = patched.get_json()
    assert after["title"] == "新しい題名" and after["status"] == "published"
    # The earlier single `source` changes the first source.
    assert after["source"] == {"title": "○○市 業務改革の報告", "publisher": "○○市", "date": "2020-04",
                               "url": "https://example.jp/"} == after["sources"][0]
    assert after["participants"][0]["name"] == "高知市" and len(after["effects"]) == 2

    archived = client.delete(f"/api/v1/cases/{SLUG}", headers=editor)
    assert archived.status_code == 200 and archived.get_json()["status"] == "archived"
    assert total(client, "申請書 自動化") == 0
    problem(client.get(f"/api/v1/cases/{SLUG}"), 404)
    gone = client.patch(f"/api/v1/cases/{SLUG}", json={"title": "消したはずの事例"}, headers={**editor, "If-Match": '"5"'})
    problem(gone, 404)                                                      # written to no more than read
    assert "アーカイブされています" in gone.get_json()["detail"]
    assert index_is_clean(api)

    # Archived, the case is gone from the API even for its editors (a read after DELETE is a 404) …
    hidden = client.get(f"/api/v1/cases/{SLUG}", headers=editor)
    assert "アーカイブされています" in problem(hidden, 404)["detail"]
    problem(client.get(f"/api/v1/cases/{SLUG}/revisions", headers=curator), 404)
    # … until it is published again; its history kept the archive step.
    restored = client.post(f"/api/v1/cases/{SLUG}/publish", headers=editor)
    assert restored.status_code == 200 and restored.get_json()["status"] == "published"
    revisions = client.get(f"/api/v1/cases/{SLUG}/revisions", headers=curator).get_json()
    assert revisions["version"] == 6
    assert [(r["number"], r["action"], r["status"], r["author"]) for r in revisions["revisions"]] == [
        (6, "publish", "published", "editor@example.jp"),
        (5, "archive", "archived", "editor@example.jp"), (4, "save", "published", "editor@example.jp"),
        (3, "publish", "published", "editor@example.jp"), (2, "submit", "review", "curator@example.jp"),
        (1, "create", "draft", "curator@example.jp")]
    assert revisions["revisions"][4]["comment"] == "確認をお願いします"
    assert revisions["revisions"][2]["content"]["title"] == "新しい題名"


def test_put_replaces_the_whole_case(api):
    client, editor = api.test_client(), api.api_headers["editor"]
    slug = "kochi-madoguchi-itaku"
    etag = client.get(f"/api/v1/cases/{slug}").headers["ETag"]
    replacement = {k: v for k, v in NEW.items() if k != "slug"}
    response = client.put(f"/api/v1/cases/{slug}", json=replacement, headers=editor | {"If-Match": etag})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["slug"], body["title"], body["status"]) == (slug, NEW["title"], "published")
    assert [e["label"] for e in body["effects"]] == ["入力作業時間", "入力担当の職員"]
    again = client.put(f"/api/v1/cases/{slug}", json=replacement, headers=editor | {"If-Match": etag})
    problem(again, 412)
    same = client.put(f"/api/v1/cases/{slug}", json=replacement, headers=editor | {"If-Match": response.headers["ETag"]})
    assert same.status_code == 200 and same.headers["ETag"] == response.headers["ETag"]  # nothing changed
    assert index_is_clean(api)


def test_anonymous_and_wrong_role_writes_are_refused(api):
    client, curator = api.test_client(), api.api_headers["curator"]
    before = state(api)
    slug = "kochi-madoguchi-itaku"  # published: curators edit drafts only
    writes = [("post", "/api/v1/cases", NEW), ("put", f"/api/v1/cases/{slug}", NEW),
              ("patch", f"/api/v1/cases/{slug}", {"title": "x"}), ("delete", f"/api/v1/cases/{slug}", None),
              *[("post", f"/api/v1/cases/{slug}/{a}", None) for a in ("submit", "return", "publish", "unpublish", "archive")]]
    for method, url, body in writes:
        response = client.open(url, method=method.upper(), json=body, headers={"If-Match": '"1"'})
        assert problem(response, 401)["title"] == "認証が必要です", (method, url)
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="casebook"'
        for bad in ("Bearer cbk_not-a-token", "Basic dXNlcjpwYXNz", "Bearer "):
            problem(client.open(url, method=method.upper(), json=body, headers={"Authorization": bad}), 401)
    problem(client.get(f"/api/v1/cases/{slug}/revisions"), 401)
    for method, url, body in writes[1:]:
        if url.endswith("/submit"):
            continue  # submitting is a curator's step (and this case is not a draft: 400)
        response = client.open(url, method=method.upper(), json=body, headers=curator | {"If-Match": '"1"'})
        assert problem(response, 403), (method, url)
    assert state(api) == before


def test_revoked_tokens_and_deactivated_users_stop_at_once(api):
    client = api.test_client()
    curator = api.api_headers["curator"]
    assert client.get("/api/v1/cases/kochi-madoguchi-itaku/revisions", headers=curator).status_code == 200
    with api.app_context(), Session(get_engine(api)) as db:
        user = users.get_user(db, "curator@example.jp")
        [token] = tokens.list_tokens(db, user)
        assert token.last_used_at is not None and token.token_hash != curator["Authorization"][7:]
        tokens.revoke_token(db, user, token.id)
    problem(client.get("/api/v1/cases/kochi-madoguchi-itaku/revisions", headers=curator), 401)
    problem(client.get("/api/v1/cases", headers=curator), 401)  # a bad token is refused even where none is needed
    problem(client.post("/api/v1/cases", json=NEW, headers=curator), 401)

    editor = api.api_headers["editor"]
    assert client.get("/api/v1/cases/kochi-madoguchi-itaku/revisions", headers=editor).status_code == 200
    with api.app_context(), Session(get_engine(api)) as db:
        users.update_user(db, users.get_user(db, "editor@example.jp").id, "editor", False,
                          by=users.get_user(db, "curator@example.jp"))
    problem(client.get("/api/v1/cases/kochi-madoguchi-itaku/revisions", headers=editor), 401)


def test_tokens_page_shows_a_token_once_and_revokes_it(api):
    from .test_curate import login, token

    browser = login(api, "curator@example.jp")
    page = browser.get("/curate/tokens/")
    assert page.status_code == 200 and "APIトークン" in page.get_data(as_text=True)
    assert 'href="/curate/tokens/"' in browser.get("/curate/").get_data(as_text=True)
    missing = browser.post("/curate/tokens/", data={"csrf_token": token(browser, "/curate/tokens/"), "name": ""})
    assert missing.status_code == 400 and "用途が分かる名前" in missing.get_data(as_text=True)
    assert browser.post("/curate/tokens/", data={"name": "CSRFなし"}).status_code == 400
    created = browser.post("/curate/tokens/", data={"csrf_token": token(browser, "/curate/tokens/"),
                                                    "name": "県のシステム"})
    html = created.get_data(as_text=True)
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    plain = re.search(r'id="new-token" type="text" readonly value="(cbk_[A-Za-z0-9_-]+)"', html).group(1)
    listing = browser.get("/curate/tokens/").get_data(as_text=True)
    assert plain not in listing and plain[:12] in listing and "県のシステム" in listing
    with api.app_context(), Session(get_engine(api)) as db:
        row = db.exec(select(ApiToken).where(ApiToken.name == "県のシステム")).one()
        assert row.token_hash == tokens.hash_token(plain) and row.prefix == plain[:12]
        actions = db.exec(select(AuditEntry.action).where(AuditEntry.action.like("token.%"))).all()
    client = api.test_client()
    assert client.post("/api/v1/cases", json=NEW, headers={"Authorization": f"Bearer {plain}"}).status_code == 201

    other = login(api, "editor@example.jp")
    assert other.post(f"/curate/tokens/{row.id}/revoke",
                      data={"csrf_token": token(other, "/curate/tokens/")}).status_code == 404  # not theirs
    revoked = browser.post(f"/curate/tokens/{row.id}/revoke", data={"csrf_token": token(browser, "/curate/tokens/")})
    assert revoked.status_code == 302
    assert "無効（" in browser.get("/curate/tokens/").get_data(as_text=True)
    problem(client.get(f"/api/v1/cases/{SLUG}", headers={"Authorization": f"Bearer {plain}"}), 401)
    assert actions == ["token.create", "token.create", "token.create"]  # two fixture tokens and this one
    anonymous = api.test_client().get("/curate/tokens/")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")


@pytest.mark.parametrize(("method", "url", "kwargs", "status", "field"), [
    ("post", "/api/v1/cases", {"data": "{not json", "content_type": "application/json"}, 400, "（本文）"),
    ("post", "/api/v1/cases", {"data": "[1, 2]", "content_type": "application/json"}, 400, "（本文）"),
    ("post", "/api/v1/cases", {"data": "slug=x", "content_type": "application/x-www-form-urlencoded"}, 415,
     "Content-Type"),
    ("post", "/api/v1/cases", {"json": NEW | {"status": "published"}}, 400, "status"),
    ("post", "/api/v1/cases", {"json": NEW | {"title": "", "themes": ["nope"], "unknown": 1}}, 400, "title"),
    ("post", "/api/v1/cases", {"json": NEW | {"slug": "ab\n"}}, 400, "slug"),
    ("post", "/api/v1/cases", {"json": NEW | {"summary": "NUL\x00"}}, 400, "summary"),
    ("post", "/api/v1/cases", {"json": NEW | {"themes": ["nope"]}}, 400, "themes"),
    ("post", "/api/v1/cases", {"json": NEW | {"slug": "kochi-madoguchi-itaku"}}, 409, "slug"),
    ("put", "/api/v1/cases/kochi-madoguchi-itaku", {"json": NEW, "headers": {"If-Match": '"1"'}}, 400, "slug"),
    ("put", "/api/v1/cases/kochi-madoguchi-itaku", {"json": NEW, "headers": {"If-Match": "*"}}, 428, "If-Match"),
    ("put", "/api/v1/cases/kochi-madoguchi-itaku", {"json": NEW, "headers": {"If-Match": " "}}, 400, "If-Match"),
    ("patch", "/api/v1/cases/kochi-madoguchi-itaku",
     {"json": {"participants": [{"name": "甲市", "kind": "city", "code": "392015"}]}, "headers": {"If-Match": '"1"'}},
     400, "participants[0].code"),
    ("patch", "/api/v1/cases/kochi-madoguchi-itaku", {"json": {"sources": None}, "headers": {"If-Match": '"1"'}},
     400, "sources"),
    ("get", "/api/v1/cases?size=0", {}, 400, "size"),
    ("get", "/api/v1/cases?sort=random&year=20190", {}, 400, "sort"),
    ("get", "/api/v1/municipalities?size=51", {}, 400, "size"),
    ("get", "/api/v1/cases/kochi-madoguchi-itaku?municipality=12", {}, 400, "municipality"),
])
def test_bad_requests_are_problem_json_with_fields(api, method, url, kwargs, status, field):
    kwargs = copy.deepcopy(kwargs)
    kwargs["headers"] = api.api_headers["editor"] | kwargs.get("headers", {})
    before = state(api)
    body = problem(getattr(api.test_client(), method)(url, **kwargs), status)
    assert field in [e["field"] for e in body.get("errors", [])], body
    assert state(api) == before


def test_http_errors_are_problem_json(api):
    client = api.test_client()
    problem(client.get("/api/v1/no-such-route"), 404)
    problem(client.get("/api/v1/cases/%00"), 404)
    allowed = problem(client.put("/api/v1/facets"), 405)
    assert set(client.put("/api/v1/facets").headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert allowed["title"] == "この操作はできません"
    api.config["MAX_CONTENT_LENGTH"] = 1000
    big = NEW | {"summary": "あ" * 2000}
    problem(client.post("/api/v1/cases", json=big, headers=api.api_headers["editor"]), 413)


def test_rate_limit_per_client_with_retry_after(api):
    api.config["API_RATE_LIMIT"] = "3/minute"
    anonymous, editor = api.test_client(), api.api_headers["editor"]
    for _ in range(3):
        assert anonymous.get("/api/v1/facets").status_code == 200
    refused = anonymous.get("/api/v1/facets")
    problem(refused, 429)
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert anonymous.get("/api/v1/facets", headers=editor).status_code == 200  # the token is its own client


def test_a_malformed_rate_limit_is_refused_at_start(tmp_path, database_url):
    from casebook.config import ConfigError

    from .conftest import make_app
    with pytest.raises(ConfigError, match="API_RATE_LIMIT"):
        make_app(database_url, tmp_path, API_RATE_LIMIT="lots")


def test_rate_limiter_windows():
    now = [100.0]
    limiter = tokens.RateLimiter(2, 60, clock=lambda: now[0])
    assert [limiter.hit("a"), limiter.hit("a"), limiter.hit("b")] == [0, 0, 0]
    now[0] += 10
    assert limiter.hit("a") == 50
    now[0] += 50
    assert limiter.hit("a") == 0
    assert tokens.parse_rate("300/minute") == (300, 60) and tokens.parse_rate("") is None
    with pytest.raises(ValueError):
        tokens.parse_rate("many/minute")


def test_reads_are_cors_and_writes_are_not(api):
    client = api.test_client()
    read = client.get("/api/v1/cases/kochi-madoguchi-itaku", headers={"Origin": "https://pref.example.jp"})
    assert read.headers["Access-Control-Allow-Origin"] == "*" and "ETag" in read.headers["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in read.headers
    preflight = client.options("/api/v1/cases", headers={"Origin": "https://pref.example.jp",
                                                         "Access-Control-Request-Method": "POST"})
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    write = client.post("/api/v1/cases", json=NEW, headers=api.api_headers["editor"] | {"Origin": "https://x.example"})
    assert write.status_code == 201 and "Access-Control-Allow-Origin" not in write.headers


def test_facets_endpoint_matches_the_search(api):
    client = api.test_client()
    search_body = client.get("/api/v1/cases", query_string={"region": "四国"}).get_json()
    facets = client.get("/api/v1/facets", query_string={"region": "四国"}).get_json()
    assert facets == {"total": search_body["total"], "facets": search_body["facets"]}


def test_the_sign_in_cookie_does_not_authorise_api_writes(api):
    from .test_curate import login

    browser = login(api, "editor@example.jp")
    before = state(api)
    problem(browser.post("/api/v1/cases", json=NEW), 401)
    problem(browser.post("/api/v1/cases/kochi-madoguchi-itaku/archive"), 401)
    problem(browser.get("/api/v1/cases/kochi-madoguchi-itaku/revisions"), 401)
    assert state(api) == before
