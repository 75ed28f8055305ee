"""The search export for people: one readable row per case, Japanese headers, in CSV or Excel.

Not the import format (services/bulk.py keeps that, with its codes and 94 columns): this table
is for reading and filtering in a spreadsheet. Each row has the case's page address, its
participants with their populations, the total and its population band, and its effects in
words. Cells go through services/cells.py, so no text runs as a formula.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlmodel import Session

from .. import domain
from ..models import Case, Effect, Participant
from . import cells
from .cases import get_cases, theme_labels

FORMATS = ("csv", "xlsx")
SHEET = "事例一覧"
HEADERS = ["事例ID", "題名", "事例のページ", "テーマ", "タグ", "記載の詳しさ", "開始年度", "概要",
           "参加団体（人口）", "参加団体の数", "人口の合計", "人口規模", "効果", "出典", "発表の場",
           "問い合わせ先", "最終更新"]


def participant_text(p: Participant) -> str:
    """大鰐町（青森県、構成団体、8,671人・2020年）; a joint body: （…、広域連合、人口は構成団体の合計）."""
    parts = [p.prefecture or "", domain.ROLES.get(p.role, p.role) if p.role else ""]
    if domain.is_joint(p.kind):
        parts += [domain.PARTICIPANT_KINDS.get(p.kind, p.kind), "人口は構成団体の合計"]
    elif p.population is not None:
        parts.append(f"{p.population:,}人" + (f"・{p.population_year}年" if p.population_year else ""))
    if p.covers:
        parts.append(domain.COVERS.get(p.covers, p.covers))
    shown = "、".join(x for x in parts if x)
    return f"{p.name}（{shown}）" if shown else p.name


def effect_text(e: Effect) -> str:
    """運用保守経費: 約10〜15%（削減、年間、実績） — the amount as the case reports it."""
    words = [domain.EFFECT_DIRECTIONS.get(e.direction, ""), domain.EFFECT_PERIODS.get(e.period, ""),
             domain.EFFECT_STATUSES.get(e.status, "")]
    words = [w for w in words if w and w != "不明"]
    text = f"{e.label}: {e.amount or '数値なし'}"
    return text + (f"（{'、'.join(words)}）" if words else "")


def _source_text(case: Case) -> str:
    out = []
    for s in case.sources:
        name = s.title or s.url or ""
        extra = "、".join(x for x in (s.publisher, _date(s.date)) if x)
        out.append(name + (f"（{extra}）" if extra else "") + (f" {s.url}" if s.url and s.title else ""))
    return "\n".join(x for x in out if x)


def _date(value) -> str:
    if not value:
        return ""
    try:
        return domain.PartialDate.from_iso(str(value)).label()
    except ValueError:
        return str(value)


def row(case: Case, url: str, themes: dict[str, str], bands: domain.Bands) -> list[str]:
    """One case as a row under HEADERS."""
    total = domain.total_population(case.participants)
    event = case.event_name + (f"（{_date(case.event_date)}）" if case.event_name and case.event_date else "")
    return [
        case.slug, case.title, url,
        "、".join(themes.get(t, t) for t in case.themes), "、".join(case.tags),
        domain.DETAIL_LEVELS.get(case.detail, case.detail),
        domain.fiscal_year_label(case.start_fiscal_year) if case.start_fiscal_year else "",
        case.summary,
        "\n".join(participant_text(p) for p in case.participants), str(len(case.participants)),
        f"{total:,}" if total is not None else "", bands.band_of(total).label if total is not None else "",
        "\n".join(effect_text(e) for e in case.effects), _source_text(case), event or "",
        case.contact or "", case.updated_at.strftime("%Y-%m-%d") if case.updated_at else "",
    ]


def table(session: Session, slugs: Sequence[str], url_of: Callable[[str], str], bands: domain.Bands) -> list[list[str]]:
    """The header and one row per case, in the order of `slugs` (the search's order)."""
    themes = theme_labels(session)
    return [HEADERS, *(row(c, url_of(c.slug), themes, bands) for c in get_cases(session, list(slugs)))]


def export(session: Session, slugs: Sequence[str], fmt: str, url_of: Callable[[str], str],
           bands: domain.Bands) -> bytes:
    """The table as CSV (UTF-8 with BOM, for Excel) or XLSX (text cells, header row frozen)."""
    rows = table(session, slugs, url_of, bands)
    if fmt == "csv":
        return cells.csv_bytes(rows)
    return cells.xlsx_bytes({SHEET: rows}, freeze={SHEET: "C2"})
