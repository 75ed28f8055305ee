"""One search over a Whoosh searcher: matching, facet counts, ordering and the page (search/engine.py).

Matching and counting are set operations on the document numbers cache.py keeps per term and per
facet value. A word matches the documents holding all of its terms, or all terms of one of its
alternatives; a document must match `required` words and no excluded one. Ranking follows the
tiers of search/engine.py (words matched, exact words, detailed) and then BM25 over all of a
case's text, each word boosted where it is also in the title, the keywords or the summary, so that
these stay fast without Whoosh's matcher tree in Python.
"""
from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass

from whoosh.searching import Searcher

from ... import domain
from ..engine import KEYWORDS_BOOST, SORT_KEYS, SUMMARY_BOOST, TITLE_BOOST, Hits, Query, Terms, page_by_slug_within_ties

BOOSTED = (("title", TITLE_BOOST), ("keywords", KEYWORDS_BOOST), ("summary", SUMMARY_BOOST))


@dataclass
class _Form:
    """One form of a word: its terms' scores in all text, the documents holding all of them, its weight."""

    terms: Terms
    weight: float
    scores: list[dict[int, float]]
    docs: set[int]


def _form(cache, searcher: Searcher, terms: Terms, weight: float, published: frozenset[int]) -> _Form:
    scores, docs = [], set(published)
    for term, is_prefix in terms:
        found = cache.term_scores(searcher, "all", term, is_prefix)
        scores.append(found)
        docs &= found.keys()
        if not docs:
            break
    return _Form(terms, weight, scores, docs)


def run(engine, searcher: Searcher, query: Query) -> Hits:
    """The hits of `query` (`engine` is the WhooshEngine whose caches to read)."""
    cache = engine.cache
    sets = cache.facet_sets(searcher)
    words: list[list[_Form]] = []
    if query.words:
        for i, word in enumerate(query.words):
            others = query.alternatives[i] if i < len(query.alternatives) else ()
            words.append([_form(cache, searcher, terms, weight, sets.published)
                          for terms, weight in ((word, 1.0), *others) if terms])
        unions = [set().union(*(f.docs for f in forms)) for forms in words]
        need = min(query.required or len(words), len(words))
        if need >= len(words):
            matched = set(sets.published)
            for docs in unions:
                matched &= docs
        else:
            coverage = Counter(d for docs in unions for d in docs)
            matched = {d for d, n in coverage.items() if n >= need}
        for terms in query.exclude:
            if terms:
                matched -= _form(cache, searcher, terms, 1.0, sets.published).docs
        word_counts = tuple(len(docs) for docs in unions)
    else:
        matched, word_counts = set(sets.published), ()
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
    slugs, scores = _page(engine, searcher, query, results, words)
    return Hits(len(results), slugs, scores, counts, word_counts)


def _page(engine, searcher: Searcher, query: Query, results: set[int],
          words: list[list[_Form]]) -> tuple[list[str], dict[str, float]]:
    start, end = (query.page - 1) * query.size, query.page * query.size
    slugs: list[str] = []
    scores: dict[str, float] = {}
    if not results or start >= len(results):
        return slugs, scores
    if query.sort == "similar" and query.reference is not None:
        people = engine.cache.people(searcher)
        keyed = sorted((domain.closeness(people.get(d, []), query.reference, query.boosts), d) for d in results)
        return page_by_slug_within_ties(keyed, start, end, lambda d: searcher.stored_fields(d)["slug"]), scores
    if query.sort == "relevance" and query.words:
        for docnum, score in _rank(engine, searcher, words, results, end)[start:end]:
            slug = searcher.stored_fields(docnum)["slug"]
            slugs.append(slug)
            scores[slug] = score
        return slugs, scores
    fieldname, reverse = SORT_KEYS.get(query.sort, SORT_KEYS["newest"])
    values = engine.cache.column(searcher, fieldname)
    ordered = sorted(results, key=lambda d: (values[d], d), reverse=reverse)
    return [searcher.stored_fields(d)["slug"] for d in ordered[start:end]], scores


def _detailed(engine, searcher: Searcher) -> list | None:
    try:
        return engine.cache.column(searcher, "detailed")
    except Exception:  # a generation built before the field existed (it is being rebuilt)
        return None


def _rank(engine, searcher: Searcher, words: list[list[_Form]], results: set[int],
          limit: int) -> list[tuple[int, float]]:
    """The top `limit` results in the relevance order of search/engine.py, with their scores."""
    cache = engine.cache
    boosted: dict[int, list[tuple[set[int], float]]] = {}  # id(form) -> [(documents with it in a field, boost)]
    for forms in words:
        for form in forms:
            fields = []
            if form.docs & results:
                for fieldname, boost in BOOSTED:
                    docs = form.docs & results
                    for term, is_prefix in form.terms:
                        docs &= cache.term_scores(searcher, fieldname, term, is_prefix).keys()
                        if not docs:
                            break
                    if docs:
                        fields.append((docs, boost))
            boosted[id(form)] = fields
    detailed = _detailed(engine, searcher)
    tiers = len(words) + 1

    def rank(docnum: int) -> float:
        covered = exact = 0
        total = 0.0
        for forms in words:
            best = [0.0, 0.0]  # the best score through a synonym, and through the word itself (or an OR)
            for form in forms:
                if docnum not in form.docs:
                    continue
                score = sum(s.get(docnum, 0.0) for s in form.scores) * form.weight
                for docs, boost in boosted[id(form)]:
                    if docnum in docs:
                        score *= boost
                is_exact = form.weight >= 1.0
                best[is_exact] = max(best[is_exact], score, 1e-9)
            if best[1] or best[0]:
                covered += 1
                exact += bool(best[1])
                total += best[1] or best[0]
        tier = (covered * tiers + exact) * 2 + (detailed[docnum] if detailed is not None else 1)
        return tier + total / (total + 1.0)

    return heapq.nlargest(limit, ((d, rank(d)) for d in results), key=lambda pair: (pair[1], -pair[0]))
