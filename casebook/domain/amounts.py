"""Amounts in effect texts (232億円, 約10〜15%, 8名): parsing, formatting, per-capita and scaled estimates.

Self-contained: it imports nothing from the rest of casebook, so amount parsing can grow here alone.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

MULTIPLIERS = {"千": 10**3, "万": 10**4, "億": 10**8, "兆": 10**12}
UNITS = {
    "円": "円", "%": "%", "人": "人", "名": "人", "時間": "時間", "分": "分", "日": "日",
    "箇所": "箇所", "か所": "箇所", "カ所": "箇所", "ヶ所": "箇所", "ケ所": "箇所", "ヵ所": "箇所",
    "件": "件", "台": "台", "業務": "業務", "団体": "団体", "枚": "枚", "回": "回",
}
PREFIX_QUALIFIERS = {"約": "約", "およそ": "約", "概ね": "約", "最大": "最大"}
SUFFIX_QUALIFIERS = {"以上": "以上", "未満": "未満", "超": "超", "以下": "以下", "程度": "約"}

_NUMBER = r"[0-9][0-9,]*(?:\.[0-9]+)?(?:[千万億兆](?:[0-9][0-9,]*(?:\.[0-9]+)?[千万億兆]?)*)?"
_AMOUNT_RE = re.compile(
    rf"^(?P<pre>約|およそ|概ね|最大)?\s*(?P<lo>{_NUMBER})\s*"
    rf"(?:(?P<lounit>{'|'.join(map(re.escape, sorted(UNITS, key=len, reverse=True)))})?\s*[~〜～\-]\s*(?P<hi>{_NUMBER}))?\s*"
    rf"(?P<unit>{'|'.join(map(re.escape, sorted(UNITS, key=len, reverse=True)))})\s*"
    rf"(?P<post>以上|未満|超|以下|程度)?$"
)


@dataclass(frozen=True)
class Amount:
    """A parsed amount: 約10〜15% -> Amount(10, 15, "%", "約")."""

    low: float
    high: float
    unit: str
    qualifier: str | None = None

    @property
    def yen(self) -> int | None:
        """The amount in yen (the lower bound, to stay conservative), when the unit is 円."""
        return int(self.low) if self.unit == "円" else None


def _number(text: str) -> float:
    """Read 1億2,300万 or 232 or 1.5万 as a number."""
    text = text.replace(",", "")
    total = 0.0
    for value, mult in re.findall(r"([0-9.]+)([千万億兆]?)", text):
        total += float(value) * MULTIPLIERS.get(mult, 1)
    return total


def parse_amount(text: str) -> Amount:
    """Parse an amount such as 232億円, 約10〜15%, 8名, 15箇所 or 1億2,300万円以上."""
    norm = unicodedata.normalize("NFKC", text or "").strip()
    m = _AMOUNT_RE.match(norm)
    if not m:
        raise ValueError(
            "数量を読み取れません。「232億円」「約10〜15%」「8名」のように数字と単位で入力してください"
        )
    low = _number(m.group("lo"))
    high = _number(m.group("hi")) if m.group("hi") else low
    if m.group("lounit") and UNITS[m.group("lounit")] != UNITS[m.group("unit")]:
        raise ValueError("範囲の両端で単位が異なります")
    if high < low:
        raise ValueError("範囲の下限が上限より大きくなっています")
    qualifier = PREFIX_QUALIFIERS.get(m.group("pre") or "") or SUFFIX_QUALIFIERS.get(m.group("post") or "")
    return Amount(low, high, UNITS[m.group("unit")], qualifier)


def format_number(value: float) -> str:
    """Format a number with 億/万 for large round values: 23200000000 -> 232億."""
    if value >= 10**8 and value % 10**6 == 0:
        oku, rest = divmod(int(value), 10**8)
        return f"{oku:,}億" + (f"{rest // 10**4:,}万" if rest else "")
    if value >= 10**4 and value % 10**3 == 0 and value >= 10**5:
        return f"{value / 10**4:,.1f}".rstrip("0").rstrip(".") + "万"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


# --- scaled effects ----------------------------------------------------------------

# Units whose amount grows with the size of a government; never % (already relative) nor
# counts of facilities, systems or bodies, which do not scale with population.
SCALABLE_UNITS = frozenset({"円", "人", "時間", "件", "日", "分"})


def per_capita(low: float | None, high: float | None, unit: str, population: int | None):
    """Return (low, high) per resident, or None where that is meaningless."""
    if low is None or unit not in SCALABLE_UNITS or not population:
        return None
    return low / population, (high if high is not None else low) / population


def scaled(low: float | None, high: float | None, unit: str, population: int | None, target: int):
    """Return the estimate (試算) of an amount for a government of `target` residents, or None."""
    each = per_capita(low, high, unit, population)
    if each is None or target <= 0:
        return None
    return each[0] * target, each[1] * target


def _significant(value: float, digits: int = 3) -> float:
    if value == 0:
        return 0.0
    return round(value, -int(math.floor(math.log10(abs(value)))) + digits - 1)


def approx(value: float, unit: str) -> str:
    """Format an estimate to three significant digits: 2,120,000,000円 -> 21.2億円, 0.2123人 -> 0.212人."""
    v = _significant(value)
    if unit == "円" and v >= 10**8:
        text = f"{v / 10**8:,.3g}億"
    elif unit == "円" and v >= 10**4:
        text = f"{v / 10**4:,.3g}万"
    elif v >= 1000:
        text = f"{v:,.0f}"
    else:
        text = f"{v:.3g}"
    return f"{text}{unit}"


def approx_range(low: float, high: float, unit: str) -> str:
    """Format an estimated value or range."""
    if _significant(low) == _significant(high):
        return approx(low, unit)
    return f"{approx(low, unit).removesuffix(unit)}〜{approx(high, unit)}"
