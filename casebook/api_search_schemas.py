"""Marshmallow schemas of the JSON API's search: its documented arguments and its result bodies.

Split from api_schemas.py (the case bodies), which these build on. The OpenAPI description is
generated from these classes, and the search responses are dumped through them.
"""
from __future__ import annotations

from functools import lru_cache

from marshmallow import Schema, fields, validate

from . import domain, search
from .api_schemas import CaseSummarySchema, ReferenceOutSchema, ReferenceQuerySchema, WholeMatch, _opt, _Out, _req
from .schemas import SearchArgsSchema, _max, _str


def search_query_schema(bands: domain.Bands, max_size: int) -> Schema:
    """The search arguments as documented: SearchArgsSchema with the choices the search checks itself."""
    return _search_query_schema(tuple(b.code for b in bands.bands), max_size)


@lru_cache(maxsize=8)
def _search_query_schema(band_codes: tuple[str, ...], max_size: int) -> Schema:
    choice = "次のいずれかを指定してください: {choices}"
    facets = {facet: fields.List(fields.String(validate=_max(size)), metadata={
        "description": f"{search.FACET_LABELS[facet]}（繰り返し可、OR）"}) for facet, size in (
        ("theme", 40), ("region", 20), ("pref", 10), ("kind", 30), ("tag", 50))}
    described = {
        **facets,
        "q": _str(load_default="", metadata={"description": "検索語（日本語全文検索）"}),
        "band": fields.List(fields.String(validate=validate.OneOf(list(band_codes), error=choice)),
                            load_default=list, metadata={"description": "人口規模（複数指定はOR）"}),
        "sort": fields.String(load_default="relevance", validate=validate.OneOf(list(search.SORTS), error=choice),
                              metadata={"description": "並び順"}),
        "year": fields.List(fields.String(validate=WholeMatch(r"^[0-9]{4}$", error="年度は西暦4桁で指定してください。")),
                            metadata={"description": "開始年度（西暦）"}),
        "page": fields.Integer(validate=validate.Range(1, 1000), metadata={"description": "ページ（1から）"}),
        "size": fields.Integer(validate=validate.Range(1, max_size),
                               metadata={"description": f"1ページの件数（1〜{max_size}）"}),
        **ReferenceQuerySchema._declared_fields,
        "boost": fields.List(fields.String(validate=validate.OneOf(["pref", "region"])),
                             metadata={"description": "sort=similar で、基準の団体と同じ都道府県（pref）・地方（region）を上位に"}),
    }
    return type("SearchQuerySchema", (SearchArgsSchema,), described)()


class MatchedParticipantSchema(_Out):
    name = _req(fields.String)
    population = _opt(fields.Integer)


class SearchHitSchema(CaseSummarySchema):
    score = _req(fields.Float)
    matched_participants = _req(fields.List, fields.Nested(MatchedParticipantSchema))


class FacetValueSchema(_Out):
    value = _req(fields.String)
    label = _req(fields.String)
    count = _req(fields.Integer)
    selected = _req(fields.Boolean)
    toggle_url = _req(fields.String, metadata={"description": "この値の選択を切り替えた検索のURL"})


def _facets(**kw) -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(FacetValueSchema)), required=True,
                       metadata={"description": "ファセット名（theme, band, region, pref, kind, year, tag）ごとの値"}, **kw)


class QueryEchoSchema(_Out):
    q = _req(fields.String)
    theme = fields.List(fields.String())
    band = fields.List(fields.String())
    region = fields.List(fields.String())
    pref = fields.List(fields.String())
    kind = fields.List(fields.String())
    year = fields.List(fields.String())
    tag = fields.List(fields.String())
    sort = _req(fields.String)
    page = _req(fields.Integer)
    size = _req(fields.Integer)


class LinksSchema(_Out):
    self = _req(fields.String)
    first = _req(fields.String)
    last = _req(fields.String)
    next = _opt(fields.String)
    prev = _opt(fields.String)


class SearchResultSchema(_Out):
    """One page of search results with facet counts and paging links."""

    query = _req(fields.Nested, QueryEchoSchema)
    total = _req(fields.Integer)
    page = _req(fields.Integer)
    pages = _req(fields.Integer)
    notes = _req(fields.List, fields.String())
    reference = _opt(fields.Nested, ReferenceOutSchema)
    results = _req(fields.List, fields.Nested(SearchHitSchema))
    facets = _facets()
    links = _req(fields.Nested, LinksSchema)


class FacetsSchema(_Out):
    """Facet counts for the search arguments given (all published cases without any)."""

    total = _req(fields.Integer)
    facets = _facets()
