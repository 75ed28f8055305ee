"""The generations of a Whoosh index on disk: which one is live, what it holds, and reading it.

- The index directory holds generations (`gen-*` folders) and a `CURRENT` file naming the live
  one. A rebuild writes a fresh generation and swaps `CURRENT` (engine.py), so a search never
  sees a half-built index; the previous generation is kept for searches still open on it.
- Each generation's `APPLIED` file holds the number of the last database change (changes.py) it
  contains, and its `FINGERPRINT` file the fingerprint it was built with (the document definition
  and the Whoosh fields: see Generations.expected_fingerprint). APPLIED is written last in a
  rebuild, after the Whoosh commit, so a generation without it is a killed rebuild's.
- One rebuild per directory across processes: the rebuild lock is an flock() that only the
  process that took it holds (lock.py), so the kernel releases it when that process dies; a
  lock still held after its owner died is broken. A killed rebuild's generation folder is
  removed by the next process that takes the rebuild lock. Readers take no lock.
- Searchers are opened per search (they are not thread-safe); what searches read is cached per
  segment and assembled per generation (cache.py).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from whoosh import index as whoosh_index
from whoosh.searching import Searcher

from ... import domain
from .. import documents
from ..engine import IndexBusy, IndexMissing
from .cache import ReadCache, generation_key
from .lock import FileLock
from .schema import describe, make_schema

log = logging.getLogger(__name__)
T = TypeVar("T")



class Generations:
    """The on-disk index: generations under one directory, `CURRENT` naming the live one."""

    def __init__(self, directory: str | os.PathLike, bands: domain.Bands | None = None,
                 lock_timeout: float = 10.0):
        self.directory = Path(directory)
        self.bands = bands or domain.Bands()
        self.lock_timeout = lock_timeout
        self.schema = make_schema()
        self._opened: dict[str, whoosh_index.Index] = {}
        self.cache = ReadCache()  # what searches read, kept per segment and generation (cache.py)
        self._lock = threading.Lock()
        self.checked_at = 0.0  # when this process last asked the database whether the index is behind
        self.builds_itself = False  # a background thread builds a missing index (freshness.py)
        self.damaged = False  # a search could not open the live generation: the thread checks it
        self._rebuilder: tuple[int, int] | None = None  # (pid, thread) holding the rebuild lock through this object
        self._expected: str | None = None

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
        self._write(path, "APPLIED", str(number))

    @staticmethod
    def _write(path: Path, name: str, text: str) -> None:
        tmp = path / f"{name}.{os.getpid()}.{threading.get_ident()}.tmp"
        tmp.write_text(text, encoding="ascii")
        os.replace(tmp, path / name)

    def fingerprint(self) -> str | None:
        """The fingerprint the live generation was built with (None without an index, "" if it has none)."""
        name = self.current_name()
        if name is None:
            return None
        try:
            return (self.directory / name / "FINGERPRINT").read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return ""  # built before fingerprints were recorded

    def expected_fingerprint(self) -> str:
        """The fingerprint of what this code builds: the document definition and the Whoosh fields."""
        if self._expected is None:
            described = {"engine": "whoosh", "documents": documents.definition(self.bands),
                         "fields": describe(self.schema)}
            self._expected = hashlib.sha1(json.dumps(described, sort_keys=True).encode("utf-8")).hexdigest()
        return self._expected

    def outdated(self) -> bool:
        """True when the live generation was built with another fingerprint (and must be rebuilt)."""
        recorded = self.fingerprint()
        return recorded is not None and recorded != self.expected_fingerprint()

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

    @staticmethod
    def generation(searcher: Searcher) -> tuple[str, int]:
        """What identifies the index contents a searcher sees: its folder and TOC generation."""
        return generation_key(searcher)
