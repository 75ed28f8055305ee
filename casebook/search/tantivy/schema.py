"""The tantivy schema the documents fill, and a document (documents.py) in tantivy's terms.

Text is analysed by casebook (analysis.py), not by tantivy: each ranked text field holds the terms
of analysis.terms joined by spaces, read by tantivy's `whitespace` tokenizer, with frequencies and
no positions (as the Whoosh engine's fields: shared/search-analysis.md). Facet values, the status,
the slug and the kanji words are `raw` terms (facets also fast, for counting by aggregation). Each
sort key is a fast number that also orders equal values by the order documents were written
(`seq`), as the Whoosh engine orders them by document number; `stored` holds what a search reads
back (the fingerprint and the similarity candidates).
"""
from __future__ import annotations

import json
from typing import Any

import tantivy

from .. import analysis, documents, facets

SCHEMA_VERSION = 1  # bump when a field's definition changes in a way describe() does not show
SEQ_BITS = 21  # the write order kept in a sort key below its value (wraps after 2 million writes)
VALUE_BITS = 42  # a sort value's range: [-2**41, 2**41) (population and yen), clamped beyond
_OFFSET = 1 << (VALUE_BITS - 1)
TEXT = dict(tokenizer_name="whitespace", index_option="freq")
RAW = dict(tokenizer_name="raw", index_option="basic")


def fields() -> list[tuple[str, str, dict[str, Any]]]:
    """(name, kind, options) of every field, in schema order."""
    out: list[tuple[str, str, dict[str, Any]]] = [
        ("slug", "text", dict(stored=True, **RAW)),
        ("status", "text", dict(RAW)),
        ("stored", "bytes", dict(stored=True)),  # {"fingerprint": …, "people": […]} as JSON
        ("words", "text", dict(RAW)),  # the document's kanji words, for readings (readings.py)
        ("seq", "unsigned", dict(fast=True, indexed=False)),
        ("detailed", "unsigned", dict(fast=True, indexed=False)),
    ]
    out += [(name, "text", dict(TEXT)) for name in documents.TEXTS]
    out += [(name, "text", dict(fast=True, **RAW)) for name in facets.names()]
    out += [(f"key_{name}", "unsigned", dict(fast=True, indexed=False)) for name in documents.SORT_KEYS]
    return out


def make_schema() -> tantivy.Schema:
    """Return the index schema (see the module docstring)."""
    builder = tantivy.SchemaBuilder()
    for name, kind, options in fields():
        getattr(builder, f"add_{kind}_field")(name, **options)
    return builder.build()


def describe() -> list[list]:
    """The field definitions (for the index fingerprint)."""
    return [[name, kind, sorted(options.items())] for name, kind, options in fields()] + [
        ["version", SCHEMA_VERSION], ["tantivy", getattr(tantivy, "__version__", "")]]


def sort_key(value: int, seq: int) -> int:
    """A sort value and the write order in one unsigned number: equal values order by `seq`."""
    clamped = min(max(int(value) + _OFFSET, 0), (1 << VALUE_BITS) - 1)
    return (clamped << SEQ_BITS) | (seq & ((1 << SEQ_BITS) - 1))


def indexed_text(text: str) -> str:
    """The index terms of `text` (analysis.spans at index time), space-separated for tantivy's whitespace tokenizer.

    The same terms as analysis.spans, made without their offsets, which tantivy does not keep:
    1.6× faster, and analysis is most of a rebuild (tests/test_tantivy_engine.py checks they agree).
    """
    parts = []
    for m in analysis._RUNS.finditer(analysis.normalize(text)[0]):  # its runs, the one definition of them
        run = m.group()
        if m.lastgroup == "word" or len(run) == 1:
            parts.append(run)
        else:
            parts.append(" ".join([a + b for a, b in zip(run, run[1:], strict=False)]))
            parts.append(run[-1] + analysis.SENTINEL)
    return " ".join(parts)


def analysed(doc: dict[str, Any]) -> dict[str, str]:
    """The analysed texts of a document (done apart from tantivy, so that it can run in other processes)."""
    return {name: indexed_text(doc[name]) for name in documents.TEXTS}


def make_document(doc: dict[str, Any], texts: dict[str, str], seq: int) -> tantivy.Document:
    """The tantivy document of a document (documents.case_document) with its analysed `texts`."""
    out = tantivy.Document()
    out.add_text("slug", doc["slug"])
    out.add_text("status", doc["status"])
    out.add_bytes("stored", json.dumps({"fingerprint": doc.get("fingerprint", ""), "people": doc.get("people", [])},
                                       ensure_ascii=False).encode("utf-8"))
    for word in doc.get("words", ()):
        out.add_text("words", word)
    for name in documents.TEXTS:
        out.add_text(name, texts[name])
    for name, values in doc["facets"].items():
        for value in values:
            out.add_text(name, value)
    sort = doc["sort"]
    out.add_unsigned("seq", seq)
    out.add_unsigned("detailed", int(sort.get("detailed", 1)))
    for name in documents.SORT_KEYS:
        out.add_unsigned(f"key_{name}", sort_key(sort.get(name, 0), seq))
    return out


def stored_of(document: tantivy.Document) -> dict[str, Any]:
    """What a search reads back from a stored document: slug, fingerprint, people."""
    raw = document.get_first("stored")
    data = json.loads(bytes(raw).decode("utf-8")) if raw else {}
    return {"slug": document.get_first("slug"), "fingerprint": data.get("fingerprint", ""),
            "people": [tuple(c) for c in data.get("people", [])]}
