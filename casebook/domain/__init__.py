"""Facts of Japanese local government that casebook reasons with.

Local-government codes and their check digit, prefectures and regions, fiscal years and
eras, population bands, amounts in effect texts, similar size, and the vocabularies used by
cases (participant kinds, effect kinds...). Pure functions and constants only: no database,
no Flask.

The rest of the app imports this package (`from casebook import domain`, then `domain.X`);
the modules under it are its rooms:

- `codes`: prefectures, regions, the local-government code and its check digit
- `labels`: each controlled vocabulary's codes, Japanese labels and the short forms people type
- `vocabularies`: participant kinds, roles, effect kinds, case statuses... (from `labels`)
- `dates`: dates with a precision (day, month or year), in Western and era forms
- `years`: eras, fiscal years and census years
- `figures`: effect figures as people write them (7人→4人, 年間約200万円, 約3割), exact decimals
- `bands`: population labels, population bands, a case's total population
- `amounts`: formatting amounts, per-capita and scaled estimates
- `similarity`: the reference government, size distance and closeness
"""
from __future__ import annotations

from .amounts import (
    SCALABLE_UNITS,
    approx,
    approx_range,
    format_number,
    per_capita,
    scaled,
)
from .bands import DEFAULT_BAND_BOUNDARIES, Band, Bands, population_label, total_population
from .codes import (
    PREFECTURES,
    REGIONS,
    check_digit,
    code_candidates,
    code_error,
    prefecture_code,
    read_code,
    read_prefecture,
    region_of,
)
from .dates import PartialDate, excel_serial_date, parse_date
from .figures import Figure, Quantity, format_decimal, read_figure
from .labels import LABELS, VOCABULARY_NAMES, read_label
from .similarity import (
    MEMBER_WEIGHT,
    SAME_PREFECTURE_BONUS,
    SAME_REGION_BONUS,
    Reference,
    closeness,
    matching_participants,
    member_penalty,
    similarity_candidates,
    size_distance,
)
from .vocabularies import (
    CASE_STATUSES,
    COVERS,
    DETAIL_LEVELS,
    EFFECT_DIRECTIONS,
    EFFECT_KINDS,
    EFFECT_PERIODS,
    EFFECT_STATUSES,
    JOINT_KINDS,
    PARTICIPANT_KINDS,
    ROLES,
    ROLES_OF_USERS,
    is_joint,
)
from .years import (
    ERAS,
    era_year,
    fiscal_year_label,
    fiscal_year_of,
    parse_census_year,
    parse_fiscal_year,
    read_fiscal_year,
)

__all__ = [
    # codes
    "PREFECTURES", "REGIONS", "check_digit", "code_candidates", "code_error", "prefecture_code", "read_code", "read_prefecture",
    "region_of",
    # labels, dates, figures
    "LABELS", "VOCABULARY_NAMES", "read_label", "PartialDate", "excel_serial_date", "parse_date",
    "Figure", "Quantity", "format_decimal", "read_figure",
    # vocabularies
    "CASE_STATUSES", "COVERS", "DETAIL_LEVELS", "EFFECT_DIRECTIONS", "EFFECT_KINDS", "EFFECT_PERIODS",
    "EFFECT_STATUSES", "JOINT_KINDS", "PARTICIPANT_KINDS", "ROLES", "ROLES_OF_USERS", "is_joint",
    # years
    "ERAS", "era_year", "fiscal_year_label", "fiscal_year_of", "parse_census_year", "parse_fiscal_year",
    "read_fiscal_year",
    # bands
    "DEFAULT_BAND_BOUNDARIES", "Band", "Bands", "population_label", "total_population",
    # amounts
    "SCALABLE_UNITS", "approx", "approx_range", "format_number", "per_capita", "scaled",
    # similarity
    "SAME_PREFECTURE_BONUS", "SAME_REGION_BONUS", "Reference", "closeness", "matching_participants",
    "MEMBER_WEIGHT", "member_penalty", "similarity_candidates", "size_distance",
]
