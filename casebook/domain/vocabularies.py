"""The vocabularies of cases and users: each a mapping of stored value -> Japanese label."""
from __future__ import annotations

PARTICIPANT_KINDS: dict[str, str] = {
    "prefecture": "都道府県",
    "designated_city": "政令指定都市",
    "city": "市",
    "special_ward": "特別区",
    "town": "町",
    "village": "村",
    "association": "一部事務組合・広域連合等",
}
ROLES: dict[str, str] = {"lead": "代表", "member": "構成団体"}

EFFECT_KINDS: dict[str, str] = {
    "cost": "経費",
    "staff": "人員",
    "time": "時間",
    "facilities": "施設",
    "service": "サービス向上",
    "risk": "リスク軽減",
    "other": "その他",
}
EFFECT_DIRECTIONS: dict[str, str] = {"reduction": "削減", "increase": "増加"}
EFFECT_PERIODS: dict[str, str] = {"annual": "年間", "total": "累計・総額", "one_off": "一時"}
EFFECT_STATUSES: dict[str, str] = {"expected": "見込み", "achieved": "実績"}

CASE_STATUSES: dict[str, str] = {"draft": "下書き", "review": "確認待ち", "published": "公開中", "archived": "アーカイブ"}
ROLES_OF_USERS: dict[str, str] = {"curator": "担当者", "editor": "編集責任者"}
DETAIL_LEVELS: dict[str, str] = {"full": "詳細", "outline": "概要のみ"}
