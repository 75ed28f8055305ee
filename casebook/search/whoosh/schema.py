"""The Whoosh schema the documents fill, and a document (documents.py) in Whoosh's terms.

One KEYWORD field per registered facet (facets.py), three ranked text fields without positions
(shared/search-analysis.md: 3.8× smaller, 3× faster, no loss of quality), sortable numbers, and
what is stored: the slug, the document's fingerprint and the similarity candidates; and the kanji words of each document.
"""
from __future__ import annotations

from typing import Any

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from .. import documents, facets
from .analyzer import analyzer

SCHEMA_VERSION = 1  # bump when a field's definition changes in a way describe() does not show


def make_schema() -> Schema:
    """Return the index schema: ids, three ranked text fields, the facets and the sort keys."""
    text = analyzer()
    keyword = dict(commas=True, scorable=False)
    number = dict(numtype=int, bits=64, sortable=True)
    return Schema(
        slug=ID(stored=True, unique=True),
        fingerprint=STORED(),
        people=STORED(),  # [[name, population, prefecture], …] for similar-size ranking
        status=ID(),
        words=KEYWORD(**keyword),  # the document's kanji words, for readings (readings.py)
        **{name: TEXT(analyzer=text, phrase=False) for name in documents.TEXTS},
        **{name: KEYWORD(**keyword) for name in facets.names()},
        **{name: NUMERIC(**number) for name in documents.SORT_KEYS},
    )


def describe(schema: Schema) -> list[list]:
    """The field definitions (for the index fingerprint): name, type and what is kept of each."""
    return [[name, type(f).__name__, bool(f.stored), bool(f.unique), bool(f.scorable),
             type(f.format).__name__ if f.format else None, bool(f.column_type), getattr(f, "analyzer", None).__class__.__name__]
            for name, f in sorted(schema.items())] + [["version", SCHEMA_VERSION]]


def fields_of(doc: dict[str, Any]) -> dict[str, Any]:
    """The Whoosh fields of a document: facet values comma-separated (no value holds a comma)."""
    out = {name: doc[name] for name in ("slug", "status", "fingerprint", "people", *documents.TEXTS)}
    out.update({name: ",".join(values) for name, values in doc["facets"].items()})
    out["words"] = ",".join(doc.get("words", ()))
    out.update(doc["sort"])
    return out
