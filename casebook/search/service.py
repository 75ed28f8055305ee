"""The case search: arguments in, one result object out (rendered as HTML or JSON)."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from marshmallow import ValidationError
from sqlmodel import Session

from .. import domain
from ..errors import InvalidInput, SearchUnavailable
from ..models import Case
from ..schemas import SearchArgsSchema, flatten_errors
from . import analysis, query, sync
from .rows import cases_by_slugs, theme_labels
from .whoosh.store import IndexMissing, SearchIndex

FACET_LABELS = {
    "theme": "テーマ", "band": "人口規模", "region": "地方", "pref": "都道府県",
    "kind": "団体の種類", "year": "開始年度", "tag": "タグ",
}


def parse_search_args(args: Mapping, bands: domain.Bands, page_size: int, max_page_size: int) -> query.SearchArgs:
    """Validate request arguments (a MultiDict or a plain mapping) into SearchArgs."""
    getlist = getattr(args, "getlist", None)
    raw: dict[str, Any] = {}
    for key in ("q", "sort", "page", "size", "municipality", "population"):
        if args.get(key) not in (None, ""):
            raw[key] = args.get(key)
    for facet in (*query.FACETS, "boost"):
        values = getlist(facet) if getlist else args.get(facet, [])
        if isinstance(values, str):
            values = [values]
        raw[facet] = [v for v in values if v != ""]
    try:
        data = SearchArgsSchema().load(raw)
    except ValidationError as exc:
        raise InvalidInput("検索条件に誤りがあります。", flatten_errors(exc.messages)) from exc
    errors = []
    if data["sort"] not in query.SORTS:
        errors.append(("sort", f"並び順は次のいずれかを指定してください: {', '.join(query.SORTS)}"))
    for code in data["band"]:
        if code not in bands.by_code:
            errors.append(("band", f"人口規模の指定が正しくありません: {code}"))
    size = data["size"] or page_size
    if not 1 <= size <= max_page_size:
        errors.append(("size", f"件数は1〜{max_page_size}で指定してください。"))
    if errors:
        raise InvalidInput("検索条件に誤りがあります。", errors)
    filters = {f: list(dict.fromkeys(data[f])) for f in query.FACETS if data[f]}
    ref_params: dict[str, object] = {}
    if data["municipality"]:
        ref_params["municipality"] = data["municipality"]
    elif data["population"]:
        ref_params["population"] = data["population"]
    if data["boost"]:
        ref_params["boost"] = sorted(set(data["boost"]))
    return query.SearchArgs(q=data["q"], filters=filters, sort=data["sort"], page=data["page"], size=size,
                             boosts=tuple(sorted(set(data["boost"]))), ref_params=ref_params)


def facet_label(themes: dict[str, str], bands: domain.Bands) -> Callable[[str, str], str]:
    """Return a function giving the display label of a facet value."""
    def label(facet: str, value: str) -> str:
        if facet == "theme":
            return themes.get(value, value)
        if facet == "band":
            band = bands.by_code.get(value)
            return band.label if band else value
        if facet == "kind":
            return domain.PARTICIPANT_KINDS.get(value, value)
        if facet == "year":
            return domain.fiscal_year_label(int(value)) if value.isdigit() else value
        return value
    return label


@dataclass
class CaseHit:
    """One case on a result page, with its highlighted excerpt."""

    case: Case
    score: float
    title: Markup
    snippet: Markup
    population: int | None
    matched: list[tuple[str, int]]


@dataclass
class CasePage:
    """A search result with the cases of its page loaded from the database."""

    result: query.SearchResult
    hits: list[CaseHit]

    @property
    def args(self) -> query.SearchArgs:
        return self.result.args


def search_cases(session: Session, index: SearchIndex, args: query.SearchArgs) -> CasePage:
    """Search published cases: the index gives slugs, the database gives the cases."""
    themes = theme_labels(session)
    notes = []
    if args.sort == "similar" and args.reference is None:
        notes.append("人口規模の近い順に並べるには、団体を選ぶか人口を入力してください。関連度順で表示しています。")
        args = dataclasses.replace(args, sort="relevance")
    sync.keep_fresh(session, index)
    try:
        result = query.search(index, args, index.bands, facet_label(themes, index.bands))
    except IndexMissing as exc:
        raise SearchUnavailable(str(exc)) from exc
    result = dataclasses.replace(result, notes=[*notes, *result.notes])  # the result may be cached
    hits = []
    for case in cases_by_slugs(session, result.slugs):
        body = "\n".join(t for t in (case.summary, case.approach, case.outcome, case.background) if t)
        hits.append(CaseHit(
            case=case,
            score=result.scores.get(case.slug, 0.0),
            title=analysis.highlight(case.title, result.words, width=200),
            snippet=analysis.highlight(body, result.words, width=140),
            population=domain.total_population(case.participants),
            matched=domain.matching_participants(case.participants, args.reference, index.bands)
            if args.reference else [],
        ))
    return CasePage(result, hits)


MAX_EXPORT = 10_000


def all_result_slugs(session: Session, index: SearchIndex, args: query.SearchArgs) -> list[str]:
    """Every result of a search (up to MAX_EXPORT), in the search's order — for exports and batches."""
    args = dataclasses.replace(args, page=1, size=MAX_EXPORT)
    if args.sort == "similar" and args.reference is None:
        args = dataclasses.replace(args, sort="relevance")
    sync.keep_fresh(session, index)
    try:
        result = query.search(index, args, index.bands, facet_label(theme_labels(session), index.bands))
    except IndexMissing as exc:
        raise SearchUnavailable(str(exc)) from exc
    return result.slugs
