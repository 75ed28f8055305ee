"""Readiness: can this process serve, and is its search index close enough to the database?"""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from .. import search
from ..search import changes

log = logging.getLogger(__name__)


def readiness(session: Session, index: search.SearchIndex, max_lag: int) -> tuple[bool, dict[str, Any]]:
    """Whether this process is ready, and the details: database, index generation, change numbers, lag."""
    try:
        latest: int | None = changes.latest(session)
        database = "ok"
    except SQLAlchemyError as exc:
        log.error("readiness: database unavailable: %s", getattr(exc, "orig", None) or exc)
        latest, database = None, "unavailable"
    applied = index.applied()
    lag = latest - applied if latest is not None and applied is not None else None
    ready = database == "ok" and applied is not None and lag is not None and lag <= max_lag
    return ready, {
        "status": "ok" if ready else "unavailable",
        "database": database,
        "index": {"present": applied is not None, "generation": index.current_name(), "applied": applied,
                  "rebuilding": index.is_rebuilding()},
        "latest": latest,
        "lag": lag,
        "max_lag": max_lag,
    }
