"""Search arguments: the one schema the search page, the API and the API's description share.

`SearchArgsSchema` declares the arguments every search takes; the facet arguments come from the
facet registry (facets.py), the band choices from the app's population bands and the page size
from its settings. The search page ignores empty arguments (a form sends `page=`); the API,
`strict`, refuses them. Repeated arguments are capped (checked before any value is read): a
search's cost, and its answer's size, grow with them.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate

from .. import domain
from ..errors import InvalidInput
from ..schemas import _int, _list, _one_of, _str, flatten_errors
from . import facets
from .facets import WholeMatch

SORTS = {
    "relevance": "関連度順",
    "newest": "新着・更新順",
    "population": "人口の少ない順",
    "population_desc": "人口の多い順",
    "effect": "効果額（円）の大きい順",
    "similar": "人口規模の近い順",
}
# Values of one facet (or boost) in one search: 464 tag= values took seconds and megabytes. (The
# search words need no cap here: analysis.clean_query searches by their start, with a note.)
MAX_FACET_VALUES = 20


@dataclass
class SearchArgs:
    """Validated search arguments (see SearchArgsSchema)."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    size: int = 20
    reference: domain.Reference | None = None
    boosts: tuple[str, ...] = ()
    # Arguments naming the reference (municipality, population, boost) when they came in the URL.
    ref_params: dict[str, object] = field(default_factory=dict)

    def params(self, **changes) -> dict[str, object]:
        """Return these arguments as URL parameters, with `changes` applied."""
        out: dict[str, object] = dict(changes.get("ref_params", self.ref_params))
        q = changes.get("q", self.q)
        if q:
            out["q"] = q
        filters = changes.get("filters", self.filters)
        for facet in facets.names():
            if filters.get(facet):
                out[facet] = list(filters[facet])
        sort = changes.get("sort", self.sort)
        if sort != "relevance":
            out["sort"] = sort
        page = changes.get("page", 1)
        if page != 1:
            out["page"] = page
        return out


class SearchArgsSchema(Schema):
    """The arguments of /cases, /api/v1/cases and /api/v1/facets (lists for facets, one value otherwise).

    Built for an app's bands and largest page; the facet arguments, one per registered facet, come
    after `q` (see the module docstring).
    """

    class Meta:
        unknown = EXCLUDE

    q = _str(load_default="", metadata={"description": "検索語（日本語全文検索）"})
    sort = _str(load_default="relevance", validate=_one_of(SORTS), metadata={"description": "並び順"})
    page = _int(strict=False, validate=validate.Range(1, 1000, error="ページは1〜1000で指定してください。"),
                metadata={"description": "ページ（1から）"})
    size = _int(strict=False)  # its range and description are the app's (see __init__)
    municipality = _str(validate=WholeMatch(r"^[0-9]{6}$", error="団体コードは6桁の数字で指定してください。"),
                        metadata={"description": "試算の基準にする団体の団体コード"})
    population = _int(strict=False, validate=validate.Range(1, 50_000_000, error="人口は1〜5,000万の整数で指定してください。"),
                      metadata={"description": "試算の基準にする人口（団体コードがないとき）"})
    boost = _list(_str(validate=_one_of(("pref", "region"))), load_default=list, metadata={
        "description": "sort=similar で、基準の団体と同じ都道府県（pref）・地方（region）を上位に"})

    def __init__(self, bands: domain.Bands, max_size: int, **kwargs: Any):
        super().__init__(**kwargs)
        declared = dict(self.declared_fields)
        self.declared_fields = {"q": declared.pop("q")}
        for facet in facets.registered():
            self.declared_fields[facet.name] = _list(_str(validate=facet.check(bands)), load_default=list,
                                                     metadata={"description": facet.documented})
        self.declared_fields.update(declared)
        self.declared_fields["size"] = _int(strict=False, validate=validate.Range(
            1, max_size, error=f"件数は1〜{max_size}で指定してください。"), metadata={"description": f"1ページの件数（1〜{max_size}）"})
        self._init_fields()

    @pre_load
    def _not_too_many(self, data, **_kw):
        too_many: dict[str, list[str]] = {}
        for name, value in (data.items() if isinstance(data, dict) else ()):
            found = self.fields.get(name)
            if isinstance(found, fields.List) and isinstance(value, (list, tuple)) and len(value) > MAX_FACET_VALUES:
                too_many[name] = [f"一度に指定できるのは{MAX_FACET_VALUES}個までです（{len(value)}個指定されています）。"
                                  "条件を絞り込んでください。"]
        if too_many:
            raise ValidationError(too_many)
        return data


@lru_cache(maxsize=8)
def _schema(boundaries: tuple[int, ...], max_size: int, _registry: tuple[facets.Facet, ...]) -> SearchArgsSchema:
    return SearchArgsSchema(domain.Bands(boundaries), max_size)


def args_schema(bands: domain.Bands, max_size: int) -> SearchArgsSchema:
    """The search-argument schema for these bands, page size and facets (built once for each)."""
    return _schema(bands.boundaries, max_size, facets.registered())


def parse(args: Mapping, bands: domain.Bands, page_size: int, max_page_size: int, strict: bool = False) -> SearchArgs:
    """Validate request arguments (a MultiDict or a plain mapping) into SearchArgs.

    Not `strict` (the search page), empty values are ignored; `strict` (the API), they are refused.
    """
    schema = args_schema(bands, max_page_size)
    getlist = getattr(args, "getlist", None)
    raw: dict[str, Any] = {}
    for key in args:
        if key not in schema.fields:
            continue
        if isinstance(schema.fields[key], fields.List):
            values = getlist(key) if getlist else args.get(key, [])
            values = [values] if isinstance(values, str) else list(values)
            raw[key] = values if strict else [v for v in values if v != ""]
        elif strict or args.get(key) not in (None, ""):
            raw[key] = args.get(key)
    try:
        data = schema.load(raw)
    except ValidationError as exc:
        raise InvalidInput("検索条件に誤りがあります。", flatten_errors(exc.messages)) from exc
    filters = {f: list(dict.fromkeys(v for v in data[f] if v != "")) for f in facets.names() if data[f]}
    filters = {f: values for f, values in filters.items() if values}
    ref_params: dict[str, object] = {}
    if data.get("municipality"):
        ref_params["municipality"] = data["municipality"]
    elif data.get("population"):
        ref_params["population"] = data["population"]
    boosts = tuple(sorted(set(data["boost"])))
    if boosts:
        ref_params["boost"] = list(boosts)
    return SearchArgs(q=data["q"], filters=filters, sort=data["sort"], page=data.get("page", 1),
                      size=data.get("size") or page_size, boosts=boosts, ref_params=ref_params)
