"""Related cases (search/related.py) on the case page, and the home page's recent cases (services/showcase.py)."""
from __future__ import annotations

import re

import pytest

from casebook import search
from casebook.services import showcase, users

from . import writes
from .conftest import PASSWORD, participant


def town(name: str, population: int) -> list[dict]:
    return [participant(name, population, role="lead")]


@pytest.fixture
def pair(add_case):
    """Two cases sharing a theme and two rare words, close in size, and two unrelated ones."""
    add_case(slug="a-base", title="証明書の郵送サービス", summary="証明書を郵送で届ける。",
             themes=["outsourcing"], participants=town("甲町", 21000))
    add_case(slug="b-pair", title="証明書と郵送の窓口", summary="証明書を郵送する。",
             themes=["outsourcing"], participants=town("乙町", 18000))
    add_case(slug="c-cloud", title="サーバー統合", summary="基幹システムをまとめる。",
             themes=["cloud"], participants=town("丙村", 3000))
    add_case(slug="d-water", title="水道料金の統一", summary="浄水場を集約する。",
             themes=["wide-area"], participants=town("丁市", 90000))


def related(app, slug):
    from sqlmodel import Session

    from casebook.db import get_engine
    from casebook.services import cases

    with app.app_context(), Session(get_engine(app)) as session:
        case = cases.get_case(session, slug)
        return [(r.case.slug, r.reasons) for r in search.related_cases(session, search.get_index(app), case)]


def page(app, slug) -> str:
    response = app.test_client().get(f"/cases/{slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_pair_sharing_a_theme_and_rare_words_gives_its_reasons(app, pair):
    assert related(app, "a-base") == [
        ("b-pair", ["共通のテーマ: 窓口業務の民間委託", "共通の語: 証明書、郵送", "人口規模が近い（2.1万人と1.8万人）"]),
    ]
    assert related(app, "b-pair") == [
        ("a-base", ["共通のテーマ: 窓口業務の民間委託", "共通の語: 証明書、郵送", "人口規模が近い（1.8万人と2.1万人）"]),
    ]


def test_the_case_page_shows_the_section_with_links_and_reasons(app, pair):
    html = page(app, "a-base")
    section = html[html.index('<section class="related"'):]
    section = section[:section.index("</section>")]
    assert "<h2 id=\"related-title\">関連する事例</h2>" in section
    assert re.findall(r'href="/cases/([^"]+)"', section) == ["b-pair"]
    assert "共通の語: 証明書、郵送" in section and "人口規模が近い（2.1万人と1.8万人）" in section
    assert "a-base" not in section


def test_a_case_without_related_cases_shows_no_section(app, pair):
    assert related(app, "c-cloud") == []
    assert "関連する事例" not in page(app, "c-cloud")


def test_at_most_five_never_itself_in_a_stable_order(app, add_case):
    for i in range(8):  # equal in everything but their slugs: the order is by slug
        add_case(slug=f"case-{i}", title="証明書の郵送", summary="", themes=["outsourcing"],
                 participants=town(f"町{i}", 10000))
    found = related(app, "case-3")
    assert [slug for slug, _ in found] == ["case-0", "case-1", "case-2", "case-4", "case-5"]
    assert related(app, "case-3") == found
    assert all(reasons == ["共通のテーマ: 窓口業務の民間委託", "共通の語: 証明書、郵送", "人口規模が近い（1万人と1万人）"]
               for _slug, reasons in found)


def test_size_alone_relates_nothing_and_tags_count(app, add_case):
    add_case(slug="one", title="議会の中継", themes=["ai-ict"], tags=["議会"], participants=town("甲町", 5000))
    add_case(slug="same-size", title="水道の統合", themes=["wide-area"], participants=town("乙町", 5000))
    add_case(slug="same-tag", title="配信の仕組み", themes=["cloud"], tags=["議会"], participants=town("丙町", 400000))
    assert related(app, "one") == [("same-tag", ["共通のタグ: 議会"])]


def test_unpublished_and_archived_cases_never_appear(app, pair, add_case, session, index):
    add_case(slug="e-third", title="証明書の郵送", summary="証明書を郵送。", themes=["outsourcing"],
             participants=town("戊町", 20000))
    assert {slug for slug, _ in related(app, "a-base")} == {"b-pair", "e-third"}
    editor = users.create_user(session, "editor@example.jp", PASSWORD, "editor")
    writes.transition(session, index, "b-pair", "unpublish", editor, "見直し")
    writes.transition(session, index, "e-third", "archive", editor)
    assert related(app, "a-base") == []
    assert "b-pair" not in page(app, "a-base") and "関連する事例" not in page(app, "a-base")
    add_case(slug="f-draft", title="証明書の郵送", status="draft", themes=["outsourcing"])
    assert related(app, "a-base") == []
    writes.transition(session, index, "b-pair", "publish", editor)
    assert [slug for slug, _ in related(app, "a-base")] == ["b-pair"]


def test_the_case_page_stays_up_without_an_index(app, pair):
    search.get_index(app).discard()
    response = app.test_client().get("/cases/a-base")
    assert response.status_code == 200
    assert "関連する事例" not in response.get_data(as_text=True)


def test_bundled_cases_have_related_cases_that_are_published(loaded_app, session, index):
    from casebook.services import cases

    case = cases.get_case(session, "kochi-madoguchi-itaku")
    found = search.related_cases(session, index, case)
    assert 1 <= len(found) <= 5
    assert all(r.case.status == "published" and r.case.slug != case.slug and r.reasons for r in found)
    html = page(loaded_app, "kochi-madoguchi-itaku")
    assert "関連する事例" in html


def test_population_text():
    from casebook.search.related import population_text

    assert [population_text(n) for n in (850, 8500, 10000, 21000, 326814, 1_530_000, 13_960_000)] == [
        "850人", "8,500人", "1万人", "2.1万人", "32.7万人", "153万人", "1,396万人"]


# --- the home page's recent cases ---------------------------------------------------------------

def test_home_lists_detailed_cases_before_outline_ones_and_marks_outlines(app, add_case, session):
    add_case(slug="old-full", title="詳細のある古い事例")
    for i in range(5):
        add_case(slug=f"new-outline-{i}", title=f"概要だけの新しい事例{i}", detail="outline")
    recent = [c.slug for c in showcase.recent_cases(session, 5)]
    assert recent[0] == "old-full"
    assert recent[1:] == ["new-outline-4", "new-outline-3", "new-outline-2", "new-outline-1"]
    html = app.test_client().get("/").get_data(as_text=True)
    section = html[html.index('id="recent"'):]
    cards = section.split('<article class="case-card">')[1:]
    assert "詳細のある古い事例" in cards[0] and "概要のみ" not in cards[0]
    assert all("概要のみ" in card for card in cards[1:])
    assert "「概要のみ」と表示した事例は、概要だけを掲載しています" in section


def test_home_without_outline_cases_needs_no_explanation(app, add_case):
    add_case(slug="full-one", title="詳細のある事例")
    html = app.test_client().get("/").get_data(as_text=True)
    assert "詳細のある事例" in html and "概要のみ" not in html


def test_search_result_cards_mark_outline_cases(app, add_case):
    add_case(slug="stub", title="除雪の概要事例", detail="outline")
    add_case(slug="full", title="除雪の詳細事例")
    html = app.test_client().get("/cases?q=除雪").get_data(as_text=True)
    cards = {re.search(r'href="/cases/([a-z0-9-]+)[?"]', card).group(1): card
             for card in html.split('<article class="case-card">')[1:]}
    assert set(cards) == {"stub", "full"}
    assert "概要のみ" in cards["stub"] and "概要のみ" not in cards["full"]
