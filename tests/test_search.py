"""Search through HTTP: the queries users type, bands, facets, sorting, paging, hostile input."""
import re
from urllib.parse import urlsplit

import pytest

from .conftest import effect, participant


def api(client, query: str = "", **params):
    response = client.get("/api/v1/cases" + (f"?{query}" if query else ""), query_string=params or None)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def slugs(body):
    return [r["slug"] for r in body["results"]]


@pytest.mark.parametrize(("q", "slug"), [
    ("窓口", "kochi-madoguchi-itaku"),
    ("クラウド", "hirosaki-jichitai-cloud"),
    ("水道 統合", "chichibu-suido-kouikika"),
    ("自治体クラウド", "hirosaki-jichitai-cloud"),
    ("運用保守経費", "hirosaki-jichitai-cloud"),
    ("くらうど", "hirosaki-jichitai-cloud"),
    ("浄水場", "chichibu-suido-kouikika"),
    ("水", "chichibu-suido-kouikika"),
    ("長瀞町", "chichibu-suido-kouikika"),
    ("住民票", "kochi-madoguchi-itaku"),
])
def test_queries_find_the_expected_case(client, q, slug):
    assert slug in slugs(api(client, q=q, size=100))


def test_html_search_lists_the_case(client):
    page = client.get("/cases", query_string={"q": "窓口"}).get_data(as_text=True)
    assert "/cases/kochi-madoguchi-itaku" in page and "<mark>窓口</mark>" in page


def test_fullwidth_and_halfwidth_queries_are_equal(client, add_case):
    add_case(slug="ai-ocr", title="ＡＩ－ＯＣＲによる申請書の読み取り", summary="ｶﾀｶﾅの書類もAIで処理")
    for a, b in (("ＡＩ", "AI"), ("ai-ocr", "AI－OCR"), ("ｶﾀｶﾅ", "カタカナ"), ("かたかな", "カタカナ")):
        assert slugs(api(client, q=a)) == slugs(api(client, q=b)) == ["ai-ocr"]


def test_words_are_anded(client):
    assert slugs(api(client, q="水道 クラウド")) == []


def test_title_hits_rank_first(client, add_case):
    add_case(slug="title-hit", title="RPAによる入力作業の自動化")
    add_case(slug="body-hit", title="事務の見直し", approach="一部でRPAも使った。" + "他の取組。" * 50)
    assert slugs(api(client, q="RPA"))[:2] == ["title-hit", "body-hit"]


def test_band_includes_association_cases_through_small_members(client):
    body = api(client, band="5000-10000", size=100)
    assert "hirosaki-jichitai-cloud" in slugs(body)  # 大鰐町 8,671 and 田舎館村 7,328
    assert "chichibu-suido-kouikika" in slugs(body)  # 横瀬町, 皆野町, 長瀞町
    assert "kochi-madoguchi-itaku" not in slugs(body)


def test_band_of_the_total_population(client, add_case):
    add_case(slug="two-towns", participants=[participant("甲町", 30_000, role="lead"), participant("乙町", 25_000)])
    assert "two-towns" in slugs(api(client, band="50000-100000"))   # 55,000 in total
    assert "two-towns" in slugs(api(client, band="20000-50000"))    # each member
    assert "two-towns" not in slugs(api(client, band="10000-20000"))


def facet(body, name):
    return {v["value"]: v for v in body["facets"][name]}


def test_facet_counts_equal_the_results_of_their_toggles(client):
    for query in ({}, {"q": "委託"}, {"theme": "wide-area"}, {"band": "5000-10000", "region": "東北"}):
        body = api(client, **query)
        for name, values in body["facets"].items():
            if any(v["selected"] for v in values):
                continue
            for value in values:
                target = urlsplit(value["toggle_url"])
                toggled = client.get(f"{target.path}?{target.query}").get_json()
                assert toggled["total"] == value["count"], (query, name, value["value"])


def test_or_within_a_facet_and_across_facets(client):
    cloud = set(slugs(api(client, theme="cloud", size=100)))
    wide = set(slugs(api(client, theme="wide-area", size=100)))
    both = api(client, "theme=cloud&theme=wide-area&size=100")
    assert set(slugs(both)) == cloud | wide and both["total"] == len(cloud | wide)
    touhoku = set(slugs(api(client, region="東北", size=100)))
    anded = api(client, "theme=cloud&theme=wide-area&region=東北&size=100")
    assert set(slugs(anded)) == (cloud | wide) & touhoku
    selected = facet(anded, "theme")
    assert selected["cloud"]["selected"] and selected["wide-area"]["selected"]


def test_facets_shape(client):
    body = api(client, theme="cloud")
    assert facet(body, "theme")["cloud"] == {
        "value": "cloud", "label": "自治体クラウド", "count": 2, "selected": True,
        "toggle_url": "/api/v1/cases"}
    assert facet(body, "region") == {
        "四国": {"value": "四国", "label": "四国", "count": 1, "selected": False,
                 "toggle_url": "/api/v1/cases?theme=cloud&region=%E5%9B%9B%E5%9B%BD"},
        "東北": {"value": "東北", "label": "東北", "count": 1, "selected": False,
                 "toggle_url": "/api/v1/cases?theme=cloud&region=%E6%9D%B1%E5%8C%97"},
    }


def test_year_and_tag_facets(client, add_case):
    add_case(slug="y2017", start_fiscal_year=2017, tags=["RPA"])
    add_case(slug="y2019", start_fiscal_year=2019, tags=["RPA", "AI-OCR"])
    body = api(client, tag="RPA")
    assert facet(body, "year") == {
        "2019": {"value": "2019", "label": "令和元年度（2019年度）", "count": 1, "selected": False,
                 "toggle_url": "/api/v1/cases?year=2019&tag=RPA"},
        "2017": {"value": "2017", "label": "平成29年度（2017年度）", "count": 1, "selected": False,
                 "toggle_url": "/api/v1/cases?year=2017&tag=RPA"},
    }
    assert slugs(api(client, year="2017")) == ["y2017"]


@pytest.mark.parametrize(("sort", "first"), [
    ("effect", "chichibu-suido-kouikika"),        # 232億円
    ("population_desc", "miyagi-kouikika"),       # 宮城県 2,303,487
    ("population", "hakui-madoguchi-itaku"),      # the smallest, 羽咋市 20,429
])
def test_sorts(client, sort, first):
    assert slugs(api(client, sort=sort))[0] == first


def test_unknown_population_sorts_last(client, add_case):
    add_case(slug="no-population", participants=[participant("某組合", None, kind="association", role="lead")])
    assert slugs(api(client, sort="population", size=100))[-1] == "no-population"
    assert slugs(api(client, sort="population_desc", size=100))[-1] == "no-population"


def test_newest_first(client, add_case):
    add_case(slug="brand-new", title="新しい事例")
    assert slugs(api(client, sort="newest"))[0] == "brand-new"


def test_paging(client):
    everything = slugs(api(client, size=100))
    first, second = api(client, size=5), api(client, size=5, page=2)
    assert first["total"] == len(everything) and first["pages"] == -(-len(everything) // 5)
    assert slugs(first) + slugs(second) == everything[:10]
    assert first["links"]["next"] == "http://localhost/api/v1/cases?page=2&size=5"
    assert first["links"]["prev"] is None
    assert first["facets"]["theme"][0]["toggle_url"].startswith("/api/v1/cases?")  # relative: a smaller body
    absolute = api(client, size=5, urls="absolute")
    assert absolute["facets"]["theme"][0]["toggle_url"].startswith("http://localhost/api/v1/cases?")
    assert "urls=absolute" in absolute["facets"]["theme"][0]["toggle_url"]
    assert absolute["links"]["next"] == "http://localhost/api/v1/cases?page=2&size=5&urls=absolute"
    refused = client.get("/api/v1/cases", query_string={"urls": "full"})
    assert refused.status_code == 400 and "relative か absolute" in str(refused.get_json()["errors"])
    beyond = api(client, size=5, page=50)
    assert beyond["results"] == [] and beyond["total"] == len(everything)


def test_only_published_cases_are_found(client, add_case):
    add_case(slug="secret-draft", title="下書きの窓口事例", status="draft")
    assert "secret-draft" not in slugs(api(client, q="下書き"))
    assert client.get("/cases/secret-draft").status_code == 404
    assert client.get("/api/v1/cases/secret-draft").status_code == 404


HOSTILE = ['"', '"窓口', "'", "AND", "OR", "NOT", "*", "?", "窓口*", "(", ")", "[", "{", "-", "+", ":", "title:",
           "\\", "/", "%", "\x00", "\x1b[31m", "\u200b", "🙂", "　", "<script>alert(1)</script>",
           "窓口 " * 3000, "あ" * 10_000, "' OR 1=1 --", "%00"]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_answer_with_a_page(client, q):
    response = client.get("/cases", query_string={"q": q})
    assert response.status_code == 200
    assert "<script>alert" not in response.get_data(as_text=True)
    assert client.get("/api/v1/cases", query_string={"q": q}).status_code == 200


@pytest.mark.parametrize("raw", ["q=%ff%fe", "q=%E7%AA", "q=%", "theme=%ff", "q=a&q=b", "page=%00"])
def test_undecodable_query_strings(client, raw):
    assert client.get(f"/cases?{raw}").status_code in (200, 400)
    assert client.get(f"/api/v1/cases?{raw}").status_code in (200, 400)


def test_long_query_gets_a_note(client):
    body = api(client, q="窓口" * 1000)
    assert any("長すぎる" in n for n in body["notes"])


@pytest.mark.parametrize("query", ["page=abc", "page=0", "page=99999", "sort=best", "band=1-2", "size=1000",
                                   "year=twenty", "page=1e3"])
def test_bad_arguments_get_a_friendly_400(client, query):
    html = client.get(f"/cases?{query}")
    assert html.status_code == 400 and "検索条件に誤りがあります" in html.get_data(as_text=True)
    body = client.get(f"/api/v1/cases?{query}")
    assert body.status_code == 400 and body.mimetype == "application/problem+json"
    assert body.get_json()["errors"]


def test_effect_sort_uses_normalised_yen(client, add_case):
    add_case(slug="big-saving", effects=[effect("経費", "3,000億円")])
    add_case(slug="small-saving", effects=[effect("経費", "1,000万円")])
    order = slugs(api(client, sort="effect", size=100))
    assert order.index("big-saving") == 0 and order.index("small-saving") > order.index("chichibu-suido-kouikika")


def test_search_without_an_index_says_so(app):
    response = app.test_client().get("/cases")
    assert response.status_code == 503 and "検索インデックス" in response.get_data(as_text=True)


def test_a_result_page_reads_its_cases_in_one_statement(loaded_app):
    from sqlalchemy import event
    from sqlmodel import Session

    from casebook import search
    from casebook.db import get_engine

    engine = get_engine(loaded_app)
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement.lower())

    with loaded_app.app_context(), Session(engine) as session:
        index = search.get_index(loaded_app)
        search.search_cases(session, index, search.SearchArgs(q="窓口"))  # warm: theme labels, freshness
        event.listen(engine, "before_cursor_execute", record)
        try:
            page = search.search_cases(session, index, search.SearchArgs(size=20))
            assert len(page.hits) >= 10
            case_reads = [s for s in seen if re.search(r'\bfrom\s+"?(case|participant|effect|case_source)\b', s)]
            assert len(case_reads) == 1, seen
            seen.clear()
            names = [p.name for hit in page.hits for p in hit.case.participants]  # loaded with their cases
            assert names and seen == []
        finally:
            event.remove(engine, "before_cursor_execute", record)
