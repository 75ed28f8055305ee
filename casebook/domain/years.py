"""Fiscal years (年度) and the Japanese eras they are written in: 2017 <-> 平成29年度."""
from __future__ import annotations

import re
import unicodedata

ERAS: tuple[tuple[str, int], ...] = (("令和", 2019), ("平成", 1989), ("昭和", 1926))


def era_year(fiscal_year: int) -> str:
    """Return the Japanese-era name of a fiscal year: 2017 -> 平成29年度, 2019 -> 令和元年度."""
    for era, first in ERAS:
        if fiscal_year >= first:
            n = fiscal_year - first + 1
            return f"{era}{'元' if n == 1 else n}年度"
    return f"{fiscal_year}年度"


def fiscal_year_label(fiscal_year: int | None) -> str:
    """Return a fiscal year as 和暦 and 西暦: 平成29年度（2017年度）."""
    if fiscal_year is None:
        return "不明"
    return f"{era_year(fiscal_year)}（{fiscal_year}年度）"


def parse_fiscal_year(value: object) -> int:
    """Read a fiscal year written as 2017, "2017", "平成29年度" or "令和元年度"."""
    if isinstance(value, int) and not isinstance(value, bool):
        year = value
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().removesuffix("年度").removesuffix("年")
        m = re.fullmatch(r"(令和|平成|昭和)(元|[0-9]{1,2})", text)
        if m:
            first = dict(ERAS)[m.group(1)]
            year = first + (1 if m.group(2) == "元" else int(m.group(2))) - 1
        elif re.fullmatch(r"[0-9]{4}", text):
            year = int(text)
        else:
            raise ValueError("年度は 2017 や 平成29年度 の形で入力してください")
    if not 1950 <= year <= 2100:
        raise ValueError("年度が範囲外です（1950〜2100年度）")
    return year
