"""Marshmallow schemas of the JSON API: the bodies it accepts and the bodies it returns.

The OpenAPI description (openapi.py) is generated from these same classes, and every response
body is dumped through its schema, so the description and the answers cannot drift apart.
The case bodies (in and out) are in api_case_schemas.py, the search's in api_search_schemas.py.
"""
from __future__ import annotations

from typing import Any

from flask import url_for
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

from .api_case_schemas import (  # noqa: F401  (the case bodies, also imported from here)
    CaseInSchema,
    CaseOutSchema,
    CaseSummarySchema,
    EffectOutSchema,
    EstimateSchema,
    EventOutSchema,
    ParticipantOutSchema,
    PerCapitaSchema,
    ReferenceOutSchema,
    SourceOutSchema,
    ThemeOutSchema,
    _opt,
    _Out,
    _req,
    _utc,
    case_body,
    effect_body,
    reference_body,
)
from .models import Municipality, Revision
from .schemas import _max, _str

# --- bodies in ---------------------------------------------------------------------------


class WholeMatch(validate.Regexp):
    """A pattern that must match the whole value, as in JSON Schema (Python's `$` also matches
    before a final newline, so "123456\n" would pass ^[0-9]{6}$)."""

    def __call__(self, value: str) -> str:
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


class TransitionInSchema(Schema):
    """An optional comment for a workflow step (required to return a case to its author)."""

    class Meta:
        unknown = RAISE

    comment = _str(load_default="", validate=_max(2000), metadata={"description": "操作の理由・連絡事項"})


class MunicipalityQuerySchema(Schema):
    """Arguments of the municipality look-up."""

    class Meta:
        unknown = EXCLUDE

    q = _str(load_default="", validate=[_max(200), validate.Regexp(r"^[^\x00]*$", error="NUL文字は使えません。")],
             metadata={"description": "団体名、読み（ひらがな・カタカナ）または団体コード"})
    size = fields.Integer(load_default=10, validate=validate.Range(1, 50, error="1〜50で指定してください。"),
                          metadata={"description": "最大件数"})


class ReferenceQuerySchema(Schema):
    """The government or population to compare a case's effects with."""

    class Meta:
        unknown = EXCLUDE

    municipality = fields.String(validate=WholeMatch(r"^[0-9]{6}$", error="団体コードは6桁の数字で指定してください。"),
                                 metadata={"description": "試算の基準にする団体の団体コード"})
    population = fields.Integer(validate=validate.Range(1, 50_000_000),
                                metadata={"description": "試算の基準にする人口（団体コードがないとき）"})


# --- bodies out --------------------------------------------------------------------------


class MunicipalityOutSchema(_Out):
    code = _req(fields.String)
    name = _req(fields.String)
    kana = _req(fields.String)
    prefecture = _req(fields.String)
    region = _req(fields.String)
    kind = _req(fields.String)
    population = _req(fields.Integer)
    population_year = _req(fields.Integer)
    url = _req(fields.String)


class MunicipalityListSchema(_Out):
    q = _req(fields.String)
    results = _req(fields.List, fields.Nested(MunicipalityOutSchema))
    credit = _opt(fields.String, metadata={"description": "人口の出典（マスタがないときは null）"})


class MunicipalityDetailSchema(MunicipalityOutSchema):
    population_band = _req(fields.String)
    source = _req(fields.String)
    credit = _opt(fields.String)
    cases = _req(fields.List, fields.Nested(CaseSummarySchema))


class RevisionOutSchema(_Out):
    number = _req(fields.Integer, metadata={"description": "版（ETag の値）"})
    status = _req(fields.String)
    action = _req(fields.String)
    action_label = _req(fields.String)
    comment = _req(fields.String)
    author = _req(fields.String)
    created_at = _req(fields.DateTime)
    content = _req(fields.Dict, metadata={"description": "この版の内容（事例ファイルと同じ形）"})


class RevisionListSchema(_Out):
    slug = _req(fields.String)
    version = _req(fields.Integer)
    revisions = _req(fields.List, fields.Nested(RevisionOutSchema))


class FieldErrorSchema(_Out):
    field = _req(fields.String, metadata={"description": "項目の位置（例: participants[0].population）"})
    message = _req(fields.String)


class ProblemSchema(Schema):
    """An error as RFC 9457 problem details (application/problem+json)."""

    type = _req(fields.String)
    title = _req(fields.String)
    status = _req(fields.Integer)
    detail = _req(fields.String)
    errors = fields.List(fields.Nested(FieldErrorSchema), metadata={"description": "項目ごとの誤り"})


# --- filling them ------------------------------------------------------------------------


def municipality_body(m: Municipality) -> dict[str, Any]:
    """A government of the master."""
    return {"code": m.code, "name": m.name, "kana": m.kana, "prefecture": m.prefecture, "region": m.region,
            "kind": m.kind, "population": m.population, "population_year": m.population_year,
            "url": url_for("api.show_municipality", code=m.code, _external=True)}


def revision_body(revision: Revision, labels: dict[str, str]) -> dict[str, Any]:
    """One saved version of a case."""
    return {"number": revision.number, "status": revision.status, "action": revision.action,
            "action_label": labels.get(revision.action, revision.action), "comment": revision.comment,
            "author": revision.author_label, "created_at": _utc(revision.created_at), "content": revision.content}
