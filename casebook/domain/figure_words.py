"""The words around an effect figure, for `figures.read_figure`: qualifiers, periods, signs, direction words,
and the context written before a figure that is not its value.

Context: a duration (5年間で計540万円, 1か月で約2,400件), a comparison base (令和3年度比 ▲70%), a deadline
(平成52年までに約25億円) or a span of years (2039年度から25年度に14年前倒し).
"""
from __future__ import annotations

import re

BIG = {"万": 10**4, "億": 10**8, "兆": 10**12}
SMALL = {"百": 100, "千": 1000}
UNIT_NAMES = {"名": "人", "か所": "箇所", "カ所": "箇所", "ヶ所": "箇所", "ケ所": "箇所", "ヵ所": "箇所",
              "m3": "m³", "m2": "m²", "km2": "km²"}
PREFIX_QUALIFIERS = {"約": "約", "およそ": "約", "概ね": "約", "おおむね": "約", "最大": "最大", "最低": "最低",
                     "延べ": "延べ", "延": "延べ"}
SUFFIX_QUALIFIERS = {"程度": "約", "前後": "約", "ほど": "約", "ぐらい": "約", "くらい": "約", "近く": "約", "近い": "約",
                     "余り": "余り", "余": "余り", "以下": "以下", "以上": "以上", "超": "超", "未満": "未満"}
PERIOD_WORDS = {"年間": "annual", "毎年": "annual", "年額": "annual", "年": "annual", "月間": "monthly", "毎月": "monthly",
                "月額": "monthly", "月": "monthly", "累計": "total", "合計": "total", "総額": "total", "通算": "total"}
PERIOD_SUFFIXES = {"/年": "annual", "/月": "monthly"}
SIGNS = ("▲", "△", "マイナス", "-", "−")
# Said after a figure (12%減, 20%増, 14年前倒し): the direction, never part of the unit. True for a reduction.
DIRECTION_WORDS = {**dict.fromkeys(("削減", "減少", "低減", "縮減", "短縮", "前倒し", "減"), True),
                   **dict.fromkeys(("増加", "増", "向上", "拡大"), False)}
PARTICLES = ("で", "に", "は", "の", "、")  # between the words before a number: 年間で約602時間

_NUM = r"[0-9][0-9,]*(?:\.[0-9]+)?"
_AMOUNT = rf"(?:{_NUM}[百千]?[万億兆]?)+"
TOKEN = re.compile(rf"(?P<num>{_NUM})\s*/\s*(?P<den>{_NUM})|(?P<den2>{_NUM})\s*分の\s*(?P<num2>{_NUM})"
                   rf"|(?P<half>半分|半数|半減)|(?P<amount>{_AMOUNT})")
RANGE = re.compile(rf"\s*(?P<lounit>割[0-9]分|[^\s0-9〜~\-–—−]*?)\s*[〜~\-–—−]\s*(?P<hi>{_AMOUNT})")
ARROWS = re.compile(r"→|⇒|->|=>|➡")
# Where a unit ends: a bracket, 、 or ・, hiragana (particles, %だった, 件あたり) other than the few written in units
# and the words after them (か所, か月, 9つ, 手続き, 余り, 前倒し, ほど), or a digit not written after a Latin letter
# (m3, CO2 keep theirs; 9台39人 is two figures).
_UNIT_END = re.compile(r"[、。・→()]|(?<![A-Za-z])[0-9]|[ぁ-ゖ]")
_IN_UNIT = re.compile(r"か[所月]|つ|(?<=余)り|(?<=前倒)し|(?<=手続)き|(?<=近)[いく]|ほど|ぐらい|くらい")
# 3時間59分 is 239分: a unit, the next smaller one and how many of it make one.
COMPOUND = {"時間": ("分", 60), "日": ("時間", 24), "分": ("秒", 60)}
TENTHS = re.compile(r"\s*割(?:([0-9])分)?")
DIRECTION_AFTER = re.compile(r"[のをがにへと]?\s*(?:" + "|".join(w for w in DIRECTION_WORDS if len(w) > 1) + ")")
TOTAL_WORD = re.compile(r"(?:^|[\s、でにはの])計$")  # 5年間で計540万円, but not 設計3件
# An after side written without digits: 約230時間→数秒, →数十秒.
DIGITLESS = re.compile(r"数|[〇一二三四五六七八九十百千万億兆]|ゼロ")

# A year as a date, not an amount: an era year, a four-digit year, or a bare year number only with 年度.
_YEAR = r"(?<![0-9])(?:(?:令和|平成|昭和|[RHS])\s*(?:[0-9]{1,2}|元)\s*年度?|[0-9]{4}\s*年度?|[0-9]{1,2}\s*年度)"
_CONTEXT = (
    re.compile(rf"{_YEAR}\s*から\s*{_YEAR}\s*(?:まで|に|へ)?"),  # 2039年度から25年度に
    re.compile(rf"(?:{_YEAR}|[前昨]年度?(?:同期|同月)?|従来)\s*比"),  # 令和3年度比, 2019年度比, 前年度比
    re.compile(rf"{_YEAR}\s*(?:まで(?:に|で)?|には|に|で|は)"),  # 平成52年までに, 2025年度に
)
_KANJI = "一二三四五六七八九十百"
DURATION = re.compile(rf"(?<!令和)(?<!平成)(?<!昭和)(?<![RHS0-9{_KANJI}])(?P<n>[0-9]{{1,3}}|[{_KANJI}]+)\s*"
                      r"(?P<span>年間|年|か月|ヶ月|カ月|ヵ月|ケ月|箇月)\s*(?:間で|で|に(?!\s*[1一]\s*[回度]))")  # not 3年に1回


_LEAD = sorted([*PREFIX_QUALIFIERS, *PERIOD_WORDS, *SIGNS, "計"], key=len, reverse=True)


def joins(text: str) -> bool:
    """Whether the text between two figures on one side only joins them, so the later one is meant.

    "" (9台39人), で (合計21台で71人), の (3カ月の計2千時間); not へ (2億円へ約65%) nor に, 、 or ・.
    """
    text = text.strip()
    while word := next((w for w in _LEAD if text.endswith(w)), None):
        text = text[: -len(word)].strip()
    return text in ("", "で", "の", "では")


def unit_end(text: str, start: int = 0) -> int:
    """Where the unit written at the start of `text` ends (see _UNIT_END): 人程度で -> 3, 台39人 -> 1."""
    pos = start
    while stop := _UNIT_END.search(text, pos):
        if not (inside := _IN_UNIT.match(text, stop.start())):
            return stop.start()
        pos = inside.end()
    return len(text)


def _duration_period(m: re.Match[str]) -> str:
    """1年で -> annual, 1か月で -> monthly, 5年間で -> total."""
    if m["n"] in ("1", "一"):
        return "annual" if m["span"].startswith("年") else "monthly"
    return "total"


def strip_context(text: str) -> tuple[str, str | None]:
    """Take out the context before a figure, each part only when a figure still follows it.

    令和3年度比 ▲70%削減 -> ("▲70%削減", None); 5年間で計540万円 -> ("計540万円", "total").
    """
    period = None
    for pattern in (*_CONTEXT, DURATION):
        while m := next((m for m in pattern.finditer(text) if TOKEN.search(text, m.end())), None):
            if pattern is DURATION:
                period = period or _duration_period(m)
            text = (text[: m.start()] + text[m.end():]).strip()
    return text, period


def decimal_dots(text: str) -> str:
    """The Japanese middle dot written as a decimal point between digits: 42・9% -> 42.9%."""
    return re.sub(r"(?<=[0-9])[・･](?=[0-9])", ".", text)
