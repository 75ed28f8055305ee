"""Marshmallow schemas of the JSON API: the bodies it accepts and the bodies it returns.

The OpenAPI description (openapi.py) is generated from these same classes, and every response
body is dumped through its schema, so the description and the answers cannot drift apart.
Input bodies are the case-file shape (schemas.CaseFileSchema), less `status`: status changes go
through the workflow endpoints.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import url_for
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, pre_load, validate

from . import domain
from .models import Case, Municipality, Revision
from .schemas import CaseFileSchema, _max, _str
from .services import cases

# --- bodies in ---------------------------------------------------------------------------


class WholeMatch(validate.Regexp):
    """A pattern that must match the whole value, as in JSON Schema (Python's `$` also matches
    before a final newline, so "123456\n" would pass ^[0-9]{6}$)."""

    def __call__(self, value: str) -> str:
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


_NEWLINE = "末尾に改行を含めないでください。"


class CaseInSchema(CaseFileSchema):
    """A case as POST and PUT take it: the fields of a case file (cases/README.md) without `status`."""

    class Meta:
        unknown = RAISE
        exclude = ("status",)

    start_fiscal_year = fields.Raw(load_default=None, allow_none=True, metadata={
        "type": ["integer", "string"], "description": "開始年度: 2017、\"2017\"、\"平成29年度\" または null"})

    @pre_load
    def _no_final_newline(self, data: Any, **_kw) -> Any:
        # The case file's patterns (slug, tags, source.url, participant codes) end in `$`, which in
        # Python also matches before a final newline; the description promises whole-value patterns.
        if not isinstance(data, dict):
            return data
        errors: dict[str, Any] = {}
        if _ends_in_newline(data.get("slug")):
            errors["slug"] = [_NEWLINE]
        if isinstance(data.get("source"), dict) and _ends_in_newline(data["source"].get("url")):
            errors["source"] = {"url": [_NEWLINE]}
        for key, inner in (("tags", None), ("participants", "code")):
            items = data.get(key)
            for i, item in enumerate(items if isinstance(items, list) else []):
                value = item.get(inner) if inner and isinstance(item, dict) else (None if inner else item)
                if _ends_in_newline(value):
                    errors.setdefault(key, {})[i] = {inner: [_NEWLINE]} if inner else [_NEWLINE]
        if errors:
            raise ValidationError(errors)
        return data


def _ends_in_newline(value: Any) -> bool:
    return isinstance(value, str) and value.endswith("\n")


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


def _utc(value: datetime) -> datetime:
    """Datetimes are stored in UTC; SQLite hands them back without their zone."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


class _Out(Schema):
    """Output schemas only dump: their `required` marks the keys that are always present."""


def _req(field_cls, *args, **kw):
    return field_cls(*args, required=True, **kw)


def _opt(field_cls, *args, **kw):
    return field_cls(*args, required=True, allow_none=True, **kw)


class ThemeOutSchema(_Out):
    code = _req(fields.String)
    label = _req(fields.String)


class ParticipantOutSchema(_Out):
    role = _req(fields.String, metadata={"enum": list(domain.ROLES)})
    code = _opt(fields.String)
    name = _req(fields.String)
    prefecture = _opt(fields.String)
    region = _opt(fields.String)
    kind = _req(fields.String)
    population = _opt(fields.Integer)
    population_year = _opt(fields.Integer)
    population_source = _req(fields.String)


class PerCapitaSchema(_Out):
    min = _req(fields.Float)
    max = _req(fields.Float)
    unit = _req(fields.String)
    population = _req(fields.Integer)


class EstimateSchema(PerCapitaSchema):
    label = _req(fields.String)
    formula = _opt(fields.String)


class EffectOutSchema(_Out):
    kind = _req(fields.String)
    direction = _req(fields.String)
    label = _req(fields.String)
    amount = _req(fields.String)
    value_min = _opt(fields.Float)
    value_max = _opt(fields.Float)
    unit = _opt(fields.String)
    qualifier = _opt(fields.String)
    yen = _opt(fields.Integer)
    period = _req(fields.String)
    status = _req(fields.String)
    wording = _req(fields.String)
    per_capita = _opt(fields.Nested, PerCapitaSchema, metadata={"description": "住民1人あたりの値"})
    estimate = _opt(fields.Nested, EstimateSchema, metadata={"description": "基準の団体の人口での試算"})


class SourceOutSchema(_Out):
    title = _req(fields.String)
    publisher = _req(fields.String)
    date = _opt(fields.Date)
    url = _req(fields.String)


class EventOutSchema(_Out):
    name = _req(fields.String)
    date = _opt(fields.Date)


class ReferenceOutSchema(_Out):
    code = _opt(fields.String)
    name = _opt(fields.String)
    prefecture = _opt(fields.String)
    population = _req(fields.Integer)
    population_year = _opt(fields.Integer)


class CaseSummarySchema(_Out):
    """A case as listed in search results."""

    slug = _req(fields.String)
    title = _req(fields.String)
    url = _req(fields.String, metadata={"description": "事例のページ"})
    api_url = _req(fields.String, metadata={"description": "この事例のAPI"})
    detail = _req(fields.String)
    themes = _req(fields.List, fields.Nested(ThemeOutSchema))
    tags = _req(fields.List, fields.String())
    start_fiscal_year = _opt(fields.Integer)
    start_fiscal_year_label = _opt(fields.String)
    summary = _req(fields.String)
    population = _opt(fields.Integer, metadata={"description": "参加団体の人口合計"})
    population_band = _opt(fields.String)
    participants = _req(fields.List, fields.Nested(ParticipantOutSchema))
    updated_at = _req(fields.DateTime)


class CaseOutSchema(CaseSummarySchema):
    """The whole record of a case; `version` is also sent as the ETag."""

    background = _req(fields.String)
    approach = _req(fields.String)
    outcome = _req(fields.String)
    contact = _req(fields.String)
    status = _req(fields.String, metadata={"enum": list(domain.CASE_STATUSES)})
    version = _req(fields.Integer)
    source = _req(fields.Nested, SourceOutSchema)
    event = _req(fields.Nested, EventOutSchema)
    effects = _req(fields.List, fields.Nested(EffectOutSchema))
    created_at = _req(fields.DateTime)
    reference = _opt(fields.Nested, ReferenceOutSchema, metadata={"description": "試算の基準（指定したときだけ）"})


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


def case_body(case: Case, themes: dict[str, str], bands: domain.Bands, full: bool = True,
              reference: domain.Reference | None = None) -> dict[str, Any]:
    """A case for CaseSummarySchema, and with `full` the whole record for CaseOutSchema (not yet dumped)."""
    population = domain.total_population(case.participants)
    out: dict[str, Any] = {
        "slug": case.slug,
        "title": case.title,
        "url": url_for("public.show_case", slug=case.slug, _external=True),
        "api_url": url_for("api.show_case", slug=case.slug, _external=True),
        "detail": case.detail,
        "themes": [{"code": t, "label": themes.get(t, t)} for t in case.themes],
        "tags": list(case.tags),
        "start_fiscal_year": case.start_fiscal_year,
        "start_fiscal_year_label": domain.fiscal_year_label(case.start_fiscal_year)
        if case.start_fiscal_year else None,
        "summary": case.summary,
        "population": population,
        "population_band": bands.band_of(population).code if population is not None else None,
        "participants": [{
            "role": p.role, "code": p.code, "name": p.name, "prefecture": p.prefecture,
            "region": domain.region_of(p.prefecture) if p.prefecture else None,
            "kind": p.kind, "population": p.population, "population_year": p.population_year,
            "population_source": p.population_source,
        } for p in case.participants],
        "updated_at": _utc(case.updated_at),
    }
    if not full:
        return out
    out.update({
        "background": case.background, "approach": case.approach, "outcome": case.outcome,
        "contact": case.contact, "status": case.status, "version": case.version,
        "source": {"title": case.source_title, "publisher": case.source_publisher,
                   "date": case.source_date, "url": case.source_url},
        "event": {"name": case.event_name, "date": case.event_date},
        "effects": [effect_body(f, population, reference) for f in cases.effect_figures(case, reference)],
        "created_at": _utc(case.created_at),
        "reference": reference_body(reference),
    })
    return out


def effect_body(f: cases.EffectFigures, population: int | None, reference: domain.Reference | None) -> dict:
    """An effect with, where meaningful, its amount per resident and an estimate (試算) for `reference`."""
    e = f.effect
    out = {
        "kind": e.kind, "direction": e.direction, "label": e.label, "amount": e.amount,
        "value_min": e.value_low, "value_max": e.value_high, "unit": e.unit or None,
        "qualifier": e.qualifier or None, "yen": e.yen, "period": e.period,
        "status": e.status, "wording": e.wording, "per_capita": None, "estimate": None,
    }
    each = domain.per_capita(e.value_low, e.value_high, e.unit, population)
    if each is not None:
        out["per_capita"] = {"min": each[0], "max": each[1], "unit": e.unit, "population": population}
        if reference is not None:
            low, high = domain.scaled(e.value_low, e.value_high, e.unit, population, reference.population)
            out["estimate"] = {"min": low, "max": high, "unit": e.unit, "population": reference.population,
                               "label": "試算", "formula": f.formula}
    return out


def reference_body(reference: domain.Reference | None) -> dict | None:
    """The government or population effects were scaled to, or None."""
    if reference is None:
        return None
    return {"code": reference.code or None, "name": reference.name or None, "prefecture": reference.prefecture or None,
            "population": reference.population, "population_year": reference.population_year}


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
