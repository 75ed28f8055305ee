"""What a validated case will be stored as, in words: the import's dry run shows it row by row.

Dates with their precision, the fiscal year in both calendars, participants with kind and
population, effects as baseline → result, unit, period and yen, so a curator sees that what
will be stored means what was typed.
"""
from __future__ import annotations

from typing import Any

from .. import domain
from ..case_fields import EFFECTS, PARTICIPANTS, SOURCES


def _date(value: Any) -> str:
    if not value:
        return ""
    day = domain.PartialDate.from_iso(value)
    precision = {"day": "日", "month": "月まで", "year": "年まで"}[day.precision]
    return f"{day.label()}（{precision}）"


def _source(s: dict[str, Any]) -> str:
    details = "、".join(x for x in (s["publisher"], _date(s["date"]), s["url"]) if x)
    return f"{s['title'] or '（名称なし）'}" + (f"（{details}）" if details else "")


def _participant(p: dict[str, Any]) -> str:
    kind = domain.PARTICIPANT_KINDS.get(p["kind"], p["kind"])
    where = "・".join(x for x in (p["prefecture"], kind) if x)
    out = f"{p['name']}（{where}）" + (f" {p['code']}" if p["code"] else "")
    if p["population"] is not None:
        year = f"、{p['population_year']}年" if p["population_year"] else ""
        out += f" 人口 {p['population']:,}人{year}"
    if p.get("covers"):
        out += f" ・{domain.COVERS[p['covers']]}"
    return f"{domain.ROLES.get(p['role'], p['role'])}: {out}"


def figure_parts(figure: domain.Figure) -> list[str]:
    """What was read from a figure, in words: 前 7人、後 4人、変化 −3人、期間 年間…"""
    parts = []
    if figure.baseline is not None:
        after = figure.result.label() if figure.result is not None else (figure.secondary or "").lstrip("→")
        parts += [f"前 {figure.baseline.label()}", f"後 {after}"]
        if figure.change is not None:
            parts.append(f"変化 {figure.change.label()}")
    else:
        parts.append(f"値 {figure.value.label()}")
        if figure.value.low != figure.value.high:
            parts.append("範囲")
    if figure.value.unit:
        parts.append(f"単位 {figure.value.unit}")
    if figure.period:
        parts.append(f"期間 {domain.EFFECT_PERIODS[figure.period]}")
    if figure.qualifier:
        parts.append(f"修飾 {figure.qualifier}")
    if figure.reduction:
        parts.append("減少（▲）")
    if figure.secondary and figure.result is not None or figure.secondary and figure.baseline is None:
        parts.append(f"補足 {figure.secondary}")
    if figure.yen is not None:
        parts.append(f"円換算 {abs(figure.yen):,}円")
    return parts


def _effect(e: dict[str, Any]) -> str:
    head = "・".join(x for x in (domain.EFFECT_KINDS.get(e["kind"], e["kind"]),
                                 domain.EFFECT_DIRECTIONS.get(e["direction"], e["direction"]),
                                 domain.EFFECT_PERIODS.get(e["period"], e["period"]),
                                 domain.EFFECT_STATUSES.get(e["status"], e["status"])) if x)
    out = f"{e['label']}（{head}）"
    if e["amount"]:
        out += " " + "、".join(figure_parts(domain.read_figure(e["amount"])))
    return out


def describe(record: dict[str, Any], themes: dict[str, str]) -> list[str]:
    """One line per part of a validated case (CaseFileSchema.load's shape)."""
    lines = [f"題名: {record['title']}",
             f"テーマ: {'、'.join(themes.get(t, t) for t in record['themes'])}",
             f"開始年度: {domain.fiscal_year_label(record['start_fiscal_year'])}"]
    lines += [f"{SOURCES.label}{i}: {_source(s)}" for i, s in enumerate(record["sources"], 1)]
    if record["event"]["name"] or record["event"]["date"]:
        lines.append(f"発表の場: {record['event']['name']} {_date(record['event']['date'])}".rstrip())
    lines += [f"{PARTICIPANTS.label}{i} {_participant(p)}" for i, p in enumerate(record["participants"], 1)]
    lines += [f"{EFFECTS.label}{i}: {_effect(e)}" for i, e in enumerate(record["effects"], 1)]
    return lines
