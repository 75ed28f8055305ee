"""Similar size: how close a case's governments are to a reference government, in population and place."""
from __future__ import annotations

import math
from dataclasses import dataclass

from .bands import Bands, total_population
from .codes import region_of
from .vocabularies import is_joint

SAME_PREFECTURE_BONUS = math.log(2.0)   # a same-prefecture case counts as if 2× closer in size
SAME_REGION_BONUS = math.log(1.5)       # a same-region case counts as if 1.5× closer


@dataclass(frozen=True)
class Reference:
    """The government (or bare population) a user compares cases with."""

    population: int
    name: str = ""
    code: str = ""
    prefecture: str = ""
    population_year: int | None = None

    @property
    def region(self) -> str | None:
        return region_of(self.prefecture) if self.prefecture else None


def size_distance(population: int, reference: int) -> float:
    """How far apart two populations are, as a ratio: |ln(a / b)| (9,000 is nearer 5,000 than 20,000)."""
    return abs(math.log(max(population, 1) / max(reference, 1)))


def similarity_candidates(participants) -> list[tuple[str, int, str | None]]:
    """The populations a case can be compared by: each government's, and the total when there are several."""
    governments = [p for p in participants if not is_joint(p.kind) and p.population is not None]
    out = [(p.name, p.population, p.prefecture) for p in governments]
    total = total_population(participants)
    if len(governments) > 1 and total is not None:
        out.append(("参加団体の合計", total, None))
    return out


def closeness(candidates, reference: Reference, boosts: tuple[str, ...] = ()) -> float:
    """Return a case's distance to `reference` (lower is closer), from its nearest candidate.

    `boosts` may hold "pref" and "region": a case with a participant in the reference's
    prefecture (or region) is moved closer by a fixed factor.
    """
    if not candidates:
        return math.inf
    distance = min(size_distance(pop, reference.population) for _name, pop, _pref in candidates)
    prefs = {pref for _name, _pop, pref in candidates if pref}
    if "pref" in boosts and reference.prefecture in prefs:
        distance -= SAME_PREFECTURE_BONUS
    if "region" in boosts and reference.region and reference.region in {region_of(p) for p in prefs}:
        distance -= SAME_REGION_BONUS
    return distance


def matching_participants(participants, reference: Reference, bands: Bands) -> list[tuple[str, int]]:
    """The participants to show as 'matched': those in the reference's band, else the nearest one."""
    candidates = similarity_candidates(participants)
    if not candidates:
        return []
    band = bands.band_of(reference.population)
    same = [(name, pop) for name, pop, _pref in candidates if bands.band_of(pop) == band]
    if same:
        return same
    name, pop, _pref = min(candidates, key=lambda c: size_distance(c[1], reference.population))
    return [(name, pop)]
