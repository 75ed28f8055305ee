"""Keeping each process's search index fresh in the background.

A daemon thread per process, started at the process's first request (so it runs in every
server worker, after any fork, and never in CLI commands). Its first round makes sure the
index can be searched: a damaged index is set aside, and a missing one is built from the
database while searches answer that it is being rebuilt; the generation folder of a rebuild
that was killed (with the worker before) is removed. Every INDEX_POLL_SECONDS after
that, it applies the case changes other processes made (sync.py), and rebuilds an index
built with another fingerprint (other facets, analysis or fields) while searches keep
reading the old one. A failing round (say, the database is down) is logged and tried
again at the next.
"""
from __future__ import annotations

import logging
import os
import threading
import weakref

from flask import Flask
from sqlmodel import Session

from .. import db
from . import sync
from .engine import Engine

INDEX = "casebook.index"  # where casebook.search.init_app keeps the app's index (an Engine) in app.extensions

log = logging.getLogger(__name__)


class Keeper:
    """The background thread of one app in one process."""

    def __init__(self, app: Flask, interval: float):
        self._app = weakref.ref(app)  # the thread ends once the app is gone
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._start_lock = threading.Lock()
        self.rounds = 0

    def start(self) -> None:
        """Start the thread in this process, unless it runs already or polling is off."""
        if self.interval <= 0 or self._pid == os.getpid():
            return
        with self._start_lock:
            if self._pid == os.getpid():
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="casebook-index-keeper", daemon=True)
            self._pid = os.getpid()
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread and wait for its round to end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._pid = None

    def _run(self) -> None:
        while not self._stop.is_set():
            app = self._app()
            if app is None:
                return
            try:
                self.tend(app, first=self.rounds == 0)
                self.rounds += 1
            except Exception:
                log.exception("search index upkeep failed; retrying in %s s", self.interval)
            del app
            self._stop.wait(self.interval)

    @staticmethod
    def tend(app: Flask, first: bool = False) -> None:
        """One round: set a damaged index aside (checked on the first round and after a search failed to open it),
        build the index if it is missing, and apply new changes. The first round also removes what a killed
        rebuild left behind."""
        index: Engine = app.extensions[INDEX]
        if first:
            index.sweep()
        if (first or index.damaged) and index.exists():
            problem = index.problem()
            if problem:
                log.error("search index at %s is damaged (%s); rebuilding it from the database", index.directory, problem)
                index.discard()
            index.damaged = False
        with Session(db.get_engine(app)) as session:
            sync.index_changes(session, index, wait=False)


def poll_interval(app: Flask) -> float:
    """INDEX_POLL_SECONDS, with its default: 2 seconds, or off under TESTING."""
    value = app.config.get("INDEX_POLL_SECONDS")
    if value is None:
        return 0.0 if app.testing else 2.0
    return float(value)


def get_keeper(app: Flask) -> Keeper:
    """Return the app's Keeper."""
    return app.extensions["casebook.keeper"]


def init_app(app: Flask) -> None:
    """Attach the Keeper; it starts with the first request this process serves."""
    keeper = Keeper(app, poll_interval(app))
    app.extensions["casebook.keeper"] = keeper
    app.extensions[INDEX].builds_itself = keeper.interval > 0
    app.before_request(keeper.start)
