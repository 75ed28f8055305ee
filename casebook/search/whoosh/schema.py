"""The index document of a case, and the index schema it fills: what is indexed, decided in one place.

`case_document` is the only function that turns a case into what the index holds; each
document stores a fingerprint of itself, so `check-index` finds what was indexed from other
content (see index_store.py for the rest of the index contract).
"""
from __future__ import annotations

import hashlib
import json

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from ... import domain
from .. import analysis

UNKNOWN_LAST = 2**62  # the ascending population sort key of a case without a known population


def make_schema() -> Schema:
    """Return the index schema: ids, three ranked text fields, facets and sort keys."""
    text = analysis.analyzer()
    keyword = dict(commas=True, scorable=False)
    return Schema(
        slug=ID(stored=True, unique=True),
        fingerprint=STORED(),
        people=STORED(),  # [[name, population, prefecture], …] for similar-size ranking
        status=ID(),
        title=TEXT(analyzer=text, phrase=False),
        summary=TEXT(analyzer=text, phrase=False),
        all=TEXT(analyzer=text, phrase=False),
        theme=KEYWORD(**keyword),
        band=KEYWORD(**keyword),
        region=KEYWORD(**keyword),
        pref=KEYWORD(**keyword),
        kind=KEYWORD(**keyword),
        year=KEYWORD(**keyword),
        tag=KEYWORD(**keyword),
        population=NUMERIC(numtype=int, bits=64, sortable=True),
        population_asc=NUMERIC(numtype=int, bits=64, sortable=True),  # unknown sorts last
        effect_yen=NUMERIC(numtype=int, bits=64, sortable=True),
        updated=NUMERIC(numtype=int, bits=64, sortable=True),
    )


def case_document(case, theme_labels: dict[str, str], bands: domain.Bands) -> dict:
    """Return the index document of a case: the only place that decides what is indexed."""
    people = list(case.participants)
    total = domain.total_population(people)
    band_codes = set()
    if total is not None:
        band_codes.add(bands.band_of(total).code)
    for p in people:
        if p.population is not None and p.kind != "association":
            band_codes.add(bands.band_of(p.population).code)
    prefs = [p.prefecture for p in people if p.prefecture]
    regions = [r for r in (domain.region_of(p) for p in prefs) if r]
    effects = list(case.effects)
    text = "\n".join([
        case.title, case.summary, case.background, case.approach, case.outcome,
        *(f"{e.label} {e.amount} {e.wording}" for e in effects),
        *(f"{p.prefecture or ''}{p.name}" for p in people),
        *(theme_labels.get(t, t) for t in case.themes),
        *case.tags, case.source_title, case.event_name,
    ])
    yen = [e.yen for e in effects if e.yen is not None]
    doc = {
        "slug": case.slug,
        "status": case.status,
        "title": case.title,
        "summary": case.summary,
        "all": text,
        "theme": ",".join(sorted(set(case.themes))),
        "band": ",".join(sorted(band_codes)),
        "region": ",".join(sorted(set(regions))),
        "pref": ",".join(sorted(set(prefs))),
        "kind": ",".join(sorted({p.kind for p in people})),
        "year": str(case.start_fiscal_year) if case.start_fiscal_year else "",
        "tag": ",".join(sorted(set(case.tags))),
        "population": total or 0,
        "population_asc": total if total is not None else UNKNOWN_LAST,
        "effect_yen": max(yen) if yen else 0,
        "updated": int(case.updated_at.timestamp()),
        "people": [list(c) for c in domain.similarity_candidates(people)],
    }
    doc["fingerprint"] = hashlib.sha1(
        json.dumps(doc, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
    return doc
