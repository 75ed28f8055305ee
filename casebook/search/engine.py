"""What a search engine does for casebook: the interface every engine implements (`Engine`).

The contract:
- The database is the truth; an index is derived from it. An engine is given documents
  (documents.case_document) and never reads the database; sync.py decides what to give it.
- An index holds generations: `rebuild` writes all documents into a fresh one and swaps it in
  whole, so a search never sees a half-built index, and records with it the number of the last
  database change it holds (`applied`) and its fingerprint (the hash of the document definition
  and of the engine's own field definitions). `apply` writes what a plan returns, under the
  index's writer lock, and records the plan's change number with it.
- `search` finds published documents by the words of the query: a word is a list of terms, all
  needed (a prefix term matches every term starting with it), and it also matches through its
  alternatives (other term lists: OR alternatives with weight 1, synonyms with a smaller weight).
  A document must match `required` of the words (all when 0) and none of the `exclude` words.
  The facet filters apply (OR within a facet, AND across facets), and the counts give, for each
  facet, the results that selecting only that value in that facet would give, keeping the query
  and the other facets. It returns one page of slugs in the asked order, with scores, and how many
  published documents each word matches (filters aside). The relevance order ranks, in turn, by
  the number of words matched, the number matched exactly (not through a synonym), detailed
  documents (`sort.detailed` 1) above outline ones, then the text score: BM25 over all text, a
  word weighing more where it is in the title, the keywords (tags, themes) or the summary. The
  score reported grows with that order (its integer part is the tier, its fraction the text score).
- `lexicon` gives the terms of the indexed text with their document frequencies (what "did you
  mean" corrects towards); `vocabulary` the documents' kanji words (`words`) with theirs (what
  readings are looked up in); `stored` returns every document's fingerprint, for `check-index`.
An engine is one module; tests/test_engine_contract.py says what it must pass.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .. import domain

# Sort orders an engine knows: the document sort key and whether larger comes first. Without
# words, "relevance" is "newest"; "similar" orders by domain.closeness to the query's reference.
SORT_KEYS = {
    "newest": ("updated", True),
    "population": ("population_asc", False),
    "population_desc": ("population", True),
    "effect": ("effect_yen", True),
}
# A word found in the title counts 3×, in the keywords (tags and themes) 2×, in the summary 1.5×.
TITLE_BOOST, KEYWORDS_BOOST, SUMMARY_BOOST = 3.0, 2.0, 1.5

Terms = tuple[tuple[str, bool], ...]  # (term, is_prefix) parts of one word, all needed


class IndexMissing(RuntimeError):
    """The index has not been built yet (run `casebook reindex`), or cannot be read."""


class IndexBusy(RuntimeError):
    """The index writer lock could not be had in time."""


@dataclass(frozen=True)
class Query:
    """One search in the engine's terms: analysed words, facet filters, order and page."""

    words: tuple[Terms, ...] = ()  # each word: its (term, is_prefix) parts, all needed
    # For each word (by position), other forms that also match it: (terms, weight); weight 1 is an
    # OR alternative, below 1 a synonym (it ranks after exact matches).
    alternatives: tuple[tuple[tuple[Terms, float], ...], ...] = ()
    exclude: tuple[Terms, ...] = ()  # documents matching any of these words are left out
    required: int = 0  # how many of the words a document must match; 0: all of them
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (facet, values): OR within, AND across
    sort: str = "relevance"
    page: int = 1
    size: int = 20
    reference: domain.Reference | None = None
    boosts: tuple[str, ...] = ()

    def selected(self, facet: str) -> frozenset[str]:
        """The values selected in `facet`."""
        return frozenset(next((values for name, values in self.filters if name == facet), ()))


@dataclass(frozen=True)
class Hits:
    """What a search found: the total, one page of slugs (with relevance scores), and facet counts."""

    total: int
    slugs: list[str]
    scores: dict[str, float]
    counts: dict[str, dict[str, int]]  # facet -> value -> count; values with a count only
    word_counts: tuple[int, ...] = ()  # per word of the query: published documents it matches, filters aside


# plan(applied) -> (documents to add or replace, slugs to delete, the change number they bring it to)
Plan = Callable[[int], tuple[list[dict], list[str], int]]


class Engine(Protocol):
    """An index on local disk under `directory` (see the module docstring for the contract)."""

    directory: Path
    bands: domain.Bands
    lock_timeout: float
    # Upkeep state of this process (sync.py, freshness.py).
    checked_at: float  # when this process last asked the database whether the index is behind
    builds_itself: bool  # a background thread builds a missing or outdated index
    damaged: bool  # a search could not open the live generation: the thread checks it

    # --- generations ---
    def exists(self) -> bool: ...
    def current_name(self) -> str | None: ...
    def applied(self) -> int | None: ...
    def fingerprint(self) -> str | None: ...  # what the live generation was built with
    def expected_fingerprint(self) -> str: ...  # what this code builds
    def outdated(self) -> bool: ...  # a live generation with another fingerprint
    def problem(self) -> str | None: ...
    def discard(self) -> None: ...
    def rebuilding(self, wait: bool = True) -> AbstractContextManager[bool]: ...
    def is_rebuilding(self) -> bool: ...
    def rebuilders(self) -> list[int]: ...
    def sweep(self) -> bool: ...

    # --- writing ---
    def rebuild(self, docs: Iterable[dict[str, Any]], applied: int = 0) -> int: ...
    def update(self, docs: Iterable[dict[str, Any]] = (), delete: Iterable[str] = ()) -> None: ...
    def apply(self, plan: Plan, wait: bool = True) -> bool: ...

    # --- reading ---
    def search(self, query: Query) -> Hits: ...
    def lexicon(self) -> dict[str, int]: ...  # term -> documents holding it (drafts included)
    def vocabulary(self) -> dict[str, int]: ...  # kanji word -> documents holding it (drafts included)
    def stored(self) -> dict[str, str]: ...


def page_by_slug_within_ties(keyed: list[tuple[float, Any]], start: int, end: int,
                             slug_of: Callable[[Any], str]) -> list[str]:
    """The slugs of page [start, end) of (key, document) pairs sorted by key, equal keys by slug
    (never by load order): what every engine gives for the "similar" order. Only the groups of
    equal keys that reach into the page read their slugs (`slug_of`)."""
    out: list[str] = []
    i = 0
    while i < len(keyed) and i < end:
        j = i
        while j < len(keyed) and keyed[j][0] == keyed[i][0]:
            j += 1
        if j > start:
            group = sorted(slug_of(doc) for _key, doc in keyed[i:j])
            out.extend(group[max(0, start - i):end - i])
        i = j
    return out
