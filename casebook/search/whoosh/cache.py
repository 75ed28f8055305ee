"""What searches read from the index, kept in memory per segment and per index generation.

A Whoosh index is a list of segments. A segment's postings, field lengths, sort columns and
stored similarity data never change after it is written; only its set of deleted documents
does (an edit deletes the case's old document and adds the new one in a new small segment).
So the data read from disk is cached per segment (`_Segment`), and what a search needs for
one generation (document numbers across all segments, deletions left out, BM25 scores) is
assembled from it in memory. After an edit, only the new small segment is read from disk;
the large ones stay cached, and assembling is set and dictionary work done in C. That keeps
searches fast on a server whose cases are being edited, where re-reading every segment
after each edit made every worker slow for a while (measured in benchmarks/load.py).

Facet values are read for every registered facet (facets.py); a facet the generation has no
field for (it was built before the facet was registered, and is being rebuilt) has no values.
"""
from __future__ import annotations

import math
import threading
from array import array
from collections import OrderedDict
from dataclasses import dataclass, field

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.searching import Searcher

from .. import facets

BM25_K1, BM25_B = 1.2, 0.75  # Whoosh's defaults
SCORED_POSTINGS = 1_000_000  # postings kept as ready {document: score} dicts (about 100 MB at most)
RAW_POSTINGS = 4_000_000  # postings kept as compact per-segment arrays (8 bytes each: 32 MB at most)
RESULTS_CACHED = 256  # searches kept per process (keyed by index generation and arguments)


@dataclass
class FacetSets:
    """Document numbers of published cases, and per facet value."""

    published: frozenset[int]
    values: dict[str, dict[str, frozenset[int]]]


@dataclass
class _Segment:
    """Data read from one segment, in the segment's own document numbers (deleted ones included)."""

    lengths: dict[str, array] = field(default_factory=dict)
    columns: dict[str, list] = field(default_factory=dict)
    facets: tuple[array, dict[str, dict[str, array]]] | None = None
    people: dict[int, list] | None = None
    lexicons: dict[str, dict[str, int]] = field(default_factory=dict)  # per text field


@dataclass
class _Generation:
    """What one generation's searches share: segment offsets and deletions, and data assembled from them."""

    key: tuple
    leaves: list[tuple[tuple, int, frozenset[int]]]  # (segment key, offset, deleted documents)
    lengths: dict[str, tuple[list[int], float]] = field(default_factory=dict)
    columns: dict[str, list] = field(default_factory=dict)
    facets: FacetSets | None = None
    people: dict[int, list] | None = None
    lexicons: dict[str, dict[str, int]] = field(default_factory=dict)  # per text field


def generation_key(searcher: Searcher) -> tuple[str, int]:
    """What identifies the index contents a searcher sees: its folder and TOC generation."""
    return (getattr(searcher._ix.storage, "folder", ""), searcher.ixreader.generation() or 0)


class ReadCache:
    """The caches of one WhooshEngine; thread-safe, bounded, dropped segment by segment as they go."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._segments: dict[tuple, _Segment] = {}
        self._raw: OrderedDict[tuple, tuple[array, array]] = OrderedDict()
        self.raw_size = 0
        self._scored: OrderedDict[tuple, dict[int, float]] = OrderedDict()
        self.scored_size = 0
        self._generation: _Generation | None = None
        self.results: OrderedDict[tuple, object] = OrderedDict()

    # --- generations and segments ---------------------------------------------
    def _current(self, searcher: Searcher) -> _Generation:
        key = generation_key(searcher)
        with self._lock:
            gen = self._generation
        if gen is not None and gen.key == key:
            return gen
        leaves = []
        for reader, offset in searcher.ixreader.leaf_readers():
            segment = reader.segment()
            if segment is None:  # an empty index: no segment, no documents
                continue
            deleted = frozenset(segment.deleted_docs()) if segment.has_deletions() else frozenset()
            leaves.append(((key[0], segment.segment_id()), offset, deleted))
        gen = _Generation(key, leaves)
        with self._lock:
            current = self._generation
            # A search still open on an older generation gets its own data, and does not displace the live one's.
            if current is None or current.key[0] != key[0] or current.key[1] < key[1]:
                self._generation = gen
                self._forget(gen)
        return gen

    def _forget(self, gen: _Generation) -> None:
        # Drop what no later search will use: data of segments merged away or in an older index
        # folder, and scores and results of older generations. Called under the lock.
        live = {seg for seg, _o, _d in gen.leaves}
        for seg in [s for s in self._segments if s not in live]:
            del self._segments[seg]
        for raw_key in [k for k in self._raw if k[0] not in live]:
            self.raw_size -= len(self._raw.pop(raw_key)[0])
        for scored_key in [k for k in self._scored if k[0] != gen.key]:
            self.scored_size -= len(self._scored.pop(scored_key))
        for result_key in [k for k in self.results if k[0] != gen.key]:
            del self.results[result_key]

    def _segment(self, seg: tuple) -> _Segment:
        with self._lock:
            return self._segments.setdefault(seg, _Segment())

    # --- text scores ------------------------------------------------------------
    def term_scores(self, searcher: Searcher, fieldname: str, term: str, prefix: bool = False) -> dict[int, float]:
        """{document number: BM25 contribution} of `term` (or every term starting with it) in a field.

        Matching is then set intersection and ranking a sum of dictionary look-ups, both in C,
        instead of Whoosh's matcher tree in Python (3-10× faster at 10,000 cases).
        """
        gen = self._current(searcher)
        key = (gen.key, fieldname, term, prefix)
        with self._lock:
            hit = self._scored.get(key)
            if hit is not None:
                self._scored.move_to_end(key)
                return hit
        reader = searcher.ixreader
        texts = list(reader.expand_prefix(fieldname, term)) if prefix else [term]
        weights: dict[int, float] = {}
        for leaf, seg, offset, deleted in self._leaves_of(searcher, gen):
            for text in texts:
                ids, found = self._postings(leaf, seg, fieldname, text)
                if len(texts) == 1:  # document numbers are distinct across segments: nothing to add up
                    weights.update({offset + d: w for d, w in zip(ids, found, strict=True) if d not in deleted})
                    continue
                for docnum, weight in zip(ids, found, strict=True):
                    if docnum not in deleted:
                        weights[offset + docnum] = weights.get(offset + docnum, 0.0) + weight
        lengths, average = self.field_lengths(searcher, fieldname)
        total = max(reader.doc_count(), 1)
        idf = math.log(1 + (total - len(weights) + 0.5) / (len(weights) + 0.5))
        scores = {d: idf * w * (BM25_K1 + 1) / (w + BM25_K1 * (1 - BM25_B + BM25_B * lengths[d] / average))
                  for d, w in weights.items()}
        with self._lock:
            if key not in self._scored:
                self._scored[key] = scores
                self.scored_size += len(scores)
            while self.scored_size > SCORED_POSTINGS and len(self._scored) > 1:
                self.scored_size -= len(self._scored.popitem(last=False)[1])
        return scores

    @staticmethod
    def _leaves_of(searcher: Searcher, gen: _Generation):
        # The searcher's own leaf readers (a reader is not shared between threads), with gen's keys.
        readers = [r for r, _o in searcher.ixreader.leaf_readers() if r.segment() is not None]
        return [(reader, seg, offset, deleted) for reader, (seg, offset, deleted) in zip(readers, gen.leaves, strict=True)]

    def _postings(self, reader, seg: tuple, fieldname: str, text: str) -> tuple[array, array]:
        """A term's postings in one segment: document numbers and weights, deleted documents included."""
        key = (seg, fieldname, text)
        with self._lock:
            hit = self._raw.get(key)
            if hit is not None:
                self._raw.move_to_end(key)
                return hit
        ids, weights = array("I"), array("f")
        if (fieldname, text) in reader:
            matcher = reader._terms.matcher(fieldname, reader._text_to_bytes(fieldname, text),
                                            reader.schema[fieldname].format)
            _read_all(matcher, ids, weights)
        with self._lock:
            if key not in self._raw:
                self._raw[key] = (ids, weights)
                self.raw_size += len(ids)
            while self.raw_size > RAW_POSTINGS and len(self._raw) > 1:
                self.raw_size -= len(self._raw.popitem(last=False)[1][0])
        return ids, weights

    def field_lengths(self, searcher: Searcher, fieldname: str) -> tuple[list[int], float]:
        """Every document's length in terms for a field, and the average."""
        gen = self._current(searcher)
        hit = gen.lengths.get(fieldname)
        if hit is None:
            lengths: list[int] = []
            for reader, seg, _offset, _deleted in self._leaves_of(searcher, gen):
                data = self._segment(seg)
                part = data.lengths.get(fieldname)
                if part is None:
                    part = array("I", (reader.doc_field_length(d, fieldname, 0) or 0
                                       for d in range(reader.doc_count_all())))
                    data.lengths[fieldname] = part
                lengths.extend(part)
            hit = gen.lengths[fieldname] = (lengths, max(sum(lengths) / max(len(lengths), 1), 1.0))
        return hit

    # --- sorting, facets, similarity --------------------------------------------
    def column(self, searcher: Searcher, fieldname: str) -> list:
        """A sortable field's value for every document number."""
        gen = self._current(searcher)
        hit = gen.columns.get(fieldname)
        if hit is None:
            values: list = []
            for reader, seg, _offset, _deleted in self._leaves_of(searcher, gen):
                data = self._segment(seg)
                part = data.columns.get(fieldname)
                if part is None:
                    part = data.columns[fieldname] = list(reader.column_reader(fieldname))
                values.extend(part)
            hit = gen.columns[fieldname] = values
        return hit

    def facet_sets(self, searcher: Searcher) -> FacetSets:
        """The published documents, and the published documents per facet value."""
        gen = self._current(searcher)
        if gen.facets is None:
            published: set[int] = set()
            values: dict[str, dict[str, set[int]]] = {f: {} for f in facets.names()}
            for reader, seg, offset, deleted in self._leaves_of(searcher, gen):
                data = self._segment(seg)
                if data.facets is None:
                    data.facets = _read_facets(reader)
                ids, terms = data.facets
                mine = {offset + d for d in ids if d not in deleted}
                published |= mine
                for facet, found in terms.items():
                    for term, docs in found.items() if facet in values else ():
                        values[facet].setdefault(term, set()).update(offset + d for d in docs)
            gen.facets = FacetSets(frozenset(published), {
                facet: {term: frozenset(docs & published) for term, docs in found.items() if docs & published}
                for facet, found in values.items()})
        return gen.facets

    def people(self, searcher: Searcher) -> dict[int, list]:
        """{document number: similarity candidates} (participants' populations, places)."""
        gen = self._current(searcher)
        if gen.people is None:
            people: dict[int, list] = {}
            for reader, seg, offset, deleted in self._leaves_of(searcher, gen):
                data = self._segment(seg)
                if data.people is None:
                    data.people = {d: [tuple(c) for c in reader.stored_fields(d).get("people", [])]
                                   for d in range(reader.doc_count_all())}
                people.update((offset + d, c) for d, c in data.people.items() if d not in deleted)
            gen.people = people
        return gen.people

    def lexicon(self, searcher: Searcher, fieldname: str = "all") -> dict[str, int]:
        """{term: documents holding it} over a field (deleted documents may still count)."""
        gen = self._current(searcher)
        if fieldname not in gen.lexicons:
            merged: dict[str, int] = {}
            for reader, seg, _offset, _deleted in self._leaves_of(searcher, gen):
                data = self._segment(seg)
                if fieldname not in data.lexicons:
                    found: dict[str, int] = {}
                    if fieldname in reader.schema:
                        for text, info in reader.iter_field(fieldname):
                            found[text if isinstance(text, str) else text.decode("utf-8")] = info.doc_frequency()
                    data.lexicons[fieldname] = found
                if not merged:
                    merged = dict(data.lexicons[fieldname])
                else:
                    for text, n in data.lexicons[fieldname].items():
                        merged[text] = merged.get(text, 0) + n
            gen.lexicons[fieldname] = merged
        return gen.lexicons[fieldname]

    # --- whole results ----------------------------------------------------------
    def remember(self, key: tuple, result: object) -> None:
        """Keep a search result for its (generation, arguments) key; an LRU of RESULTS_CACHED."""
        with self._lock:
            self.results[key] = result
            self.results.move_to_end(key)
            while len(self.results) > RESULTS_CACHED:
                self.results.popitem(last=False)

    def recall(self, key: tuple) -> object | None:
        """A result kept by `remember`, or None."""
        with self._lock:
            hit = self.results.get(key)
            if hit is not None:
                self.results.move_to_end(key)
            return hit


def _read_all(matcher, ids: array, weights: array) -> None:
    # All postings of a term in a segment, block by block where Whoosh's own format allows
    # (a block's ids and weights are decoded in one step), else posting by posting.
    if isinstance(matcher, W3LeafMatcher):
        while not matcher._atend:
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._weights is None:
                matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            matcher._next_block()
        return
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()


def _read_facets(reader) -> tuple[array, dict[str, dict[str, array]]]:
    # One segment's published documents and facet postings, deleted documents included.
    published = array("I", _all_ids(reader, "status", "published"))
    terms: dict[str, dict[str, array]] = {}
    for facet in facets.names():
        if facet in reader.schema:
            terms[facet] = {term: array("I", _all_ids(reader, facet, term)) for term in reader.field_terms(facet)}
    return published, terms


def _all_ids(reader, fieldname: str, text: str) -> list[int]:
    # Every document number with the term in this segment, deleted ones included (they are
    # left out when the segment's data is assembled for a generation).
    if (fieldname, text) not in reader:
        return []
    ids, weights = array("I"), array("f")
    _read_all(reader._terms.matcher(fieldname, reader._text_to_bytes(fieldname, text),
                                    reader.schema[fieldname].format), ids, weights)
    return list(ids)
