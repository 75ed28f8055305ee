"""The case editor's logic: form rows to case data, master look-ups, validation and previews.

The editor validates content with the same schema as case files (schemas.CaseFileSchema),
so a case typed in the browser obeys exactly the rules of one loaded from cases/. Its form
fields and the way each is read and shown come from the case-field registry (case_fields.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError
from sqlmodel import Session, select

from .. import case_fields, domain, search
from ..case_fields import MAX_SOURCES
from ..case_kinds import text
from ..errors import Conflict, InvalidInput, NotFound
from ..models import Case, User, utcnow
from ..schemas import MAX_EFFECTS, MAX_PARTICIPANTS, CaseFileSchema, flatten_errors
from . import merge, participants, preview, workflow
from .cases import case_data, check_rules, content_data, effect_row, participant_row, save_case, source_row
from .unit import unit_of_work


def _rows(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """Drop removed and blank rows, then order by the typed position (ties keep their order)."""
    kept = [(r.get("position"), i, r) for i, r in enumerate(rows)
            if not r.get("remove") and any(text(r.get(k)) for k in keys)]
    kept.sort(key=lambda t: (t[0] if isinstance(t[0], int) else 10**6, t[1]))
    return [r for _p, _i, r in kept]


def raw_case(form: dict[str, Any], slug: str | None = None) -> dict[str, Any]:
    """Turn the editor's form data into the shape of a case file (before validation)."""
    raw = case_fields.nest({f: f.kind.from_form(f, form.get(f.attr)) for f in case_fields.CASE if f.in_form})
    if slug is not None:
        raw["slug"] = slug
    for rows in case_fields.ROWS.values():
        raw[rows.name] = [{f.name: f.kind.from_form(f, r.get(f.name)) for f in rows.fields}
                          for r in _rows(form.get(rows.name) or [], rows.keys)]
    return raw


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
    raw["participants"] = participants.resolve(session, raw["participants"]).rows
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
        return {"sources": [{"position": 1}], "participants": [{"role": "lead", "position": 1}], "effects": [],
                "detail": "full"}
    return _form_values(case_data(case), version=case.version)


def raw_form_data(raw: dict[str, Any], version: Any = None, comment: str = "") -> dict[str, Any]:
    """Form data rebuilt from checked raw input (rows renumbered, blank and removed rows gone)."""
    return {**_form_values(raw, version=version), "comment": comment}


def _form_values(data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    # File-shaped data (validated or raw) as the form shows it; rows numbered from 1.
    out = {f.attr: f.kind.to_form(f, case_fields.value(data, f)) for f in case_fields.CASE if f.in_form}
    for rows in case_fields.ROWS.values():
        out[rows.name] = [{**{f.name: f.kind.to_form(f, r.get(f.name, f.default)) for f in rows.fields}, "position": i + 1}
                          for i, r in enumerate(data[rows.name])]
    return {**out, **extra}


def amount_preview(amount: str) -> str:
    """How an amount will be stored, for the curator to check before saving (the same reading as every import)."""
    if not amount:
        return ""
    try:
        figure = domain.read_figure(amount)
    except ValueError as exc:
        return str(exc)
    return "、".join(preview.figure_parts(figure))


def preview_case(data: dict[str, Any], current: Case | None) -> Case:
    """An unsaved Case built from valid data, to render the public page as a preview."""
    case = Case(slug=data["slug"], title=data["title"], version=(current.version + 1) if current else 1,
                created_at=current.created_at if current else utcnow(), updated_at=utcnow())
    for name, value in case_fields.model_values(data).items():
        setattr(case, name, value)
    # Assign through __dict__ so the unsaved objects never join the database session.
    case.__dict__["sources"] = [source_row(i, s) for i, s in enumerate(data["sources"])]
    case.__dict__["participants"] = [participant_row(i, p) for i, p in enumerate(data["participants"])]
    case.__dict__["effects"] = [effect_row(i, e) for i, e in enumerate(data["effects"])]
    return case


# --- one submission of the editor: what happened, for the view to show -----------------------

# action -> (the list, a value a new row starts with, the list's name, its most rows)
ADD_ROW: dict[str, tuple[str, dict[str, Any], str, int]] = {
    "add_participant": ("participants", {"role": "member"}, "参加団体", MAX_PARTICIPANTS),
    "add_effect": ("effects", {}, "効果", MAX_EFFECTS),
    "add_source": ("sources", {}, "出典", MAX_SOURCES)}
ROW_STARTS = {rows: start for rows, start, _label, _most in ADD_ROW.values()}   # a new row's values, by list
# Blank rows (none of the row's key fields typed) shown again after a step that saves nothing, per list:
# a row just added stays until it is filled, removed or saved (a save drops blank rows; none is ever stored).
KEPT_BLANK_ROWS = 5
MASTER_SOURCE = participants.MASTER_SOURCE   # what a population filled from the master cites


def blank_rows(form: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """The blank rows of list `name` as submitted (removed ones left out), in form shape, at most KEPT_BLANK_ROWS."""
    rows = case_fields.ROWS[name]
    blank = [r for r in form.get(name) or [] if isinstance(r, dict) and not r.get("remove")
             and not any(text(r.get(k)) for k in rows.keys)]
    return [{f.name: f.kind.to_form(f, f.kind.from_form(f, r.get(f.name))) for f in rows.fields}
            for r in blank[:KEPT_BLANK_ROWS]]


def _keep_blank_rows(data: dict[str, Any], form: dict[str, Any]) -> dict[str, Any]:
    # After the rows that hold something (so that errors by row number still point at them), numbered on.
    out = dict(data)
    for rows in case_fields.ROWS.values():
        kept = [*data[rows.name], *blank_rows(form, rows.name)][:max(rows.most, len(data[rows.name]))]
        out[rows.name] = [{**r, "position": i + 1} for i, r in enumerate(kept)]
    return out


@dataclass
class Outcome:
    """What one submission of the editor came to.

    `kind`: "saved", "unchanged", "rows" (a row added, nothing saved), "invalid" (errors by
    field path, nothing saved), "preview", "conflict" (someone saved first; `case` is theirs, and
    `form` holds this editor's changes merged onto it) or "unresolved" (a conflict page saved
    without a choice for every field both changed). `form` is the form data to show again, with the
    blank rows kept after "rows", "invalid" and "preview"; `notes` go in the banner; `added` is the
    id of a row just added ("participants-2"), for the page to open at it.
    """

    kind: str
    checked: Checked
    form: dict[str, Any]
    case: Case | None = None
    notes: list[str] = field(default_factory=list)
    expected: int = 0
    merged: merge.Merge | None = None   # a conflict's three-way merge: what both changed, to choose
    added: str | None = None


def submit(session: Session, index: search.Engine, case: Case | None, form: dict[str, Any], action: str,
           author: User, resolve: dict[str, str] | None = None) -> Outcome:
    """Check the editor's input (`form`: the form's data), then add a row, preview or save (in a unit of work).

    A save based on an older version is merged (services/merge.py): what this editor changed goes
    onto the latest version, and the fields both changed come back as a conflict to choose.
    `resolve` holds those choices from the conflict page: {path: "mine" or "theirs"}; "theirs"
    takes the value of the version the form was based on, which the page showed.
    """
    status = case.status if case else "draft"
    checked = check_case(session, form, case.slug if case else None, status, creating=case is None)
    data = raw_form_data(checked.raw, form.get("version"), form.get("comment") or "")
    kept = _keep_blank_rows(data, form)
    if action in ADD_ROW:
        rows, start, label, most = ADD_ROW[action]
        if len(kept[rows]) >= most:
            return Outcome("rows", checked, kept, notes=[f"{label}は{most}件までです。行は追加していません。"])
        kept[rows].append({**start, "position": len(kept[rows]) + 1})
        return Outcome("rows", checked, kept, added=f"{rows}-{len(kept[rows]) - 1}")
    if checked.errors:
        return Outcome("invalid", checked, kept)
    if action == "preview":
        return Outcome("preview", checked, kept, case=preview_case(checked.data, case))
    expected = _version(form.get("version"))
    wanted = checked.data
    if resolve:
        if any(side not in ("mine", "theirs") for side in resolve.values()):
            return Outcome("unresolved", checked, data, case=case, expected=expected,
                           merged=merge.Merge(checked.data, list(resolve)),
                           notes=["両方で変更された項目ごとに、どちらの内容にするかを選んでください。保存はされていません。"])
        theirs = version_data(session, case, expected)
        wanted = merge.choose(checked.data, theirs, resolve) if theirs is not None else checked.data
    try:
        with unit_of_work(session, index):
            saved, outcome = save_case(session, wanted, author=author, comment=form.get("comment") or "",
                                       expected_version=expected, status=status)
    except Conflict as exc:
        base = version_data(session, exc.current, expected)
        if base is None:  # a version that never existed (a forged form): nothing to merge with
            return Outcome("conflict", checked, data, case=exc.current, expected=expected)
        merged = merge.merge(base, wanted, case_data(exc.current))
        shown = {**_form_values(merged.data, version=exc.current.version), "comment": form.get("comment") or ""}
        return Outcome("conflict", checked, shown, case=exc.current, expected=expected, merged=merged)
    return Outcome(outcome if outcome == "unchanged" else "saved", checked, data, case=saved)


def version_data(session: Session, case: Case | None, number: int) -> dict[str, Any] | None:
    """The content of version `number` of `case` as case data, or None when there is no such version."""
    if case is None:
        return None
    try:
        return content_data(workflow.get_revision(session, case, number).content)
    except NotFound:
        return None


def _version(value: Any) -> int:
    """The version the form was loaded at (0 for a new case; -1, never a version, for a forged one)."""
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return -1
