"""Marshmallow schemas: case files (YAML in cases/), search arguments, API output.

Schemas check shape and give Japanese messages; business rules (known themes, slug
uniqueness) are enforced by the services.
"""
from __future__ import annotations

from typing import Any

from marshmallow import (
    ValidationError,
    fields,
    post_load,
    pre_load,
    validates,
)

from . import case_fields, domain
from .case_fields import MAX_EFFECTS, MAX_PARTICIPANTS, SLUG_RE  # noqa: F401  (also imported from here)

# The building blocks live in schema_base.py, where the case-field registry takes its checks from too.
from .schema_base import _BASE, _Base, _BoundedList, _date, _int, _list, _max, _nested, _one_of, _rows, _str  # noqa: F401


def _declared(group: str) -> type[_Base]:
    """A strict schema with the declared fields of one group of a case (case_fields.py), in order."""
    return _Base.from_dict({f.name: f.schema for f in case_fields.of(group)}, name=f"_{group or 'case'}_fields")


class ParticipantSchema(_declared("participants")):
    """A participating government or body (a row of participants)."""

    @pre_load
    def _code_as_text(self, data, **_kw):
        if isinstance(data, dict) and isinstance(data.get("code"), int):
            data = {**data, "code": f"{data['code']:06d}"}
        return data

    @validates("code")
    def _valid_code(self, value, **_kw):
        if value is not None and (error := domain.code_error(value)):
            raise ValidationError(error)


class EffectSchema(_declared("effects")):
    """A typed, comparable result (a row of effects)."""

    @validates("amount")
    def _parsable(self, value, **_kw):
        if value:
            try:
                domain.parse_amount(value)
            except ValueError as exc:
                raise ValidationError(str(exc)) from exc


class SourceSchema(_declared("source")):
    """Where the case was published."""


class EventSchema(_declared("event")):
    """Where the case was presented."""


def _groups() -> dict[str, fields.Field]:
    # The nested groups and the lists of rows, after the top-level fields (the order of a case file).
    rows = case_fields.ROWS
    return {"source": _nested(SourceSchema, load_default=dict), "event": _nested(EventSchema, load_default=dict),
            "participants": _rows(_nested(ParticipantSchema), rows["participants"].most, rows["participants"].label,
                                  least=rows["participants"].least, required=True),
            "effects": _rows(_nested(EffectSchema), rows["effects"].most, rows["effects"].label, load_default=list)}


class CaseFileSchema(_Base.from_dict({**{f.name: f.schema for f in case_fields.of("")}, **_groups()},
                                     name="_case_file_fields")):
    """One case as written in a file of cases/ (and accepted by the API); its fields: case_fields.py."""

    @validates("start_fiscal_year")
    def _year(self, value, **_kw):
        if value is not None:
            try:
                domain.parse_fiscal_year(value)
            except ValueError as exc:
                raise ValidationError(str(exc)) from exc

    @post_load
    def _normalise(self, data: dict[str, Any], **_kw) -> dict[str, Any]:
        if data["start_fiscal_year"] is not None:
            data["start_fiscal_year"] = domain.parse_fiscal_year(data["start_fiscal_year"])
        # Texts are stored without surrounding blank space, so every format round-trips alike.
        for f in case_fields.CASE:
            if f.trim:
                data[f.name] = data[f.name].strip()
        data["tags"] = list(dict.fromkeys(t.strip() for t in data["tags"] if t.strip()))
        data["themes"] = list(dict.fromkeys(data["themes"]))
        for group in case_fields.NESTED:
            data[group] = {**case_fields.group_defaults(group), **data[group]}
        return data


def flatten_errors(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Turn marshmallow's nested messages into (field path, message) pairs."""
    out: list[tuple[str, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}[{key}]" if isinstance(key, int) else (f"{prefix}.{key}" if prefix else str(key))
            out.extend(flatten_errors(value, path))
    elif isinstance(messages, list):
        if all(isinstance(m, str) for m in messages):
            out.extend((prefix or "（全体）", m) for m in messages)
        else:
            for item in messages:
                out.extend(flatten_errors(item, prefix))
    else:
        out.append((prefix or "（全体）", str(messages)))
    return out
