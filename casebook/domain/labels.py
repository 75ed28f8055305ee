"""Controlled vocabularies as curators type them: the stored code, its Japanese label and the usual short forms.

`read_label("role", "幹事団体")` -> "lead". `LABELS` (vocabulary -> code -> Japanese label) is what the app shows.
"""
from __future__ import annotations

import re
import unicodedata

from .codes import PREFECTURES

# vocabulary -> code -> (Japanese label, other accepted words). The code and the label are always accepted.
WORDS: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "participant_kind": {
        "prefecture": ("都道府県", ("県", "府", "都", "道", *PREFECTURES)),
        "designated_city": ("政令指定都市", ("政令市", "指定都市")),
        "city": ("市", ("中核市", "特例市", "施行時特例市")),
        "special_ward": ("特別区", ("区",)),
        "town": ("町", ()),
        "village": ("村", ()),
        "partial_union": ("一部事務組合", ("組合", "事務組合")),
        "regional_union": ("広域連合", ()),
        "enterprise_union": ("企業団", ("水道企業団",)),
        "council": ("協議会", ()),
        "association": ("その他の共同組織", ("その他", "一部事務組合・広域連合等")),
    },
    "role": {
        "lead": ("代表", ("代表団体", "幹事", "幹事団体", "主")),
        "member": ("構成団体", ("構成", "参加", "参加団体", "構成員")),
    },
    "effect_kind": {
        "cost": ("経費", ("費用", "コスト", "金額", "財政")),
        "staff": ("人員", ("職員", "人件", "人")),
        "time": ("時間", ("作業時間", "業務時間")),
        "facilities": ("施設", ("施設数",)),
        "service": ("サービス向上", ("サービス", "住民サービス", "利便性")),
        "risk": ("リスク軽減", ("リスク", "安全")),
        "other": ("その他", ()),
    },
    "effect_direction": {
        "reduction": ("削減", ("減少", "減", "縮減", "短縮", "低減")),
        "increase": ("増加", ("増", "向上", "拡大", "改善")),
    },
    "effect_period": {
        "annual": ("年間", ("毎年", "年", "年額", "単年度", "1年")),
        "monthly": ("月間", ("毎月", "月", "月額")),
        "total": ("累計・総額", ("累計", "合計", "総額", "計", "通算")),
        "one_off": ("一時", ("一回", "一時的", "初期")),
        "unknown": ("不明", ("期間不明", "記載なし")),
    },
    "effect_status": {
        "expected": ("見込み", ("見込", "試算", "予定", "目標", "推計", "想定", "計画")),
        "achieved": ("実績", ("効果実績", "達成")),
    },
    "detail": {
        "full": ("詳細", ()),
        "outline": ("概要のみ", ("概要",)),
    },
    "covers": {
        "all_municipalities": ("県内の全市町村", ("全市町村", "県内全市町村", "管内全市町村", "県内全域", "全域")),
    },
    "case_status": {
        "draft": ("下書き", ()),
        "review": ("確認待ち", ()),
        "published": ("公開中", ("公開",)),
        "archived": ("アーカイブ", ("非公開",)),
    },
}

# What each vocabulary is called in a message.
VOCABULARY_NAMES: dict[str, str] = {
    "participant_kind": "団体の種類", "role": "役割", "effect_kind": "効果の種類", "effect_direction": "効果の向き",
    "effect_period": "効果の期間", "effect_status": "見込み・実績の別", "detail": "記載の詳しさ", "case_status": "事例の状態",
    "covers": "参加の範囲",
}

LABELS: dict[str, dict[str, str]] = {vocab: {code: label for code, (label, _) in codes.items()} for vocab, codes in WORDS.items()}


def _key(text: object) -> str:
    """The form words are compared in: NFKC, lower case, without blanks, - or _ (Designated City = designated_city)."""
    return re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", str(text))).lower()


def _lookup(vocabulary: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for code, (label, others) in WORDS[vocabulary].items():
        for word in (code, label, *others):
            table.setdefault(_key(word), code)
    return table


_LOOKUP: dict[str, dict[str, str]] = {vocab: _lookup(vocab) for vocab in WORDS}


def read_label(vocabulary: str, value: object) -> str:
    """Return the stored code for a code, a Japanese label or a short form of `vocabulary`; ValueError otherwise."""
    if vocabulary not in WORDS:
        raise KeyError(f"語彙 {vocabulary!r} はありません（{'、'.join(WORDS)}）")
    code = _LOOKUP[vocabulary].get(_key(value)) if value is not None else None
    if code is None:
        shown = "" if value is None else str(value).strip()
        labels = "、".join(LABELS[vocabulary].values())
        raise ValueError(f"「{shown}」は{VOCABULARY_NAMES[vocabulary]}として読めません。{labels} のいずれかを入力してください")
    return code
