"""Search that understands staff (issue 17): synonyms, substance first, did you mean, phrases, zero results.

Through HTTP on the twelve seed cases (tests/cases/) and a few added ones, and through the service.
"""
from casebook import search
from casebook.search import results

from .test_search import api, slugs

OUTLINES = {"hakui-madoguchi-itaku", "obama-madoguchi-itaku", "seiyo-madoguchi-itaku", "shiroishi-madoguchi-itaku",
            "sukagawa-madoguchi-itaku"}


def page(client, q, **params):
    response = client.get("/cases", query_string={"q": q, **params})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def result(app, q, **filters):
    with app.app_context():
        index = search.get_index(app)
        args = search.SearchArgs(q=q, filters=filters)
        return results.search(index, args, index.bands, lambda _f, v: v)


def test_synonyms_find_what_the_typed_word_misses(client, add_case):
    add_case(slug="hoikuen", title="保育園の入園申込みのオンライン化", summary="保育園への入園申込みを電子申請にした")
    add_case(slug="chatbot", title="チャットボットによる問い合わせ対応", summary="住民からの問い合わせにチャットボットで答える")
    add_case(slug="rpa", title="RPAによる入力作業の効率化", tags=["RPA"])
    assert "hoikuen" in slugs(api(client, q="保育所 入所"))
    assert "chatbot" in slugs(api(client, q="自動応答"))
    assert "rpa" in slugs(api(client, q="ロボット"))
    assert "kochi-madoguchi-itaku" in slugs(api(client, q="外部委託"))  # 民間委託, アウトソーシング
    assert "hoikuen" in slugs(api(client, q="オンライン申請"))


def test_exact_matches_rank_above_synonym_matches(client, add_case):
    add_case(slug="says-it", title="事務の見直し", summary="庁内の事務で経費を節減した" + "。" * 40)
    add_case(slug="says-other", title="経費の削減", summary="経費を削減した")
    order = slugs(api(client, q="経費 節減"))
    assert order.index("says-it") < order.index("says-other")


def test_synonym_matches_are_marked_and_the_result_says_which_were_searched(client, app):
    found = result(app, "外部委託")
    assert found.synonyms and found.synonyms[0].word == "外部委託" and "民間委託" in found.synonyms[0].synonyms
    html = page(client, "外部委託")
    assert '<mark class="synonym">' in html and "同じ意味の言葉も検索しました" in html
    assert "%22%E5%A4%96%E9%83%A8%E5%A7%94%E8%A8%97%22" in html  # the link searches "外部委託" alone
    alone = api(client, q='"外部委託"')
    assert alone["total"] == 0


def test_one_way_broader_terms(client, add_case):
    add_case(slug="shoumei", title="各種証明書のコンビニ交付", summary="証明書をコンビニで交付する")
    add_case(slug="juuminhyou", title="住民票の写しの郵送", summary="住民票の写しを郵送で交付する")
    assert "shoumei" in slugs(api(client, q="住民票"))
    assert "juuminhyou" not in slugs(api(client, q="証明書"))


def test_detailed_cases_rank_above_outlines(client):
    for q in ("民間委託", "窓口"):
        order = slugs(api(client, q=q))
        assert order[0] == "kochi-madoguchi-itaku" and set(order[1:6]) == OUTLINES, q


def test_tags_outweigh_body_text(client, add_case):
    add_case(slug="tagged", title="事務の見直し", tags=["電子決裁"], approach="他の取組。" * 30)
    add_case(slug="in-body", title="事務の見直し", approach="一部で電子決裁も使った。" + "他の取組。" * 30)
    assert slugs(api(client, q="電子決裁"))[:2] == ["tagged", "in-body"]


def test_natural_phrases_find_their_cases(client):
    for q, slug in [("住民票の交付を民間に委託した事例", "kochi-madoguchi-itaku"),
                    ("水道事業の広域化について", "chichibu-suido-kouikika"),
                    ("運用保守経費を削減した例", "hirosaki-jichitai-cloud"),
                    ("浄水場を統合した取り組み", "chichibu-suido-kouikika")]:
        assert slugs(api(client, q=q))[0] == slug, q


def test_most_words_required_and_all_words_first(client):
    body = api(client, q="窓口 委託 郵送 浄水場")  # kochi has three of the four
    assert body["total"] >= 1 and slugs(body)[0] == "kochi-madoguchi-itaku"


def test_a_compound_falls_back_to_its_parts(client):
    body = api(client, q="浄水場統合")
    assert slugs(body) == ["chichibu-suido-kouikika"] and any("分けて" in n for n in body["notes"])


def test_minus_excludes_and_or_joins(client):
    assert api(client, q="窓口 -委託")["total"] == 0
    assert set(slugs(api(client, q="クラウド -弘前", size=100))) == {"nankoku-jichitai-cloud"}
    both = set(slugs(api(client, q="浄水場 OR 自治体クラウド", size=100)))
    assert {"chichibu-suido-kouikika", "hirosaki-jichitai-cloud", "nankoku-jichitai-cloud"} <= both
    assert api(client, q="民間委託 AND 窓口")["total"] == 6


def test_did_you_mean_from_the_index_vocabulary(client, app):
    for typed, meant in [("窓ロ", "窓口"), ("窓口業無", "窓口業務"), ("クラウト", "クラウド")]:
        assert result(app, f'"{typed}"').total == 0, typed                        # as typed, it finds nothing
        found = result(app, typed)                                                # so its correction is searched
        assert found.suggestions and found.instead is not None, typed
        assert found.suggestions[0].q == meant and found.suggestions[0].count == found.total > 0, typed
    html = page(client, "窓ロ")
    assert "もしかして" in html and "/cases?q=%E7%AA%93%E5%8F%A3" in html


def test_the_zero_result_page_helps(client):
    html = page(client, "水道 クラウド")
    assert "言葉を減らすと見つかります" in html and "「クラウド」を除いて「水道」で検索" in html
    assert "テーマから探す" in html and "人口規模から探す" in html
    assert "キーワードを短くする" not in html


def test_zero_results_with_filters_offer_to_clear_them(client):
    html = page(client, "浄水場", theme="cloud")
    assert "絞り込みを解除して検索する" in html


def test_queries_never_fail(client):
    for q in ["-", "OR", "- OR -", '"', '"窓口', "窓口 OR", "NOT", "-窓口", "AND AND", "の", "した例", "ー一口ロ",
              "窓口" * 100, "ｰ", "〜", "OR " * 50]:
        assert client.get("/cases", query_string={"q": q}).status_code == 200, q
        assert client.get("/api/v1/cases", query_string={"q": q}).status_code == 200, q


def test_api_extras_say_which_synonyms_and_corrections(client, app):
    linked = results.linked(result(app, "外部委託"), lambda params: f"/cases?{sorted(params.items())}")
    extras = search.api_extras(linked)
    assert extras["synonyms"][0]["word"] == "外部委託" and "民間委託" in extras["synonyms"][0]["synonyms"]
    assert extras["synonyms"][0]["alone_url"] and extras["suggestions"] == []
    fixed = search.api_extras(results.linked(result(app, "クラウト"), str))
    assert fixed["suggestions"][0]["q"] == "クラウド" and fixed["suggestions"][0]["count"] == 2
