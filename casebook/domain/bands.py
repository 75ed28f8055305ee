"""Population: round-number labels (10万), population bands, and a case's total population."""
from __future__ import annotations

import bisect
from dataclasses import dataclass

from .vocabularies import is_joint

DEFAULT_BAND_BOUNDARIES: tuple[int, ...] = (5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000)


def population_label(n: int) -> str:
    """Return a short Japanese label for a round population: 5000 -> 5千, 100000 -> 10万."""
    if n >= 10_000 and n % 10_000 == 0:
        return f"{n // 10_000}万"
    if n >= 10_000 and n % 1_000 == 0:
        return f"{n / 10_000:g}万"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}千"
    return f"{n:,}"


@dataclass(frozen=True)
class Band:
    """One population band, lower bound inclusive and upper bound exclusive."""

    low: int
    high: int | None

    @property
    def code(self) -> str:
        return f"{self.low}-{self.high if self.high is not None else ''}"

    @property
    def label(self) -> str:
        if self.low == 0:
            return f"{population_label(self.high)}未満"
        if self.high is None:
            return f"{population_label(self.low)}以上"
        return f"{population_label(self.low)}〜{population_label(self.high)}"


class Bands:
    """A set of population bands cut at the given boundaries."""

    def __init__(self, boundaries: tuple[int, ...] | list[int] = DEFAULT_BAND_BOUNDARIES):
        bounds = sorted(set(int(b) for b in boundaries))
        if not bounds or bounds[0] <= 0:
            raise ValueError("population band boundaries must be positive")
        self.boundaries = tuple(bounds)
        lows = (0, *bounds)
        highs = (*bounds, None)
        self.bands = tuple(Band(lo, hi) for lo, hi in zip(lows, highs, strict=True))
        self.by_code = {b.code: b for b in self.bands}

    def band_of(self, population: int) -> Band:
        """Return the band that contains `population`."""
        return self.bands[bisect.bisect_right(self.boundaries, population)]


def total_population(participants) -> int | None:
    """Return a case's population: the sum of its governments' populations.

    Joint bodies (vocabularies.JOINT_KINDS) have no population of their own. When a prefecture
    takes part, its municipalities are already inside its population and are not added again.
    Returns None when no participant has a population.
    """
    governments = [p for p in participants if not is_joint(p.kind) and p.population is not None]
    prefectures = {p.prefecture for p in governments if p.kind == "prefecture"}
    counted = [p.population for p in governments
               if p.kind == "prefecture" or p.prefecture not in prefectures]
    return sum(counted) if counted else None
