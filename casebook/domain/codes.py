"""Prefectures, regions and the local-government code (全国地方公共団体コード) with its check digit."""
from __future__ import annotations

import re
import unicodedata

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


def read_prefecture(value: object) -> str:
    """A prefecture typed as 千葉県, 千葉 or its code 12 -> 千葉県; ValueError quoting anything else."""
    text = str(value).strip()
    if text in PREFECTURES:
        return text
    if text.isdigit() and 1 <= int(text) <= 47:
        return PREFECTURES[int(text) - 1]
    named = [p for p in PREFECTURES if p[:-1] == text and p != "北海道"]
    if len(named) == 1:
        return named[0]
    raise ValueError(f"「{text}」は都道府県として読めません。千葉県・東京都・北海道 のように入力してください")


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


# --- reading a typed code ------------------------------------------------------

CODE_EXAMPLES = "6桁の団体コード（検査数字つき、例 392014、011002）"


def _code_digits(value: object) -> str:
    """The digits of a typed code: 12084, 12084.0 and "１２０８４" (a spreadsheet cell) all give "12084"."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return re.sub(r"\.0+$", "", text) if re.fullmatch(r"[0-9]+\.0+", text) else text


def _prefecture_number(prefecture: str | int) -> int:
    """The code (1-47) of a prefecture given by name (北海道, 青森県, 青森) or by its two-digit code."""
    text = unicodedata.normalize("NFKC", str(prefecture)).strip()
    if re.fullmatch(r"[0-9]{1,2}", text) and 1 <= int(text) <= 47:
        return int(text)
    for name in (text, text + "県", text + "府", text + "都"):
        if (code := prefecture_code(name)) is not None:
            return code
    raise ValueError(f"「{str(prefecture).strip()}」は都道府県として読めません。北海道、青森県、東京都 のように入力してください")


def code_candidates(value: object, prefecture: str | None = None) -> list[str]:
    """The valid six-digit codes a typed code may stand for.

    392014 -> itself; 5 digits -> the digits with their check digit, and "0" + the digits when Excel dropped a
    leading zero (12084 -> 120847 and 012084); 4 digits -> "0" + digits + check digit (1208 -> 012084).
    With `prefecture`, only that prefecture's codes are kept.
    """
    digits = _code_digits(value)
    if not re.fullmatch(r"[0-9]{4,6}", digits):
        return []
    if len(digits) == 6:
        found = [digits]
    elif len(digits) == 5:
        found = [digits + str(check_digit(digits)), "0" + digits]
    else:
        found = ["0" + digits + str(check_digit("0" + digits))]
    found = [c for c in dict.fromkeys(found) if code_error(c) is None]
    if prefecture is not None:
        wanted = _prefecture_number(prefecture)
        found = [c for c in found if int(c[:2]) == wanted]
    return found


def _named(code: str, known) -> str:
    """012084（北海道夕張市）: the code with the master's name, or with its prefecture alone."""
    entry = known(code) if known else None
    prefecture = PREFECTURES[int(code[:2]) - 1]
    if entry:
        name, pref = entry
        pref = pref or prefecture
        return f"{code}（{name if name.startswith(pref) else pref + name}）"
    return f"{code}（{prefecture}）"


def read_code(value: object, prefecture: str | None = None, known=None) -> tuple[str, str | None]:
    """Read a typed local-government code as (code, note); the note tells when the code was repaired.

    `known`, when given, is the master: a callable(code) -> (name, prefecture) or None. A candidate it does not
    know is dropped. Exactly one candidate left is the answer; none or several is a ValueError.
    """
    digits = _code_digits(value)
    typed = f"「{str(value).strip()}」"
    if len(digits) == 6 and (error := code_error(digits)):
        raise ValueError(f"{typed}: {error}")
    if not re.fullmatch(r"[0-9]{4,6}", digits):
        raise ValueError(f"{typed}は団体コードとして読めません。{CODE_EXAMPLES} で入力してください")
    found = code_candidates(digits)
    reasons = []
    if prefecture is not None and found:
        found = code_candidates(digits, prefecture)
        if not found:
            reasons.append(f"{prefecture}の団体コードになりません")
    if known is not None and found:
        found = [c for c in found if known(c)]
        if not found:
            reasons.append("市区町村マスタにありません")
    if not found:
        why = f"（{'、'.join(reasons)}）" if reasons else ""
        raise ValueError(f"{typed}は団体コードとして読めません{why}。{CODE_EXAMPLES} で入力してください")
    if len(found) > 1:
        names = "、".join(_named(c, known) for c in found)
        raise ValueError(f"{typed}は団体コード {names} のどれか決められません。6桁で入力してください")
    code = found[0]
    return code, None if code == digits else f"{typed}を団体コード {_named(code, known)}として読みました"
