"""Facets as data: one registry entry makes a facet, everywhere (index, page, API, its description)."""
from __future__ import annotations

import re

import pytest
from marshmallow import validate
from sqlmodel import Session, select

from casebook import domain, search
from casebook.db import get_engine
from casebook.models import Case
from casebook.search import facets

from . import writes
from .conftest import CASES_DIR, make_app


def detail_facet() -> search.Facet:
    """A facet no code knows: the detail level of a case (full or outline), declared only here."""
    return search.Facet("detail", "掲載の詳しさ", lambda case, _bands: [case.detail],
                        lambda _bands: [validate.OneOf(list(domain.DETAIL_LEVELS), error="full か outline です。")],
                        value_label=lambda value, _labels: domain.DETAIL_LEVELS.get(value, value),
                        order=lambda value, _bands: (list(domain.DETAIL_LEVELS).index(value), value))


@pytest.fixture
def detailed(monkeypatch, database_url, tmp_path):
    """The bundled cases in an app whose registry has one more facet, registered before the app starts."""
    monkeypatch.setattr(facets, "REGISTRY", [*facets.REGISTRY, detail_facet()])
    app = make_app(database_url, tmp_path)
    with app.app_context(), Session(get_engine(app)) as session:
        writes.load(session, search.get_index(app), [CASES_DIR])
        outline = sorted(c.slug for c in session.exec(select(Case).where(Case.detail == "outline",
                                                                         Case.status == "published")))
    assert outline
    yield app, outline
    get_engine(app).dispose()


def test_a_registered_facet_is_indexed_and_filters(detailed):
    app, outline = detailed
    client = app.test_client()
    body = client.get("/api/v1/cases", query_string={"detail": "outline", "size": 100}).get_json()
    assert sorted(r["slug"] for r in body["results"]) == outline
    assert body["query"]["detail"] == ["outline"]
    everything = client.get("/api/v1/cases").get_json()["total"]
    assert {v["value"]: v["count"] for v in body["facets"]["detail"]} == {
        "full": everything - len(outline), "outline": len(outline)}  # OR within the facet: counts as if alone
    with app.app_context(), Session(get_engine(app)) as session:
        assert search.check_index(session, search.get_index(app)).clean


def test_a_registered_facet_in_the_api_result_with_its_toggles(detailed):
    app, outline = detailed
    body = app.test_client().get("/api/v1/cases", query_string={"theme": "outsourcing"}).get_json()
    assert body["facets"]["detail"] == [
        {"value": "full", "label": "詳細", "count": 1, "selected": False,
         "toggle_url": "/api/v1/cases?theme=outsourcing&detail=full"},
        {"value": "outline", "label": "概要のみ", "count": 5, "selected": False,
         "toggle_url": "/api/v1/cases?theme=outsourcing&detail=outline"},
    ]
    facets_only = app.test_client().get("/api/v1/facets", query_string={"detail": "outline"}).get_json()
    assert facets_only["total"] == len(outline) and facets_only["facets"]["detail"][1]["selected"]


def test_a_registered_facet_is_an_argument_checked_like_the_others(detailed):
    app, _outline = detailed
    client = app.test_client()
    refused = client.get("/api/v1/cases?detail=everything")
    assert refused.status_code == 400
    assert refused.get_json()["errors"] == [{"field": "detail[0]", "message": "full か outline です。"}]
    page = client.get("/cases?detail=everything")
    assert page.status_code == 400 and "掲載の詳しさ: full か outline です。" in page.get_data(as_text=True)
    too_many = client.get("/api/v1/cases", query_string=[("detail", "full")] * (search.MAX_FACET_VALUES + 1))
    assert too_many.status_code == 400


def test_a_registered_facet_on_the_search_page(detailed):
    app, outline = detailed
    page = app.test_client().get("/cases").get_data(as_text=True)
    section = re.search(r'<section class="facet" data-facet="detail">(.*?)</section>', page, re.S).group(1)
    assert "<h3>掲載の詳しさ</h3>" in section
    assert re.search(r'<a href="/cases\?detail=outline#result-count">.*?概要のみ<span class="count">（' + str(len(outline)) + "件）",
                     section, re.S)
    selected = app.test_client().get("/cases?detail=outline").get_data(as_text=True)
    assert re.search(r'<a href="/cases#result-count" aria-current="true" class="selected">', selected)  # its toggle: off


def test_a_registered_facet_in_the_openapi_description(detailed):
    app, _outline = detailed
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/cases", "/api/v1/facets"):
        parameters = {p["name"]: p for p in spec["paths"][path]["get"]["parameters"]}
        assert parameters["detail"]["description"] == "掲載の詳しさ（繰り返し可、OR）"
        assert parameters["detail"]["schema"] == {"type": "array", "items": {"type": "string", "enum": ["full", "outline"]}}
        assert list(parameters).index("detail") == list(parameters).index("tag") + 1  # in the registry's order
    assert "detail" in spec["components"]["schemas"]["QueryEcho"]["properties"]
    assert "tag, detail" in spec["paths"]["/api/v1/cases"]["get"]["description"]
    assert "tag, detail" in spec["components"]["schemas"]["SearchResult"]["properties"]["facets"]["description"]


def test_the_document_holds_every_registered_facet(detailed, monkeypatch):
    app, outline = detailed
    with app.app_context(), Session(get_engine(app)) as session:
        case = session.exec(select(Case).where(Case.slug == outline[0])).one()
        document = search.case_document(case, {}, search.get_index(app).bands)
    assert list(document["facets"]) == [*search.facet_names()] and document["facets"]["detail"] == ["outline"]


def test_the_labels_follow_the_registry(monkeypatch):
    assert search.FACET_LABELS["band"] == "人口規模" and "detail" not in search.FACET_LABELS
    monkeypatch.setattr(facets, "REGISTRY", [*facets.REGISTRY, detail_facet()])
    assert search.FACET_LABELS["detail"] == "掲載の詳しさ" and list(search.FACET_LABELS)[-1] == "detail"


@pytest.mark.parametrize("name", ["q", "sort", "slug", "theme"])
def test_a_facet_may_not_take_a_name_in_use(monkeypatch, database_url, tmp_path, name):
    clash = search.Facet(name, "重複", lambda case, _bands: [], lambda _bands: [])
    monkeypatch.setattr(facets, "REGISTRY", [*facets.REGISTRY, clash])
    with pytest.raises(ValueError, match="reserved or used twice"):
        make_app(database_url, tmp_path)
