"""The Whoosh engine: casebook's `Engine` (search/engine.py) over the generations of store.py.

Writing: a rebuild writes every document into a fresh generation (with one writer process per
core when large) and swaps it in; incremental updates take the live generation's writer lock,
which is Whoosh's own lock file taken as lock.py takes locks (held by this process alone), and
held across the commit and the APPLIED file written after it, so a crash in between only makes
a change be applied again, which is harmless. A killed writer's half-written segment files are
named by no table of contents and are removed by the next commit. Searching is searching.py.
"""
from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from whoosh import index as whoosh_index

from ..engine import Hits, IndexBusy, Plan, Query
from . import searching
from .lock import FileLock
from .schema import fields_of
from .store import Generations
from .writers import ParallelWriter

log = logging.getLogger(__name__)

PARALLEL_FROM = 1000  # documents from which a rebuild writes with several processes


class LockTaken(IndexBusy):
    """Another writer holds the lock (raised at once when not waiting)."""


class WhooshEngine(Generations):
    """The Whoosh index of one directory (see the module docstring)."""

    def rebuild(self, docs: Iterable[dict[str, Any]], applied: int = 0) -> int:
        """Write all `docs` into a fresh generation holding changes up to `applied`, make it live; return the count.

        The rebuild lock is held (taken here unless the caller holds it), and the live
        generation's writer lock, so incremental updates wait and then apply to the new
        generation. Large rebuilds write with one process per core (one segment each), which
        halves the build time on two cores; those processes die with this one.
        """
        with self._holding_rebuild(), self._holding_live():
            docs = list(docs)
            path = self._new_generation()
            ix = whoosh_index.open_dir(str(path))
            procs = min(os.cpu_count() or 1, 4) if len(docs) >= PARALLEL_FROM else 1
            # compound=False: a compound segment is copied into memory each time a searcher opens it.
            # _lk=False: nobody else writes a generation that is not live yet (the rebuild lock is ours).
            writer = (ParallelWriter(ix, procs=procs, multisegment=True, _lk=False, limitmb=64, compound=False,
                                     subargs={"limitmb": 64, "compound": False}) if procs > 1
                      else ix.writer(limitmb=256, compound=False))
            try:
                for doc in docs:
                    writer.add_document(**fields_of(doc))
            except BaseException:
                writer.cancel()
                shutil.rmtree(path, ignore_errors=True)
                raise
            try:
                _commit(writer)
                written = whoosh_index.open_dir(str(path)).doc_count_all()
                if written != len(docs):  # Whoosh commits without the segment of a writer process that died
                    raise RuntimeError(f"the rebuild wrote {written} of {len(docs)} documents (a writer process died)")
            except BaseException:
                shutil.rmtree(path, ignore_errors=True)
                raise
            self._write(path, "FINGERPRINT", self.expected_fingerprint())
            self._write_applied(path, applied)  # last: a generation without APPLIED is a killed rebuild's
            self._swap(path)
            return len(docs)

    @contextmanager
    def _holding_live(self) -> Iterator[None]:
        # The live generation's writer lock, if there is a live generation that opens.
        name = self.current_name()
        try:
            live = self._open(name) if name is not None else None
        except Exception:  # a damaged generation: there is nothing to keep consistent
            log.warning("search index generation %s cannot be opened; rebuilding without its lock", name)
            live = None
        if live is None:
            yield
            return
        with self._writelock(live, wait=True):
            yield

    def update(self, docs: Iterable[dict[str, Any]] = (), delete: Iterable[str] = ()) -> None:
        """Add or replace `docs` and delete the slugs in `delete`, in one commit."""
        docs, delete = list(docs), list(delete)
        if not self.exists():
            self.rebuild([])
        self.apply(lambda applied: (docs, delete, applied))

    def apply(self, plan: Plan, wait: bool = True) -> bool:
        """Under the live generation's writer lock, write what `plan(applied)` returns and record its number.

        `plan` gets the number of the last change the generation holds, read under the lock, so
        two processes never apply the same changes at once. Without `wait`, returns False at
        once when another writer holds the lock (it, or the next poll, will catch up).
        """
        for _attempt in range(3):
            name, ix = self._live()
            try:
                with self._writelock(ix, wait):
                    if self.current_name() != name:  # a rebuild swapped generations meanwhile
                        continue
                    applied = self._read_applied(name)
                    docs, delete, upto = plan(applied)
                    if docs or delete:
                        writer = ix.writer(_lk=False, compound=False)  # the lock is ours already (see _writelock)
                        try:
                            for slug in delete:
                                writer.delete_by_term("slug", slug)
                            for doc in docs:
                                writer.update_document(**fields_of(doc))
                        except BaseException:
                            writer.cancel()
                            raise
                        _commit(writer)
                    if upto != applied:
                        self._write_applied(self.directory / name, upto)
                    return True
            except LockTaken:
                if not wait:
                    return False
                raise
        raise IndexBusy("検索インデックスの世代が切り替わり続けています")

    @contextmanager
    def _writelock(self, ix: whoosh_index.Index, wait: bool) -> Iterator[None]:
        # Whoosh's own writer lock (the same file, so Whoosh's writers respect it), held here rather
        # than by the writer so that it also covers writing APPLIED after the commit (a Whoosh writer
        # lets go of it inside commit()), and taken as lock.py does, so no child process keeps it.
        lock = FileLock(os.path.join(ix.storage.folder, f"{ix.indexname}_WRITELOCK"))
        if not lock.acquire(self.lock_timeout if wait else 0.0):
            raise LockTaken("検索インデックスが更新中です")
        try:
            yield
        finally:
            lock.release()

    # --- reading -------------------------------------------------------------
    def search(self, query: Query) -> Hits:
        """Search the live generation (see search/engine.py); results are kept per generation and query."""
        def work(searcher) -> Hits:
            key = (self.generation(searcher), query)
            hits = self.cache.recall(key)
            if hits is None:
                hits = searching.run(self, searcher, query)
                self.cache.remember(key, hits)
            return hits

        return self.read(work)

    def lexicon(self) -> dict[str, int]:
        """{term: documents holding it} over all indexed text, kept per generation (search/engine.py)."""
        return self.read(lambda searcher: self.cache.lexicon(searcher))

    def vocabulary(self) -> dict[str, int]:
        """{kanji word: documents holding it}, kept per generation (search/engine.py)."""
        return self.read(lambda searcher: self.cache.lexicon(searcher, "words"))

    def stored(self) -> dict[str, str]:
        """Return {slug: fingerprint} for every document in the index."""
        return self.read(lambda searcher: {f["slug"]: f.get("fingerprint", "") for f in searcher.all_stored_fields()})


def _commit(writer) -> None:
    """Commit `writer`; if the commit fails, cancel it (the caller's _writelock then lets go of the lock)."""
    try:
        writer.commit()
    except BaseException:
        if not getattr(writer, "is_closed", True):
            try:
                writer.cancel()
            except Exception:  # the writer may be half-closed; the lock is released by _writelock
                pass
        raise
