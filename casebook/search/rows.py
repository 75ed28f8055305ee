"""What the search package reads from the database: cases with their rows, and theme labels.

Its own small queries on the models: the service layer builds on search, so search reads the
tables itself rather than through it.
"""
from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.orm import joinedload, selectinload
from sqlmodel import Session, select

from ..models import Case, Municipality, Theme


def _with_children():
    return (selectinload(Case.sources), selectinload(Case.participants), selectinload(Case.effects))


def theme_labels(session: Session) -> dict[str, str]:
    """{theme code: label} in display order."""
    return {t.code: t.label for t in session.exec(select(Theme).order_by(Theme.position, Theme.code))}


def cases_by_slugs(session: Session, slugs: list[str]) -> list[Case]:
    """The cases with these slugs, in the order given (missing ones skipped)."""
    if not slugs:
        return []
    found = {c.slug: c for c in session.exec(select(Case).where(Case.slug.in_(slugs)).options(*_with_children()))}
    return with_covered(session, [found[s] for s in slugs if s in found])


def cards_by_slugs(session: Session, slugs: list[str]) -> list[Case]:
    """The cases with these slugs, in the order given, with their participants only: what a result
    card and the API's case summary show, read in one query (sources and effects load if touched)."""
    if not slugs:
        return []
    stmt = select(Case).where(Case.slug.in_(slugs)).options(joinedload(Case.participants))
    found = {c.slug: c for c in session.exec(stmt).unique()}
    return with_covered(session, [found[s] for s in slugs if s in found])


def all_slugs(session: Session) -> list[str]:
    """Every case's slug, in id order."""
    return list(session.exec(select(Case.slug).order_by(Case.id)))


REBUILD_BATCH = 500  # cases read at a time by a rebuild or an index check


def each_case(session: Session, batch: int = REBUILD_BATCH) -> Iterator[Case]:
    """Every case with its participants and effects, in id order (the order a rebuild writes them
    in), read `batch` at a time: a rebuild of 50,000 cases holds one batch, not all of them.
    A case changed while this reads is also in the change sequence, which the index applies after."""
    last = None
    while True:
        stmt = select(Case).options(*_with_children()).order_by(Case.id).limit(batch)
        if last is not None:
            stmt = stmt.where(Case.id > last)
        found = with_covered(session, list(session.exec(stmt)))
        if not found:
            return
        last = found[-1].id
        yield from found  # the session's identity map holds them weakly: a batch goes once it is used


def with_covered(session: Session, cases: list[Case]) -> list[Case]:
    """Give each case `covered`: (prefecture, population) of every municipality its prefecture-wide
    participants (covers "all_municipalities") stand for, from the master; so that a town finds a
    prefecture's plan by its own size. Empty without such participants or without the master."""
    prefectures = {p.prefecture for c in cases for p in c.participants if p.covers == "all_municipalities" and p.prefecture}
    by_prefecture: dict[str, list[int]] = {}
    if prefectures:
        rows = session.exec(select(Municipality.prefecture, Municipality.population).where(
            Municipality.prefecture.in_(sorted(prefectures)), Municipality.kind != "prefecture",
            Municipality.population.is_not(None)).order_by(Municipality.code))
        for prefecture, population in rows:
            by_prefecture.setdefault(prefecture, []).append(population)
    for case in cases:
        case.__dict__["covered"] = [(p.prefecture, n) for p in case.participants if p.covers == "all_municipalities"
                                    for n in by_prefecture.get(p.prefecture, [])]
    return cases
