"""Building blocks of every marshmallow schema: fields with Japanese messages, and the strict base.

They live apart from schemas.py so that the case-field registry (case_fields.py), which
declares each field's check, and the schemas built from it can both use them.
"""
from __future__ import annotations

import datetime as dt
import unicodedata

from marshmallow import RAISE, Schema, ValidationError, fields, validate
from marshmallow.utils import missing as marshmallow_missing

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


# --- fields that read values the way Japanese offices write them (domain parsers) ------------------

REQUIRED = object()  # the `blank` of a field that must be given


class _Lenient(fields.Field):
    """A field read by a domain parser: a blank (None or only blanks) is `blank`; a refusal is its message.

    `blank` REQUIRED refuses a blank. A missing key gets `load_default` as usual.
    """

    default_error_messages = _BASE
    json_types: tuple[str, ...] = ("string",)  # what the OpenAPI description says it takes

    def __init__(self, *, blank=None, **kw):
        self.blank = blank
        super().__init__(**kw)
        # null is read as a blank; the OpenAPI description adds it itself when allow_none is set.
        nullable = blank is not REQUIRED and not self.allow_none
        self.metadata = {"type": [*self.json_types, *(["null"] if nullable else [])], **self.metadata}

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if value is marshmallow_missing:
            return super().deserialize(value, attr, data, **kwargs)
        if value is None or (isinstance(value, str) and not value.strip()):
            if self.blank is REQUIRED:
                raise ValidationError(_BASE["required"])
            return self.blank
        try:
            output = self.read(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        self._validate(output)
        return output

    def read(self, value):  # pragma: no cover - every subclass has its own
        raise NotImplementedError

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class Vocabulary(_Lenient):
    """A controlled value, typed as its code, its Japanese label or a usual short form (domain/labels.py)."""

    def __init__(self, vocabulary: str, **kw):
        self.vocabulary = vocabulary
        super().__init__(**kw)

    def read(self, value):
        return domain.read_label(self.vocabulary, value)


class Prefecture(_Lenient):
    """A prefecture, typed as 千葉県 or 千葉 (or its two-digit code 12)."""

    def read(self, value):
        return domain.read_prefecture(value)


class PartialDay(_Lenient):
    """A date known to the day, month or year (domain/dates.py); an Excel serial number is a day.

    Loads as a datetime.date when known to the day, else as ISO text ("2018-07", "2019").
    """

    json_types = ("string",)

    def read(self, value):
        if isinstance(value, dt.date):
            return value.date() if isinstance(value, dt.datetime) else value
        digits = str(value).strip()
        if isinstance(value, int | float) and not isinstance(value, bool) or (digits.isdigit() and len(digits) == 5):
            day = domain.excel_serial_date(value)
        else:
            day = domain.parse_date(value)
        return day.first_day() if day.precision == "day" else day.iso()


class FiscalYear(_Lenient):
    """A fiscal year: 2017, 平成29年度, H29, R元, or a date or month inside it (domain/years.py)."""

    json_types = ("integer", "string")

    def read(self, value):
        return domain.read_fiscal_year(value)[0]


class CensusYear(_Lenient):
    """The year of a population figure: 2020, 2020年, 令和2年, R2."""

    json_types = ("integer", "string")

    def read(self, value):
        return domain.parse_census_year(value)


class Count(_Lenient):
    """A whole number, typed as 8671, 8,671 or 8,671人."""

    json_types = ("integer", "string")

    def __init__(self, most: int, what: str, **kw):
        self.most, self.what = most, what
        super().__init__(**kw)

    def read(self, value):
        if isinstance(value, bool):
            raise ValueError("整数で入力してください。")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").removesuffix("人").strip()
        if not text.isdigit() or not 0 <= int(text) <= self.most:
            raise ValueError(f"「{value}」は{self.what}として読めません。0〜{self.most:,}の整数で入力してください。")
        return int(text)


class Code(_Lenient):
    """A local-government code: 6 digits with a valid check digit (5 digits get theirs completed)."""

    json_types = ("string", "integer")

    def read(self, value):
        return domain.read_code(value)[0]
