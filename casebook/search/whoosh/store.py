"""The on-disk Whoosh index: generations, locks, rebuilds, updates and reads.

The index contract:
- The database is the truth; the index is derived from it by `case_document` alone
  (index_documents.py, with the schema).
  Services commit first and index after; a failed index update is logged and shows up as
  drift in `check` (each document stores a fingerprint of itself), which `--repair` fixes.
- The index directory holds generations (`gen-*` folders) and a `CURRENT` file naming the
  live one. A rebuild writes a fresh generation and swaps `CURRENT`, so a search never sees
  a half-built index. Incremental updates take the live generation's writer lock.
- Each generation's `APPLIED` file holds the number of the last database change
  (services/changes.py) it contains. It is written after the Whoosh commit, under the same
  lock, so a crash in between only makes a change be applied again, which is harmless.
- One writer per generation, and one rebuild per directory, across processes: each lock is an
  flock() that only the process that took it holds (not the writer processes it forks), so the
  kernel releases it when that process dies, however it dies (index_lock.py, index_writers.py);
  a rebuild lock still held after its owner died is broken. A killed writer's half-written
  segment files are not named by any table of contents and are removed by the next commit; a
  killed rebuild's generation folder (it has no `APPLIED` yet) is removed by the next process
  that takes the rebuild lock: the next rebuild, or a server at start. Readers take no lock.
- Searchers are opened per search (they are not thread-safe); what searches read (postings,
  lengths, sort columns, facet sets) is cached per segment and assembled per generation
  (index_cache.py), so an edit only makes its own small segment be read from disk.
- Only this module, index_documents.py, index_cache.py, index_writers.py, search.py and analysis.py
  import whoosh.
"""
from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from whoosh import index as whoosh_index
from whoosh.searching import Searcher

from ... import domain
from .cache import ReadCache, generation_key
from .lock import FileLock
from .schema import make_schema
from .writers import ParallelWriter

log = logging.getLogger(__name__)
T = TypeVar("T")

PARALLEL_FROM = 1000  # documents from which a rebuild writes with several processes


class IndexMissing(RuntimeError):
    """The index has not been built yet (run `casebook reindex`)."""


class IndexBusy(RuntimeError):
    """The index writer lock could not be had in time."""


class LockTaken(IndexBusy):
    """Another writer holds the lock (raised at once when not waiting)."""


# plan(applied) -> (documents to add or replace, slugs to delete, the change number they bring it to)
Plan = Callable[[int], tuple[list[dict], list[str], int]]


class SearchIndex:
    """The on-disk index: generations under one directory, `CURRENT` naming the live one."""

    def __init__(self, directory: str | os.PathLike, bands: domain.Bands | None = None,
                 lock_timeout: float = 10.0):
        self.directory = Path(directory)
        self.bands = bands or domain.Bands()
        self.lock_timeout = lock_timeout
        self.schema = make_schema()
        self._opened: dict[str, whoosh_index.Index] = {}
        self.cache = ReadCache()  # what searches read, kept per segment and generation (index_cache.py)
        self._lock = threading.Lock()
        self.checked_at = 0.0  # when this process last asked the database whether the index is behind
        self.builds_itself = False  # a background thread builds a missing index (casebook/freshness.py)
        self.damaged = False  # a search could not open the live generation: the thread checks it
        self._rebuilder: tuple[int, int] | None = None  # (pid, thread) holding the rebuild lock through this object

    # --- generations ---------------------------------------------------------
    def current_name(self) -> str | None:
        """Return the live generation's folder name, or None before the first build."""
        try:
            name = (self.directory / "CURRENT").read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name if name and (self.directory / name).is_dir() else None

    def exists(self) -> bool:
        """True when a built index is present."""
        return self.current_name() is not None

    def applied(self) -> int | None:
        """The number of the last database change the live generation holds (None without an index)."""
        name = self.current_name()
        return None if name is None else self._read_applied(name)

    def _read_applied(self, name: str) -> int:
        try:
            return int((self.directory / name / "APPLIED").read_text(encoding="ascii"))
        except (FileNotFoundError, ValueError):
            return 0  # built before the change sequence, or never updated since: apply from the start

    def _write_applied(self, path: Path, number: int) -> None:
        tmp = path / f"APPLIED.{os.getpid()}.{threading.get_ident()}.tmp"
        tmp.write_text(str(number), encoding="ascii")
        os.replace(tmp, path / "APPLIED")

    def problem(self) -> str | None:
        """Why the live generation cannot be searched (missing, unreadable), or None when it can."""
        name = self.current_name()
        if name is None:
            return "検索インデックスがありません"
        for _attempt in range(3):
            searcher = None
            try:
                searcher = whoosh_index.open_dir(str(self.directory / name)).searcher()
                last = searcher.doc_count_all() - 1
                if last >= 0:
                    searcher.stored_fields(last)
                return None
            except Exception as exc:  # any damage shows as some error while reading
                found = f"検索インデックスを読めません（{type(exc).__name__}: {exc}）"
                if searcher is None or self._still_current(searcher):
                    return found
                # else another process's merge removed files meanwhile (see `read`): look again
            finally:
                if searcher is not None:
                    searcher.close()
        return found

    def discard(self) -> None:
        """Stop using the live generation (it is damaged): searches report the index missing until a rebuild."""
        (self.directory / "CURRENT").unlink(missing_ok=True)
        with self._lock:
            self._opened = {}
        self.damaged = False

    @contextmanager
    def rebuilding(self, wait: bool = True) -> Iterator[bool]:
        """Hold the directory's rebuild lock (across processes); yields False when `wait` is False and it is taken.

        Whoever takes it first removes the generation folders that killed rebuilds left behind.
        """
        self.directory.mkdir(parents=True, exist_ok=True)
        lock = self._rebuild_lock()
        got = lock.acquire(self.lock_timeout if wait else 0.0)
        if not got and wait:
            raise IndexBusy("検索インデックスを再構築中です")
        if not got:
            yield False
            return
        outer, self._rebuilder = self._rebuilder, (os.getpid(), threading.get_ident())
        try:
            self._sweep()
            yield True
        finally:
            self._rebuilder = outer
            lock.release()

    @contextmanager
    def _holding_rebuild(self) -> Iterator[None]:
        # The rebuild lock for rebuild(): taken here, unless this thread took it already through `rebuilding`.
        if self._rebuilder == (os.getpid(), threading.get_ident()):
            yield
            return
        with self.rebuilding(wait=True):
            yield

    def _rebuild_lock(self) -> FileLock:
        return FileLock(self.directory / "REBUILD.lock", breakable=True)

    def is_rebuilding(self) -> bool:
        """True while some process holds the rebuild lock."""
        if not self.directory.is_dir():
            return False
        return not self._rebuild_lock().probe()

    def rebuilders(self) -> list[int]:
        """The processes that have the rebuild lock open (while it is held: who holds it)."""
        return self._rebuild_lock().holders()

    def sweep(self) -> bool:
        """Remove the generation folders that killed rebuilds left behind, unless a rebuild runs now; True if it could look."""
        with self.rebuilding(wait=False) as mine:
            return mine

    def _sweep(self) -> None:
        # Under the rebuild lock. Every rebuild holds it and writes APPLIED before its swap, so a
        # generation without APPLIED other than the live one is a killed rebuild's.
        live = self.current_name()
        for path in self.directory.glob("gen-*"):
            if path.is_dir() and path.name != live and not (path / "APPLIED").exists():
                log.warning("removing %s, left half-written by a rebuild that did not finish", path)
                shutil.rmtree(path, ignore_errors=True)

    def _open(self, name: str) -> whoosh_index.Index:
        with self._lock:
            ix = self._opened.get(name)
            if ix is None:
                ix = whoosh_index.open_dir(str(self.directory / name))
                self._opened = {name: ix}
            return ix

    def _live(self) -> tuple[str, whoosh_index.Index]:
        name = self.current_name()
        if name is None:
            if self.builds_itself or self.is_rebuilding():
                raise IndexMissing("検索インデックスを再構築しています。しばらくしてから、もう一度お試しください。")
            raise IndexMissing("検索インデックスがまだ作成されていません。管理者が `casebook reindex` を実行するまでお待ちください。")
        return name, self._open(name)

    def _new_generation(self) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
        path.mkdir()
        whoosh_index.create_in(str(path), self.schema)
        return path

    def _swap(self, path: Path) -> None:
        tmp = self.directory / f"CURRENT.{os.getpid()}.tmp"
        tmp.write_text(path.name, encoding="utf-8")
        os.replace(tmp, self.directory / "CURRENT")
        # Keep the previous generation for searches still open on it; drop older ones.
        gens = sorted((p for p in self.directory.glob("gen-*") if p.is_dir()),
                      key=lambda p: p.stat().st_mtime)
        for old in gens[:-2]:
            if old.name != path.name:
                shutil.rmtree(old, ignore_errors=True)

    # --- writing -------------------------------------------------------------
    def rebuild(self, docs: Iterable[dict], applied: int = 0) -> int:
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
                    writer.add_document(**doc)
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
            self._write_applied(path, applied)
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

    def update(self, docs: Iterable[dict] = (), delete: Iterable[str] = ()) -> None:
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
                                writer.update_document(**doc)
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
        # lets go of it inside commit()), and taken as index_lock.py does, so no child process keeps it.
        lock = FileLock(os.path.join(ix.storage.folder, f"{ix.indexname}_WRITELOCK"))
        if not lock.acquire(self.lock_timeout if wait else 0.0):
            raise LockTaken("検索インデックスが更新中です")
        try:
            yield
        finally:
            lock.release()

    # --- reading -------------------------------------------------------------
    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """Open a searcher on the live generation for the duration of one search."""
        try:
            _name, ix = self._live()
            searcher = ix.searcher()
        except IndexMissing:
            raise
        except Exception as exc:  # a damaged generation: answer "unavailable", not a server error
            log.error("search index at %s cannot be opened: %r", self.directory, exc)
            searcher = None
        if searcher is None:
            self.damaged = True
            then = ("再構築を試みています。しばらくしてから、もう一度お試しください。" if self.builds_itself
                    else "管理者が `casebook reindex` を実行するまでお待ちください。")
            raise IndexMissing(f"検索インデックスを読み込めません。{then}")
        try:
            yield searcher
        finally:
            searcher.close()

    def read(self, work: Callable[[Searcher], T]) -> T:
        """Return `work(searcher)` on the live generation, retried on a newer one if the index moved on meanwhile.

        A searcher opens some segment files only when first needed; when another process's
        commit merges segments in between, it deletes the merged segments' files, and reading
        them fails. The same work on the newer generation then reads the merged segment.
        """
        for attempt in range(3):
            with self.searcher() as searcher:
                try:
                    return work(searcher)
                except Exception as exc:
                    if attempt == 2 or self._still_current(searcher):
                        raise
                    log.info("search index changed during a read (%r); reading the newer generation", exc)
        raise AssertionError("unreachable")

    def _still_current(self, searcher: Searcher) -> bool:
        try:
            return (self.current_name() == Path(generation_key(searcher)[0]).name
                    and searcher._ix.latest_generation() == searcher.ixreader.generation())
        except Exception:  # the folder itself is gone: certainly not current
            return False

    def stored(self) -> dict[str, str]:
        """Return {slug: fingerprint} for every document in the index."""
        return self.read(lambda searcher: {f["slug"]: f.get("fingerprint", "") for f in searcher.all_stored_fields()})

    @staticmethod
    def generation(searcher: Searcher) -> tuple[str, int]:
        """What identifies the index contents a searcher sees: its folder and TOC generation."""
        return generation_key(searcher)


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
