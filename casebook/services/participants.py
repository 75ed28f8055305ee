"""Participants as typed, resolved against the municipality master before validation.

The same step runs for the editor, every import format and the API, so a row typed with only a
code (or a code Excel stripped of its leading zero, or a name alone) means the same everywhere:
- a code of 4–6 digits is read as the one valid code that the master knows and that agrees with
  the row's prefecture and name (012084 for 12084 in 北海道 夕張市); a code that stays ambiguous
  is left as typed, for the schema to refuse naming the candidates;
- name, kind, prefecture and population (with its year and source) are filled from the master
  when left blank; what was typed is never overwritten;
- notes say what was repaired and where a typed population differs from the master's.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from .. import domain
from ..case_kinds import number, text
from ..models import Municipality
from .cases import theme_labels

MASTER_SOURCE = "令和2年国勢調査 速報集計（総務省統計局）"


@dataclass
class Resolved:
    """Participant rows after the master; notes and refusals as (row index, field name, message)."""

    rows: list[dict[str, Any]]
    notes: list[tuple[int, str, str]]
    errors: list[tuple[int, str, str]] = field(default_factory=list)


def _prefecture(value: Any) -> str | None:
    try:
        return domain.read_prefecture(value) if text(value) else None
    except ValueError:
        return None  # the schema refuses it


def _named(m: Municipality) -> str:
    return f"{m.code}（{m.prefecture}{'' if m.name == m.prefecture else m.name}）"


def _code(session: Session, row: dict[str, Any], prefecture: str | None) -> tuple[Any, str | None, str | None]:
    """The row's code, repaired when exactly one master code fits it: (code, note of a repair, refusal)."""
    typed = row.get("code")
    if typed in (None, "") or (isinstance(typed, str) and not typed.strip()):
        return typed, None, None
    try:
        candidates = domain.code_candidates(typed, prefecture)
    except ValueError:
        return typed, None, None
    known = {m.code: m for m in session.exec(select(Municipality).where(Municipality.code.in_(candidates)))}
    name = text(row.get("name"))
    fitting = [c for c in candidates if c in known and (not name or known[c].name == name)]
    shown = text(typed)
    if len(fitting) != 1:
        others = [known[c] for c in candidates if c in known]
        if candidates == [shown] and others:  # a whole code: the typed name is kept, and said to differ
            return shown, f"団体コード {_named(others[0])} の団体名は「{others[0].name}」です（入力は「{name}」）", None
        if name and others and not fitting:
            return typed, None, (f"「{shown}」は団体コード {'、'.join(_named(m) for m in others)} と読めますが、"
                                 f"団体名「{name}」と合いません。コードか団体名を確かめてください")
        return typed, None, None
    code = fitting[0]
    if shown == code:
        return code, None, None
    return code, f"「{shown}」を団体コード {_named(known[code])} として読みました", None


def _by_name(session: Session, name: str, prefecture: str | None) -> Municipality | None:
    stmt = select(Municipality).where(Municipality.name == name)
    if prefecture:
        stmt = stmt.where(Municipality.prefecture == prefecture)
    found = session.exec(stmt.limit(2)).all()
    return found[0] if len(found) == 1 else None


def resolve(session: Session, rows: Any) -> Resolved:
    """Resolve typed participant rows (raw, before the schema) against the master; others pass as they are."""
    if not isinstance(rows, list):
        return Resolved(rows, [], [])
    out, notes, errors = [], [], []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            out.append(row)
            continue
        row = dict(row)
        prefecture = _prefecture(row.get("prefecture"))
        row["code"], note, refusal = _code(session, row, prefecture)
        if note:
            notes.append((i, "code", note))
        if refusal:
            errors.append((i, "code", refusal))
        code = text(row.get("code"))
        m = None
        if code and domain.code_error(code) is None:
            m = session.get(Municipality, code)
        elif not code and text(row.get("name")) and not _joint(row.get("kind")):
            m = _by_name(session, text(row.get("name")), prefecture)
        if m is not None:
            _fill(row, m, notes, i)
        out.append(row)
    return Resolved(out, notes, errors)


def _joint(kind: Any) -> bool:
    try:
        return domain.is_joint(domain.read_label("participant_kind", kind)) if text(kind) else False
    except ValueError:
        return False


def _fill(row: dict[str, Any], m: Municipality, notes: list, i: int) -> None:
    row["code"] = text(row.get("code")) or m.code
    row["name"] = text(row.get("name")) or m.name
    row["prefecture"] = text(row.get("prefecture")) or m.prefecture
    row["kind"] = text(row.get("kind")) or m.kind
    typed = number(row.get("population"))
    if typed is None or typed == "":
        if m.population is not None:
            row["population"], row["population_year"] = m.population, m.population_year
            row["population_source"] = text(row.get("population_source")) or MASTER_SOURCE
    elif isinstance(typed, int) and m.population is not None and typed != m.population:
        year = f"{m.population_year}年" if m.population_year else ""
        notes.append((i, "population", f"人口 {typed:,} はマスタ（{m.name}、{year}）の {m.population:,} と異なります"
                                       "（入力どおり保存します）"))


def theme_codes(session: Session, themes: Any) -> Any:
    """Themes typed as codes or as their names (AI・ICTを活用した業務改革 -> ai-ict); others pass as typed."""
    if not isinstance(themes, list):
        return themes
    by_label = {label: code for code, label in theme_labels(session).items()}
    return [by_label.get(t.strip(), t) if isinstance(t, str) else t for t in themes]
