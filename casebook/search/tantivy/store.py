"""The generations of a tantivy index on disk: which one is live, what it holds, and reading it.

The same layout and rules as the Whoosh engine's (whoosh/store.py), so that sync.py, freshness.py
and `check-index` treat both alike:
- the index directory holds generations (`gen-*` folders) and a `CURRENT` file naming the live
  one; a rebuild writes a fresh generation and swaps `CURRENT`, so a search never sees a
  half-built index; the previous generation is kept for searches still open on it;
- each generation's `APPLIED` file holds the number of the last database change it contains, its
  `FINGERPRINT` what it was built with; APPLIED is written last in a rebuild, so a generation
  without it is a killed rebuild's, removed by the next process that takes the rebuild lock;
- one rebuild per directory across processes (`REBUILD.lock`), and one writer per generation
  (`WRITELOCK`, held across the commit and the APPLIED file): flock()s that only the taking
  process holds (lock.py), which the kernel releases when it dies.
Readers take no lock. Each process keeps the live generation's index open and reloads it when
the generation's `meta.json` (which tantivy replaces on every commit) has changed, so a search
sees the commits of every process; what searches read is kept per state (`Opened.key`).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import tantivy

from ... import domain
from .. import documents
from ..engine import IndexBusy, IndexMissing
from ..whoosh.lock import FileLock  # pure Python (no Whoosh): the same locks for both engines
from .schema import describe, make_schema

log = logging.getLogger(__name__)


@dataclass
class Opened:
    """The live generation as this process has it open: its index, a searcher and what identifies its state."""

    name: str
    index: tantivy.Index
    searcher: tantivy.Searcher
    key: tuple


def _state(path: Path) -> tuple:
    # What changes when tantivy commits into a generation: its meta.json is replaced.
    st = (path / "meta.json").stat()
    return (path.name, st.st_ino, st.st_mtime_ns, st.st_size)


class Generations:
    """The on-disk index: generations under one directory, `CURRENT` naming the live one."""

    def __init__(self, directory: str | os.PathLike, bands: domain.Bands | None = None,
                 lock_timeout: float = 10.0):
        self.directory = Path(directory)
        self.bands = bands or domain.Bands()
        self.lock_timeout = lock_timeout
        self.schema = make_schema()
        self._opened: Opened | None = None
        self._lock = threading.Lock()
        self.checked_at = 0.0
        self.builds_itself = False
        self.damaged = False
        self._rebuilder: tuple[int, int] | None = None
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
            return 0

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
            return ""

    def expected_fingerprint(self) -> str:
        """The fingerprint of what this code builds: the document definition and the tantivy fields."""
        if self._expected is None:
            described = {"engine": "tantivy", "documents": documents.definition(self.bands), "fields": describe()}
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
        try:
            index = tantivy.Index.open(str(self.directory / name))
            searcher = index.searcher()
            if searcher.num_docs:
                _score, address = searcher.search(tantivy.Query.all_query(), 1).hits[0]
                searcher.doc(address)
            return None
        except Exception as exc:  # any damage shows as some error while reading
            return f"検索インデックスを読めません（{type(exc).__name__}: {exc}）"

    def discard(self) -> None:
        """Stop using the live generation (it is damaged): searches report the index missing until a rebuild."""
        (self.directory / "CURRENT").unlink(missing_ok=True)
        with self._lock:
            self._opened = None
        self.damaged = False

    @contextmanager
    def rebuilding(self, wait: bool = True) -> Iterator[bool]:
        """Hold the directory's rebuild lock (across processes); yields False when `wait` is False and it is taken."""
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
        """Remove the generation folders that killed rebuilds left behind, unless a rebuild runs now."""
        with self.rebuilding(wait=False) as mine:
            return mine

    def _sweep(self) -> None:
        live = self.current_name()
        for path in self.directory.glob("gen-*"):
            if path.is_dir() and path.name != live and not (path / "APPLIED").exists():
                log.warning("removing %s, left half-written by a rebuild that did not finish", path)
                shutil.rmtree(path, ignore_errors=True)

    def _writelock(self, name: str) -> FileLock:
        return FileLock(self.directory / name / "WRITELOCK")

    def _new_generation(self) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
        path.mkdir()
        return path

    def _swap(self, path: Path) -> None:
        tmp = self.directory / f"CURRENT.{os.getpid()}.tmp"
        tmp.write_text(path.name, encoding="utf-8")
        os.replace(tmp, self.directory / "CURRENT")
        gens = sorted((p for p in self.directory.glob("gen-*") if p.is_dir()), key=lambda p: p.stat().st_mtime)
        for old in gens[:-2]:
            if old.name != path.name:
                shutil.rmtree(old, ignore_errors=True)

    # --- reading -------------------------------------------------------------
    def opened(self) -> Opened:
        """The live generation, open and reloaded if any process committed to it since it was last read."""
        name = self.current_name()
        if name is None:
            if self.builds_itself or self.is_rebuilding():
                raise IndexMissing("検索インデックスを再構築しています。しばらくしてから、もう一度お試しください。")
            raise IndexMissing("検索インデックスがまだ作成されていません。管理者が `casebook reindex` を実行するまでお待ちください。")
        path = self.directory / name
        try:
            with self._lock:
                current = self._opened
                key = _state(path)
                if current is None or current.name != name:
                    index = tantivy.Index.open(str(path))
                    index.config_reader("manual")
                    current = self._opened = Opened(name, index, index.searcher(), key)
                elif current.key != key:
                    current.index.reload()
                    current = self._opened = Opened(name, current.index, current.index.searcher(), key)
                return current
        except Exception as exc:  # a damaged generation: answer "unavailable", not a server error
            log.error("search index at %s cannot be opened: %r", self.directory, exc)
            self.damaged = True
            then = ("再構築を試みています。しばらくしてから、もう一度お試しください。" if self.builds_itself
                    else "管理者が `casebook reindex` を実行するまでお待ちください。")
            raise IndexMissing(f"検索インデックスを読み込めません。{then}") from exc
