"""How complete cases are, what needs a curator's attention, and coverage by population size."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from .. import case_fields, domain, search
from ..case_fields import EFFECTS, PARTICIPANTS, SOURCES
from ..models import Case, Revision, utcnow
from .cases import all_cases, theme_labels

MIN_SUMMARY = 40
EXPECTED_STALE = timedelta(days=2 * 365)
REVIEW_STALE = timedelta(days=3 * 365)


@dataclass
class Completeness:
    """A case's score against explicit criteria, with the criteria it misses."""

    met: list[str]
    missing: list[str]

    @property
    def score(self) -> int:
        total = len(self.met) + len(self.missing)
        return round(100 * len(self.met) / total) if total else 100


def last_reviews(session: Session) -> dict[int, datetime]:
    """When each case was last published or returned by an editor (its last review)."""
    rows = session.exec(select(Revision.case_id, Revision.created_at)
                        .where(Revision.action.in_(("publish", "return"))))
    out: dict[int, datetime] = {}
    for case_id, at in rows:
        if case_id not in out or at > out[case_id]:
            out[case_id] = at
    return out


def _label(path: str) -> str:
    return case_fields.get(path).label


def completeness(case: Case, reviewed: datetime | None, now: datetime | None = None) -> Completeness:
    """Check a case against the criteria curators work to (named with the fields' labels)."""
    now = now or utcnow()
    governments = [p for p in case.participants if not domain.is_joint(p.kind)]
    population, year = PARTICIPANTS.field("population").label, PARTICIPANTS.field("population_year").label
    # (what is met, what is missing): each criterion worded both ways, so the missing list reads
    # as what to add (「出典（名称またはURL）がない」), not as the criterion it fails.
    checks = [
        (f"{EFFECTS.field('amount').label}のある{EFFECTS.label}が1つ以上ある",
         f"{EFFECTS.field('amount').label}のある{EFFECTS.label}がない",
         any(e.value_low is not None for e in case.effects)),
        (f"すべての{PARTICIPANTS.label}に{population}がある", f"{population}のない{PARTICIPANTS.label}がある",
         bool(governments) and all(p.population is not None for p in governments)),
        (f"{year}がある", f"{year}のない{PARTICIPANTS.label}がある",
         bool(governments) and all(p.population_year for p in governments if p.population is not None)),
        (f"{SOURCES.label}（名称またはURL）がある", f"{SOURCES.label}（名称またはURL）がない",
         any(s.title or s.url for s in case.sources)),
        (f"{_label('contact')}がある", f"{_label('contact')}がない", bool(case.contact)),
        (f"{_label('start_fiscal_year')}がある", f"{_label('start_fiscal_year')}がない", case.start_fiscal_year is not None),
        (f"{_label('summary')}が{MIN_SUMMARY}文字以上ある", f"{_label('summary')}が{MIN_SUMMARY}文字より短い",
         len(case.summary) >= MIN_SUMMARY),
        (f"{_label('approach')}がある", f"{_label('approach')}がない", bool(case.approach)),
        ("3年以内に確認（公開または差し戻し）されている", "3年以上確認（公開または差し戻し）されていない",
         reviewed is not None and now - reviewed <= REVIEW_STALE),
        ("詳細が登録されている（概要のみではない）", "詳細が登録されていない（概要のみ）", case.detail != "outline"),
    ]
    return Completeness([met for met, _missing, ok in checks if ok], [missing for _met, missing, ok in checks if not ok])


@dataclass
class QueueItem:
    case: Case
    completeness: Completeness
    reasons: list[str]


def review_queue(session: Session, now: datetime | None = None) -> list[QueueItem]:
    """Incomplete and outline cases, old 見込み effects, and cases not reviewed for three years."""
    now = now or utcnow()
    reviews = last_reviews(session)
    items = []
    for case in all_cases(session):
        if case.status == "archived":
            continue
        reviewed = reviews.get(case.id)
        if reviewed is not None and reviewed.tzinfo is None:
            reviewed = reviewed.replace(tzinfo=now.tzinfo)
        score = completeness(case, reviewed, now)
        reasons = []
        if case.detail == "outline":
            reasons.append("概要のみ")
        if score.missing:
            reasons.append(f"不足 {len(score.missing)} 項目")
        updated = case.updated_at if case.updated_at.tzinfo else case.updated_at.replace(tzinfo=now.tzinfo)
        if any(e.status == "expected" for e in case.effects) and now - updated > EXPECTED_STALE:
            reasons.append("2年以上前の「見込み」の効果がある")
        if reviewed is None or now - reviewed > REVIEW_STALE:
            reasons.append("3年以上確認されていない" if reviewed else "確認（公開・差し戻し）の記録がない")
        if reasons:
            items.append(QueueItem(case, score, reasons))
    items.sort(key=lambda i: (i.completeness.score, i.case.slug))
    return items


@dataclass
class CoverageCell:
    count: int
    params: dict[str, object]


@dataclass
class Coverage:
    themes: list[tuple[str, str]]                  # (code, label)
    bands: list[domain.Band]
    cells: dict[tuple[str, str], CoverageCell]     # (theme, band code) -> cell
    band_totals: dict[str, int]                    # cases per band, any theme
    theme_totals: dict[str, int]
    total: int

    THIN = 2                                       # a cell with fewer cases is "thin"


def coverage(session: Session, index: search.SearchIndex) -> Coverage:
    """Published cases per theme × population band, computed by the search itself.

    Each count is exactly what /cases?theme=T&band=B returns (the band facet of a search
    filtered by the theme), so the matrix and the search never disagree.
    """
    themes = theme_labels(session)
    label = search.facet_label(themes, index.bands)
    everything = search.search(index, search.SearchArgs(), index.bands, label)
    band_totals = {v.value: v.count for v in everything.facets["band"]}
    theme_totals = {v.value: v.count for v in everything.facets["theme"]}
    cells = {}
    for code in themes:
        result = search.search(index, search.SearchArgs(filters={"theme": [code]}), index.bands, label)
        counts = {v.value: v.count for v in result.facets["band"]}
        for band in index.bands.bands:
            cells[(code, band.code)] = CoverageCell(
                counts.get(band.code, 0), {"theme": [code], "band": [band.code]})
    return Coverage(list(themes.items()), list(index.bands.bands), cells, band_totals, theme_totals,
                    everything.total)


def band_chart(cov: Coverage, width: int = 640, bar_height: int = 26) -> dict:
    """Geometry of a horizontal bar chart of cases per band (rendered as inline SVG)."""
    top = max([1, *cov.band_totals.values()])
    label_width = 110
    bars = []
    for i, band in enumerate(cov.bands):
        count = cov.band_totals.get(band.code, 0)
        bars.append({"label": band.label, "count": count, "y": i * (bar_height + 8) + 4,
                     "width": round((width - label_width - 60) * count / top)})
    return {"width": width, "height": len(bars) * (bar_height + 8) + 8, "bar_height": bar_height,
            "label_width": label_width, "bars": bars}
