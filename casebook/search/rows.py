"""What the search package reads from the database: cases with their rows, and theme labels.

Its own small queries on the models: the service layer builds on search, so search reads the
tables itself rather than through it.
"""
from __future__ import annotations

from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from ..models import Case, Theme


def _with_children():
    return (selectinload(Case.participants), selectinload(Case.effects))


def theme_labels(session: Session) -> dict[str, str]:
    """{theme code: label} in display order."""
    return {t.code: t.label for t in session.exec(select(Theme).order_by(Theme.position, Theme.code))}


def cases_by_slugs(session: Session, slugs: list[str]) -> list[Case]:
    """The cases with these slugs, in the order given (missing ones skipped)."""
    if not slugs:
        return []
    found = {c.slug: c for c in session.exec(select(Case).where(Case.slug.in_(slugs)).options(*_with_children()))}
    return [found[s] for s in slugs if s in found]


def all_cases(session: Session) -> list[Case]:
    """Every case with its participants and effects, in id order (the order a rebuild writes them in)."""
    return list(session.exec(select(Case).options(*_with_children()).order_by(Case.id)))
