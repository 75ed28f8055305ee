"""Rebuilding the search index from the database, and finding and repairing drift."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from .. import search
from .cases import all_cases, index_cases, theme_labels


@dataclass
class Drift:
    """Differences between the database and the index."""

    missing: list[str] = field(default_factory=list)   # in the database, not in the index
    stale: list[str] = field(default_factory=list)     # indexed from older content
    orphaned: list[str] = field(default_factory=list)  # in the index, not in the database

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.orphaned)


def rebuild_index(session: Session, index: search.SearchIndex) -> int:
    """Rebuild the whole index from the database; return how many cases it holds."""
    labels = theme_labels(session)
    return index.rebuild(search.case_document(c, labels, index.bands) for c in all_cases(session))


def check_index(session: Session, index: search.SearchIndex) -> Drift:
    """Compare every case's document with what the index holds."""
    if not index.exists():
        return Drift(missing=[c.slug for c in all_cases(session)])
    stored = index.stored()
    labels = theme_labels(session)
    drift = Drift()
    slugs = set()
    for case in all_cases(session):
        slugs.add(case.slug)
        fingerprint = search.case_document(case, labels, index.bands)["fingerprint"]
        if case.slug not in stored:
            drift.missing.append(case.slug)
        elif stored[case.slug] != fingerprint:
            drift.stale.append(case.slug)
    drift.orphaned = sorted(set(stored) - slugs)
    return drift


def repair_index(session: Session, index: search.SearchIndex, drift: Drift) -> bool:
    """Re-index missing and stale cases and drop orphaned documents."""
    wanted = set(drift.missing) | set(drift.stale)
    cases = [c for c in all_cases(session) if c.slug in wanted]
    return index_cases(session, index, cases, delete=drift.orphaned)
