"""Facts of Japanese local government that casebook reasons with.

Local-government codes and their check digit, prefectures and regions, fiscal years and
eras, population bands, amounts in effect texts, similar size, and the vocabularies used by
cases (participant kinds, effect kinds...). Pure functions and constants only: no database,
no Flask.

The rest of the app imports this package (`from casebook import domain`, then `domain.X`);
the modules under it are its rooms:

- `codes`: prefectures, regions, the local-government code and its check digit
- `vocabularies`: participant kinds, roles, effect kinds, case statuses...
- `years`: eras and fiscal years
- `bands`: population labels, population bands, a case's total population
- `amounts`: parsing and formatting amounts, per-capita and scaled estimates
- `similarity`: the reference government, size distance and closeness
"""
from __future__ import annotations

from .amounts import (
    MULTIPLIERS,
    PREFIX_QUALIFIERS,
    SCALABLE_UNITS,
    SUFFIX_QUALIFIERS,
    UNITS,
    Amount,
    approx,
    approx_range,
    format_number,
    parse_amount,
    per_capita,
    scaled,
)
from .bands import DEFAULT_BAND_BOUNDARIES, Band, Bands, population_label, total_population
from .codes import PREFECTURES, REGIONS, check_digit, code_error, prefecture_code, region_of
from .similarity import (
    SAME_PREFECTURE_BONUS,
    SAME_REGION_BONUS,
    Reference,
    closeness,
    matching_participants,
    similarity_candidates,
    size_distance,
)
from .vocabularies import (
    CASE_STATUSES,
    DETAIL_LEVELS,
    EFFECT_DIRECTIONS,
    EFFECT_KINDS,
    EFFECT_PERIODS,
    EFFECT_STATUSES,
    PARTICIPANT_KINDS,
    ROLES,
    ROLES_OF_USERS,
)
from .years import ERAS, era_year, fiscal_year_label, parse_fiscal_year

__all__ = [
    # codes
    "PREFECTURES", "REGIONS", "check_digit", "code_error", "prefecture_code", "region_of",
    # vocabularies
    "CASE_STATUSES", "DETAIL_LEVELS", "EFFECT_DIRECTIONS", "EFFECT_KINDS", "EFFECT_PERIODS",
    "EFFECT_STATUSES", "PARTICIPANT_KINDS", "ROLES", "ROLES_OF_USERS",
    # years
    "ERAS", "era_year", "fiscal_year_label", "parse_fiscal_year",
    # bands
    "DEFAULT_BAND_BOUNDARIES", "Band", "Bands", "population_label", "total_population",
    # amounts
    "MULTIPLIERS", "PREFIX_QUALIFIERS", "SCALABLE_UNITS", "SUFFIX_QUALIFIERS", "UNITS", "Amount",
    "approx", "approx_range", "format_number", "parse_amount", "per_capita", "scaled",
    # similarity
    "SAME_PREFECTURE_BONUS", "SAME_REGION_BONUS", "Reference", "closeness", "matching_participants",
    "similarity_candidates", "size_distance",
]
