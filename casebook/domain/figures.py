"""Figures in effect texts, read exactly (Decimal, never float): 約20.1億円, 10〜15%, 71→38か所, 年間200万円, ▲200万円.

`read_figure(text)` gives a Figure: its main value, the baseline and result of a before→after figure, the period
(annual, monthly, total), the qualifier (約, 以上...), the ▲ sign and a second figure given in brackets.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal

FIGURE_EXAMPLES = "1,500、約20.1億円、10〜15%、7人→4人、年間200万円、▲200万円、約3割、22,654時間（11.8人分）"
BIG = {"万": 10**4, "億": 10**8, "兆": 10**12}
SMALL = {"百": 100, "千": 1000}
UNIT_NAMES = {"名": "人", "か所": "箇所", "カ所": "箇所", "ヶ所": "箇所", "ケ所": "箇所", "ヵ所": "箇所",
              "m3": "m³", "m2": "m²", "km2": "km²"}
PREFIX_QUALIFIERS = {"約": "約", "およそ": "約", "概ね": "約", "おおむね": "約", "最大": "最大", "最低": "最低",
                     "延べ": "延べ", "延": "延べ"}
SUFFIX_QUALIFIERS = {"程度": "約", "前後": "約", "余り": "余り", "余": "余り", "以下": "以下", "以上": "以上",
                     "超": "超", "未満": "未満"}
PERIOD_WORDS = {"年間": "annual", "毎年": "annual", "年額": "annual", "年": "annual", "月間": "monthly", "毎月": "monthly",
                "月額": "monthly", "月": "monthly", "累計": "total", "合計": "total", "総額": "total", "通算": "total"}
PERIOD_SUFFIXES = {"/年": "annual", "/月": "monthly"}
SIGNS = ("▲", "△", "マイナス", "-", "−")

_NUM = r"[0-9][0-9,]*(?:\.[0-9]+)?"
_AMOUNT = rf"(?:{_NUM}[百千]?[万億兆]?)+"
_TOKEN = re.compile(rf"(?P<num>{_NUM})\s*/\s*(?P<den>{_NUM})|(?P<den2>{_NUM})\s*分の\s*(?P<num2>{_NUM})"
                    rf"|(?P<half>半分|半数|半減)|(?P<amount>{_AMOUNT})")
_RANGE = re.compile(rf"\s*(?P<lounit>[^\s0-9〜~\-–—−]*?)\s*[〜~\-–—−]\s*(?P<hi>{_AMOUNT})")
_ARROWS = re.compile(r"→|⇒|->|=>|➡")
_PARTICLES = re.compile(r"[のをがでにへと、。]")


class _Unreadable(Exception):
    """A reason a figure cannot be read; read_figure turns it into a ValueError quoting the text."""


@dataclass(frozen=True)
class Quantity:
    """An exact value or range with its unit: 約10〜15% -> Quantity(10, 15, "%", "約")."""

    low: Decimal
    high: Decimal
    unit: str
    qualifier: str | None = None

    def label(self) -> str:
        """約20億1,000万円, 10〜15%."""
        number = format_decimal(self.low) + ("" if self.high == self.low else f"〜{format_decimal(self.high)}")
        before = [q for q in (self.qualifier or "").split("・") if q in PREFIX_QUALIFIERS.values()]
        after = [q for q in (self.qualifier or "").split("・") if q and q not in before]
        return "".join(before) + number + self.unit + "".join(after)


@dataclass(frozen=True)
class Figure:
    """A figure as read from an effect text; `value` is the result of a before→after figure."""

    value: Quantity | None
    baseline: Quantity | None
    result: Quantity | None
    period: str | None
    qualifier: str | None
    reduction: bool
    secondary: str | None
    text: str

    @property
    def change(self) -> Quantity | None:
        """result − baseline, when both exist in the same unit."""
        b, r = self.baseline, self.result
        if b is None or r is None or b.unit != r.unit:
            return None
        low, high = sorted((_tidy(r.low - b.low), _tidy(r.high - b.high)))
        return Quantity(low, high, r.unit)

    @property
    def yen(self) -> int | None:
        """The main value in yen (its lower bound; the change for a before→after figure), when the unit is 円."""
        q = self.change if self.baseline is not None and self.result is not None else self.value
        return int(q.low) if q is not None and q.unit == "円" else None


def _tidy(d: Decimal) -> Decimal:
    """79.200 -> 79.2, 2010000000.0 -> 2010000000."""
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()


def format_decimal(d: Decimal) -> str:
    """Format a Decimal for people: 2010000000 -> 20億1,000万, 15000 -> 15,000, 79.2 -> 79.2."""
    d = _tidy(Decimal(d))
    sign, d = ("-" if d < 0 else ""), abs(d)
    if d >= 10**4 and d % 10**4 == 0:
        n, parts = int(d), []
        for name, size in (("兆", 10**12), ("億", 10**8), ("万", 10**4)):
            q, n = divmod(n, size)
            if q:
                parts.append(f"{q:,}{name}")
        return sign + "".join(parts)
    return sign + f"{d:,f}"


def _amount(text: str) -> Decimal:
    """Read 1億2,300万, 7千万, 3千5百万, 20.1億 or 1,500 exactly."""
    total, section, previous = Decimal(0), Decimal(0), None
    for digits, small, big in re.findall(r"([0-9][0-9,]*(?:\.[0-9]+)?)([百千]?)([万億兆]?)", text):
        section += Decimal(digits.replace(",", "")) * SMALL.get(small, 1)
        if big:
            if previous is not None and BIG[big] >= previous:
                raise _Unreadable(f"「{text}」の万・億・兆の順序が正しくありません")
            total, section, previous = total + section * BIG[big], Decimal(0), BIG[big]
    return _tidy(total + section)


def _unit(text: str) -> str:
    """Normalise a unit, each side of a rate alike: 名 -> 人, ヶ所 -> 箇所, 円/m3 -> 円/m³."""
    return "/".join(UNIT_NAMES.get(part, part) for part in text.split("/"))


def _prefix(text: str) -> tuple[list[str], str | None, bool]:
    """Read the words just before a number, from the right: 年間▲, 年約, 延べ. Other words are ignored."""
    qualifiers, period, reduction = [], None, False
    words = sorted([*PREFIX_QUALIFIERS, *PERIOD_WORDS, *SIGNS], key=len, reverse=True)
    text = text.strip()
    while text and (word := next((w for w in words if text.endswith(w)), None)):
        text = text[: -len(word)].strip()
        if word in SIGNS:
            reduction = True
        elif word in PERIOD_WORDS:
            period = period or PERIOD_WORDS[word]
        else:
            qualifiers.insert(0, PREFIX_QUALIFIERS[word])
    return qualifiers, period, reduction


def _suffix(text: str) -> tuple[str, list[str], str | None]:
    """Split what follows a number into its unit, qualifiers (以上, 余り...) and period (/年)."""
    unit, qualifiers, period = _PARTICLES.split(text.strip(), maxsplit=1)[0].strip(), [], None
    words = sorted([*SUFFIX_QUALIFIERS, *PERIOD_SUFFIXES], key=len, reverse=True)
    while unit and (word := next((w for w in words if unit.endswith(w)), None)):
        unit = unit[: -len(word)].strip()
        if word in PERIOD_SUFFIXES:
            period = period or PERIOD_SUFFIXES[word]
        else:
            qualifiers.insert(0, SUFFIX_QUALIFIERS[word])
    return unit, qualifiers, period


def _side(text: str) -> tuple[Quantity, str | None, bool]:
    """Read one side of a figure (the whole of a plain figure): 年間約200万円以上, 10〜15%, 約3割, 半分以下."""
    m = _TOKEN.search(text)
    if m is None:
        raise _Unreadable("")
    qualifiers, period, reduction = _prefix(text[: m.start()])
    rest, unit, r = text[m.end():], None, None
    if m["amount"]:
        low = high = _amount(m["amount"])
        r = _RANGE.match(rest)
        if r:
            high, rest = _amount(r["hi"]), rest[r.end():]
            if m["amount"][-1] not in BIG and r["hi"][-1] in BIG and low * BIG[r["hi"][-1]] <= high:
                low = low * BIG[r["hi"][-1]]  # 10〜15万 is 10万〜15万
    elif m["half"]:
        low = high = Decimal(50)
        unit, reduction = "%", reduction or m["half"] == "半減"
    else:
        num, den = (m["num"], m["den"]) if m["num"] else (m["num2"], m["den2"])
        low = high = _tidy((Decimal(num.replace(",", "")) * 100 / Decimal(den.replace(",", ""))).quantize(Decimal("0.01")))
    rest_unit, after, suffix_period = _suffix(rest)
    if unit is None and m["amount"] is None:
        unit = "%"
    if unit is None:
        tenths = re.fullmatch(r"割(?:([0-9])分)?", rest_unit)
        if tenths:
            extra = Decimal(tenths.group(1) or 0)
            low, high, rest_unit = low * 10 + extra, high * 10 + extra, "%"
        unit = _unit(rest_unit)
        if r and r["lounit"] and _unit(r["lounit"]) != unit:
            raise _Unreadable("範囲の両端で単位が異なります")
    if high < low:
        raise _Unreadable("範囲の下限が上限より大きくなっています")
    qualifier = "・".join(dict.fromkeys(qualifiers + after)) or None
    return Quantity(low, high, unit, qualifier), period or suffix_period, reduction


def _brackets(text: str) -> tuple[str, str | None, str | None]:
    """Take bracketed parts out: 22,654時間(11.8人分) -> ("22,654時間", "11.8人分", None); (年間) gives a period."""
    inside = re.findall(r"\(([^()]*)\)", text)
    outside = re.sub(r"\([^()]*\)", "", text).strip()
    if not inside or not _TOKEN.search(outside):
        return text, None, None
    period = next((PERIOD_WORDS[w.strip()] for w in inside if w.strip() in PERIOD_WORDS), None)
    notes = [w.strip() for w in inside if w.strip() and w.strip() not in PERIOD_WORDS]
    return outside, "、".join(notes) or None, period


def _sides(text: str) -> list[str]:
    """Split a before→after figure: 7人→4人, 71⇒38か所, 3日->5分, 3日から5分へ."""
    parts = _ARROWS.split(text)
    if len(parts) == 1 and "から" in text:
        left, right = text.split("から", 1)
        if _TOKEN.search(left) and _TOKEN.search(right):
            parts = [left, right]
    if len(parts) > 2:
        raise _Unreadable("矢印（→）は1つまでです")
    return parts


def _typed(text: object) -> str:
    if isinstance(text, bool) or text is None:
        return "" if text is None else str(text)
    if isinstance(text, float | Decimal):
        return format(Decimal(str(text)), "f")
    return str(text).strip()


def read_figure(text: object, percent_cell: bool = False) -> Figure:
    """Read a figure such as 約20.1億円, 10〜15%, 7人→4人, 年約7,800トン or ▲200万円.

    `percent_cell`: the value comes from a percent-formatted spreadsheet cell, so a bare 0.792 is 79.2 %.
    """
    typed = _typed(text)
    refusal = f"「{typed}」は数値として読めません。{FIGURE_EXAMPLES} のように数字を含めて入力してください"
    norm = unicodedata.normalize("NFKC", typed).strip()
    if not norm or isinstance(text, bool):
        raise ValueError(refusal.replace("読めません。", "読めません（空です）。" if not norm else "読めません。", 1))
    try:
        main, secondary, bracket_period = _brackets(norm)
        sides = [_side(part) for part in _sides(main)]
    except _Unreadable as exc:
        reason = f"（{exc}）" if str(exc) else ""
        raise ValueError(refusal.replace("読めません。", f"読めません{reason}。", 1)) from None
    quantities = [q for q, _, _ in sides]
    if percent_cell:
        quantities = [replace(q, low=_tidy(q.low * 100), high=_tidy(q.high * 100), unit="%") if q.unit == "" else q
                      for q in quantities]
    if len(quantities) == 2 and bool(quantities[0].unit) != bool(quantities[1].unit):
        shared = quantities[0].unit or quantities[1].unit
        quantities = [replace(q, unit=shared) for q in quantities]  # 71→38か所
    baseline, result = (quantities[0], quantities[1]) if len(quantities) == 2 else (None, None)
    value = quantities[-1]
    period = bracket_period or next((p for _, p, _ in sides if p), None)
    qualifier = value.qualifier or (baseline.qualifier if baseline else None)
    reduction = any(sign for _, _, sign in sides)
    return Figure(value, baseline, result, period, qualifier, reduction, secondary, typed)
