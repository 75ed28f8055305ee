"""Keeping the search index up to date: applying recorded changes, rebuilding, finding and repairing drift.

Every committed change to a case has a number in the change sequence (changes.py);
an index applies the changes after the last number it holds. The process that made a change
applies it right after its commit (so an editor sees their edit at once), and every process
also applies what others made, on a short poll and before a search when it is behind
(freshness.py). Applying re-reads each changed case from the database: it replaces
the case's document, or deletes it when the case is gone, so applying twice is harmless.

An index built by other code (its fingerprint differs: another facet registry, analysis or
field definitions) is not updated but rebuilt, like one that is ahead of the database or needs
pruned changes; until the rebuild swaps in, searches keep reading the old generation. This module
reads the database itself (rows.py): the service layer builds on search, not the other way round.
"""
from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass, field

from sqlmodel import Session

from . import changes
from .documents import case_document
from .engine import Engine, IndexBusy
from .rows import all_slugs, cases_by_slugs, each_case, theme_labels

log = logging.getLogger(__name__)

BATCH = 500  # changes applied per index commit
CHECK_EVERY = 0.5  # seconds between a process's "is the index behind?" checks before searches


@dataclass
class Drift:
    """Differences between the database and the index."""

    missing: list[str] = field(default_factory=list)   # in the database, not in the index
    stale: list[str] = field(default_factory=list)     # indexed from older content
    orphaned: list[str] = field(default_factory=list)  # in the index, not in the database
    # (recorded, expected) when the index was built with another fingerprint and must be rebuilt
    fingerprint: tuple[str, str] | None = None

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.orphaned or self.fingerprint)


def rebuild_index(session: Session, index: Engine) -> int:
    """Rebuild the whole index from the database; return how many cases it holds."""
    upto = changes.latest(session)  # read before the cases, so they hold every change up to it
    labels = theme_labels(session)
    return index.rebuild((case_document(c, labels, index.bands) for c in each_case(session)), applied=upto)


def index_changes(session: Session, index: Engine, wait: bool = True, rebuild: bool = True) -> bool:
    """Apply every committed change the index does not hold yet; log loudly and return False on failure.

    Without an index, builds it from the database. With `wait` False, returns at once (True)
    when another writer is busy with the index: it, or the next poll, applies the changes.
    A failure leaves the database as committed; the next apply, or `casebook check-index
    --repair`, fixes it. With `rebuild` False, an index that must be rebuilt (it is ahead of
    the database, needs pruned changes, or has another fingerprint) is left for the background
    thread.
    """
    # A session of its own: it reads the cases as committed now, whatever the caller's has loaded.
    try:
        with Session(session.get_bind()) as fresh:
            if not index.exists():
                with index.rebuilding(wait=wait) as mine:
                    if mine and not index.exists():
                        rebuild_index(fresh, index)
                if not index.exists():
                    return True  # another process is building it and applies the changes after
            oldest, latest = changes.bounds(fresh)
            if _must_rebuild(index, oldest, latest):
                if not rebuild:
                    return True
                with index.rebuilding(wait=wait) as mine:
                    why = _must_rebuild(index, oldest, latest) if mine else None  # another may have just rebuilt it
                    if why:  # else another process is rebuilding it, and applies the changes after
                        log.warning("search index %s %s; rebuilding it", index.directory, why)
                        rebuild_index(fresh, index)
                if mine and not why:
                    return index_changes(fresh, index, wait, rebuild)
                return True
            more: list[bool] = []  # _plan notes here that changes remain after its batch
            plan = functools.partial(_plan, fresh, index, more)
            while True:
                more.clear()
                if not index.apply(plan, wait=wait) or not more:
                    return True
    except IndexBusy:
        log.error("search index update failed (busy); it will be retried, or run `casebook check-index --repair`")
        return False
    except Exception:  # the database went away, the disk is full…: the changes stay pending, applied later
        log.exception("search index update failed; it will be retried, or run `casebook check-index --repair`")
        return False


def _must_rebuild(index: Engine, oldest: int, latest: int) -> str | None:
    # Why the index cannot be brought up to date change by change, if it cannot.
    applied = index.applied() or 0
    if applied > latest or applied < oldest - 1:  # ahead of the database, or behind pruned changes
        return f"holds changes up to {applied}, but the database keeps {oldest} to {latest}"
    if index.outdated():
        return f"was built with fingerprint {index.fingerprint() or '(none)'}, this code builds {index.expected_fingerprint()}"
    return None


def _plan(session: Session, index: Engine, more: list, after: int) -> tuple[list[dict], list[str], int]:
    # The documents and deletions for the changes after `after` (one batch); `more` learns if others remain.
    rows = changes.since(session, after, BATCH)
    if not rows:
        return [], [], after
    if len(rows) == BATCH:
        more.append(True)
    slugs = list(dict.fromkeys(r.slug for r in rows))
    found = cases_by_slugs(session, slugs)
    labels = theme_labels(session)
    docs = [case_document(c, labels, index.bands) for c in found]
    gone = sorted(set(slugs) - {c.slug for c in found})
    return docs, gone, rows[-1].id


def lag(session: Session, index: Engine) -> tuple[int, int | None]:
    """The newest change number and the number the index holds (None without an index)."""
    return changes.latest(session), index.applied()


def keep_fresh(session: Session, index: Engine) -> None:
    """Before a search: apply other processes' changes if the index is behind (checked at most every CHECK_EVERY s)."""
    now = time.monotonic()
    if now - index.checked_at < CHECK_EVERY:
        return
    index.checked_at = now
    latest, applied = lag(session, index)
    if applied is not None and applied < latest:
        # A rebuild takes a minute at 10,000 cases: not in a search request when a thread can do it.
        index_changes(session, index, wait=False, rebuild=not index.builds_itself)


def check_index(session: Session, index: Engine) -> Drift:
    """Compare every case's document with what the index holds."""
    if not index.exists():
        return Drift(missing=all_slugs(session))
    stored = index.stored()
    labels = theme_labels(session)
    drift = Drift()
    if index.outdated():
        drift.fingerprint = (index.fingerprint() or "", index.expected_fingerprint())
    slugs = set()
    for case in each_case(session):
        slugs.add(case.slug)
        fingerprint = case_document(case, labels, index.bands)["fingerprint"]
        if case.slug not in stored:
            drift.missing.append(case.slug)
        elif stored[case.slug] != fingerprint:
            drift.stale.append(case.slug)
    drift.orphaned = sorted(set(stored) - slugs)
    return drift


def repair_index(session: Session, index: Engine, drift: Drift) -> bool:
    """Re-index missing and stale cases and drop orphaned documents; rebuild an index of another fingerprint."""
    wanted = set(drift.missing) | set(drift.stale)
    labels = theme_labels(session)
    try:
        if drift.fingerprint:
            rebuild_index(session, index)
            return True
        docs = [case_document(c, labels, index.bands) for c in cases_by_slugs(session, sorted(wanted))]
        index.update(docs, drift.orphaned)
    except IndexBusy:
        log.error("search index repair failed (busy); run `casebook check-index --repair` again")
        return False
    return True
