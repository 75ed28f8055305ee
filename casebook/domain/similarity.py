"""Similar size: how close a case's governments are to a reference government, in population and place."""
from __future__ import annotations

import math
from dataclasses import dataclass

from .bands import Bands, total_population
from .codes import region_of
from .vocabularies import is_joint

SAME_PREFECTURE_BONUS = math.log(2.0)   # a same-prefecture case counts as if 2× closer in size
SAME_REGION_BONUS = math.log(1.5)       # a same-region case counts as if 1.5× closer
# A member among n governments is compared as if its size were n^MEMBER_WEIGHT times farther:
# one of 2 members as if 1.4× farther, one of 37 as if 6× farther. A sole government, the lead
# (代表団体) and the members' total are compared by size alone. So a lone village of 2,274
# outranks one 1,600-person member of a 37-member fire association for a village of 1,600.
MEMBER_WEIGHT = 0.5


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


def member_penalty(members: int) -> float:
    """How much farther one member among `members` governments counts (0 for a sole government)."""
    return MEMBER_WEIGHT * math.log(members) if members > 1 else 0.0


def similarity_candidates(participants, covered: int = 0) -> list[tuple[str, int, str | None, float]]:
    """The populations a case can be compared by, each with its penalty (MEMBER_WEIGHT).

    Each government's own (a member's with the penalty of its number of members, `covered`
    counting the municipalities that prefecture-wide participants stand for), and the total
    when there are several.
    """
    governments = [p for p in participants if not is_joint(p.kind) and p.population is not None]
    penalty = member_penalty(len(governments) + covered)
    out = [(p.name, p.population, p.prefecture, 0.0 if getattr(p, "role", "") == "lead" else penalty)
           for p in governments]
    total = total_population(participants)
    if len(governments) > 1 and total is not None:
        out.append(("参加団体の合計", total, None, 0.0))
    return out


def closeness(candidates, reference: Reference, boosts: tuple[str, ...] = ()) -> float:
    """Return a case's distance to `reference` (lower is closer), from its nearest candidate.

    `boosts` may hold "pref" and "region": a case with a participant in the reference's
    prefecture (or region) is moved closer by a fixed factor.
    """
    if not candidates:
        return math.inf
    distance = min(size_distance(c[1], reference.population) + (c[3] if len(c) > 3 else 0.0) for c in candidates)
    prefs = {c[2] for c in candidates if c[2]}
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
    same = [(c[0], c[1]) for c in candidates if bands.band_of(c[1]) == band]
    if same:
        return same
    nearest = min(candidates, key=lambda c: (size_distance(c[1], reference.population), c[0]))
    return [(nearest[0], nearest[1])]
