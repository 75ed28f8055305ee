"""Figures in effect texts, read exactly (Decimal, never float): 約20.1億円, 10〜15%, 71→38か所, 年間200万円, ▲200万円.

`read_figure(text)` gives a Figure: its main value, the baseline and result of a before→after figure, the period
(annual, monthly, total), the qualifier (約, 以上...), the ▲ sign (or a direction word: 12%減, 70%削減) and a second
figure given in brackets. Context before the figure is not its value (5年間で計540万円, 令和3年度比 ▲70%,
平成52年までに約25億円; see `figure_words`); 42・9% is 42.9 %; 2/3人 is 0.67 人; 67カ所を44カ所 is before→after.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal

from .figure_words import (
    ARROWS,
    BIG,
    COMPOUND,
    DIGITLESS,
    DIRECTION_AFTER,
    DIRECTION_WORDS,
    PARTICLES,
    PERIOD_SUFFIXES,
    PERIOD_WORDS,
    PREFIX_QUALIFIERS,
    RANGE,
    SIGNS,
    SMALL,
    SUFFIX_QUALIFIERS,
    TENTHS,
    TOKEN,
    TOTAL_WORD,
    UNIT_NAMES,
    decimal_dots,
    joins,
    strip_context,
    unit_end,
)

FIGURE_EXAMPLES = "1,500、約20.1億円、10〜15%、7人→4人、年間200万円、▲200万円、約3割、22,654時間（11.8人分）"


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
    """A figure as read from an effect text; `value` is the result of a before→after figure.

    An after side without digits (約230時間→数秒) leaves `result` None: `value` is then the baseline and the after
    side is kept in `secondary` ("→数秒").
    """

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
    """Read the words just before a number, from the right: 年間▲, 年約, 延べ, 年間で約. Other words are ignored."""
    qualifiers, period, reduction = [], None, False
    words = sorted([*PREFIX_QUALIFIERS, *PERIOD_WORDS, *SIGNS, *PARTICLES], key=len, reverse=True)
    text = text.strip()
    while text and (word := next((w for w in words if text.endswith(w)), None)):
        text = text[: -len(word)].strip()
        if word in SIGNS:
            reduction = True
        elif word in PERIOD_WORDS:
            period = period or PERIOD_WORDS[word]
        elif word in PREFIX_QUALIFIERS:
            qualifiers.insert(0, PREFIX_QUALIFIERS[word])
    if TOTAL_WORD.search(text):
        period = period or "total"
    return qualifiers, period, reduction


def _suffix(text: str) -> tuple[str, list[str], str | None, bool | None, int]:
    """Split what follows a number into its unit, qualifiers (以上, 余り...), period (/年), direction (減, 増: True for
    a reduction) and how many characters of `text` they take."""
    tenths = TENTHS.match(text)
    end = unit_end(text, tenths.end() if tenths else 0)
    unit, qualifiers, period, direction = text[:end].strip(), [], None, None
    words = sorted([*SUFFIX_QUALIFIERS, *PERIOD_SUFFIXES, *DIRECTION_WORDS], key=len, reverse=True)
    while unit and (word := next((w for w in words if unit.endswith(w)), None)):
        unit = unit[: -len(word)].strip()
        if word in PERIOD_SUFFIXES:
            period = period or PERIOD_SUFFIXES[word]
        elif word in DIRECTION_WORDS:
            direction = DIRECTION_WORDS[word] if direction is None else direction
        else:
            qualifiers.insert(0, SUFFIX_QUALIFIERS[word])
    if direction is None and (after := DIRECTION_AFTER.match(text, end)):  # 200万円の削減
        direction = DIRECTION_WORDS[after.group().lstrip("のをがにへと").strip()]
    return unit, qualifiers, period, direction, end


def _side(text: str, last: bool = False) -> tuple[Quantity, str | None, bool]:
    """Read one side of a figure (the whole of a plain figure): 年間約200万円以上, 10〜15%, 約3割, 半分以下, 2/3人.

    `last`: read the last of several figures joined by nothing, で or の (71人 of 合計21台で71人, 39人 of 9台39人).
    """
    m = TOKEN.search(text)
    if m is None:
        raise _Unreadable("")
    qualifiers, period, reduction = _prefix(text[: m.start()])
    rest, unit, r, fraction = text[m.end():], None, None, None
    if m["amount"]:
        low = high = _amount(m["amount"])
        r = RANGE.match(rest)
        if r:
            high, rest = _amount(r["hi"]), rest[r.end():]
            if m["amount"][-1] not in BIG and r["hi"][-1] in BIG and low * BIG[r["hi"][-1]] <= high:
                low = low * BIG[r["hi"][-1]]  # 10〜15万 is 10万〜15万
    elif m["half"]:
        low = high = Decimal(50)
        unit, reduction = "%", reduction or m["half"] == "半減"
    else:
        num, den = (m["num"], m["den"]) if m["num"] else (m["num2"], m["den2"])
        fraction = (Decimal(num.replace(",", "")), Decimal(den.replace(",", "")))
    rest_unit, after, suffix_period, direction, end = _suffix(rest)
    if fraction is not None:  # 1/10 is 10 %; 2/3人 is two thirds of a person
        scale = 1 if rest_unit else 100
        low = high = _tidy((fraction[0] * scale / fraction[1]).quantize(Decimal("0.01")))
        unit = _unit(rest_unit) if rest_unit else "%"
    if unit is None:
        low_tenths = TENTHS.fullmatch(r["lounit"]) if r else None
        if r and r["lounit"] and _unit("割" if low_tenths else r["lounit"]) != _unit(rest_unit):
            raise _Unreadable("範囲の両端で単位が異なります")
        tenths = TENTHS.fullmatch(rest_unit)
        if tenths:  # 3割, 2割5分, 2〜3割, 2割〜4割
            extra = Decimal(tenths.group(1) or 0)
            low_extra = Decimal(low_tenths.group(1) or 0) if low_tenths else extra
            low, high, rest_unit = low * 10 + low_extra, high * 10 + extra, "%"
        unit = _unit(rest_unit)
    if high < low:
        raise _Unreadable("範囲の下限が上限より大きくなっています")
    qualifier = "・".join(dict.fromkeys(qualifiers + after)) or None
    reduction = reduction or bool(direction)
    smaller = COMPOUND.get(unit)
    if smaller and low == high and (c := re.match(rf"\s*([0-9]+(?:\.[0-9]+)?)\s*{smaller[0]}(?!の)", rest[end:])):
        low = high = _tidy(low * smaller[1] + Decimal(c.group(1)))  # 3時間59分 is 239分
        unit, end = smaller[0], end + c.end()
    remainder = rest[end:]
    if last and (later_token := TOKEN.search(remainder)) and joins(remainder[: later_token.start()]):
        later, later_period, later_reduction = _side(remainder, last=True)
        return later, later_period or period or suffix_period, later_reduction or reduction
    return Quantity(low, high, unit, qualifier), period or suffix_period, reduction


def _brackets(text: str) -> tuple[str, str | None, str | None]:
    """Take bracketed parts out: 22,654時間(11.8人分) -> ("22,654時間", "11.8人分", None); (年間) gives a period."""
    inside = re.findall(r"\(([^()]*)\)", text)
    outside = re.sub(r"\([^()]*\)", "", text).strip()
    if not inside or not TOKEN.search(outside):
        return text, None, None
    period = next((PERIOD_WORDS[w.strip()] for w in inside if w.strip() in PERIOD_WORDS), None)
    notes = [w.strip() for w in inside if w.strip() and w.strip() not in PERIOD_WORDS]
    return outside, "、".join(notes) or None, period


def _sides(text: str) -> tuple[list[str], bool]:
    """Split a before→after figure: 7人→4人, 71⇒38か所, 3日->5分, 3日から5分へ, 67カ所を44カ所.

    The flag says the split was made at を, which is before→after only when both sides share their unit.
    """
    parts = ARROWS.split(text)
    if len(parts) > 2:
        raise _Unreadable("矢印（→）は1つまでです")
    for word in ("から", "を"):
        if len(parts) == 1 and word in text:
            left, right = text.split(word, 1)
            if TOKEN.search(left) and TOKEN.search(right):
                return [left, right], word == "を"
    return parts, False


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
        main, secondary, bracket_period = _brackets(decimal_dots(norm))
        main, context_period = strip_context(main)
        parts, at_wo = _sides(main)
        no_result = len(parts) == 2 and not TOKEN.search(parts[1]) and bool(DIGITLESS.search(parts[1]))
        if no_result:
            # 約230時間→数秒: the after side has no number, so the baseline is the value and the after side a note
            secondary, parts = "、".join(x for x in ("→" + parts[1].strip(), secondary) if x), parts[:1]
        sides = [_side(part, last=len(parts) == 2) for part in parts]
        if at_wo and sides[0][0].unit and sides[1][0].unit and sides[0][0].unit != sides[1][0].unit:
            sides = [_side(main)]  # 3人を配置し100万円を削減 is not before→after
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
    if no_result:
        baseline = quantities[0]
    value = quantities[-1]
    period = bracket_period or next((p for _, p, _ in sides if p), None) or context_period
    qualifier = value.qualifier or (baseline.qualifier if baseline else None)
    reduction = any(sign for _, _, sign in sides)
    return Figure(value, baseline, result, period, qualifier, reduction, secondary, typed)
