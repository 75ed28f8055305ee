"""Marshmallow schemas of the keyword suggestions (/api/v1/suggestions): its arguments and its answer.

The OpenAPI description is generated from these classes, and the answer is dumped through them.
"""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from .api_schemas import _opt, _Out, _req
from .schemas import _int, _max, _str
from .services import keywords


class KeywordQuerySchema(Schema):
    """Arguments of the keyword suggestions."""

    class Meta:
        unknown = EXCLUDE

    q = _str(load_default="", validate=[_max(keywords.MAX_QUERY_CHARS),
                                        validate.Regexp(r"^[^\x00]*$", error="NUL文字は使えません。")],
             metadata={"description": "入力途中のキーワード（ひらがな・カタカナ・全角半角を区別しません）"})
    limit = _int(strict=False, load_default=keywords.DEFAULT_LIMIT,
                 validate=validate.Range(1, keywords.MAX_LIMIT, error=f"1〜{keywords.MAX_LIMIT}で指定してください。"),
                 metadata={"description": "最大件数"})


class KeywordSchema(_Out):
    text = _req(fields.String, metadata={"description": "候補の語（検索語として使う）"})
    kind = _req(fields.String, validate=validate.OneOf(list(keywords.KINDS)),
                metadata={"description": "候補の種類: " + "、".join(f"{k}（{v}）" for k, v in keywords.KINDS.items())})
    kind_label = _req(fields.String, metadata={"description": "種類の表示名"})
    count = _opt(fields.Integer, metadata={"description": "その語をもつ公開中の事例の数（事例名では null）"})


class KeywordListSchema(_Out):
    q = _req(fields.String)
    suggestions = _req(fields.List, fields.Nested(KeywordSchema))
