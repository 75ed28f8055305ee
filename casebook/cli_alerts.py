"""`casebook alerts send | purge`: the e-mail alert digests (services/alerts_digest.py), for cron or a systemd timer."""
from __future__ import annotations

import sys
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from . import search
from .db import get_session
from .services import alerts, alerts_digest


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("ISO 8601 の日時で指定してください（例: 2026-12-07T07:00:00+09:00）。") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@click.group("alerts")
def alerts_group() -> None:
    """E-mail alerts for searches: send the due digests, purge unconfirmed requests."""


@alerts_group.command("send")
@click.option("--now", "now", metavar="ISO", help="Send as at this time (its day / week decides what is due; default: now).")
@click.option("--dry-run", is_flag=True, help="Say what would be sent; send and mark nothing.")
@with_appcontext
def send_command(now: str | None, dry_run: bool) -> None:
    """Send every due digest (daily, weekly); run twice in a period, the second run sends nothing. Exit 1 if any failed."""
    report = alerts_digest.send_digests(get_session(), search.get_index(), current_app.config,
                                        current_app.instance_path, _moment(now), dry_run)
    for sub_id, count in report.planned:
        click.echo(f"送信予定: 配信 {sub_id}（{count} 件の事例）")
    for error in report.errors:
        click.echo(f"エラー: {error}", err=True)
    if report.broken:
        click.echo(f"警告: 検索条件が現在は使えない配信 {report.broken} 件を飛ばしました。", err=True)
    if dry_run:
        click.echo(f"送信予定 {len(report.planned)} 件（--dry-run: 送信していません）、新着なし {report.unchanged} 件")
        return
    click.echo(f"送信 {report.sent} 件、失敗 {report.failed} 件、新着なし {report.unchanged} 件、"
               f"期限切れの申込みの削除 {report.purged} 件")
    if report.failed:
        sys.exit(1)


@alerts_group.command("purge")
@with_appcontext
def purge_command() -> None:
    """Delete requests never confirmed within 7 days (with their addresses)."""
    removed = alerts.purge(get_session())
    click.echo(f"確認されなかった申込み {removed} 件を削除しました（{alerts.CONFIRM_DAYS} 日を過ぎたもの）。")
