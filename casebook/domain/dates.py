"""Dates as curators type them (2018/6/28, 平成28年11月10日, H28.11.10, 2018年7月, 2019年): day, month or year precision.

Pure functions only. Every refusal is a ValueError whose message quotes the value and shows accepted forms.
"""
from __future__ import annotations

import calendar
import datetime
import re
import unicodedata
from dataclasses import dataclass

# The eras (元号) as (name, letter, first day, last day or None).
ERA_SPANS: tuple[tuple[str, str, datetime.date, datetime.date | None], ...] = (
    ("明治", "M", datetime.date(1868, 1, 25), datetime.date(1912, 7, 29)),
    ("大正", "T", datetime.date(1912, 7, 30), datetime.date(1926, 12, 24)),
    ("昭和", "S", datetime.date(1926, 12, 25), datetime.date(1989, 1, 7)),
    ("平成", "H", datetime.date(1989, 1, 8), datetime.date(2019, 4, 30)),
    ("令和", "R", datetime.date(2019, 5, 1), None),
)
ERA_BY_WORD: dict[str, tuple[str, datetime.date, datetime.date | None]] = {
    **{name: (name, first, last) for name, _, first, last in ERA_SPANS},
    **{letter: (name, first, last) for name, letter, first, last in ERA_SPANS},
}
ERA_PATTERN = "明治|大正|昭和|平成|令和|[MTSHRmtshr]"
FIRST_YEAR, LAST_YEAR = 1900, 2100
DATE_EXAMPLES = "2018-06-28、2018/6/28、2018年6月28日、平成28年11月10日、H28.11.10、2018年7月、2019年"
_EXCEL_EPOCH = datetime.date(1899, 12, 30)

_WESTERN = re.compile(r"(?P<y>[0-9]{4})(?:(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?:(?P=sep)(?P<d>[0-9]{1,2}))?)?")
_WESTERN_KANJI = re.compile(r"(?P<y>[0-9]{4})\s*年(?:\s*(?P<m>[0-9]{1,2})\s*月(?:\s*(?P<d>[0-9]{1,2})\s*日)?)?")
_ERA_KANJI = re.compile(
    rf"(?P<era>{ERA_PATTERN})\s*(?P<n>元|[0-9]{{1,2}})\s*年(?:\s*(?P<m>[0-9]{{1,2}})\s*月(?:\s*(?P<d>[0-9]{{1,2}})\s*日)?)?")
_ERA_DOTTED = re.compile(
    rf"(?P<era>{ERA_PATTERN})\s*(?P<n>元|[0-9]{{1,2}})(?:(?P<sep>[-/.])(?P<m>[0-9]{{1,2}})(?:(?P=sep)(?P<d>[0-9]{{1,2}}))?)?")


def normalise(value: object) -> str:
    """NFKC-normalise a typed value and strip the blanks around it."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def quoted(value: object) -> str:
    """The value as typed, for a message: 「H28.11.10」."""
    return f"「{str(value).strip()}」"


def _refuse(value: object, reason: str = "") -> ValueError:
    why = f"（{reason}）" if reason else ""
    return ValueError(f"{quoted(value)}は日付として読めません{why}。{DATE_EXAMPLES} のように入力してください")


@dataclass(frozen=True)
class PartialDate:
    """A date known to the day, the month or only the year: PartialDate(2018, 7, None) is 2018年7月."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise ValueError(f"{FIRST_YEAR}〜{LAST_YEAR}年の日付だけを扱います")
        if self.month is None and self.day is not None:
            raise ValueError("日があるときは月も必要です")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"月は1〜12です: {self.month}")
        if self.day is not None:
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise ValueError(f"{self.year}年{self.month}月は{last}日までです")

    @property
    def precision(self) -> str:
        """"day", "month" or "year"."""
        return "year" if self.month is None else "month" if self.day is None else "day"

    def iso(self) -> str:
        """2018-06-28, 2018-07 or 2019."""
        parts = [f"{self.year:04d}"] + [f"{p:02d}" for p in (self.month, self.day) if p is not None]
        return "-".join(parts)

    def label(self) -> str:
        """2018年6月28日, 2018年7月 or 2019年."""
        return f"{self.year}年" + (f"{self.month}月" if self.month else "") + (f"{self.day}日" if self.day else "")

    def first_day(self) -> datetime.date:
        """The first day the date may stand for: 2018年7月 -> 2018-07-01."""
        return datetime.date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> datetime.date:
        """The last day the date may stand for: 2018年7月 -> 2018-07-31."""
        if self.day is not None:
            return self.first_day()
        month = self.month or 12
        return datetime.date(self.year, month, calendar.monthrange(self.year, month)[1])

    @classmethod
    def from_iso(cls, text: str | datetime.date) -> PartialDate:
        """The inverse of iso(): "2018-06-28", "2018-07", "2019" (or a datetime.date)."""
        if isinstance(text, datetime.datetime):
            text = text.date()
        if isinstance(text, datetime.date):
            return cls(text.year, text.month, text.day)
        m = re.fullmatch(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?", str(text).strip())
        if not m:
            raise ValueError(f"{quoted(text)}は日付（2018-06-28、2018-07、2019 の形）として読めません")
        try:
            return cls(*(int(g) if g else None for g in m.groups()))
        except ValueError as exc:
            raise ValueError(f"{quoted(text)}は日付として読めません（{exc}）") from exc


def _era_year(value: object, era: str, n: str, month: int | None, day: int | None) -> PartialDate:
    """Turn an era year (平成28年11月10日) into a PartialDate, refusing what lies outside the era."""
    name, first, last = ERA_BY_WORD[era.upper() if len(era) == 1 else era]
    year = first.year + (1 if n == "元" else int(n)) - 1
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise _refuse(value, f"{FIRST_YEAR}〜{LAST_YEAR}年の日付だけを扱います")
    date = _checked(value, year, month, day)
    if date.last_day() < first:
        raise _refuse(value, f"{name}は{first.year}年{first.month}月{first.day}日からです")
    if last is not None and date.first_day() > last:
        raise _refuse(value, f"{name}は{last.year}年{last.month}月{last.day}日までです")
    return date


def _checked(value: object, year: int, month: int | None, day: int | None) -> PartialDate:
    try:
        return PartialDate(year, month, day)
    except ValueError as exc:
        raise _refuse(value, str(exc)) from exc


def parse_date(value: object) -> PartialDate:
    """Read a date as typed: 2018-06-28, 2018/6/28, 平成28年11月10日, H28.11.10, 2018年7月, R2.4, 2019年, 令和2年..."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return _checked(value, value.year, value.month, value.day)
    if isinstance(value, bool) or value is None:
        raise _refuse("" if value is None else value)
    text = normalise(value)
    for pattern in (_WESTERN, _WESTERN_KANJI, _ERA_KANJI, _ERA_DOTTED):
        m = pattern.fullmatch(text)
        if not m:
            continue
        month, day = (int(m.group(k)) if m.group(k) else None for k in ("m", "d"))
        if "era" in pattern.groupindex:
            return _era_year(value, m.group("era"), m.group("n"), month, day)
        return _checked(value, int(m.group("y")), month, day)
    raise _refuse(value)


def excel_serial_date(number: object) -> PartialDate:
    """Read an Excel serial date (1900 date system): 43279 -> 2018-06-28. A time of day (43279.5) is dropped."""
    last = (datetime.date(LAST_YEAR, 12, 31) - _EXCEL_EPOCH).days
    refusal = ValueError(f"{quoted(number)}はExcelの日付（シリアル値）として読めません。"
                         f"1（1900年1月1日）〜{last}（{LAST_YEAR}年12月31日）の数を入力してください（60 は存在しない1900年2月29日です）")
    if isinstance(number, bool):
        raise refusal
    try:
        serial = float(normalise(number))
    except ValueError:
        raise refusal from None
    if not 1 <= serial < last + 1 or 60 <= serial < 61:
        raise refusal
    days = int(serial)
    # Excel counts a 1900-02-29 that never was: serials before it are one day later than the epoch says.
    date = _EXCEL_EPOCH + datetime.timedelta(days=days + (1 if days < 60 else 0))
    return PartialDate(date.year, date.month, date.day)
