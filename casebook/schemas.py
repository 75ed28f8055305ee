"""Marshmallow schemas: case files (YAML in cases/), search arguments, API output.

Schemas check shape and give Japanese messages; business rules (known themes, slug
uniqueness) are enforced by the services.
"""
from __future__ import annotations

import re
from typing import Any

from marshmallow import (
    EXCLUDE,
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates,
)

from . import domain

_BASE = {"required": "必須項目です。", "null": "値がありません。", "validator_failed": "値が正しくありません。"}


def _str(**kw) -> fields.String:
    return fields.String(error_messages={**_BASE, "invalid": "文字列で入力してください。"}, **kw)


def _int(strict: bool = True, **kw) -> fields.Integer:
    return fields.Integer(strict=strict, error_messages={
        **_BASE, "invalid": "整数で入力してください。", "too_large": "数が大きすぎます。"}, **kw)


def _list(inner, **kw) -> fields.List:
    return fields.List(inner, error_messages={**_BASE, "invalid": "リスト（複数の値）で入力してください。"}, **kw)


class _BoundedList(fields.List):
    """A list whose maximum length (its validate.Length with a max) is checked before any item is read."""

    def _deserialize(self, value, attr, data, **kwargs):
        for length in self.validators:
            if isinstance(length, validate.Length) and length.max is not None and isinstance(value, (list, tuple)) \
                    and len(value) > length.max:
                raise ValidationError(length.error or f"{length.max}件以内にしてください。")
        return super()._deserialize(value, attr, data, **kwargs)


def _rows(inner, most: int, what: str, least: int = 0, **kw) -> fields.List:
    """The repeatable rows of a case (participants, effects): at most `most`, refused before they are read."""
    checks = [validate.Length(max=most, error=f"{what}は{most}件以内にしてください。")]
    if least:
        checks.insert(0, validate.Length(min=least, error=f"{what}を{least}つ以上指定してください。"))
    return _BoundedList(inner, validate=checks,
                        error_messages={**_BASE, "invalid": "リスト（複数の値）で入力してください。"}, **kw)


def _nested(schema, **kw) -> fields.Nested:
    return fields.Nested(schema, error_messages={**_BASE, "type": "項目の集まりで入力してください。"}, **kw)


def _date(**kw) -> fields.Date:
    return fields.Date(error_messages={**_BASE, "invalid": "日付は 2018-10-02 の形で入力してください。"}, **kw)


def _one_of(choices) -> validate.OneOf:
    return validate.OneOf(list(choices), error="次のいずれかを指定してください: {choices}")


def _max(n: int) -> validate.Length:
    return validate.Length(max=n, error=f"{n}文字以内で入力してください。")


class _Base(Schema):
    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "不明な項目です。", "type": "項目の集まり（マッピング）で入力してください。"}


class ParticipantSchema(_Base):
    role = _str(load_default="member", validate=_one_of(domain.ROLES))
    code = _str(load_default=None, allow_none=True)
    name = _str(required=True, validate=[validate.Length(min=1, max=100, error="必須項目です（100文字以内）。")])
    prefecture = _str(load_default=None, allow_none=True, validate=_one_of(domain.PREFECTURES))
    kind = _str(required=True, validate=_one_of(domain.PARTICIPANT_KINDS))
    population = _int(load_default=None, allow_none=True,
                       validate=validate.Range(0, 50_000_000, error="人口は0〜5,000万の整数で入力してください。"))
    population_year = _int(load_default=None, allow_none=True,
                            validate=validate.Range(1920, 2100, error="年は1920〜2100で入力してください。"))
    population_source = _str(load_default="", validate=_max(300))

    @pre_load
    def _code_as_text(self, data, **_kw):
        if isinstance(data, dict) and isinstance(data.get("code"), int):
            data = {**data, "code": f"{data['code']:06d}"}
        return data

    @validates("code")
    def _valid_code(self, value, **_kw):
        if value is not None and (error := domain.code_error(value)):
            raise ValidationError(error)


class EffectSchema(_Base):
    kind = _str(required=True, validate=_one_of(domain.EFFECT_KINDS))
    direction = _str(load_default="reduction", validate=_one_of(domain.EFFECT_DIRECTIONS))
    label = _str(required=True, validate=[validate.Length(min=1, max=200, error="必須項目です（200文字以内）。")])
    amount = _str(load_default="", validate=_max(100))
    period = _str(load_default="total", validate=_one_of(domain.EFFECT_PERIODS))
    status = _str(load_default="achieved", validate=_one_of(domain.EFFECT_STATUSES))
    wording = _str(load_default="", validate=_max(1000))

    @validates("amount")
    def _parsable(self, value, **_kw):
        if value:
            try:
                domain.parse_amount(value)
            except ValueError as exc:
                raise ValidationError(str(exc)) from exc


class SourceSchema(_Base):
    title = _str(load_default="", validate=_max(300))
    publisher = _str(load_default="", validate=_max(200))
    date = _date(load_default=None, allow_none=True)
    url = _str(load_default="", validate=[_max(500), validate.Regexp(
        r"^(https?://\S+)?\Z", error="URLは http:// または https:// で始めてください。")])


class EventSchema(_Base):
    name = _str(load_default="", validate=_max(300))
    date = _date(load_default=None, allow_none=True)


# Rows per case, for every path that validates with CaseFileSchema (import, cases/, API, editor).
# What must hold them: the editor's form (forms.CaseForm holds one row more, so this schema explains the limit),
# and a CSV/XLSX row: 18 + 8 × 50 + 7 × 50 = 768 columns (Excel has 16,384).
MAX_PARTICIPANTS = 50
MAX_EFFECTS = 50
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,98}[a-z0-9]\Z")


class CaseFileSchema(_Base):
    """One case as written in a file of cases/ (and accepted by the API)."""

    slug = _str(required=True, validate=validate.Regexp(
        SLUG_RE, error="英小文字・数字・ハイフンで2〜100文字にしてください（先頭と末尾は英数字）。"))
    title = _str(required=True, validate=validate.Length(min=1, max=200, error="必須項目です（200文字以内）。"))
    status = _str(load_default="draft", validate=_one_of(domain.CASE_STATUSES))
    detail = _str(load_default="full", validate=_one_of(domain.DETAIL_LEVELS))
    themes = _list(_str(), required=True, validate=validate.Length(min=1, error="テーマを1つ以上指定してください。"))
    tags = _list(_str(validate=validate.Regexp(r"^[^,]{1,50}\Z", error="タグは50文字以内で、カンマを含めないでください。")),
                 load_default=list)
    start_fiscal_year = fields.Raw(load_default=None, allow_none=True)
    summary = _str(load_default="", validate=_max(2000))
    background = _str(load_default="", validate=_max(20000))
    approach = _str(load_default="", validate=_max(20000))
    outcome = _str(load_default="", validate=_max(20000))
    contact = _str(load_default="", validate=_max(1000))
    source = _nested(SourceSchema, load_default=dict)
    event = _nested(EventSchema, load_default=dict)
    participants = _rows(_nested(ParticipantSchema), MAX_PARTICIPANTS, "参加団体", least=1, required=True)
    effects = _rows(_nested(EffectSchema), MAX_EFFECTS, "効果", load_default=list)

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
        for key in ("title", "summary", "background", "approach", "outcome", "contact"):
            data[key] = data[key].strip()
        data["tags"] = list(dict.fromkeys(t.strip() for t in data["tags"] if t.strip()))
        data["themes"] = list(dict.fromkeys(data["themes"]))
        for key in ("source", "event"):
            data[key] = {**{"title": "", "publisher": "", "date": None, "url": "", "name": ""}, **data[key]}
        return data


# Values of one facet (or boost) in one search: 464 tag= values took seconds and megabytes. (The
# search words need no cap here: analysis.clean_query searches by their start, with a note.)
MAX_FACET_VALUES = 20


class SearchArgsSchema(Schema):
    """Arguments of /cases and /api/v1/cases (lists for facets, one value otherwise).

    Repeated arguments are capped (checked before any value is read, in this schema and in
    those built from it): a search's cost, and its answer's size, grow with them.
    """

    class Meta:
        unknown = EXCLUDE

    q = _str(load_default="")
    theme = _list(_str(validate=_max(40)), load_default=list)
    band = _list(_str(validate=_max(30)), load_default=list)
    region = _list(_str(validate=_max(20)), load_default=list)
    pref = _list(_str(validate=_max(10)), load_default=list)
    kind = _list(_str(validate=_max(30)), load_default=list)
    year = _list(_str(validate=validate.Regexp(r"^[0-9]{4}\Z", error="年度は西暦4桁で指定してください。")),
                 load_default=list)
    tag = _list(_str(validate=_max(50)), load_default=list)
    sort = _str(load_default="relevance")
    page = _int(strict=False, load_default=1,
                validate=validate.Range(1, 1000, error="ページは1〜1000で指定してください。"))
    size = _int(strict=False, load_default=None, allow_none=True)
    municipality = _str(load_default=None, validate=validate.Regexp(
        r"^[0-9]{6}\Z", error="団体コードは6桁の数字で指定してください。"))
    population = _int(strict=False, load_default=None, validate=validate.Range(
        1, 50_000_000, error="人口は1〜5,000万の整数で指定してください。"))
    boost = _list(_str(validate=_one_of(("pref", "region"))), load_default=list)

    @pre_load
    def _not_too_many(self, data, **_kw):
        too_many: dict[str, list[str]] = {}
        for name, value in (data.items() if isinstance(data, dict) else ()):
            field = self.fields.get(name)
            if isinstance(field, fields.List) and isinstance(value, (list, tuple)) and len(value) > MAX_FACET_VALUES:
                too_many[name] = [f"一度に指定できるのは{MAX_FACET_VALUES}個までです（{len(value)}個指定されています）。"
                                  "条件を絞り込んでください。"]
        if too_many:
            raise ValidationError(too_many)
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
