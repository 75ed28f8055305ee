"""A search as a feed: the published cases it finds that were published or updated last.

The feed takes the search page's arguments (q and the facets; the reference and `boost` are checked
the same way but change nothing here), and lists, whatever the page's sort, the FEED_SIZE matching
cases changed most recently, newest first: a feed tells what changed. Only the index finds cases,
so only published ones are listed. The feed is known by its words and facet values alone
(`feed_params`): page, size and sort do not make another feed.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session

from .. import domain, search
from . import cases, references

FEED_SIZE = 50
# A feed with no entries still needs an `updated`: the newest published case's, else this (the
# date of the report the bundled cases come from), so that an empty feed's answer does not change.
EMPTY_UPDATED = datetime(2018, 10, 2, tzinfo=UTC)
TITLE = "casebook 事例検索"


@dataclass(frozen=True)
class Category:
    """A facet value of a case: the facet (`theme`, `band`), the value and its label on the search page."""

    facet: str
    term: str
    label: str


@dataclass(frozen=True)
class FeedEntry:
    """One case of a feed."""

    slug: str
    title: str
    summary: str
    updated: datetime
    categories: tuple[Category, ...]


@dataclass(frozen=True)
class Feed:
    """A search's feed: its title, its arguments (`params`, canonical) and its newest cases."""

    title: str
    params: list[tuple[str, str]]
    entries: list[FeedEntry]
    updated: datetime


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def as_utc(value: datetime) -> datetime:
    """A stored time (naive UTC from SQLite, aware from PostgreSQL) as an aware UTC time, to the second."""
    return _utc(value).replace(microsecond=0)


def feed_params(args: search.SearchArgs) -> list[tuple[str, str]]:
    """The arguments that make a feed what it is, sorted: q, then each facet's values in name order."""
    pairs = [("q", args.q.strip())] if args.q.strip() else []
    for facet in sorted(args.filters):
        pairs += [(facet, value) for value in sorted(set(args.filters[facet]))]
    return pairs


def feed_title(page: search.CasePage) -> str:
    """「casebook 事例検索: 窓口 ／ 町村」: the words and the selected values' labels, as the page shows them."""
    parts = [page.args.q] if page.args.q.strip() else []
    for facet in page.result.facets.values():
        labels = [v.label for v in facet.values if v.selected]
        if labels:
            parts.append("・".join(labels))
    return f"{TITLE}: {' ／ '.join(parts) if parts else 'すべての事例'}"


def _summary(case, population: int | None) -> str:
    names = "・".join(p.name for p in case.participants if p.name)
    lines = [case.summary.strip()] if case.summary.strip() else []
    if names:
        lines.append(f"参加団体: {names}" + (f"（人口計 {population:,}人）" if population is not None else ""))
    return "\n".join(lines)


def _entry(hit: search.CaseHit, label, bands: domain.Bands) -> FeedEntry:
    case = hit.case
    categories = []
    if hit.population is not None:
        band = bands.band_of(hit.population).code
        categories.append(Category("band", band, label("band", band)))
    categories += [Category("theme", theme, label("theme", theme)) for theme in case.themes]
    return FeedEntry(case.slug, case.title, _summary(case, hit.population), as_utc(case.updated_at),
                     tuple(categories))


def search_feed(session: Session, index: search.Engine, args: search.SearchArgs) -> Feed:
    """The feed of a search: its FEED_SIZE newest published or updated cases (InvalidInput as the page's)."""
    args = references.with_reference(session, args)   # an unknown municipality is refused as on the page
    args = dataclasses.replace(args, sort="newest", page=1, size=FEED_SIZE, boosts=(), reference=None)
    page = search.search_cases(session, index, args)
    # The index orders by the second; the database's time puts a case edited within it first. A case
    # unpublished a moment ago may still be in an index that has not applied the change: left out.
    hits = sorted((h for h in page.hits if h.case.status == "published"), key=lambda h: h.case.slug)
    hits.sort(key=lambda h: _utc(h.case.updated_at), reverse=True)
    label = search.facet_label(cases.theme_labels(session), index.bands)
    entries = [_entry(hit, label, index.bands) for hit in hits]
    if entries:
        updated = entries[0].updated
    else:
        newest = cases.recent_cases(session, 1)
        updated = as_utc(newest[0].updated_at) if newest else EMPTY_UPDATED
    return Feed(feed_title(page), feed_params(args), entries, updated)
