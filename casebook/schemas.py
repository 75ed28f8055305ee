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


class EffectSchema(_declared("effects")):
    """A typed, comparable result (a row of effects); its period and direction may come from its figure."""

    @validates("amount")
    def _readable(self, value, **_kw):
        if value:
            try:
                domain.read_figure(value)
            except ValueError as exc:
                raise ValidationError(str(exc)) from exc

    @post_load
    def _derived(self, data: dict[str, Any], **_kw) -> dict[str, Any]:
        # A blank period or direction is read from the figure (年間…, 7人→4人, ▲), else the registry's default.
        figure = domain.read_figure(data["amount"]) if data["amount"] else None
        if data["period"] is None:
            data["period"] = (figure and figure.period) or case_fields.EFFECTS.field("period").default
        if data["direction"] is None:
            change = figure.change if figure else None
            if change is not None and change.low != 0:
                data["direction"] = "reduction" if change.high <= 0 else "increase"
            else:
                data["direction"] = case_fields.EFFECTS.field("direction").default
        return data


class SourceSchema(_declared("sources")):
    """One source of a case (a row of sources): title, publisher, date, URL."""


class EventSchema(_declared("event")):
    """Where the case was presented."""


def _groups() -> dict[str, fields.Field]:
    # The nested group and the lists of rows, after the top-level fields (the order of a case file).
    rows = case_fields.ROWS
    out: dict[str, fields.Field] = {"event": _nested(EventSchema, load_default=dict)}
    for name, schema in (("sources", SourceSchema), ("participants", ParticipantSchema), ("effects", EffectSchema)):
        extra = {"required": True} if rows[name].least else {"load_default": list}
        out[name] = _rows(_nested(schema), rows[name].most, rows[name].label, least=rows[name].least, **extra)
    return out


class CaseFileSchema(_Base.from_dict({**{f.name: f.schema for f in case_fields.of("")}, **_groups()},
                                     name="_case_file_fields")):
    """One case as written in a file of cases/ (and accepted by the API); its fields: case_fields.py.

    A file in the earlier format, with one `source:` mapping (title, publisher, date, url), is read
    as a list of that one source.
    """

    @pre_load
    def _one_source(self, data, **_kw):
        if isinstance(data, dict) and "source" in data and "sources" not in data:
            data = dict(data)
            source = data.pop("source")
            blank = isinstance(source, dict) and not any(v not in (None, "") for v in source.values())
            data["sources"] = [] if source is None or blank else [source]
        return data

    @post_load
    def _normalise(self, data: dict[str, Any], **_kw) -> dict[str, Any]:
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
