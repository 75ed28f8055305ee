"""The case editor's logic: form rows to case data, master look-ups, validation and previews.

The editor validates content with the same schema as case files (schemas.CaseFileSchema),
so a case typed in the browser obeys exactly the rules of one loaded from cases/.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError
from sqlmodel import Session, select

from .. import domain
from ..errors import InvalidInput
from ..models import Case, Municipality, Participant, utcnow
from ..schemas import CaseFileSchema, flatten_errors
from .cases import PARTICIPANT_FIELDS, _effect, case_data, check_rules

MASTER_SOURCE = "令和2年国勢調査 速報集計（総務省統計局）"


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _number(value: Any) -> Any:
    """'8,671' -> 8671; '' -> None; anything else unchanged so the schema reports it."""
    text = unicodedata.normalize("NFKC", _text(value)).replace(",", "")
    if text == "":
        return None
    return int(text) if text.isdigit() else _text(value)


def _date(value: Any) -> str | None:
    text = unicodedata.normalize("NFKC", _text(value))
    return text or None


def _rows(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """Drop removed and blank rows, then order by the typed position (ties keep their order)."""
    kept = [(r.get("position"), i, r) for i, r in enumerate(rows)
            if not r.get("remove") and any(_text(r.get(k)) for k in keys)]
    kept.sort(key=lambda t: (t[0] if isinstance(t[0], int) else 10**6, t[1]))
    return [r for _p, _i, r in kept]


def raw_case(form: dict[str, Any], slug: str | None = None) -> dict[str, Any]:
    """Turn the editor's form data into the shape of a case file (before validation)."""
    tags = [t for t in re.split(r"[,、，\s]+", _text(form.get("tags"))) if t]
    participants = []
    for p in _rows(form.get("participants") or [], ("code", "name")):
        participants.append({
            "role": p.get("role") or "member", "code": _text(p.get("code")) or None, "name": _text(p.get("name")),
            "prefecture": p.get("prefecture") or None, "kind": p.get("kind") or "",
            "population": _number(p.get("population")), "population_year": _number(p.get("population_year")),
            "population_source": _text(p.get("population_source")),
        })
    effects = []
    for e in _rows(form.get("effects") or [], ("label", "amount", "wording")):
        effects.append({k: _text(e.get(k)) for k in ("kind", "direction", "label", "amount", "period", "status",
                                                        "wording")})
    return {
        "slug": slug if slug is not None else _text(form.get("slug")),
        "title": _text(form.get("title")),
        "detail": form.get("detail") or "full",
        "themes": list(form.get("themes") or []),
        "tags": tags,
        "start_fiscal_year": _text(form.get("start_fiscal_year")) or None,
        **{k: _text(form.get(k)) for k in ("summary", "background", "approach", "outcome", "contact")},
        "source": {"title": _text(form.get("source_title")), "publisher": _text(form.get("source_publisher")),
                   "date": _date(form.get("source_date")), "url": _text(form.get("source_url"))},
        "event": {"name": _text(form.get("event_name")), "date": _date(form.get("event_date"))},
        "participants": participants,
        "effects": effects,
    }


def fill_from_master(session: Session, participants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fill name, kind, prefecture and population from the master for rows given by code or name.

    A row named without a code is matched only when the master has exactly one government of
    that name (in the chosen prefecture, if any); typed values are never overwritten.
    """
    out = []
    for p in participants:
        p = dict(p)
        m = None
        if p["code"] and domain.code_error(p["code"]) is None:
            m = session.get(Municipality, p["code"])
        elif not p["code"] and p["name"] and p["kind"] != "association":
            stmt = select(Municipality).where(Municipality.name == p["name"])
            if p["prefecture"]:
                stmt = stmt.where(Municipality.prefecture == p["prefecture"])
            found = session.exec(stmt.limit(2)).all()
            m = found[0] if len(found) == 1 else None
        if m is not None:
            p["code"] = p["code"] or m.code
            p["name"] = p["name"] or m.name
            p["prefecture"] = p["prefecture"] or m.prefecture
            p["kind"] = p["kind"] or m.kind
            if p["population"] is None:
                p["population"], p["population_year"] = m.population, m.population_year
                p["population_source"] = p["population_source"] or MASTER_SOURCE
        out.append(p)
    return out


@dataclass
class Checked:
    """The outcome of checking the editor's input: data when valid, errors by field path."""

    raw: dict[str, Any]
    data: dict[str, Any] | None
    errors: list[tuple[str, str]]


def check_case(session: Session, form: dict[str, Any], slug: str | None, status: str,
               creating: bool = False) -> Checked:
    """Fill from the master, then validate like a case file and apply the business rules."""
    raw = raw_case(form, slug)
    if creating and raw["slug"] and session.exec(select(Case.id).where(Case.slug == raw["slug"])).first():
        return Checked(raw, None, [("slug", "この事例IDはすでに使われています。別のIDにしてください。")])
    raw["participants"] = fill_from_master(session, raw["participants"])
    try:
        data = CaseFileSchema().load({**raw, "status": status})
    except ValidationError as exc:
        return Checked(raw, None, flatten_errors(exc.messages))
    try:
        check_rules(session, data)
    except InvalidInput as exc:
        return Checked(raw, None, exc.errors)
    return Checked(raw, data, [])


def form_data(case: Case | None) -> dict[str, Any]:
    """The editor's form data for an existing case (or a blank new one)."""
    if case is None:
        return {"participants": [{"role": "lead", "position": 1}], "effects": [], "detail": "full"}
    data = case_data(case)
    return {
        **{k: data[k] for k in ("slug", "title", "detail", "themes", "summary", "background", "approach",
                                 "outcome", "contact")},
        "tags": "、".join(data["tags"]),
        "start_fiscal_year": str(data["start_fiscal_year"] or ""),
        "source_title": data["source"]["title"], "source_publisher": data["source"]["publisher"],
        "source_date": data["source"]["date"].isoformat() if data["source"]["date"] else "",
        "source_url": data["source"]["url"], "event_name": data["event"]["name"],
        "event_date": data["event"]["date"].isoformat() if data["event"]["date"] else "",
        "participants": [{**{k: ("" if p[k] is None else p[k]) for k in PARTICIPANT_FIELDS}, "position": i + 1}
                         for i, p in enumerate(data["participants"])],
        "effects": [{**e, "position": i + 1} for i, e in enumerate(data["effects"])],
        "version": case.version,
    }


def raw_form_data(raw: dict[str, Any], version: Any = None, comment: str = "") -> dict[str, Any]:
    """Form data rebuilt from checked raw input (rows renumbered, blank and removed rows gone)."""
    return {
        **{k: raw[k] for k in ("slug", "title", "detail", "themes", "summary", "background", "approach",
                                "outcome", "contact")},
        "tags": "、".join(raw["tags"]), "start_fiscal_year": raw["start_fiscal_year"] or "",
        "source_title": raw["source"]["title"], "source_publisher": raw["source"]["publisher"],
        "source_date": raw["source"]["date"] or "", "source_url": raw["source"]["url"],
        "event_name": raw["event"]["name"], "event_date": raw["event"]["date"] or "",
        "participants": [{**{k: ("" if p[k] is None else p[k]) for k in PARTICIPANT_FIELDS}, "position": i + 1}
                         for i, p in enumerate(raw["participants"])],
        "effects": [{**e, "position": i + 1} for i, e in enumerate(raw["effects"])],
        "version": version, "comment": comment,
    }


def amount_preview(amount: str) -> str:
    """How an amount will be stored, for the editor to check before saving."""
    if not amount:
        return ""
    try:
        a = domain.parse_amount(amount)
    except ValueError as exc:
        return str(exc)
    value = domain.format_number(a.low) + ("" if a.low == a.high else f"〜{domain.format_number(a.high)}")
    parts = [f"値 {value}", f"単位 {a.unit}"]
    if a.low != a.high:
        parts.append("範囲")
    if a.qualifier:
        parts.append(f"修飾 {a.qualifier}")
    if a.yen is not None:
        parts.append(f"円換算 {a.yen:,}円")
    return "、".join(parts)


def preview_case(data: dict[str, Any], current: Case | None) -> Case:
    """An unsaved Case built from valid data, to render the public page as a preview."""
    case = Case(slug=data["slug"], title=data["title"], version=(current.version + 1) if current else 1,
                created_at=current.created_at if current else utcnow(), updated_at=utcnow())
    for name in ("status", "detail", "themes", "tags", "start_fiscal_year", "summary", "background", "approach",
                 "outcome", "contact"):
        setattr(case, name, data[name])
    case.source_title, case.source_publisher = data["source"]["title"], data["source"]["publisher"]
    case.source_date, case.source_url = data["source"]["date"], data["source"]["url"]
    case.event_name, case.event_date = data["event"]["name"], data["event"]["date"]
    # Assign through __dict__ so the unsaved objects never join the database session.
    case.__dict__["participants"] = [Participant(position=i, **{f: p[f] for f in PARTICIPANT_FIELDS})
                                     for i, p in enumerate(data["participants"])]
    case.__dict__["effects"] = [_effect(i, e) for i, e in enumerate(data["effects"])]
    return case
