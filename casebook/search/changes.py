"""The change sequence: every committed change to a case, numbered, for search indexes to apply.

Each server keeps its own search index; the database says what changed. A service that
changes a case calls `record` in the same transaction, so the change row exists exactly when
the change does. An index remembers the last number it applied and applies the rows after it
(sync.py). Applying a row twice is harmless: it re-reads the case.

Numbers must become visible in order: a reader that sees number n must never later see a
smaller one commit, or it would skip it. SQLite has a single writer, so its numbers are
given in commit order already. On PostgreSQL, two transactions could take numbers 10 and
11 and commit 11 first; so `record` first takes a transaction-level advisory lock, held
until commit or rollback, which makes case-changing transactions take turns from their
first write on. A rolled-back transaction leaves a gap, which is harmless.

Old rows can be pruned (`casebook changes prune`); the newest row always stays, so numbers
keep growing. An index that still needs pruned rows (it holds a number below the oldest row
left, minus one) cannot catch up row by row and is rebuilt instead (sync.py).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, text
from sqlmodel import Session, select

from ..models import CaseChange

# Any fixed 64-bit number; names the advisory lock that orders change numbers on PostgreSQL.
ADVISORY_LOCK = 0x63617365_626F6F6B  # "casebook"


def record(session: Session, slug: str) -> None:
    """Add a change row for `slug` to the session's transaction (call before its first write)."""
    connection = session.connection()  # not session.execute: that would flush pending writes first
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
    session.add(CaseChange(slug=slug))


def latest(session: Session) -> int:
    """The newest committed change number (0 when there is none)."""
    return session.exec(select(func.max(CaseChange.id))).one() or 0


def since(session: Session, after: int, limit: int) -> list[CaseChange]:
    """The committed changes numbered above `after`, oldest first, at most `limit`."""
    return list(session.exec(select(CaseChange).where(CaseChange.id > after).order_by(CaseChange.id).limit(limit)))


def bounds(session: Session) -> tuple[int, int]:
    """The oldest and newest change numbers kept (0, 0 when there is none)."""
    oldest, newest = session.exec(select(func.min(CaseChange.id), func.max(CaseChange.id))).one()
    return oldest or 0, newest or 0


def prune(session: Session, before: datetime) -> int:
    """Delete the changes recorded before `before`, except the newest; commit; return how many went."""
    newest = latest(session)
    result = session.exec(delete(CaseChange).where(CaseChange.at < before, CaseChange.id < newest))
    session.commit()
    return result.rowcount or 0
