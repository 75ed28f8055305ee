"""One search over a tantivy searcher: matching, facet counts, ordering and the page (search/engine.py).

tantivy does the set work: a query per word (all the terms of one of its forms; a prefix term is
every indexed term starting with it), the words needed, the exclusions and the facet filters make
one boolean query; its total, the facet counts (terms aggregations: a facet with selected values is
counted over the query with the other facets' filters only) and, for the sort orders, the page
itself (fast fields, the write order breaking ties as the Whoosh engine's document numbers do).
The relevance order is computed here over the results, with the tiers of search/engine.py (words
matched, exact words, detailed) and then BM25 over all of a case's text (tantivy's scores of each
form's terms in the `all` field), each word boosted where it is also in the title, the keywords or
the summary, as the Whoosh engine does (whoosh/searching.py), so that both rank alike.
"""
from __future__ import annotations

import heapq
from collections.abc import Iterable

import tantivy
from tantivy import Occur
from tantivy import Query as TQ

from ... import domain
from .. import facets
from ..engine import KEYWORDS_BOOST, SORT_KEYS, SUMMARY_BOOST, TITLE_BOOST, Hits, Query, Terms, page_by_slug_within_ties
from .schema import stored_of

BOOSTED = (("title", TITLE_BOOST), ("keywords", KEYWORDS_BOOST), ("summary", SUMMARY_BOOST))
MAX_BUCKETS = 50_000  # facet values counted per facet (every value, in practice)


def _key(address: tantivy.DocAddress) -> int:
    return (address.segment_ord << 32) | address.doc


def _all(subqueries: Iterable[TQ]) -> TQ:
    found = list(subqueries)
    if len(found) == 1:
        return found[0]
    return TQ.boolean_query([(Occur.Must, q) for q in found]) if found else TQ.all_query()


def _any(subqueries: Iterable[TQ], need: int = 1) -> TQ:
    found = list(subqueries)
    if not found:
        return TQ.empty_query()
    if len(found) == 1 and need <= 1:
        return found[0]
    return TQ.boolean_query([(Occur.Should, q) for q in found], minimum_number_should_match=need)


class _Builder:
    """Queries over one searcher: terms (prefixes expanded), forms, words."""

    def __init__(self, schema: tantivy.Schema, searcher: tantivy.Searcher):
        self.schema, self.searcher = schema, searcher

    def term(self, field: str, term: str, prefix: bool) -> TQ:
        if not prefix:
            return TQ.term_query(self.schema, field, term, index_option="freq")
        expanded = [t for t, _n in self.searcher.terms_with_prefix(field, term)]
        return _any(TQ.term_query(self.schema, field, t, index_option="freq") for t in expanded)

    def form(self, terms: Terms, field: str = "all") -> TQ:
        return _all(self.term(field, t, p) for t, p in terms)

    def raw(self, field: str, value: str) -> TQ:
        return TQ.term_query(self.schema, field, value, index_option="basic")


def run(engine, opened, query: Query) -> Hits:
    """The hits of `query` on the index state `opened` (store.Opened) of `engine` (a TantivyEngine)."""
    searcher = opened.searcher
    schema = opened.index.schema  # the generation's own (an outdated one is read until its rebuild swaps in)
    build = _Builder(schema, searcher)
    published = build.raw("status", "published")
    forms: list[list[tuple[Terms, float]]] = []
    base = published
    word_counts: tuple[int, ...] = ()
    if query.words:
        for i, word in enumerate(query.words):
            others = query.alternatives[i] if i < len(query.alternatives) else ()
            forms.append([(terms, weight) for terms, weight in ((word, 1.0), *others) if terms])
        words = [_any(build.form(terms) for terms, _w in found) for found in forms]
        need = min(query.required or len(words), len(words))
        matching = _all(words) if need >= len(words) else _any(words, need)
        clauses = [(Occur.Must, published), (Occur.Must, matching)]
        clauses += [(Occur.MustNot, build.form(terms)) for terms in query.exclude if terms]
        base = TQ.boolean_query(clauses)
        word_counts = tuple(searcher.search(_all([published, w]), 1).count for w in words)
    chosen = {f: TQ.term_set_query(schema, f, sorted(v)) for f in facets.names() if (v := query.selected(f))}
    results = _all([base, *chosen.values()])
    counts = _counts(searcher, base, chosen, results)
    total = searcher.search(results, 1).count
    slugs, scores = _page(engine, opened, build, query, results, total, forms)
    return Hits(total, slugs, scores, counts, word_counts)


def _counts(searcher: tantivy.Searcher, base: TQ, chosen: dict[str, TQ], results: TQ) -> dict[str, dict[str, int]]:
    """Per facet, per value: the results selecting only that value in that facet would give."""
    def buckets(query: TQ, names: list[str]) -> dict[str, dict[str, int]]:
        if not names:
            return {}
        aggs = {name: {"terms": {"field": name, "size": MAX_BUCKETS}} for name in names}
        found = searcher.aggregate(query, aggs)
        return {name: {b["key"]: b["doc_count"] for b in found[name]["buckets"] if b["doc_count"]} for name in names}

    counts = buckets(results, [f for f in facets.names() if f not in chosen])
    for facet in chosen:
        counts.update(buckets(_all([base, *(q for f, q in chosen.items() if f != facet)]), [facet]))
    return {f: counts.get(f, {}) for f in facets.names()}


def _hits(searcher: tantivy.Searcher, query: TQ, limit: int) -> list[tuple[float, tantivy.DocAddress]]:
    return searcher.search(query, max(limit, 1), count=False).hits if limit else []


def _page(engine, opened, build: _Builder, query: Query, results: TQ, total: int,
          forms: list[list[tuple[Terms, float]]]) -> tuple[list[str], dict[str, float]]:
    searcher = opened.searcher
    start, end = (query.page - 1) * query.size, query.page * query.size
    if not total or start >= total:
        return [], {}
    if query.sort == "similar" and query.reference is not None:
        addresses = [a for _s, a in _hits(searcher, results, total)]
        people = _people(engine, opened, addresses)
        keyed = sorted((domain.closeness(people[_key(a)][1], query.reference, query.boosts), i)
                       for i, a in enumerate(addresses))
        return page_by_slug_within_ties([(k, people[_key(addresses[i])][0]) for k, i in keyed], start, end,
                                        lambda slug: slug), {}
    if query.sort == "relevance" and query.words:
        every = not query.required or query.required >= len(forms)
        ranked = _rank(build, results, total, forms, end, every)[start:end]
        slugs = [searcher.doc(a).get_first("slug") for a, _score in ranked]
        return slugs, {slug: score for slug, (_a, score) in zip(slugs, ranked, strict=True)}
    fieldname, reverse = SORT_KEYS.get(query.sort, SORT_KEYS["newest"])
    hits = searcher.search(results, query.size, count=False, order_by_field=f"key_{fieldname}", offset=start,
                           order=tantivy.Order.Desc if reverse else tantivy.Order.Asc).hits
    return [searcher.doc(a).get_first("slug") for _v, a in hits], {}


def _people(engine, opened, addresses: list[tantivy.DocAddress]) -> dict[int, tuple[str, list]]:
    """{address key: (slug, similarity candidates)} for `addresses`, kept per index state."""
    kept = engine.kept(opened, "people", dict)
    searcher = opened.searcher
    for address in addresses:
        key = _key(address)
        if key not in kept:
            data = stored_of(searcher.doc(address))
            kept[key] = (data["slug"], data["people"])
    return kept


def _rank(build: _Builder, results: TQ, total: int, forms: list[list[tuple[Terms, float]]],
          limit: int, every: bool) -> list[tuple[tantivy.DocAddress, float]]:
    """The top `limit` results in the relevance order of search/engine.py, with their scores (`every`: all words needed)."""
    searcher = build.searcher
    hits = _hits(searcher, results, total)
    addresses = {_key(a): a for _s, a in hits}
    order = list(addresses)
    seqs = dict(zip(order, searcher.fast_field_values("seq", [addresses[k] for k in order]), strict=True))
    detailed = dict(zip(order, searcher.fast_field_values("detailed", [addresses[k] for k in order]), strict=True))
    within = TQ.const_score_query(results, 0.0)
    scored: list[list[tuple[dict[int, float], float, list[float]]]] = []
    for found in forms:
        word = []
        for terms, weight in found:
            scores = {_key(a): s for s, a in _hits(searcher, _all([within, build.form(terms)]), total)}
            fields = []
            if scores:
                for fieldname, boost in BOOSTED:
                    docs = {_key(a) for _s, a in _hits(searcher, _all([within, build.form(terms, fieldname)]), total)}
                    if docs:
                        fields.append((docs, boost))
            word.append((scores, weight, fields))
        scored.append(word)
    tiers = len(forms) + 1
    if every and all(len(word) == 1 and word[0][1] >= 1.0 for word in scored):
        # Every result holds every word, each without alternatives: the tier is the same for all but
        # `detailed`, and the text score a sum of whole dictionaries (the same arithmetic as `rank`).
        text: dict[int, float] | None = None
        for ((scores, _weight, fields),) in scored:
            part = dict(scores)
            for docs, boost in fields:
                for key in docs:
                    if key in part:
                        part[key] *= boost
            part = {k: max(v, 1e-9) for k, v in part.items()}
            text = part if text is None else {k: v + part.get(k, 0.0) for k, v in text.items()}
        base = (len(forms) * tiers + len(forms)) * 2
        keyed = ((base + (1 if detailed[k] is None else detailed[k]) + t / (t + 1.0), -seqs[k], k)
                 for k, t in (text or {}).items() if k in seqs)
        return [(addresses[k], score) for score, _seq, k in heapq.nlargest(limit, keyed)]

    def rank(key: int) -> float:
        covered = exact = 0
        text = 0.0
        for word in scored:
            best = [0.0, 0.0]  # the best score through a synonym, and through the word itself (or an OR)
            for scores, weight, fields in word:
                if key not in scores:
                    continue
                score = scores[key] * weight
                for docs, boost in fields:
                    if key in docs:
                        score *= boost
                is_exact = weight >= 1.0
                best[is_exact] = max(best[is_exact], score, 1e-9)
            if best[1] or best[0]:
                covered += 1
                exact += bool(best[1])
                text += best[1] or best[0]
        tier = (covered * tiers + exact) * 2 + (detailed[key] if detailed[key] is not None else 1)
        return tier + text / (text + 1.0)

    top = heapq.nlargest(limit, ((k, rank(k)) for k in order), key=lambda pair: (pair[1], -seqs[pair[0]]))
    return [(addresses[k], score) for k, score in top]


def next_seq(searcher: tantivy.Searcher) -> int:
    """The write order of the next document written (one more than the largest so far)."""
    if not searcher.num_docs:
        return 0
    found = searcher.aggregate(TQ.all_query(), {"seq": {"max": {"field": "seq"}}})["seq"]["value"]
    return 0 if found is None else int(found) + 1
