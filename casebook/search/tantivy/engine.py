"""The tantivy engine: casebook's `Engine` (search/engine.py) over the generations of store.py.

Writing: a rebuild writes every document into a fresh generation and swaps it in (large rebuilds
analyse their texts in one process per core, and tantivy indexes them with its own threads);
incremental updates take the live generation's writer lock (store.py), held across tantivy's
commit and the APPLIED file written after it, so a crash in between only makes a change be
applied again, which is harmless. A killed writer's uncommitted files are named by no meta.json
and are removed by the next commit. Searching is searching.py.
"""
from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import tantivy

from .. import documents
from ..engine import Hits, IndexBusy, Plan, Query
from . import searching
from .schema import analysed, make_document, stored_of
from .store import Generations

log = logging.getLogger(__name__)

PARALLEL_FROM = 1000  # documents from which a rebuild analyses texts with several processes
BATCH = 512  # documents handed to those processes at a time
REBUILD_HEAP = 64_000_000  # bytes tantivy's writer may buffer in a rebuild (all its threads together)
UPDATE_HEAP = 15_000_000  # tantivy's least, for incremental updates (one thread)
RESULTS_CACHED = 256  # searches kept per process (keyed by index state and arguments)


class LockTaken(IndexBusy):
    """Another writer holds the lock (raised at once when not waiting)."""


class TantivyEngine(Generations):
    """The tantivy index of one directory (see the module docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._results: OrderedDict[tuple, Any] = OrderedDict()
        self._kept: dict[tuple, Any] = {}  # per index state: lexicon, vocabulary, people
        self._cache_lock = threading.Lock()

    # --- writing -------------------------------------------------------------
    def rebuild(self, docs: Iterable[dict[str, Any]], applied: int = 0) -> int:
        """Write all `docs` into a fresh generation holding changes up to `applied`, make it live; return the count."""
        with self._holding_rebuild(), self._holding_live():
            path = self._new_generation()
            count = 0
            try:
                index = tantivy.Index(self.schema, path=str(path), reuse=False)
                threads = min(os.cpu_count() or 1, 4)
                with _analysing(iter(docs)) as prepared:  # its processes start before tantivy's threads
                    writer = index.writer(heap_size=max(REBUILD_HEAP, UPDATE_HEAP * threads), num_threads=threads)
                    for doc, texts in prepared:
                        writer.add_document(make_document(doc, texts, count))
                        count += 1
                    writer.commit()
                writer.wait_merging_threads()
                index.reload()
                written = index.searcher().num_docs
                if written != count:
                    raise RuntimeError(f"the rebuild wrote {written} of {count} documents")
            except BaseException:
                shutil.rmtree(path, ignore_errors=True)
                raise
            self._write(path, "FINGERPRINT", self.expected_fingerprint())
            self._write_applied(path, applied)  # last: a generation without APPLIED is a killed rebuild's
            self._swap(path)
            return count

    @contextmanager
    def _holding_live(self) -> Iterator[None]:
        # The live generation's writer lock, if there is a live generation.
        name = self.current_name()
        if name is None:
            yield
            return
        with self._writing(name, wait=True):
            yield

    @contextmanager
    def _writing(self, name: str, wait: bool) -> Iterator[None]:
        lock = self._writelock(name)
        if not lock.acquire(self.lock_timeout if wait else 0.0):
            raise LockTaken("検索インデックスが更新中です")
        try:
            yield
        finally:
            lock.release()

    def update(self, docs: Iterable[dict[str, Any]] = (), delete: Iterable[str] = ()) -> None:
        """Add or replace `docs` and delete the slugs in `delete`, in one commit."""
        docs, delete = list(docs), list(delete)
        if not self.exists():
            self.rebuild([])
        self.apply(lambda applied: (docs, delete, applied))

    def apply(self, plan: Plan, wait: bool = True) -> bool:
        """Under the live generation's writer lock, write what `plan(applied)` returns and record its number."""
        for _attempt in range(3):
            opened = self.opened()
            try:
                with self._writing(opened.name, wait):
                    if self.current_name() != opened.name:  # a rebuild swapped generations meanwhile
                        continue
                    applied = self._read_applied(opened.name)
                    docs, delete, upto = plan(applied)
                    if docs or delete:
                        self._write_changes(opened.index, docs, delete)
                    if upto != applied:
                        self._write_applied(self.directory / opened.name, upto)
                    return True
            except LockTaken:
                if not wait:
                    return False
                raise
        raise IndexBusy("検索インデックスの世代が切り替わり続けています")

    def _write_changes(self, index: tantivy.Index, docs: list[dict], delete: list[str]) -> None:
        index.reload()
        searcher = index.searcher()
        seq = searching.next_seq(searcher)
        writer = index.writer(heap_size=UPDATE_HEAP, num_threads=1)
        try:
            for slug in [*delete, *(d["slug"] for d in docs)]:
                writer.delete_documents_by_term("slug", slug)
            for i, doc in enumerate(docs):
                writer.add_document(make_document(doc, analysed(doc), seq + i))
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        writer.wait_merging_threads()

    # --- reading -------------------------------------------------------------
    def search(self, query: Query) -> Hits:
        """Search the live generation (see search/engine.py); results are kept per index state and query."""
        opened = self.opened()
        key = (opened.key, query)
        with self._cache_lock:
            hits = self._results.get(key)
            if hits is not None:
                self._results.move_to_end(key)
                return hits
        hits = searching.run(self, opened, query)
        with self._cache_lock:
            self._results[key] = hits
            while len(self._results) > RESULTS_CACHED:
                self._results.popitem(last=False)
        return hits

    def kept(self, opened, what: str, make):
        """`make()` for the index state of `opened`, made once per state (lexicon, vocabulary, people)."""
        key = (opened.key, what)
        with self._cache_lock:
            if key in self._kept:
                return self._kept[key]
        value = make()
        with self._cache_lock:
            self._kept = {k: v for k, v in self._kept.items() if k[0] == opened.key}
            self._kept[key] = value
        return value

    def lexicon(self) -> dict[str, int]:
        """{term: documents holding it} over all indexed text, kept per index state (search/engine.py)."""
        opened = self.opened()
        return self.kept(opened, "lexicon", lambda: dict(opened.searcher.terms_with_prefix("all", "")))

    def vocabulary(self) -> dict[str, int]:
        """{kanji word: documents holding it}, kept per index state (search/engine.py)."""
        opened = self.opened()
        return self.kept(opened, "vocabulary", lambda: dict(opened.searcher.terms_with_prefix("words", "")))

    def stored(self) -> dict[str, str]:
        """Return {slug: fingerprint} for every document in the index."""
        searcher = self.opened().searcher
        if not searcher.num_docs:
            return {}
        found = {}
        for _score, address in searcher.search(tantivy.Query.all_query(), searcher.num_docs, count=False).hits:
            data = stored_of(searcher.doc(address))
            found[data["slug"]] = data["fingerprint"]
        return found


@contextmanager
def _analysing(docs: Iterator[dict]) -> Iterator[Iterator[tuple[dict, dict[str, str]]]]:
    """(document, its analysed texts) for `docs`, in order; large rebuilds analyse in one process per core.

    Documents are read from `docs` in this thread (it may read the database), a batch at a time,
    while the previous batch is analysed: only two batches are held, never all documents.
    """
    head = list(itertools.islice(docs, PARALLEL_FROM))
    procs = min(os.cpu_count() or 1, 4)
    if len(head) < PARALLEL_FROM or procs < 2:
        yield ((doc, analysed(doc)) for doc in itertools.chain(head, docs))
        return
    with multiprocessing.get_context("fork").Pool(procs, initializer=_die_with, initargs=(os.getpid(),)) as pool:
        yield _in_batches(pool, itertools.chain(head, docs))


def _in_batches(pool, docs: Iterator[dict]) -> Iterator[tuple[dict, dict[str, str]]]:
    pending = None
    while batch := list(itertools.islice(docs, BATCH)):
        job = pool.map_async(_prepared, batch, chunksize=max(1, BATCH // 8))
        del batch
        if pending is not None:
            yield from pending.get()
        pending = job
    if pending is not None:
        yield from pending.get()


def _prepared(doc: dict) -> tuple[dict, dict[str, str]]:
    # In an analysing process: the document without its texts (sent back smaller), and their terms.
    return {k: v for k, v in doc.items() if k not in documents.TEXTS}, analysed(doc)


def _die_with(parent: int) -> None:
    # In an analysing process: end when the rebuilding process ends (Linux), or if it already has.
    import ctypes
    import signal
    import sys

    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)
