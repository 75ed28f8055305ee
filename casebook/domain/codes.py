"""Prefectures, regions and the local-government code (全国地方公共団体コード) with its check digit."""
from __future__ import annotations

import re

# The 47 prefectures in code order: index + 1 is the two-digit prefecture code.
PREFECTURES: tuple[str, ...] = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県",
    "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県",
    "山梨県", "長野県", "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府",
    "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県",
    "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県",
    "鹿児島県", "沖縄県",
)

# Regions (地方) as (name, first prefecture code, last prefecture code).
REGIONS: tuple[tuple[str, int, int], ...] = (
    ("北海道", 1, 1), ("東北", 2, 7), ("関東", 8, 14), ("中部", 15, 23), ("近畿", 24, 30),
    ("中国", 31, 35), ("四国", 36, 39), ("九州・沖縄", 40, 47),
)


def prefecture_code(name: str) -> int | None:
    """Return the two-digit code (1-47) of a prefecture name, or None."""
    try:
        return PREFECTURES.index(name) + 1
    except ValueError:
        return None


def region_of(prefecture: str) -> str | None:
    """Return the region (地方) a prefecture belongs to."""
    code = prefecture_code(prefecture)
    if code is None:
        return None
    for name, first, last in REGIONS:
        if first <= code <= last:
            return name
    return None


# --- 全国地方公共団体コード -------------------------------------------------

def check_digit(first_five: str) -> int:
    """Return the check digit of a five-digit local-government code."""
    total = sum(int(d) * w for d, w in zip(first_five, (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10


def code_error(code: str) -> str | None:
    """Return why `code` is not a valid six-digit code, or None when it is."""
    if not re.fullmatch(r"[0-9]{6}", code or ""):
        return "団体コードは6桁の数字で入力してください"
    if not 1 <= int(code[:2]) <= 47:
        return "団体コードの上2桁（都道府県）が01〜47ではありません"
    if check_digit(code[:5]) != int(code[5]):
        return f"団体コードの検査数字が正しくありません（{code[:5]}の検査数字は{check_digit(code[:5])}）"
    return None
