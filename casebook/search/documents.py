"""The index document of a case: what any engine indexes, decided in one place.

`case_document` is the only function that turns a case into what an index holds: the slug (the
document's id), its status (only published cases are found), four ranked texts (title, keywords —
its tags and theme labels —, summary, and all of its text), the values of every registered facet (facets.py), the sort keys, the
participants for the similar-size order, and the kanji words of its text (`words`: what readings
are looked up in, readings.py). Each document carries a fingerprint of itself, so
`check-index` finds what was indexed from other content. `definition` describes what every
document and its analysis depend on; an engine adds its own field definitions and records the
hash of both in each index it builds (its fingerprint), so a server whose index was built by other
code rebuilds it by itself (sync.py).
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from .. import domain
from ..models import Case
from . import analysis, facets

DOCUMENT_VERSION = 5  # bump when case_document changes what it writes for a case
UNKNOWN_LAST = 2**62  # the ascending population sort key of a case without a known population
TEXTS = ("title", "keywords", "summary", "all")  # ranked texts: the title counts most, then keywords, summary
_KANJI_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]{2,20}")
SORT_KEYS = ("population", "population_asc", "effect_yen", "updated", "detailed")  # integers, larger is later


def case_document(case: Case, theme_labels: dict[str, str], bands: domain.Bands) -> dict[str, Any]:
    """Return the index document of a case: the only place that decides what is indexed."""
    people = list(case.participants)
    total = domain.total_population(people)
    effects = list(case.effects)
    text = "\n".join([
        case.title, case.summary, case.background, case.approach, case.outcome,
        *(f"{e.label} {e.amount} {e.wording}" for e in effects),
        *(f"{p.prefecture or ''}{p.name}" for p in people),
        *(theme_labels.get(t, t) for t in case.themes),
        *case.tags, *(s.title for s in case.sources), case.event_name,
    ])
    yen = [e.yen for e in effects if e.yen is not None]
    doc: dict[str, Any] = {
        "slug": case.slug,
        "status": case.status,
        "title": case.title,
        "keywords": "\n".join([*case.tags, *(theme_labels.get(t, t) for t in case.themes)]),
        "summary": case.summary,
        "all": text,
        "facets": {f.name: sorted(set(f.values(case, bands))) for f in facets.registered()},
        "sort": {"population": total or 0,
                 "population_asc": total if total is not None else UNKNOWN_LAST,
                 "effect_yen": max(yen) if yen else 0,
                 "updated": int(case.updated_at.timestamp()),
                 "detailed": 0 if case.detail == "outline" else 1},
        "words": kanji_words(text),
        "people": [list(c) for c in domain.similarity_candidates(people, len(covered(case)))]
                  + [[f"{prefecture}の市町村", population, prefecture, domain.member_penalty(len(covered(case)) + 1)]
                     for prefecture, population in covered(case)],
    }
    doc["fingerprint"] = document_fingerprint(doc)
    return doc


def kanji_words(text: str) -> list[str]:
    """The distinct runs of two to twenty kanji in `text`, in order (窓口業務, 青森県弘前市, …)."""
    return list(dict.fromkeys(_KANJI_RUN.findall(text)))


def covered(case: Case) -> list[tuple[str, int]]:
    """(prefecture, population) of the municipalities a case's prefecture-wide participants stand for (rows.py)."""
    return case.__dict__.get("covered", [])


def document_fingerprint(doc: dict[str, Any]) -> str:
    """The hash of a document's content (its fingerprint left out)."""
    content = {k: v for k, v in doc.items() if k != "fingerprint"}
    return hashlib.sha1(json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def definition(bands: domain.Bands) -> dict[str, Any]:
    """What every document depends on besides its case: the facets, the analysis, this module, the bands."""
    return {"facets": facets.describe(), "analysis": analysis.ANALYSIS_VERSION, "document": DOCUMENT_VERSION,
            "bands": [b.code for b in bands.bands]}
