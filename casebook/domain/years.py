"""Fiscal years (年度) and the Japanese eras they are written in: 2017 <-> 平成29年度."""
from __future__ import annotations

import re
import unicodedata

from .dates import ERA_BY_WORD, ERA_PATTERN, PartialDate, normalise, parse_date, quoted

ERAS: tuple[tuple[str, int], ...] = (("令和", 2019), ("平成", 1989), ("昭和", 1926))
FISCAL_YEAR_EXAMPLES = "2017、2017年度、平成29年度、H29、R2年度、令和元年度、FY2017"
CENSUS_YEAR_EXAMPLES = "2020、2020年、令和2年、R2"

_ERA_YEAR = re.compile(rf"(?P<era>{ERA_PATTERN})\s*(?P<n>元|[0-9]{{1,2}})")


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


def _whole_number(value: object) -> int | None:
    """An int, or a float with no fraction (a spreadsheet cell), as an int; otherwise None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _year_text(text: str) -> int | None:
    """Read 2017, 2017年, 2017年度, FY2017, 平成29年(度), H29, R元 as a year (no range check); None otherwise.

    Era years are not checked against the era's end: plans written before 2019 say 平成31年度 or 平成32年度.
    """
    text = re.sub(r"^FY\s*", "", text, flags=re.IGNORECASE)
    text = text.removesuffix("年度").removesuffix("年").strip()
    if re.fullmatch(r"[0-9]{4}", text):
        return int(text)
    m = _ERA_YEAR.fullmatch(text)
    if not m:
        return None
    era = m.group("era")
    first = ERA_BY_WORD[era.upper() if len(era) == 1 else era][1].year
    return first + (1 if m.group("n") == "元" else int(m.group("n"))) - 1


def _in_range(value: object, year: int, first: int, last: int, what: str) -> int:
    if not first <= year <= last:
        raise ValueError(f"{quoted(value)}は{what}として範囲外です（{first}〜{last}年{'度' if what == '年度' else ''}）")
    return year


def parse_fiscal_year(value: object) -> int:
    """Read a fiscal year written as 2017, "2017", "2017年度", "平成29年度", "H29", "R元", "令和元年度" or "FY2017"."""
    year = _whole_number(value)
    if year is None:
        year = None if isinstance(value, bool) else _year_text(unicodedata.normalize("NFKC", str(value)).strip())
    if year is None:
        raise ValueError(f"{quoted(value)}は年度として読めません。{FISCAL_YEAR_EXAMPLES} のように入力してください")
    return _in_range(value, year, 1950, 2100, "年度")


def fiscal_year_of(date: PartialDate) -> int:
    """The fiscal year (April to March) a day or month falls in: 2014年1月 -> 2013."""
    return date.year - 1 if date.month is not None and date.month < 4 else date.year


def read_fiscal_year(value: object) -> tuple[int, str | None]:
    """Read a fiscal year, or a date or month standing for the fiscal year that contains it.

    Returns (year, note): the note (None for a fiscal-year form) tells how a date or a calendar year was read,
    e.g. 「平成26年1月」は平成25年度（2013年度）として読みました.
    """
    if _whole_number(value) is not None:
        return parse_fiscal_year(value), None
    text = "" if isinstance(value, bool) else normalise(value)
    year = _year_text(text) if text else None
    if year is not None:
        year = _in_range(value, year, 1950, 2100, "年度")
        calendar_year = text.endswith("年") and not text.endswith("年度")
        return year, _note(value, year) if calendar_year else None
    try:
        date = parse_date(value)
    except ValueError:
        raise ValueError(f"{quoted(value)}は年度として読めません。{FISCAL_YEAR_EXAMPLES}、"
                         "または 2018/6/28、平成26年1月 のような日付・年月を入力してください") from None
    year = _in_range(value, fiscal_year_of(date), 1950, 2100, "年度")
    return year, _note(value, year)


def _note(value: object, year: int) -> str:
    return f"{quoted(value)}は{fiscal_year_label(year)}として読みました"


def parse_census_year(value: object) -> int:
    """Read the year of a population figure: 2020, 2020年, 令和2年, R2 (2020年度 is read as 2020 too)."""
    year = _whole_number(value)
    if year is None and not isinstance(value, bool):
        year = _year_text(normalise(value))
    if year is None:
        raise ValueError(f"{quoted(value)}は人口の年として読めません。{CENSUS_YEAR_EXAMPLES} のように入力してください")
    return _in_range(value, year, 1900, 2100, "人口の年")
