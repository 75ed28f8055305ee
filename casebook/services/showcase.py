"""What the home page shows besides the search: the recently updated cases, detailed ones first."""
from __future__ import annotations

from sqlalchemy import case as when
from sqlmodel import Session, select

from ..models import Case
from .cases import with_children

OUTLINE = "outline"  # Case.detail of a case with only its outline (the page marks it 「概要のみ」)


def recent_cases(session: Session, limit: int = 5) -> list[Case]:
    """The most recently updated published cases, detailed ones before outline-only ones.

    Outline-only cases (stubs waiting for their details) fill the list only when there are
    fewer than `limit` detailed ones; the page marks each of them.
    """
    stmt = (select(Case).where(Case.status == "published").options(*with_children())
            .order_by(when((Case.detail == OUTLINE, 1), else_=0), Case.updated_at.desc(), Case.id.desc())
            .limit(limit))
    return list(session.exec(stmt))

