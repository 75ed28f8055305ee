"""The digests of `casebook alerts send`: for each confirmed subscription due in its period, the
published cases of its search changed since its last digest, mailed, then marked sent.

A period is a day or an ISO week in Japan time. A subscription gets at most one digest per period:
the first run of the period that finds cases new or updated since its watermark sends it (a run
that finds none sends nothing and marks nothing). A digest is marked sent — its period, time and
new watermark — only after the mail server accepted it; a refused or dropped message leaves the
subscription as it was, so the next run sends it again. While one run sends a digest it holds a
claim on the subscription (CLAIM), so two runs at once do not both send it. A run that dies after
the server accepted a message but before marking it sends that digest once more.
"""
from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, update
from sqlmodel import Session, select

from .. import search
from ..errors import InvalidInput
from ..models import AlertSubscription, Revision, utcnow
from ..web import CENSUS_CREDIT
from . import alerts, mail
from .cases import theme_labels

log = logging.getLogger(__name__)
DIGEST_SIZE = 50
CLAIM = timedelta(minutes=15)
REVISION_MARGIN = timedelta(seconds=5)
_JST = ZoneInfo("Asia/Tokyo")


def period_of(frequency: str, now: datetime) -> str:
    """The day (2026-12-01) or ISO week (2026-W49) of `now` in Japan time."""
    local = now.astimezone(_JST)
    if frequency == "weekly":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return local.strftime("%Y-%m-%d")


@dataclass(frozen=True)
class DigestItem:
    """One case of a digest."""

    slug: str
    title: str
    governments: str
    band: str
    change: str           # 新規 or 更新
    updated_at: datetime


@dataclass
class RunReport:
    """What one run did (counts only: no addresses)."""

    sent: int = 0
    failed: int = 0
    unchanged: int = 0
    purged: int = 0
    broken: int = 0       # searches the facets no longer accept
    errors: list[str] = field(default_factory=list)
    planned: list[tuple[int, int]] = field(default_factory=list)  # dry run: (subscription id, cases)


@dataclass
class _Search:
    title: str
    hits: list[search.CaseHit]


def _search(session: Session, index: search.Engine, config: Mapping[str, Any], params: str) -> _Search:
    args = alerts.parse_params(params, config, index.bands)
    args = dataclasses.replace(args, sort="newest", page=1, size=DIGEST_SIZE, boosts=(), reference=None, ref_params={})
    page = search.search_cases(session, index, args)
    hits = [h for h in page.hits if h.case.status == "published"]
    hits.sort(key=lambda h: alerts._utc(h.case.updated_at), reverse=True)
    return _Search(alerts.describe(session, index, args), hits)


def _items(session: Session, index: search.Engine, hits: list[search.CaseHit], since: datetime) -> list[DigestItem]:
    fresh = [h for h in hits if alerts._utc(h.case.updated_at) > since]
    if not fresh:
        return []
    # A case is new to the subscriber when no earlier published version of it existed at `since` (a
    # version's revision is written a moment after its updated_at, hence the margin).
    versions = {h.case.id: h.case.version for h in fresh}
    known = {case_id for case_id, number in session.exec(select(Revision.case_id, Revision.number).where(
        Revision.case_id.in_(list(versions)), Revision.status == "published",
        Revision.created_at <= since + REVISION_MARGIN)) if number < versions[case_id]}
    label = search.facet_label(theme_labels(session), index.bands)
    items = []
    for hit in fresh:
        case = hit.case
        band = label("band", index.bands.band_of(hit.population).code) if hit.population is not None else ""
        items.append(DigestItem(case.slug, case.title, "・".join(p.name for p in case.participants if p.name),
                                band, "更新" if case.id in known else "新規", alerts._utc(case.updated_at)))
    return items


def compose_digest(config: Mapping[str, Any], sub: AlertSubscription, title: str, items: list[DigestItem],
                   more: bool):
    """The digest message: each case's title, governments, population band, what changed and its URL."""
    links, token = alerts.Links.of(config), alerts.manage_token(config["SECRET_KEY"], sub)
    how = alerts.FREQUENCIES.get(sub.frequency, "")
    lines = [f"casebook の検索「{title}」に合う事例のうち、前回のお知らせ以降に公開・更新された"
             f"{len(items)}件です（{how}のお知らせ）。", ""]
    for item in items:
        lines.append(f"■ {item.title}（{item.change}）")
        if item.governments:
            lines.append(f"  団体: {item.governments}")
        if item.band:
            lines.append(f"  人口規模: {item.band}")
        lines += [f"  {links.case(item.slug)}", ""]
    if more:
        lines += [f"ほかにも公開・更新された事例があります（新しい{DIGEST_SIZE}件まで載せています）。", ""]
    lines.append(f"検索結果（新着・更新順）: {links.search('&'.join(p for p in (sub.params, 'sort=newest') if p))}")
    if any(item.band for item in items):
        lines.append(f"人口規模は国勢調査の人口によります。人口の{CENSUS_CREDIT}")
    text = "\n".join(lines) + "\n\n" + alerts.footer(links, token)
    subject = f"【casebook】新着・更新事例 {len(items)}件: {title}"
    return mail.compose(config, sub.email, subject[:200], text, alerts.list_headers(links, token))


def _claim(session: Session, sub_id: int, period: str) -> bool:
    clock = utcnow()
    result = session.exec(update(AlertSubscription)
                          .where(AlertSubscription.id == sub_id, AlertSubscription.last_period != period,
                                 or_(AlertSubscription.claimed_until.is_(None), AlertSubscription.claimed_until < clock))
                          .values(claimed_until=clock + CLAIM))
    session.commit()
    return bool(result.rowcount)


def _release(session: Session, sub_id: int, **values) -> None:
    session.exec(update(AlertSubscription).where(AlertSubscription.id == sub_id).values(claimed_until=None, **values))
    session.commit()


def send_digests(session: Session, index: search.Engine, config: Mapping[str, Any], instance_path: str | Path,
                 now: datetime | None = None, dry_run: bool = False) -> RunReport:
    """Purge expired requests, then send every due digest (see the module docstring)."""
    now = now or utcnow()
    report = RunReport()
    if not dry_run:
        report.purged = alerts.purge(session, now)
    search.index_changes(session, index)
    subs = list(session.exec(select(AlertSubscription).where(AlertSubscription.confirmed_at.is_not(None))
                             .order_by(AlertSubscription.id)))
    searches: dict[str, _Search | None] = {}
    for sub in subs:
        period = period_of(sub.frequency, now)
        if sub.last_period == period:
            continue
        if sub.params not in searches:
            try:
                searches[sub.params] = _search(session, index, config, sub.params)
            except InvalidInput:
                searches[sub.params] = None
        found = searches[sub.params]
        if found is None:
            report.broken += 1
            continue
        since = alerts._utc(sub.watermark_at or sub.confirmed_at)
        items = _items(session, index, found.hits, since)
        if not items:
            report.unchanged += 1
            continue
        if dry_run:
            report.planned.append((sub.id, len(items)))
            continue
        sub_id = sub.id
        if not _claim(session, sub_id, period):
            continue
        more = len(items) == len(found.hits) == DIGEST_SIZE
        try:
            mail.send(config, instance_path, compose_digest(config, sub, found.title, items, more))
        except mail.MailError as exc:
            _release(session, sub_id)
            report.failed += 1
            report.errors.append(f"配信 {sub_id}: {exc}")
            log.warning("alert digest %s not sent: %s", sub_id, exc)
            continue
        _release(session, sub_id, last_period=period, last_sent_at=utcnow(),
                 watermark_at=max(item.updated_at for item in items))
        report.sent += 1
    return report
