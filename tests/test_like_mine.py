"""Fairer "like mine" (issue 17, item 8): a sole or lead government's own case outranks one small
member among many (domain.MEMBER_WEIGHT), and equal distances come back by slug, whatever the load order.
"""
import math

from casebook import domain

from .conftest import participant


def similar(client, population, size=100, **params) -> list[str]:
    body = client.get("/api/v1/cases", query_string={"population": population, "sort": "similar", "size": size,
                                                     **params}).get_json()
    return [r["slug"] for r in body["results"]]


def association(slug, add_case, members=37, near=1_600):
    people = [participant("小さな村", near, kind="village", prefecture="長野県")]
    people += [participant(f"構成町{i}", 30_000 + 1_000 * i, prefecture="長野県") for i in range(members - 1)]
    people += [participant("広域消防組合", None, kind="association", prefecture="長野県")]
    return add_case(slug=slug, title="消防の広域化", participants=people)


def test_a_lone_village_outranks_a_small_member_among_many(client, add_case):
    association("fire-37", add_case)
    add_case(slug="lone-village", title="村の窓口", participants=[participant("ある村", 2_274, kind="village")])
    order = similar(client, 1_600)
    assert order.index("lone-village") < order.index("fire-37")


def test_a_lead_counts_as_its_own_case(client, add_case):
    people = [participant("代表の村", 1_600, kind="village", role="lead")]
    people += [participant(f"構成町{i}", 40_000, prefecture="長野県") for i in range(9)]
    add_case(slug="led-by-a-village", title="共同化", participants=people)
    add_case(slug="lone-village", title="村の窓口", participants=[participant("ある村", 2_274, kind="village")])
    order = similar(client, 1_600)
    assert order.index("led-by-a-village") < order.index("lone-village")


def test_a_member_of_two_still_beats_a_far_sole_government(client, add_case):
    add_case(slug="pair", title="二町の共同化", participants=[participant("一の町", 8_000), participant("二の町", 9_000)])
    add_case(slug="far-city", title="市の窓口", participants=[participant("遠い市", 80_000, kind="city")])
    order = similar(client, 8_000)
    assert order.index("pair") < order.index("far-city")


def test_the_weighting_is_by_the_number_of_members():
    assert domain.member_penalty(1) == 0
    assert domain.member_penalty(37) == domain.MEMBER_WEIGHT * math.log(37) > domain.member_penalty(2) > 0
    village = [type("P", (), {"name": "村", "population": 1_600, "prefecture": "長野県", "kind": "village",
                              "role": "member"})()]
    assert domain.similarity_candidates(village) == [("村", 1_600, "長野県", 0.0)]


def test_ties_come_back_by_slug_whatever_the_load_order(client, add_case):
    for slug in ("tie-c", "tie-a", "tie-b"):
        add_case(slug=slug, title="同じ規模", participants=[participant("同じ町", 12_345)])
    order = [s for s in similar(client, 12_345) if s.startswith("tie-")]
    assert order == ["tie-a", "tie-b", "tie-c"]
    paged = [s for page in (1, 2, 3) for s in similar(client, 12_345, size=1, page=page)]
    assert paged[:3] == ["tie-a", "tie-b", "tie-c"]
