"""The thesaurus in effect in each process: the shipped file with the editors' changes from the database.

The door the rest of casebook uses for the thesaurus (`search.thesaurus_live`): the lines in effect,
the export, the word test, and `forget` after a change.

Several processes may share one database, each with its own index; the thesaurus is applied when
a query is read, so none needs a rebuild, only the newest changes. Every change raises the one
counter row (models.ThesaurusVersion) in its transaction. A process keeps the thesaurus it built
with the counter it saw, and asks the database for the counter again at most every
INDEX_POLL_SECONDS (the index's poll: 2 seconds by default, every search under TESTING); when it
moved, it reads the changes and builds the thesaurus again. The process that made a change calls
`forget` after its commit and sees it at once.

The database unreachable or not yet upgraded (no thesaurus tables), searches go on with the
thesaurus last built, or the shipped one: never an error page for a synonym.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from flask import Flask, current_app, has_app_context
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from .. import db
from ..models import ThesaurusEntry, ThesaurusVersion
from . import analysis, query, thesaurus, thesaurus_changes
from .freshness import poll_interval
from .thesaurus import Line, key, searchable
from .thesaurus_changes import Family

__all__ = ["Expansion", "Family", "Line", "build", "changes", "current", "expand", "export", "families", "forget",
           "inert", "key", "searchable", "version"]

EXTENSION = "casebook.thesaurus"  # where each app keeps its Live in app.extensions

log = logging.getLogger(__name__)


def version(session: Session) -> int:
    """The change counter (0 before the first change)."""
    return session.exec(select(ThesaurusVersion.version).where(ThesaurusVersion.id == 1)).first() or 0


def changes(session: Session) -> list[ThesaurusEntry]:
    """The editors' changes, oldest first."""
    return list(session.exec(select(ThesaurusEntry).order_by(ThesaurusEntry.id)))


def build(session: Session) -> thesaurus.Thesaurus:
    """The thesaurus in effect for this database, read now (ThesaurusError when a change cannot be read)."""
    return thesaurus.parse(thesaurus_changes.compose(thesaurus.shipped_text(), changes(session)))


def export(session: Session) -> str:
    """The thesaurus in effect as a file in the shipped format (the shipped file with the changes in place)."""
    return thesaurus_changes.compose(thesaurus.shipped_text(), changes(session))


def families(session: Session) -> list[Family]:
    """The lines of the thesaurus in effect and the shipped lines removed (thesaurus_changes.families)."""
    return thesaurus_changes.families(thesaurus.shipped_text(), changes(session))


def inert(session: Session) -> list[ThesaurusEntry]:
    """The changes the shipped file has taken in since (thesaurus_changes.inert): they change nothing."""
    return thesaurus_changes.inert(thesaurus.shipped_text(), changes(session))


@dataclass
class Live:
    """One app's thesaurus in this process and the counter it was built at."""

    interval: float
    built: thesaurus.Thesaurus | None = None
    seen: int | None = None
    checked: float = float("-inf")

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def get(self, app: Flask) -> thesaurus.Thesaurus:
        """The thesaurus, after asking the database for the counter if the last check is older than the interval."""
        if self.built is not None and time.monotonic() - self.checked < self.interval:
            return self.built
        with self._lock:
            if self.built is not None and time.monotonic() - self.checked < self.interval:
                return self.built
            try:
                with Session(db.get_engine(app)) as session:
                    now = version(session)
                    if now != self.seen or self.built is None:
                        self.built, self.seen = build(session), now
            except (SQLAlchemyError, thesaurus.ThesaurusError) as exc:
                log.warning("the editors' thesaurus changes cannot be read (%s); searching with the thesaurus "
                            "last read", exc)
                if self.built is None:
                    self.built = thesaurus.shipped()
            self.checked = time.monotonic()
            return self.built

    def forget(self) -> None:
        """Read the database again at the next search (after this process changed the thesaurus)."""
        self.seen, self.checked = None, float("-inf")


def live(app: Flask) -> Live:
    """The app's Live, made at its first use."""
    found = app.extensions.get(EXTENSION)
    if found is None:
        found = app.extensions.setdefault(EXTENSION, Live(poll_interval(app)))
    return found


def current() -> thesaurus.Thesaurus:
    """The thesaurus in effect for the current app, or the shipped one outside an app."""
    if not has_app_context():
        return thesaurus.shipped()
    app = current_app._get_current_object()
    return live(app).get(app)


def forget(app: Flask | None = None) -> None:
    """After a change to the thesaurus is committed: the next search of this process reads it."""
    live(app or current_app._get_current_object()).forget()


@dataclass(frozen=True)
class Expansion:
    """What one word of a query is searched as: each form with the thesaurus words used to make it."""

    word: str
    forms: tuple[tuple[str, tuple[str, ...]], ...]  # (form, thesaurus words used); the word itself first


def expand(text: str) -> tuple[list[Expansion], list[str]]:
    """How a query is read with the thesaurus in effect: its words with their forms, and the words left out."""
    clean, _notes = analysis.clean_query(text)
    parsed = query.parse(clean, current())
    return [Expansion(w.text, tuple((f.text, f.via) for f in w.forms)) for w in parsed.words], parsed.dropped
