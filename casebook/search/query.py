"""Searching cases: text query, facet filters and counts, sorting and paging over the index.

Search returns slugs; the database supplies the rows (services/searching.py). The index
itself lives in index_store.py (generations, locks, updates) and index_documents.py (schema, documents).
"""
from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field

from .. import domain
from . import analysis
from .whoosh.cache import FACETS
from .whoosh.store import SearchIndex

SORTS = {
    "relevance": "関連度順",
    "newest": "新着・更新順",
    "population": "人口の少ない順",
    "population_desc": "人口の多い順",
    "effect": "効果額（円）の大きい順",
    "similar": "人口規模の近い順",
}
# Whoosh field and reverse flag for each non-relevance sort.
_SORT_FIELDS = {
    "newest": ("updated", True),
    "population": ("population_asc", False),
    "population_desc": ("population", True),
    "effect": ("effect_yen", True),
}


# --- searching -----------------------------------------------------------------

@dataclass
class SearchArgs:
    """Validated search arguments (see schemas.SearchArgsSchema)."""

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
        for facet in FACETS:
            if filters.get(facet):
                out[facet] = list(filters[facet])
        sort = changes.get("sort", self.sort)
        if sort != "relevance":
            out["sort"] = sort
        page = changes.get("page", 1)
        if page != 1:
            out["page"] = page
        return out


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    params: dict[str, object]


@dataclass
class SearchResult:
    """What one search found: one page of slugs, the total, and facets with counts."""

    args: SearchArgs
    total: int
    slugs: list[str]
    scores: dict[str, float]
    facets: dict[str, list[FacetValue]]
    words: list[list[tuple[str, bool]]]
    notes: list[str]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.args.size))


TITLE_BOOST, SUMMARY_BOOST = 3.0, 1.5  # a match in the title counts 3×, in the summary 1.5×


def _rank(index: SearchIndex, searcher, words, scored: list[dict[int, float]], results: set[int],
          limit: int) -> list[tuple[int, float]]:
    """The top `limit` results by BM25 over all text, boosted when every word is in the title
    (or the summary): title above summary above the rest."""
    def everywhere(fieldname: str) -> set[int]:
        found = set(results)
        for word in words:
            for term, is_prefix in word:
                found &= index.cache.term_scores(searcher, fieldname, term, is_prefix).keys()
        return found

    in_title, in_summary = everywhere("title"), everywhere("summary")

    def score(docnum: int) -> float:
        base = sum(s.get(docnum, 0.0) for s in scored)
        return base * (TITLE_BOOST if docnum in in_title else 1.0) * (SUMMARY_BOOST if docnum in in_summary else 1.0)

    return heapq.nlargest(limit, ((d, score(d)) for d in results), key=lambda pair: (pair[1], -pair[0]))


def _order(facet: str, value: str, bands: domain.Bands) -> tuple:
    if facet == "band":
        codes = [b.code for b in bands.bands]
        return (codes.index(value) if value in codes else 99, value)
    if facet == "region":
        names = [r[0] for r in domain.REGIONS]
        return (names.index(value) if value in names else 99, value)
    if facet == "pref":
        return (domain.prefecture_code(value) or 99, value)
    if facet == "kind":
        kinds = list(domain.PARTICIPANT_KINDS)
        return (kinds.index(value) if value in kinds else 99, value)
    if facet == "year":
        return (-int(value) if value.isdigit() else 0, value)
    return (0, value)


def search(index: SearchIndex, args: SearchArgs, bands: domain.Bands,
           label: Callable[[str, str], str]) -> SearchResult:
    """Run a search: text AND facet filters (OR within a facet, AND across facets).

    Facet counts for a value are the results that selecting only that value in its facet
    would give, keeping the query and the other facets' selections.
    """
    text, notes = analysis.clean_query(args.q)
    words = analysis.query_words(text)
    if text and not words:
        notes.append("検索語に検索できる文字（漢字・かな・英数字）が含まれていないため、すべての事例を表示しています。")
    arguments = repr((text, sorted(args.filters.items()), args.sort, args.page, args.size, args.reference,
                      args.boosts, sorted(args.ref_params.items())))

    def work(searcher) -> SearchResult:
        key = (index.generation(searcher), arguments)
        cached = index.cache.recall(key)
        if cached is not None:
            return cached
        result = _search(index, searcher, args, bands, label, text, list(notes), words)
        index.cache.remember(key, result)
        return result

    return index.read(work)


def _search(index: SearchIndex, searcher, args: SearchArgs, bands: domain.Bands, label, text: str,
            notes: list[str], words) -> SearchResult:
    sets = index.cache.facet_sets(searcher)
    scored: list[dict[int, float]] = []
    if words:
        matched = set(sets.published)
        for word in words:
            for term, is_prefix in word:
                scores_of_term = index.cache.term_scores(searcher, "all", term, is_prefix)
                scored.append(scores_of_term)
                matched &= scores_of_term.keys()
    else:
        matched = sets.published
    selected = {f: set(args.filters.get(f, [])) for f in FACETS}
    chosen = {}
    for facet, values in selected.items():
        if values:
            docs: set[int] = set()
            for v in values:
                docs |= sets.values[facet].get(v, frozenset())
            chosen[facet] = docs
    results = set(matched)
    for docs in chosen.values():
        results &= docs
    facets = {}
    for facet in FACETS:
        base = set(matched)
        for other, docs in chosen.items():
            if other != facet:
                base &= docs
        entries = []
        for value, docs in sets.values[facet].items():
            count = len(base & docs) if base else 0
            is_selected = value in selected[facet]
            if count or is_selected:
                toggled = sorted(selected[facet] ^ {value}, key=lambda v: _order(facet, v, bands))
                entries.append(FacetValue(
                    value, label(facet, value), count, is_selected,
                    args.params(filters={**args.filters, facet: toggled})))
        for value in selected[facet] - set(sets.values[facet]):
            entries.append(FacetValue(value, label(facet, value), 0, True,
                                      args.params(filters={**args.filters, facet: sorted(selected[facet] - {value})})))
        entries.sort(key=lambda e: _order(facet, e.value, bands))
        facets[facet] = entries
    total = len(results)
    end = args.page * args.size
    slugs: list[str] = []
    scores: dict[str, float] = {}
    if results and (args.page - 1) * args.size < total:
        if args.sort == "similar" and args.reference is not None:
            people = index.cache.people(searcher)
            ordered = sorted(results, key=lambda d: (
                domain.closeness(people.get(d, []), args.reference, args.boosts), d))
            for docnum in ordered[(args.page - 1) * args.size:end]:
                slugs.append(searcher.stored_fields(docnum)["slug"])
            return SearchResult(args, total, slugs, scores, facets, words, notes)
        if args.sort == "relevance" and words:
            ranked = _rank(index, searcher, words, scored, results, end)
            for docnum, score in ranked[(args.page - 1) * args.size:end]:
                slug = searcher.stored_fields(docnum)["slug"]
                slugs.append(slug)
                scores[slug] = score
        else:
            fieldname, reverse = _SORT_FIELDS.get(args.sort, ("updated", True))
            values = index.cache.column(searcher, fieldname)
            ordered = sorted(results, key=lambda d: (values[d], d), reverse=reverse)
            for docnum in ordered[(args.page - 1) * args.size:end]:
                slugs.append(searcher.stored_fields(docnum)["slug"])
    return SearchResult(args, total, slugs, scores, facets, words, notes)
