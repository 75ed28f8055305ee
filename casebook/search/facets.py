"""The facet registry: one entry per facet, from which everything about facets derives.

An entry says what the facet is called (its argument name and Japanese label), which values a
case has (`values`, with the population bands at hand), how one value is checked and documented
as a search argument, how a value is shown (`value_label`) and in which order values are listed
(`order`). From the registry come the index fields and the facet values of each index document
(documents.py and the engine), the facet arguments of the one search-argument schema (args.py)
used by the search page, the API and the OpenAPI description, the facet labels, and the facet
result objects with their toggle URLs (results.py). Adding a facet is one entry here (and its
labels); bump `version` when the values an existing entry gives change, so every index is rebuilt
(the index fingerprint includes the registry, see documents.py).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import validate

from .. import domain
from ..models import Case
from ..schemas import _max

_CHOICE = "次のいずれかを指定してください: {choices}"


class WholeMatch(validate.Regexp):
    """A pattern that must match the whole value, as in JSON Schema (Python's `$` also matches
    before a final newline); documented as written."""

    def __call__(self, value: str) -> str:
        if self.regex.fullmatch(value) is None:
            raise validate.ValidationError(self._format_error(value))
        return value


@dataclass(frozen=True)
class Labels:
    """What value labels are made from: the theme labels (from the database) and the population bands."""

    themes: Mapping[str, str]
    bands: domain.Bands


def _same(value: str, _labels: Labels) -> str:
    return value


def _by_value(value: str, _bands: domain.Bands) -> tuple:
    return (0, value)


def _listed(choices: Iterable[str]) -> Callable[[str, domain.Bands], tuple]:
    # Values in the order of `choices`, unknown ones last.
    order = {value: i for i, value in enumerate(choices)}
    return lambda value, _bands: (order.get(value, 99), value)


@dataclass(frozen=True)
class Facet:
    """One facet (see the module docstring)."""

    name: str
    label: str
    values: Callable[[Case, domain.Bands], Iterable[str]]
    check: Callable[[domain.Bands], list[Any]]  # the validators of one value of the argument
    description: str = ""  # of the argument, in the API's description; by default "<label>（繰り返し可、OR）"
    value_label: Callable[[str, Labels], str] = _same
    order: Callable[[str, domain.Bands], tuple] = _by_value
    version: int = 1

    @property
    def documented(self) -> str:
        """The argument's description."""
        return self.description or f"{self.label}（繰り返し可、OR）"


# --- how the built-in facets read a case ----------------------------------------------------

def _bands_of(case: Case, bands: domain.Bands) -> set[str]:
    # The band of the total population, and of every member government (not of associations).
    people = list(case.participants)
    total = domain.total_population(people)
    found = {bands.band_of(total).code} if total is not None else set()
    found |= {bands.band_of(p.population).code for p in people
              if p.population is not None and not domain.is_joint(p.kind)}
    # A prefecture-wide participant stands for each of its municipalities too (rows.with_covered).
    found |= {bands.band_of(population).code for _prefecture, population in case.__dict__.get("covered", [])}
    return found


def _prefectures(case: Case, _bands: domain.Bands) -> list[str]:
    return [p.prefecture for p in case.participants if p.prefecture]


def _regions(case: Case, bands: domain.Bands) -> list[str]:
    return [r for r in (domain.region_of(p) for p in _prefectures(case, bands)) if r]


def _band_label(value: str, labels: Labels) -> str:
    band = labels.bands.by_code.get(value)
    return band.label if band else value


def _band_order(value: str, bands: domain.Bands) -> tuple:
    codes = [b.code for b in bands.bands]
    return (codes.index(value) if value in codes else 99, value)


REGISTRY: list[Facet] = [
    Facet("theme", "テーマ", lambda case, _b: case.themes, lambda _b: [_max(40)],
          value_label=lambda value, labels: labels.themes.get(value, value)),
    Facet("band", "人口規模", _bands_of,
          lambda bands: [validate.OneOf([b.code for b in bands.bands], error=_CHOICE)],
          description="人口規模（複数指定はOR）", value_label=_band_label, order=_band_order),
    Facet("region", "地方", _regions, lambda _b: [_max(20)], order=_listed(r[0] for r in domain.REGIONS)),
    Facet("pref", "都道府県", _prefectures, lambda _b: [_max(10)],
          order=lambda value, _b: (domain.prefecture_code(value) or 99, value)),
    Facet("kind", "団体の種類", lambda case, _b: [p.kind for p in case.participants], lambda _b: [_max(30)],
          value_label=lambda value, _l: domain.PARTICIPANT_KINDS.get(value, value),
          order=_listed(domain.PARTICIPANT_KINDS)),
    Facet("year", "開始年度",
          lambda case, _b: [str(case.start_fiscal_year)] if case.start_fiscal_year else [],
          lambda _b: [WholeMatch(r"^[0-9]{4}$", error="年度は西暦4桁で指定してください。")],
          description="開始年度（西暦）",
          value_label=lambda value, _l: domain.fiscal_year_label(int(value)) if value.isdigit() else value,
          order=lambda value, _b: (-int(value) if value.isdigit() else 0, value)),
    Facet("tag", "タグ", lambda case, _b: case.tags, lambda _b: [_max(50)]),
]
# Names the index and the search arguments use for other things: no facet may take them.
RESERVED = frozenset({"q", "sort", "page", "size", "municipality", "population", "boost", "slug", "status",
                      "title", "keywords", "summary", "all", "fingerprint", "people", "population_asc", "effect_yen",
                      "updated", "detailed"})


def registered() -> tuple[Facet, ...]:
    """The facets, in display order."""
    return tuple(REGISTRY)


def check() -> None:
    """Refuse a registry whose names clash (with each other or with RESERVED); called when an app starts."""
    found = [f.name for f in REGISTRY]
    clash = (set(found) & RESERVED) | {n for n in found if found.count(n) > 1}
    if clash:
        raise ValueError(f"facet names reserved or used twice: {sorted(clash)}")


def names() -> tuple[str, ...]:
    """The facet names, in display order."""
    return tuple(f.name for f in registered())


def get(name: str) -> Facet:
    """The facet called `name` (KeyError if none)."""
    for facet in registered():
        if facet.name == name:
            return facet
    raise KeyError(name)


class _LabelView(Mapping):
    """{facet name: label}, read from the registry each time (templates keep it for the app's life)."""

    def __getitem__(self, name: str) -> str:
        return get(name).label

    def __iter__(self) -> Iterator[str]:
        return iter(names())

    def __len__(self) -> int:
        return len(REGISTRY)


FACET_LABELS: Mapping[str, str] = _LabelView()


def facet_label(themes: Mapping[str, str], bands: domain.Bands) -> Callable[[str, str], str]:
    """A function giving the display label of a value of a facet."""
    labels = Labels(themes, bands)

    def label(facet: str, value: str) -> str:
        return get(facet).value_label(value, labels)
    return label


def describe() -> list[list]:
    """What of the registry the index depends on (for its fingerprint): names, order and versions."""
    return [[f.name, f.version] for f in registered()]
