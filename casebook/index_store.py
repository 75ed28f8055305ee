"""The on-disk Whoosh index: schema, the case → document mapping, generations, updates.

The index contract:
- The database is the truth; the index is derived from it by `case_document` alone.
  Services commit first and index after; a failed index update is logged and shows up as
  drift in `check` (each document stores a fingerprint of itself), which `--repair` fixes.
- The index directory holds generations (`gen-*` folders) and a `CURRENT` file naming the
  live one. A rebuild writes a fresh generation and swaps `CURRENT`, so a search never sees
  a half-built index. Incremental updates take the live generation's writer lock.
- Searchers are opened per search (they are not thread-safe); facet document sets are
  cached per index generation, since they only change when the index does.
- Only this module, search.py and analysis.py import whoosh.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.searching import Searcher

from . import analysis, domain

FACETS = ("theme", "band", "region", "pref", "kind", "year", "tag")
PARALLEL_FROM = 1000  # documents from which a rebuild writes with several processes
UNKNOWN_LAST = 2**62


class IndexMissing(RuntimeError):
    """The index has not been built yet (run `casebook reindex`)."""


class IndexBusy(RuntimeError):
    """The index writer lock could not be had in time."""


def make_schema() -> Schema:
    """Return the index schema: ids, three ranked text fields, facets and sort keys."""
    text = analysis.analyzer()
    keyword = dict(commas=True, scorable=False)
    return Schema(
        slug=ID(stored=True, unique=True),
        fingerprint=STORED(),
        people=STORED(),  # [[name, population, prefecture], …] for similar-size ranking
        status=ID(),
        title=TEXT(analyzer=text, phrase=False),
        summary=TEXT(analyzer=text, phrase=False),
        all=TEXT(analyzer=text, phrase=False),
        theme=KEYWORD(**keyword),
        band=KEYWORD(**keyword),
        region=KEYWORD(**keyword),
        pref=KEYWORD(**keyword),
        kind=KEYWORD(**keyword),
        year=KEYWORD(**keyword),
        tag=KEYWORD(**keyword),
        population=NUMERIC(numtype=int, bits=64, sortable=True),
        population_asc=NUMERIC(numtype=int, bits=64, sortable=True),  # unknown sorts last
        effect_yen=NUMERIC(numtype=int, bits=64, sortable=True),
        updated=NUMERIC(numtype=int, bits=64, sortable=True),
    )


def case_document(case, theme_labels: dict[str, str], bands: domain.Bands) -> dict:
    """Return the index document of a case: the only place that decides what is indexed."""
    people = list(case.participants)
    total = domain.total_population(people)
    band_codes = set()
    if total is not None:
        band_codes.add(bands.band_of(total).code)
    for p in people:
        if p.population is not None and p.kind != "association":
            band_codes.add(bands.band_of(p.population).code)
    prefs = [p.prefecture for p in people if p.prefecture]
    regions = [r for r in (domain.region_of(p) for p in prefs) if r]
    effects = list(case.effects)
    text = "\n".join([
        case.title, case.summary, case.background, case.approach, case.outcome,
        *(f"{e.label} {e.amount} {e.wording}" for e in effects),
        *(f"{p.prefecture or ''}{p.name}" for p in people),
        *(theme_labels.get(t, t) for t in case.themes),
        *case.tags, case.source_title, case.event_name,
    ])
    yen = [e.yen for e in effects if e.yen is not None]
    doc = {
        "slug": case.slug,
        "status": case.status,
        "title": case.title,
        "summary": case.summary,
        "all": text,
        "theme": ",".join(sorted(set(case.themes))),
        "band": ",".join(sorted(band_codes)),
        "region": ",".join(sorted(set(regions))),
        "pref": ",".join(sorted(set(prefs))),
        "kind": ",".join(sorted({p.kind for p in people})),
        "year": str(case.start_fiscal_year) if case.start_fiscal_year else "",
        "tag": ",".join(sorted(set(case.tags))),
        "population": total or 0,
        "population_asc": total if total is not None else UNKNOWN_LAST,
        "effect_yen": max(yen) if yen else 0,
        "updated": int(case.updated_at.timestamp()),
        "people": [list(c) for c in domain.similarity_candidates(people)],
    }
    doc["fingerprint"] = hashlib.sha1(
        json.dumps(doc, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
    return doc


class SearchIndex:
    """The on-disk index: generations under one directory, `CURRENT` naming the live one."""

    def __init__(self, directory: str | os.PathLike, bands: domain.Bands | None = None,
                 lock_timeout: float = 10.0):
        self.directory = Path(directory)
        self.bands = bands or domain.Bands()
        self.lock_timeout = lock_timeout
        self.schema = make_schema()
        self._opened: dict[str, whoosh_index.Index] = {}
        self._facet_cache: dict[tuple[str, int], FacetSets] = {}
        self._people_cache: dict[tuple[str, int], dict[int, list]] = {}
        self._lock = threading.Lock()

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
            raise IndexMissing("検索インデックスがまだ作成されていません")
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
    def rebuild(self, docs: Iterable[dict]) -> int:
        """Write all `docs` into a fresh generation and make it live; return the count.

        The live generation's writer lock is held meanwhile, so incremental updates wait
        and then apply to the new generation. Large rebuilds write with one process per core
        (one segment each), which halves the build time on two cores.
        """
        held = None
        name = self.current_name()
        if name is not None:
            held = self._open(name).writer(timeout=self.lock_timeout)
        try:
            docs = list(docs)
            path = self._new_generation()
            ix = whoosh_index.open_dir(str(path))
            procs = min(os.cpu_count() or 1, 4) if len(docs) >= PARALLEL_FROM else 1
            writer = (ix.writer(procs=procs, limitmb=128, multisegment=True) if procs > 1
                      else ix.writer(limitmb=256))
            try:
                for doc in docs:
                    writer.add_document(**doc)
            except BaseException:
                writer.cancel()
                shutil.rmtree(path, ignore_errors=True)
                raise
            writer.commit()
            self._swap(path)
            return len(docs)
        finally:
            if held is not None:
                held.cancel()

    def update(self, docs: Iterable[dict] = (), delete: Iterable[str] = ()) -> None:
        """Add or replace `docs` and delete the slugs in `delete`, in one commit."""
        docs, delete = list(docs), list(delete)
        if not self.exists():
            self.rebuild([])
        for _attempt in range(3):
            name, ix = self._live()
            try:
                writer = ix.writer(timeout=self.lock_timeout)
            except whoosh_index.LockError as exc:
                raise IndexBusy("検索インデックスが更新中です") from exc
            if self.current_name() != name:  # a rebuild swapped generations meanwhile
                writer.cancel()
                continue
            try:
                for slug in delete:
                    writer.delete_by_term("slug", slug)
                for doc in docs:
                    writer.update_document(**doc)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            return
        raise IndexBusy("検索インデックスの世代が切り替わり続けています")

    # --- reading -------------------------------------------------------------
    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """Open a searcher on the live generation for the duration of one search."""
        _name, ix = self._live()
        searcher = ix.searcher()
        try:
            yield searcher
        finally:
            searcher.close()

    def stored(self) -> dict[str, str]:
        """Return {slug: fingerprint} for every document in the index."""
        with self.searcher() as searcher:
            return {f["slug"]: f.get("fingerprint", "") for f in searcher.all_stored_fields()}

    def facet_sets(self, searcher: Searcher) -> FacetSets:
        """Return the document sets per facet value for the searcher's generation."""
        key = (self.current_name() or "", searcher.ixreader.generation() or 0)
        with self._lock:
            cached = self._facet_cache.get(key)
        if cached is None:
            cached = FacetSets.read(searcher)
            with self._lock:
                self._facet_cache = {key: cached}
        return cached


    def people(self, searcher: Searcher) -> dict[int, list]:
        """Return {docnum: similarity candidates} for the searcher's generation (built on first use)."""
        key = (self.current_name() or "", searcher.ixreader.generation() or 0)
        with self._lock:
            cached = self._people_cache.get(key)
        if cached is None:
            reader = searcher.ixreader
            cached = {d: [tuple(c) for c in reader.stored_fields(d).get("people", [])] for d in reader.all_doc_ids()}
            with self._lock:
                self._people_cache = {key: cached}
        return cached


@dataclass
class FacetSets:
    """Document numbers of published cases, and per facet value."""

    published: frozenset[int]
    values: dict[str, dict[str, frozenset[int]]]

    @classmethod
    def read(cls, searcher: Searcher) -> FacetSets:
        reader = searcher.ixreader
        published = frozenset(reader.postings("status", "published").all_ids()) \
            if ("status", "published") in reader else frozenset()
        values: dict[str, dict[str, frozenset[int]]] = {}
        for facet in FACETS:
            values[facet] = {}
            for term in reader.field_terms(facet):
                ids = frozenset(reader.postings(facet, term).all_ids()) & published
                if ids:
                    values[facet][term] = ids
        return cls(published, values)
