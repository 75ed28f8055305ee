"""Amounts of effects: formatting, per-capita and scaled estimates (figures.py reads them from text).

Self-contained: it imports nothing from the rest of casebook.
"""
from __future__ import annotations

import math


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
