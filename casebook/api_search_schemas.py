"""Marshmallow schemas of the JSON API's search results.

Split from api_schemas.py (the case bodies), which these build on. The OpenAPI description is
generated from these classes, and the search responses are dumped through them. The search
arguments have one schema for the page, the API and this description: search.SearchArgsSchema.
What is per facet here (the facets echoed in `query`, the facet names described) comes from the
facet registry when a schema is made.
"""
from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, fields, validate

from . import search
from .api_schemas import CaseSummarySchema, ReferenceOutSchema, _opt, _Out, _req


class MatchedParticipantSchema(_Out):
    name = _req(fields.String)
    population = _opt(fields.Integer)


class SearchHitSchema(CaseSummarySchema):
    score = _req(fields.Float)
    matched_participants = _req(fields.List, fields.Nested(MatchedParticipantSchema))


class UrlStyleSchema(Schema):
    """How the search API writes the URLs of its facet toggles and suggestions (its paging links are
    always absolute): relative by default (/api/v1/cases?…), which keeps the response small."""

    class Meta:
        unknown = EXCLUDE

    urls = fields.String(load_default="relative", validate=validate.OneOf(
        ("relative", "absolute"), error="urls は relative か absolute で指定してください。"), metadata={
        "description": "ファセットの切り替えと提案のURLの書き方（relative: /api/v1/cases?…、absolute: https://…）。"
                       "ページのリンク（links）は常に絶対URLです"})


class FacetValueSchema(_Out):
    value = _req(fields.String)
    label = _req(fields.String)
    count = _req(fields.Integer)
    selected = _req(fields.Boolean)
    toggle_url = _req(fields.String, metadata={"description": "この値の選択を切り替えた検索のURL（urls=absolute でなければ相対URL）"})


def _facets(**kw) -> fields.Dict:
    # Its description names the registered facets (see _ByFacet).
    return fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(FacetValueSchema)), required=True, **kw)


class _ByFacet(_Out):
    """An output schema whose `facets` field describes the registered facets' names."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.fields["facets"].metadata = {"description": f"ファセット名（{', '.join(search.facet_names())}）ごとの値"}


class QueryEchoSchema(_Out):
    """The arguments the search understood: `q`, then each registered facet's values, then the order and page."""

    q = _req(fields.String)
    sort = _req(fields.String)
    page = _req(fields.Integer)
    size = _req(fields.Integer)

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        declared = dict(self.declared_fields)
        self.declared_fields = {"q": declared.pop("q"),
                                **{name: fields.List(fields.String()) for name in search.facet_names()}, **declared}
        self._init_fields()


class LinksSchema(_Out):
    self = _req(fields.String)
    first = _req(fields.String)
    last = _req(fields.String)
    next = _opt(fields.String)
    prev = _opt(fields.String)


class SuggestionSchema(_Out):
    q = _req(fields.String, metadata={"description": "提案する検索語"})
    count = _req(fields.Integer, metadata={"description": "その検索語で見つかる件数"})
    url = _req(fields.String, metadata={"description": "その検索のURL"})


class InsteadSchema(_Out):
    q = _req(fields.String, metadata={"description": "入力どおりの検索語（引用符つき: 直さずに検索）"})
    url = _req(fields.String, metadata={"description": "その検索のURL"})


class SynonymsSchema(_Out):
    word = _req(fields.String, metadata={"description": "入力された語"})
    synonyms = _req(fields.List, fields.String(), metadata={"description": "あわせて検索した同じ意味の言葉（シソーラス）"})
    alone_url = _req(fields.String, metadata={"description": "入力された語だけで検索するURL"})


class SearchResultSchema(_ByFacet):
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
    synonyms = fields.List(fields.Nested(SynonymsSchema), metadata={
        "description": "同じ意味の言葉もあわせて検索した語（search.api_extras）"})
    suggestions = fields.List(fields.Nested(SuggestionSchema), metadata={
        "description": "もしかして: 見つからなかった語を索引の語彙で直した検索と、その件数"})
    instead = fields.Nested(InsteadSchema, allow_none=True, metadata={
        "description": "何も見つからず直した語で検索したとき、入力どおりに検索するリンク（それ以外は null）"})


class FacetsSchema(_ByFacet):
    """Facet counts for the search arguments given (all published cases without any)."""

    total = _req(fields.Integer)
    facets = _facets()
