"""The API's case bodies: a case as POST/PUT/PATCH take it, and as the API returns it.

Input is the case-file shape (schemas.CaseFileSchema), less `status`: status changes go
through the workflow endpoints. The outputs are declared here in the order the OpenAPI
description lists them; a case field of the registry (case_fields.py) that they do not declare
is added after the declared ones, as its kind is shown (tests/test_case_fields.py checks that
every field is in the record). Split from api_schemas.py, which re-exports these names.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import url_for
from marshmallow import RAISE, Schema, ValidationError, fields, pre_load

from . import case_fields, domain
from .models import Case
from .schema_base import FiscalYear
from .schemas import CaseFileSchema
from .services import cases

# --- bodies in ---------------------------------------------------------------------------

_NEWLINE = "末尾に改行を含めないでください。"


class CaseInSchema(CaseFileSchema):
    """A case as POST and PUT take it: the fields of a case file (cases/README.md) without `status`."""

    class Meta:
        unknown = RAISE
        exclude = ("status",)

    start_fiscal_year = FiscalYear(load_default=None, metadata={
        "type": ["integer", "string"], "description": "開始年度: 2017、\"平成29年度\"、\"H29\"、\"R元\"、\"2017年度\" または null"})

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
        for key, inner in (("tags", None), ("participants", "code"), ("sources", "url")):
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


class PartialDateOut(fields.Field):
    """A date known to the day, the month or the year: "2018-10-02", "2018-10" or "2018"."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value.isoformat() if hasattr(value, "isoformat") else value


_OUTPUT = {"string": fields.String, "date": PartialDateOut, "integer": fields.Integer, "boolean": fields.Boolean}


def _output(f: case_fields.CaseField) -> fields.Field:
    """The output field of a case field, from its kind (and null when its blank is None)."""
    if f.kind.output == "strings":
        return _req(fields.List, fields.String())
    field_cls = _OUTPUT[f.kind.output]
    return _opt(field_cls) if f.kind.nullable or f.default is None else _req(field_cls)


def _with_fields(schema: type[Schema], group: str, only=lambda f: True) -> type[Schema]:
    """`schema`, or a subclass of the same name with an output for each registry field it lacks."""
    missing = {f.name: _output(f) for f in case_fields.of(group) if only(f) and f.name not in schema._declared_fields}
    return schema.from_dict(missing, name=schema.__name__) if missing else schema


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


ParticipantOutSchema = _with_fields(ParticipantOutSchema, "participants")


class PerCapitaSchema(_Out):
    min = _req(fields.Float)
    max = _req(fields.Float)
    unit = _req(fields.String)
    population = _req(fields.Integer)


class EstimateSchema(PerCapitaSchema):
    label = _req(fields.String)
    text = _req(fields.String, metadata={"description": "表示する試算（約0.588人、1人未満、約21.2億円）"})
    formula = _opt(fields.String, metadata={
        "description": "計算式（年間2,400万円 ÷ 三宅村の人口2,274人 × 那須町の人口24,021人）"})


class ScalingSchema(_Out):
    scales = _req(fields.Boolean, metadata={"description": "人口に比例する（住民あたり・試算を出す）かどうか"})
    automatic = _req(fields.Boolean, metadata={"description": "true: 種類・単位・期間から自動で判定、false: 登録者の指定"})
    reason = _req(fields.String, metadata={"description": "判定の理由"})


class QuantitySchema(_Out):
    min = _req(fields.Float)
    max = _req(fields.Float)
    unit = _req(fields.String)


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
    baseline = _opt(fields.Nested, QuantitySchema, metadata={"description": "「7人→4人」の前の値（7人）"})
    result = _opt(fields.Nested, QuantitySchema, metadata={"description": "「7人→4人」の後の値（4人）"})
    change = _opt(fields.Nested, QuantitySchema, metadata={"description": "後の値 − 前の値（単位が同じとき）"})
    note = _opt(fields.String, metadata={"description": "括弧内の補足（「22,654時間（11.8人分）」の「11.8人分」）"})
    scales = _opt(fields.Boolean, metadata={
        "description": "人口に比例するかの登録者の指定（null: 自動。実際の判定は scaling）"})
    scaling = _req(fields.Nested, ScalingSchema, metadata={"description": "人口に比例するかの判定"})
    per_capita = _opt(fields.Nested, PerCapitaSchema, metadata={"description": "住民1人あたりの値（比例する効果だけ）"})
    estimate = _opt(fields.Nested, EstimateSchema, metadata={"description": "基準の団体の人口での試算（比例する効果だけ）"})


EffectOutSchema = _with_fields(EffectOutSchema, "effects")


class SourceOutSchema(_Out):
    title = _req(fields.String)
    publisher = _req(fields.String)
    date = _opt(PartialDateOut, metadata={"type": "string", "description": "2018-10-02、2018-10 または 2018"})
    url = _req(fields.String)


SourceOutSchema = _with_fields(SourceOutSchema, "sources")


class EventOutSchema(_Out):
    name = _req(fields.String)
    date = _opt(PartialDateOut, metadata={"type": "string", "description": "2017-10-02、2017-10 または 2017"})


EventOutSchema = _with_fields(EventOutSchema, "event")


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


CaseSummarySchema = _with_fields(CaseSummarySchema, "", lambda f: f.summary)


class CaseOutSchema(CaseSummarySchema):
    """The whole record of a case; `version` is also sent as the ETag."""

    background = _req(fields.String)
    approach = _req(fields.String)
    outcome = _req(fields.String)
    contact = _req(fields.String)
    status = _req(fields.String, metadata={"enum": list(domain.CASE_STATUSES)})
    version = _req(fields.Integer)
    sources = _req(fields.List, fields.Nested(SourceOutSchema), metadata={"description": "出典（順に。最初が主な出典）"})
    source = _req(fields.Nested, SourceOutSchema, metadata={"description": "最初の出典（sources[0]。互換のため）"})
    event = _req(fields.Nested, EventOutSchema)
    effects = _req(fields.List, fields.Nested(EffectOutSchema))
    created_at = _req(fields.DateTime)
    reference = _opt(fields.Nested, ReferenceOutSchema, metadata={"description": "試算の基準（指定したときだけ）"})


CaseOutSchema = _with_fields(CaseOutSchema, "")


def case_body(case: Case, themes: dict[str, str], bands: domain.Bands, full: bool = True,
              reference: domain.Reference | None = None) -> dict[str, Any]:
    """A case for CaseSummarySchema, and with `full` the whole record for CaseOutSchema (not yet dumped)."""
    population = domain.total_population(case.participants)
    out: dict[str, Any] = {f.name: v for f, v in case_fields.group_values(case, "").items() if full or f.summary}
    out.update({
        "url": url_for("public.show_case", slug=case.slug, _external=True),
        "api_url": url_for("api.show_case", slug=case.slug, _external=True),
        "themes": [{"code": t, "label": themes.get(t, t)} for t in case.themes],
        "start_fiscal_year_label": domain.fiscal_year_label(case.start_fiscal_year)
        if case.start_fiscal_year else None,
        "population": population,
        "population_band": bands.band_of(population).code if population is not None else None,
        "participants": [_participant_body(p) for p in case.participants],
        "updated_at": _utc(case.updated_at),
    })
    if not full:
        return out
    out.update({group: {f.name: v for f, v in case_fields.group_values(case, group).items()}
                for group in case_fields.NESTED})
    out["sources"] = [{f.name: v for f, v in case_fields.group_values(r, "sources").items()} for r in case.sources]
    out["source"] = out["sources"][0] if out["sources"] else case_fields.blank_row(case_fields.SOURCES)
    out.update({
        "version": case.version,
        "effects": [effect_body(f, population, reference) for f in cases.effect_figures(case, reference)],
        "created_at": _utc(case.created_at),
        "reference": reference_body(reference),
    })
    return out


def _participant_body(p) -> dict[str, Any]:
    out = {f.name: v for f, v in case_fields.group_values(p, "participants").items()}
    return {**out, "region": domain.region_of(p.prefecture) if p.prefecture else None}


def effect_body(f: cases.EffectFigures, population: int | None, reference: domain.Reference | None) -> dict:
    """An effect with, where meaningful, its amount per resident and an estimate (試算) for `reference`."""
    e = f.effect
    out = {field.name: v for field, v in case_fields.group_values(e, "effects").items()}
    out.update({"value_min": e.value_low, "value_max": e.value_high, "unit": e.unit or None,
                "qualifier": e.qualifier or None, "yen": e.yen, "per_capita": None, "estimate": None})
    figure = domain.read_figure(e.amount) if e.amount else None
    for name in ("baseline", "result", "change"):
        q = getattr(figure, name) if figure else None
        out[name] = {"min": q.low, "max": q.high, "unit": q.unit} if q is not None else None
    out["note"] = figure.secondary if figure else None
    out["scaling"] = {"scales": f.scaling.scales, "automatic": f.scaling.automatic, "reason": f.scaling.reason}
    if f.per_capita_values is not None:
        each = f.per_capita_values
        out["per_capita"] = {"min": each[0], "max": each[1], "unit": e.unit, "population": population}
    if f.estimate_values is not None and reference is not None:
        low, high = f.estimate_values
        out["estimate"] = {"min": low, "max": high, "unit": e.unit, "population": reference.population,
                           "label": "試算", "text": f.estimate, "formula": f.formula}
    return out


def reference_body(reference: domain.Reference | None) -> dict | None:
    """The government or population effects were scaled to, or None."""
    if reference is None:
        return None
    return {"code": reference.code or None, "name": reference.name or None, "prefecture": reference.prefecture or None,
            "population": reference.population, "population_year": reference.population_year}


