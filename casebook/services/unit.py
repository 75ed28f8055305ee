"""The unit of work: services write and flush; this block commits, then brings the index up to date.

    with unit_of_work(session, index):
        cases.save_case(session, data, author=user)

On leaving the block normally the session is committed and the index applies the committed
changes (search.index_changes: the change sequence says which cases). On an exception the
session is rolled back, nothing is indexed and the exception goes on. A failed index update
never undoes the commit: the database is the truth, and the change stays pending until the
next apply, the background poll or `casebook check-index --repair`.

A batch that commits part by part (the case-file loader: each file on its own) calls
`work.commit()` / `work.rollback()` inside one block; the index is updated once, at the end.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

from .. import search


class UnitOfWork:
    """One block of writes: the session to write with, and the index that follows it."""

    def __init__(self, session: Session, index: search.Engine) -> None:
        self.session = session
        self.index = index
        self.indexed: bool | None = None  # after the block: whether the index took the changes

    def commit(self) -> None:
        """Commit what is written so far; the index follows when the block ends."""
        self.session.commit()

    def rollback(self) -> None:
        """Drop what is written since the last commit."""
        self.session.rollback()


@contextmanager
def unit_of_work(session: Session, index: search.Engine) -> Iterator[UnitOfWork]:
    """Commit the block's writes, then apply them to `index`; roll back when the block raises."""
    work = UnitOfWork(session, index)
    try:
        yield work
        session.commit()
    except BaseException:
        session.rollback()
        raise
    work.indexed = search.index_changes(session, index)
