"""What a search found, as one object the search page and the API both render.

The engine gives slugs, scores and counts (engine.Hits); here they become a SearchResult with
facet result objects in the registry's order: each facet with its label, each value with its
label, count, whether it is selected, and its toggle: the search's URL parameters with this
value selected or not (OR within a facet, AND across facets). `linked` adds the toggle URL of
every value, built once for the page or the API that shows the result.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .. import domain
from . import analysis, facets
from .args import SearchArgs
from .engine import Engine, Hits, Query


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet, as shown: {value, label, count, selected, toggle_url}."""

    value: str
    label: str
    count: int
    selected: bool
    params: dict[str, object]  # the search's URL parameters with this value toggled
    toggle_url: str = ""  # set by `linked`


@dataclass(frozen=True)
class FacetResult:
    """One facet of a result: its name, label and values (iterating it gives the values)."""

    name: str
    label: str
    values: list[FacetValue]

    def __iter__(self) -> Iterator[FacetValue]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


@dataclass
class SearchResult:
    """What one search found: one page of slugs, the total, and facets with counts."""

    args: SearchArgs
    total: int
    slugs: list[str]
    scores: dict[str, float]
    facets: dict[str, FacetResult]
    words: list[list[tuple[str, bool]]]
    notes: list[str]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.args.size))


def query_of(args: SearchArgs, words: list[list[tuple[str, bool]]]) -> Query:
    """The engine's query for these arguments and analysed words."""
    return Query(words=tuple(tuple(word) for word in words),
                 filters=tuple((f, tuple(sorted(set(args.filters[f])))) for f in facets.names() if args.filters.get(f)),
                 sort=args.sort, page=args.page, size=args.size, reference=args.reference, boosts=args.boosts)


def search(index: Engine, args: SearchArgs, bands: domain.Bands, label: Callable[[str, str], str]) -> SearchResult:
    """Run a search on the index alone (no database): text AND facet filters, with facet counts.

    A facet value's count is the number of results that selecting only that value in its facet
    would give, keeping the query and the other facets' selections.
    """
    text, notes = analysis.clean_query(args.q)
    words = analysis.query_words(text)
    if text and not words:
        notes.append("検索語に検索できる文字（漢字・かな・英数字）が含まれていないため、すべての事例を表示しています。")
    hits = index.search(query_of(args, words))
    return SearchResult(args, hits.total, hits.slugs, hits.scores, facet_results(args, hits, bands, label), words, notes)


def facet_results(args: SearchArgs, hits: Hits, bands: domain.Bands,
                  label: Callable[[str, str], str]) -> dict[str, FacetResult]:
    """Every registered facet with its values: those with results, and those selected."""
    out = {}
    for facet in facets.registered():
        counts = hits.counts.get(facet.name, {})
        selected = set(args.filters.get(facet.name, []))

        def order(value: str, facet: facets.Facet = facet) -> tuple:
            return facet.order(value, bands)

        values = []
        for value in sorted(set(counts) | selected, key=order):
            toggled = sorted(selected ^ {value}, key=order)
            values.append(FacetValue(value, label(facet.name, value), counts.get(value, 0), value in selected,
                                     args.params(filters={**args.filters, facet.name: toggled})))
        out[facet.name] = FacetResult(facet.name, facet.label, values)
    return out


def linked(result: SearchResult, url: Callable[[dict], str]) -> SearchResult:
    """The result with every facet value's toggle URL, `url(params)`."""
    return dataclasses.replace(result, facets={
        name: dataclasses.replace(facet, values=[dataclasses.replace(v, toggle_url=url(v.params)) for v in facet])
        for name, facet in result.facets.items()})
