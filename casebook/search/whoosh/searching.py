"""One search over a Whoosh searcher: matching, facet counts, ordering and the page (search/engine.py).

Matching and counting are set operations on the document numbers cache.py keeps per term and per
facet value, and ranking is BM25 over all of a case's text, boosted when every word is in the
title (or the summary), so that these stay fast without Whoosh's matcher tree in Python.
"""
from __future__ import annotations

import heapq

from whoosh.searching import Searcher

from ... import domain
from ..engine import SORT_KEYS, SUMMARY_BOOST, TITLE_BOOST, Hits, Query


def run(engine, searcher: Searcher, query: Query) -> Hits:
    """The hits of `query` (`engine` is the WhooshEngine whose caches to read)."""
    cache = engine.cache
    sets = cache.facet_sets(searcher)
    scored: list[dict[int, float]] = []
    if query.words:
        matched = set(sets.published)
        for word in query.words:
            for term, is_prefix in word:
                scores_of_term = cache.term_scores(searcher, "all", term, is_prefix)
                scored.append(scores_of_term)
                matched &= scores_of_term.keys()
    else:
        matched = sets.published
    chosen: dict[str, set[int]] = {}
    for facet in sets.values:
        values = query.selected(facet)
        if values:
            docs: set[int] = set()
            for value in values:
                docs |= sets.values[facet].get(value, frozenset())
            chosen[facet] = docs
    results = set(matched)
    for docs in chosen.values():
        results &= docs
    counts: dict[str, dict[str, int]] = {}
    for facet, found in sets.values.items():
        base = set(matched)
        for other, docs in chosen.items():
            if other != facet:
                base &= docs
        counts[facet] = {value: n for value, docs in found.items() if base and (n := len(base & docs))}
    slugs, scores = _page(engine, searcher, query, results, scored)
    return Hits(len(results), slugs, scores, counts)


def _page(engine, searcher: Searcher, query: Query, results: set[int],
          scored: list[dict[int, float]]) -> tuple[list[str], dict[str, float]]:
    start, end = (query.page - 1) * query.size, query.page * query.size
    slugs: list[str] = []
    scores: dict[str, float] = {}
    if not results or start >= len(results):
        return slugs, scores
    if query.sort == "similar" and query.reference is not None:
        people = engine.cache.people(searcher)
        ordered = sorted(results, key=lambda d: (domain.closeness(people.get(d, []), query.reference, query.boosts), d))
        return [searcher.stored_fields(d)["slug"] for d in ordered[start:end]], scores
    if query.sort == "relevance" and query.words:
        for docnum, score in _rank(engine, searcher, query.words, scored, results, end)[start:end]:
            slug = searcher.stored_fields(docnum)["slug"]
            slugs.append(slug)
            scores[slug] = score
        return slugs, scores
    fieldname, reverse = SORT_KEYS.get(query.sort, SORT_KEYS["newest"])
    values = engine.cache.column(searcher, fieldname)
    ordered = sorted(results, key=lambda d: (values[d], d), reverse=reverse)
    return [searcher.stored_fields(d)["slug"] for d in ordered[start:end]], scores


def _rank(engine, searcher: Searcher, words, scored: list[dict[int, float]], results: set[int],
          limit: int) -> list[tuple[int, float]]:
    """The top `limit` results by BM25 over all text, boosted when every word is in the title
    (or the summary): title above summary above the rest."""
    def everywhere(fieldname: str) -> set[int]:
        found = set(results)
        for word in words:
            for term, is_prefix in word:
                found &= engine.cache.term_scores(searcher, fieldname, term, is_prefix).keys()
        return found

    in_title, in_summary = everywhere("title"), everywhere("summary")

    def score(docnum: int) -> float:
        base = sum(s.get(docnum, 0.0) for s in scored)
        return base * (TITLE_BOOST if docnum in in_title else 1.0) * (SUMMARY_BOOST if docnum in in_summary else 1.0)

    return heapq.nlargest(limit, ((d, score(d)) for d in results), key=lambda pair: (pair[1], -pair[0]))
