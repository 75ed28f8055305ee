"""Issue 17, item 6: keyword suggestions for the search box (services/keywords.py, /api/v1/suggestions)."""
from __future__ import annotations

import time

import pytest
from sqlmodel import Session

from casebook import search
from casebook.db import get_engine
from casebook.services import cases, keywords, municipalities, unit

from .conftest import case_data, participant

MASTER = """code,prefecture,name,kana,population,population_year,source,kind
172073,石川県,羽咋市,はくいし,20429,2020,令和2年国勢調査 速報集計,city
392014,高知県,高知市,こうちし,326814,2020,令和2年国勢調査 速報集計,city
394017,高知県,本山町,もとやまちょう,3262,2020,令和2年国勢調査 速報集計,town
"""
CREDIT = "出典：政府統計の総合窓口(e-Stat)「令和2年国勢調査 速報集計」（総務省統計局）"


@pytest.fixture
def cases_and_master(app, add_case, session):
    """Two published cases and a draft, and a small master with the governments' readings."""
    municipalities.import_master(session, MASTER.encode(), CREDIT)
    add_case(slug="kochi-madoguchi", title="高知市の窓口業務の民間委託", tags=["窓口", "RPA"], themes=["outsourcing"])
    add_case(slug="motoyama-cloud", title="本山町の自治体クラウド", tags=["クラウド", "RPA"], themes=["cloud"],
             participants=[participant("本山町", 3262, code="394017", role="lead"),
                           participant("高知市", 326814, kind="city", code="392014")])
    add_case(slug="draft-secret", title="下書きの秘密の事例", tags=["下書きだけのタグ"], status="draft",
             participants=[participant("羽咋市", 20429, kind="city", code="172073", prefecture="石川県", role="lead")])
    return app


def suggest(session, q: str, limit: int = keywords.DEFAULT_LIMIT, cache: dict | None = None) -> list[tuple]:
    found = keywords.suggest_keywords(session, q, limit, {} if cache is None else cache)
    return [(k.text, k.kind, k.count) for k in found]


def test_every_kind_with_its_count(cases_and_master, session):
    assert suggest(session, "窓口") == [
        ("窓口", "tag", 1),                          # exact first
        ("窓口業務の民間委託", "theme", 1),           # then what starts with it
        ("高知市の窓口業務の民間委託", "case", None),   # then what contains it
    ]
    assert suggest(session, "rpa") == [("RPA", "tag", 2)]
    assert suggest(session, "高知") == [("高知市", "government", 2), ("高知市の窓口業務の民間委託", "case", None)]
    assert [k.kind_label for k in keywords.suggest_keywords(session, "クラウド", 8, {})] == ["タグ", "テーマ", "事例"]


@pytest.mark.parametrize("typed", ["こうち", "コウチ", "ｺｳﾁ", "こうちし", "  コウチ  "])
def test_governments_are_found_by_their_reading(cases_and_master, session, typed):
    assert suggest(session, typed) == [("高知市", "government", 2)]


def test_only_published_cases_are_suggested(cases_and_master, session):
    for typed in ("下書き", "秘密", "羽咋", "はくい"):
        assert suggest(session, typed) == [], typed


def test_the_same_text_is_suggested_once(cases_and_master, add_case, session):
    add_case(slug="tag-like-theme", title="クラウドの事例", tags=["自治体クラウド", "ＲＰＡ"], themes=["cloud"])
    assert suggest(session, "自治体クラウド") == [("自治体クラウド", "theme", 2), ("本山町の自治体クラウド", "case", None)]
    assert suggest(session, "rpa") == [("RPA", "tag", 2)]  # ＲＰＡ folds to the same text: one suggestion


def test_every_word_typed_must_match(cases_and_master, session):
    assert suggest(session, "窓口 委託") == [("窓口業務の民間委託", "theme", 1), ("高知市の窓口業務の民間委託", "case", None)]
    assert suggest(session, "本山　クラウド") == [("本山町の自治体クラウド", "case", None)]  # a full-width space too
    assert suggest(session, "窓口 クラウド") == []


@pytest.mark.parametrize("typed", ["", " ", "　", "\t\n"])
def test_nothing_typed_gives_nothing(cases_and_master, session, typed):
    assert suggest(session, typed) == []


def test_limits(cases_and_master, session):
    assert len(suggest(session, "の")) == 3                         # both titles and a theme have の
    assert len(suggest(session, "の", limit=2)) == 2
    assert len(suggest(session, "の", limit=1000)) == 3              # capped at MAX_LIMIT, not refused
    assert suggest(session, "の", limit=0) == []
    assert suggest(session, "窓" * 5000) == []                       # long input is cut, not an error


def test_cache_follows_the_change_sequence(cases_and_master, add_case, session):
    cache: dict = {}
    assert suggest(session, "水道", cache=cache) == []
    built = cache["vocabulary"]
    assert suggest(session, "窓口", cache=cache) and cache["vocabulary"] is built   # reused while nothing changed
    add_case(slug="suido", title="水道事業の広域化", tags=["水道"], themes=["wide-area"])
    session.rollback()  # a new transaction, as the next request has
    assert suggest(session, "水道", cache=cache) == [("水道", "tag", 1), ("水道事業の広域化", "case", None)]
    assert cache["vocabulary"] is not built


def test_cache_expires_for_what_the_sequence_does_not_number(cases_and_master, session, monkeypatch):
    cache: dict = {}
    suggest(session, "窓口", cache=cache)
    built = cache["vocabulary"]
    monkeypatch.setattr(keywords, "REFRESH_SECONDS", -1.0)
    suggest(session, "窓口", cache=cache)
    assert cache["vocabulary"] is not built


def test_fold_is_width_case_and_kana_insensitive():
    assert keywords.fold("ＲＰＡ ｺｳﾁ　コウチ") == keywords.fold("rpaこうちこうち") == "rpaこうちこうち"


# --- HTTP -----------------------------------------------------------------------------------

def test_endpoint_answers_json(cases_and_master):
    client = cases_and_master.test_client()
    response = client.get("/api/v1/suggestions", query_string={"q": "コウチ", "limit": "5"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == {"q": "コウチ", "suggestions": [
        {"text": "高知市", "kind": "government", "kind_label": "団体", "count": 2}]}
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/api/v1/suggestions").get_json() == {"q": "", "suggestions": []}
    assert client.get("/api/v1/suggestions?q=").get_json() == {"q": "", "suggestions": []}
    assert len(client.get("/api/v1/suggestions?q=%E3%81%AE&limit=2&unknown=1").get_json()["suggestions"]) == 2
    assert client.get("/api/v1/suggestions?q=本山町の").get_json()["suggestions"] == [
        {"text": "本山町の自治体クラウド", "kind": "case", "kind_label": "事例", "count": None}]


@pytest.mark.parametrize(("query", "field", "message"), [
    ("limit=0", "limit", "1〜20で指定してください。"),
    ("limit=21", "limit", "1〜20で指定してください。"),
    ("limit=abc", "limit", "整数で入力してください。"),
    ("limit=", "limit", "整数で入力してください。"),
    ("limit=1.5", "limit", "整数で入力してください。"),
    ("limit=99999999999999999999999", "limit", "1〜20で指定してください。"),
    ("q=%00", "q", "NUL文字は使えません。"),
    ("q=" + "a" * 401, "q", "400文字以内で入力してください。"),
])
def test_bad_input_is_400_in_japanese(cases_and_master, query, field, message):
    response = cases_and_master.test_client().get("/api/v1/suggestions?" + query)
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["detail"] == "候補の条件に誤りがあります。"
    assert body["errors"] == [{"field": field, "message": message}]


@pytest.mark.parametrize("q", ["%", "_", "\\", "'", "<script>", "🙂", "\u200b", "%ED%A0%80", "%FF%FE", "a" * 400])
def test_odd_input_never_fails(cases_and_master, q):
    response = cases_and_master.test_client().get("/api/v1/suggestions?q=" + q)
    assert response.status_code == 200 and isinstance(response.get_json()["suggestions"], list)


def test_description_lists_the_endpoint(cases_and_master):
    spec = cases_and_master.test_client().get("/api/v1/openapi.json").get_json()
    op = spec["paths"]["/api/v1/suggestions"]["get"]
    assert op["operationId"] == "suggestKeywords" and op["tags"] == ["事例の検索"]
    assert {p["name"] for p in op["parameters"]} == {"q", "limit"}
    assert set(spec["components"]["schemas"]["Keyword"]["properties"]) == {"text", "kind", "kind_label", "count"}


def test_search_box_is_enhanced_by_the_script(cases_and_master):
    client = cases_and_master.test_client()
    for url in ("/", "/cases", "/cases?q=窓口"):
        page = client.get(url).get_data(as_text=True)
        assert 'data-suggest="/api/v1/suggestions"' in page and 'src="/static/combobox.js" defer' in page, url
        assert 'role="combobox"' not in page  # the script adds the ARIA; without it the box is a plain input
    with client.get("/static/combobox.js") as script:
        assert script.status_code == 200 and script.mimetype == "text/javascript"


def test_two_hundred_cases_answer_quickly(app, session):
    """200 published cases: the first request builds the vocabulary, the next ones read the cache."""
    municipalities.import_master(session, municipalities.packaged_master().read_bytes(), CREDIT)
    governments = [("高知市", "392014", "city", "高知県"), ("本山町", "394017", "town", "高知県"), ("羽咋市", "172073", "city", "石川県")]
    with Session(get_engine(app), expire_on_commit=False) as db, unit.unit_of_work(db, search.get_index(app)):
        for i in range(200):
            name, code, kind, prefecture = governments[i % 3]
            cases.save_case(db, case_data(slug=f"case-{i:03d}", title=f"{name}の業務改革 その{i}",
                                          tags=[f"タグ{i % 40}", "業務改革"], themes=["ai-ict"],
                                          participants=[participant(name, 1000, kind=kind, code=code, prefecture=prefecture, role="lead")]))
    client = app.test_client()
    started = time.perf_counter()
    first = client.get("/api/v1/suggestions?q=こうち")
    cold = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(20):
        warm = client.get("/api/v1/suggestions?q=業務")
    warm_each = (time.perf_counter() - started) / 20
    print(f"suggestions with 200 cases: first {cold * 1000:.1f} ms, then {warm_each * 1000:.1f} ms each")
    assert first.get_json()["suggestions"][0] == {"text": "高知市", "kind": "government", "kind_label": "団体", "count": 67}
    assert len(warm.get_json()["suggestions"]) == keywords.DEFAULT_LIMIT
    assert cold < 2.0 and warm_each < 0.25
