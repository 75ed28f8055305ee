"""Whether an effect's figure grows with population, so that a value per resident and a 試算 make sense.

A 試算 divides a figure by the population of the case's governments and multiplies it by another
government's: meaningful for a yearly cost or a number of staff, meaningless for a percentage, a
waiting time or a count of facilities. Each effect carries the curator's choice (Effect.scales:
True, False, or None for "decide from the effect"). The automatic rule, in order:

1. No figure, or a unit that is not money, people, cases or work time (%, 施設, システム, 団体 …):
   does not scale (SCALABLE_UNITS).
2. Kind 施設: does not (a count of facilities follows geography and history, not residents).
3. A label that says the figure is per something (「1件あたり」「1人当たり」「平均」「単価」): does not.
4. 円: scales, except a 一時 cost (an introduction or construction cost is about a system or a
   building, not about residents).
5. 人: scales, except a figure below one person (2/3人 is one office's share of one post).
6. 時間・分・日: only work time (kind 時間 or 人員) totalled over a year or a month (年間・月間);
   a waiting time, a lead time or a time per task (3日早く, 8分短縮) does not.
7. 件: scales.

An estimate in 人 below one person is shown as 「1人未満」, not as a fraction of a person.
Self-contained: it imports nothing from the rest of casebook but `amounts`.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from .amounts import SCALABLE_UNITS, approx, approx_range, format_number

WORK_TIME_UNITS = frozenset({"時間", "分", "日"})
WORK_TIME_KINDS = frozenset({"time", "staff"})
AGGREGATE_PERIODS = frozenset({"annual", "monthly"})
PER_UNIT_WORDS = ("あたり", "当たり", "当り", "平均", "単価")
PERCENT_WORDS = ("%", "パーセント", "割", "ポイント")
PERIOD_WORDS = {"annual": "年間", "monthly": "月間"}

# What a curator may type for the choice (a cell, an API body, a case file); blank is automatic.
YES = frozenset({"true", "yes", "y", "1", "はい", "する", "比例する", "○", "〇", "◯", "有", "あり"})
NO = frozenset({"false", "no", "n", "0", "いいえ", "しない", "比例しない", "×", "✕", "無", "なし"})
AUTOMATIC = frozenset({"auto", "自動", "null", "none"})
CHOICE_WORDS = "はい・いいえ（する・しない、○・×、true・false）。空欄は自動"


@dataclass(frozen=True)
class Scaling:
    """Whether an effect scales, whether that was decided automatically, and why (a short phrase)."""

    scales: bool
    automatic: bool
    reason: str

    @property
    def label(self) -> str:
        """比例する（自動判定）, 比例しない（登録者の指定）."""
        how = "自動判定" if self.automatic else "登録者の指定"
        return f"{'比例する' if self.scales else '比例しない'}（{how}）"


def read_choice(value: object) -> bool | None:
    """はい/いいえ, する/しない, ○/×, true/false → True/False; blank or 自動 → None; ValueError otherwise."""
    if value is None or isinstance(value, bool):
        return value
    key = unicodedata.normalize("NFKC", str(value)).strip().lower()
    if key == "" or key in AUTOMATIC:
        return None
    if key in YES:
        return True
    if key in NO:
        return False
    raise ValueError(f"「{str(value).strip()}」は人口に比例するかどうかとして読めません。"
                     "はい・いいえ（する・しない、○・×、true・false）で入力するか、空欄（自動）にしてください")


def automatic(kind: str, unit: str, period: str, low, high, label: str = "") -> tuple[bool, str]:
    """The automatic rule of this module's docstring: (scales, why)."""
    if low is None or not unit:
        return False, "数値がないため"
    if unit not in SCALABLE_UNITS:
        if any(word in unit for word in PERCENT_WORDS):
            return False, "割合（%）は人口に比例しないため"
        return False, f"単位が「{unit}」の値は人口に比例しないため"
    if kind == "facilities":
        return False, "施設の数は人口に比例しないため"
    if any(word in (label or "") for word in PER_UNIT_WORDS):
        return False, "単価や1件・1人あたりの値は人口に比例しないため"
    if unit == "円":
        if period == "one_off":
            return False, "一時的な費用（導入費など）は人口に比例しないため"
        return True, "経費は人口に比例するとみなすため"
    if unit == "人":
        if Decimal(str(high if high is not None else low)) < 1:
            return False, "1人に満たない人員は人口に比例しないため"
        return True, "人数は人口に比例するとみなすため"
    if unit in WORK_TIME_UNITS:
        if kind in WORK_TIME_KINDS and period in AGGREGATE_PERIODS:
            return True, "年間・月間の作業時間は人口に比例するとみなすため"
        return False, "1件・1回ごとの時間や日数は人口に比例しないため"
    return True, "件数は人口に比例するとみなすため"


def effective(choice: bool | None, kind: str, unit: str, period: str, low, high, label: str = "") -> Scaling:
    """The curator's choice when given, else the automatic rule; a figure-less effect never scales."""
    scales, why = automatic(kind, unit, period, low, high, label)
    if choice is None or low is None or not unit:
        return Scaling(scales, True, why)
    if choice:
        return Scaling(True, False, "人口に比例する効果として登録されているため")
    return Scaling(False, False, "人口に比例しない効果として登録されているため")


def quantity_text(low, high, unit: str, period: str = "") -> str:
    """A figure in a formula: 年間2,400万円, 10〜15人, 232億円 (a number of people without its period)."""
    number = format_number(low) if high is None or high == low else f"{format_number(low)}〜{format_number(high)}"
    return f"{'' if unit == '人' else PERIOD_WORDS.get(period, '')}{number}{unit}"


def estimate_text(low: float, high: float, unit: str) -> str:
    """An estimate as shown: 約 and three significant digits; below one person 「1人未満」."""
    if unit == "人" and high < 1:
        return "1人未満"
    if unit == "人" and low < 1:
        return f"1人未満〜約{approx(high, unit)}"
    return f"約{approx_range(low, high, unit)}"


def formula(amount: str, basis: str, population: int, target: str, target_population: int) -> str:
    """The estimate in words: 年間2,400万円 ÷ 三宅村の人口2,273人 × 那須町の人口24,000人."""
    return f"{amount} ÷ {basis}{population:,}人 × {target}{target_population:,}人"
