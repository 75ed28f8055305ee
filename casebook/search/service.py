"""The case search: arguments in, one page of cases out (rendered as HTML or JSON).

"Search returns slugs, the database returns rows": the engine finds the page's slugs, facet
counts and scores (results.py), and the cases themselves are read from the database, with their
highlighted titles and excerpts.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup
from sqlmodel import Session

from .. import domain
from ..errors import SearchUnavailable
from ..models import Case
from . import analysis, results, sync
from .args import SearchArgs
from .engine import Engine, IndexMissing
from .facets import facet_label
from .rows import cards_by_slugs, cases_by_slugs, theme_labels

MAX_EXPORT = 10_000
_NEEDS_REFERENCE = "人口規模の近い順に並べるには、団体を選ぶか人口を入力してください。関連度順で表示しています。"


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

    result: results.SearchResult
    hits: list[CaseHit]

    @property
    def args(self) -> SearchArgs:
        return self.result.args


def _search(session: Session, index: Engine, args: SearchArgs) -> results.SearchResult:
    sync.keep_fresh(session, index)
    try:
        return results.search(index, args, index.bands, facet_label(theme_labels(session), index.bands))
    except IndexMissing as exc:
        raise SearchUnavailable(str(exc)) from exc


def search_cases(session: Session, index: Engine, args: SearchArgs,
                 url: Callable[[dict], str] | None = None, whole: bool = False) -> CasePage:
    """Search published cases: the index gives slugs, the database gives the cases.

    With `url` (URL parameters -> the URL of that search), every facet value gets its toggle URL.
    The page's cases come with their participants (one query); `whole` loads their sources and
    effects too (printed sheets).
    """
    notes = []
    if args.sort == "similar" and args.reference is None:
        notes.append(_NEEDS_REFERENCE)
        args = dataclasses.replace(args, sort="relevance")
    result = _search(session, index, args)
    result = dataclasses.replace(result, notes=[*notes, *result.notes])
    if url is not None:
        result = results.linked(result, url)
    hits = []
    for case in (cases_by_slugs if whole else cards_by_slugs)(session, result.slugs):
        body = "\n".join(t for t in (case.summary, case.approach, case.outcome, case.background) if t)
        hits.append(CaseHit(
            case=case,
            score=result.scores.get(case.slug, 0.0),
            title=analysis.highlight(case.title, result.words, width=200, synonyms=result.synonym_words),
            snippet=analysis.highlight(body, result.words, width=140, synonyms=result.synonym_words),
            population=domain.total_population(case.participants),
            matched=domain.matching_participants(case.participants, args.reference, index.bands)
            if args.reference else [],
        ))
    return CasePage(result, hits)


def all_result_slugs(session: Session, index: Engine, args: SearchArgs) -> list[str]:
    """Every result of a search (up to MAX_EXPORT), in the search's order — for exports and batches."""
    args = dataclasses.replace(args, page=1, size=MAX_EXPORT)
    if args.sort == "similar" and args.reference is None:
        args = dataclasses.replace(args, sort="relevance")
    return _search(session, index, args).slugs
