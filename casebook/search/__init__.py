"""Searching cases, and keeping the search index derived from the database: the one door to it.

The rest of casebook imports `casebook.search` and the names below, nothing under it. Inside:
query.py (search arguments and results), service.py (a result page: the index gives slugs, the
database gives the cases), sync.py (the change sequence of changes.py applied to the index),
freshness.py (the background thread that keeps each process's index fresh), analysis.py
(Japanese text analysis), rows.py (what search reads from the database), and whoosh/ (the
index itself; only the modules under casebook/search/ import whoosh).
"""
from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, current_app

from .. import domain
from . import changes
from .freshness import INDEX, get_keeper
from .freshness import init_app as _init_freshness
from .query import FACETS, SORTS, FacetValue, SearchArgs, SearchResult, search
from .service import (
    FACET_LABELS,
    MAX_EXPORT,
    CaseHit,
    CasePage,
    all_result_slugs,
    facet_label,
    parse_search_args,
    search_cases,
)
from .sync import Drift, check_index, index_changes, keep_fresh, lag, rebuild_index, repair_index
from .whoosh.schema import case_document
from .whoosh.store import IndexBusy, IndexMissing, SearchIndex

__all__ = [
    "FACETS", "FACET_LABELS", "MAX_EXPORT", "SORTS", "CaseHit", "CasePage", "Drift", "FacetValue", "IndexBusy",
    "IndexMissing", "SearchArgs", "SearchIndex", "SearchResult", "all_result_slugs", "case_document", "changes",
    "check_index", "facet_label", "get_index", "get_keeper", "index_changes", "init_app", "keep_fresh", "lag",
    "parse_args", "parse_search_args", "rebuild_index", "repair_index", "search", "search_cases",
]


def init_app(app: Flask) -> None:
    """Attach the app's SearchIndex (directory, bands and lock timeout from its config) and its keeper thread."""
    from ..config import band_boundaries

    bands = domain.Bands(band_boundaries(app.config["POPULATION_BANDS"]))
    app.extensions[INDEX] = SearchIndex(app.config["SEARCH_INDEX_DIR"], bands, app.config["INDEX_LOCK_TIMEOUT"])
    _init_freshness(app)


def get_index(app: Flask | None = None) -> SearchIndex:
    """Return the current app's SearchIndex."""
    return (app or current_app).extensions[INDEX]


def parse_args(args: Mapping, app: Flask | None = None) -> SearchArgs:
    """Validate request arguments into SearchArgs, with the app's bands and page sizes."""
    app = app or current_app
    return parse_search_args(args, get_index(app).bands, app.config["PAGE_SIZE"], app.config["MAX_PAGE_SIZE"])
