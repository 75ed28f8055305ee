"""Building blocks of every marshmallow schema: fields with Japanese messages, and the strict base.

They live apart from schemas.py so that the case-field registry (case_fields.py), which
declares each field's check, and the schemas built from it can both use them.
"""
from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate

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
