"""Searching cases, and keeping the search index derived from the database: the one door to both.

The rest of casebook imports `casebook.search` and the names below, nothing under it.

The contract: the database is the truth and the index is derived from it. Services commit,
recording each changed case in the change sequence (changes.py) in the same transaction; the
index then applies the changes (sync.py), and every process keeps its own index fresh in the
background (freshness.py). `case_document` (documents.py) alone turns a case into what an index
holds. An index is an `Engine` (engine.py): the Whoosh engine (whoosh/, the default) or the tantivy
engine (tantivy/), chosen by the SEARCH_ENGINE setting; each is the only code that uses its library.
Each index records a fingerprint of what built it (documents, analysis, fields); a server whose index
has another one rebuilds it by itself.

Inside: facets.py (the facet registry everything about facets derives from), args.py (the one
search-argument schema for the page and the API), results.py (the result object both render),
service.py (a result page: the index gives slugs, the database gives the cases), analysis.py
(Japanese text analysis), query.py (a query as people type it: function words, -word, OR,
synonyms), thesaurus.py (the field's paraphrases, casebook/data/thesaurus.tsv), suggest.py ("did
you mean" from the index's vocabulary), related.py (a case's related cases, by a few engine
queries), rows.py (what search reads from the database), thesaurus_live.py (the thesaurus in effect:
the shipped file with the editors' changes from the database; the thesaurus page's door).
"""
from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask, current_app

from .. import domain
from ..config import ConfigError, band_boundaries
from . import changes, facets, thesaurus_live
from .args import MAX_FACET_VALUES, SORTS, SearchArgs, SearchArgsSchema, args_schema
from .args import parse as parse_search_args
from .documents import case_document
from .engine import Engine, Hits, IndexBusy, IndexMissing, Query
from .facets import FACET_LABELS, Facet, facet_label
from .freshness import INDEX, get_keeper
from .freshness import init_app as _init_freshness
from .related import Related, related_cases
from .results import FacetResult, FacetValue, SearchResult, Suggestion, Synonyms, api_extras, search
from .service import MAX_EXPORT, CaseHit, CasePage, all_result_slugs, search_cases
from .sync import Drift, check_index, index_changes, keep_fresh, lag, rebuild_index, repair_index
from .whoosh.engine import WhooshEngine

SearchIndex = WhooshEngine  # the default engine (the SEARCH_ENGINE setting chooses an app's: make_index)
# The engines an index can run on: name -> "module:class" (imported when chosen).
ENGINES = {"whoosh": "casebook.search.whoosh.engine:WhooshEngine",
           "tantivy": "casebook.search.tantivy.engine:TantivyEngine"}

__all__ = [
    "FACET_LABELS", "MAX_EXPORT", "MAX_FACET_VALUES", "SORTS", "CaseHit", "CasePage", "Drift", "Engine", "Facet",
    "FacetResult", "FacetValue", "Hits", "IndexBusy", "IndexMissing", "Query", "SearchArgs", "SearchArgsSchema",
    "SearchIndex", "SearchResult", "Suggestion", "Synonyms", "all_result_slugs", "api_extras",
    "args_schema", "case_document", "changes", "check_index", "thesaurus_live",
    "facet_label", "facet_names", "get_index", "get_keeper", "index_changes", "init_app", "keep_fresh", "lag",
    "app_args_schema", "parse_args", "parse_search_args", "rebuild_index", "registered_facets", "repair_index", "search",
    "search_cases", "Related", "related_cases", "ENGINES", "engine_class", "make_index",
]


def init_app(app: Flask) -> None:
    """Attach the app's index (directory, bands and lock timeout from its config) and its keeper thread."""
    facets.check()
    bands = domain.Bands(band_boundaries(app.config["POPULATION_BANDS"]))
    app.extensions[INDEX] = make_index(app.config["SEARCH_INDEX_DIR"], bands, app.config["INDEX_LOCK_TIMEOUT"],
                                       app.config.get("SEARCH_ENGINE") or "whoosh")
    _init_freshness(app)


def engine_class(name: str) -> type:
    """The engine class called `name` in ENGINES ("whoosh" or "tantivy")."""
    try:
        module, _colon, cls = ENGINES[name].partition(":")
    except KeyError:
        raise ConfigError(f"CASEBOOK_SEARCH_ENGINE must be one of {', '.join(ENGINES)}, not {name!r}") from None
    return getattr(importlib.import_module(module), cls)


def make_index(directory: str | os.PathLike | Path, bands: domain.Bands | None = None, lock_timeout: float = 10.0,
               engine: str | None = None) -> Engine:
    """An index on `directory` run by the engine called `engine` (default: CASEBOOK_SEARCH_ENGINE, else Whoosh)."""
    name = engine or os.environ.get("CASEBOOK_SEARCH_ENGINE") or "whoosh"
    return engine_class(name)(directory, bands, lock_timeout)


def get_index(app: Flask | None = None) -> Engine:
    """Return the current app's index."""
    return (app or current_app).extensions[INDEX]


def parse_args(args: Mapping, strict: bool = False, app: Flask | None = None) -> SearchArgs:
    """Validate request arguments into SearchArgs with the app's bands and page sizes (`strict`: the API's way)."""
    app = app or current_app
    return parse_search_args(args, get_index(app).bands, app.config["PAGE_SIZE"], app.config["MAX_PAGE_SIZE"],
                             strict=strict)


def app_args_schema(app: Flask | None = None) -> SearchArgsSchema:
    """The app's search-argument schema (as the API documents it)."""
    app = app or current_app
    return args_schema(get_index(app).bands, app.config["MAX_PAGE_SIZE"])


def facet_names() -> tuple[str, ...]:
    """The registered facets' names, in display order."""
    return facets.names()


def registered_facets() -> tuple[Facet, ...]:
    """The registered facets, in display order."""
    return facets.registered()
