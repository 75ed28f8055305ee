"""The `casebook` command: thin wrappers over the services that print counts and progress."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from . import search
from .cli_admin import changes_group, db_group, inquiries_group, municipalities_group, users_group
from .cli_alerts import alerts_group
from .db import get_engine, get_session, init_db
from .errors import InvalidInput
from .services import bulk, loader
from .services.unit import unit_of_work


@click.command("load")
@with_appcontext
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def load_command(paths: tuple[Path, ...]) -> None:
    """Load case files (YAML) or folders of them: an idempotent upsert by slug."""
    init_db(get_engine())
    with unit_of_work(get_session(), search.get_index()) as work:
        report = loader.load_cases(work, list(paths))
    for path, field, reason in report.errors:
        click.echo(f"エラー: {path}: {field}: {reason}", err=True)
    click.echo(f"新規 {report.created} 件、更新 {report.updated} 件、変更なし {report.unchanged} 件、"
               f"エラー {len({e[0] for e in report.errors})} ファイル")
    if report.errors:
        sys.exit(1)


@click.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Rebuild the search index from the database (into a fresh directory, then swap)."""
    init_db(get_engine())
    started = time.perf_counter()
    index = search.get_index()
    with index.rebuilding(wait=False) as mine:  # one rebuild per directory at a time (a server may be at it)
        if not mine:
            pids = ", ".join(str(pid) for pid in index.rebuilders())
            raise click.ClickException(f"別のプロセス{f'（pid {pids}）' if pids else ''}が検索インデックスを再構築中です。"
                                       "終わってから、もう一度実行してください。")
        count = search.rebuild_index(get_session(), index)
    click.echo(f"検索インデックスを再構築しました: {count} 件（{time.perf_counter() - started:.1f} 秒）")


@click.command("check-index")
@with_appcontext
@click.option("--repair", is_flag=True, help="Re-index missing and stale cases, drop orphans; rebuild an index of another fingerprint.")
def check_index_command(repair: bool) -> None:
    """Compare the index with the database and with this code's fingerprint; exit 1 when they differ (after --repair: 0 if fixed)."""
    session, index = get_session(), search.get_index()
    drift = search.check_index(session, index)
    if drift.fingerprint:
        recorded, expected = drift.fingerprint
        click.echo(f"fingerprint\t{recorded or '-'}\t{expected}")
        click.echo("検索インデックスは別の定義（ファセット・解析・フィールド）で作られています。再構築が必要です"
                   "（--repair または casebook reindex。サーバーは自動で再構築します）。", err=True)
    for label, slugs in (("missing", drift.missing), ("stale", drift.stale), ("orphaned", drift.orphaned)):
        for slug in slugs:
            click.echo(f"{label}\t{slug}")
    if drift.clean:
        click.echo("検索インデックスはデータベースと一致しています。")
        return
    click.echo(f"不一致: 未登録 {len(drift.missing)} 件、古い内容 {len(drift.stale)} 件、"
               f"削除漏れ {len(drift.orphaned)} 件", err=True)
    if repair:
        if search.repair_index(session, index, drift) and search.check_index(session, index).clean:
            click.echo("修復しました。")
            return
        click.echo("修復できませんでした（インデックスが使用中の可能性があります）。", err=True)
    sys.exit(1)


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report; write nothing.")
@click.option("--status", "mode", type=click.Choice(list(bulk.STATUS_MODES)), default="draft", show_default=True,
              help="draft: imported cases become drafts; published; file: take the status column.")
@with_appcontext
def import_command(file: Path, dry_run: bool, mode: str) -> None:
    """Import cases from CSV, Excel (.xlsx), JSON or YAML: all rows or none."""
    init_db(get_engine())
    session = get_session()
    data = file.read_bytes()
    try:
        plan = bulk.plan_import(session, data, file.name, None, mode)
        if plan.ok and not dry_run:
            with unit_of_work(session, search.get_index()):
                plan = bulk.commit_import(session, data, file.name, None, mode)
    except InvalidInput as exc:
        click.echo(f"エラー: {exc.message}", err=True)
        for where, reason in exc.errors:
            click.echo(f"  {file}: {where}: {reason}", err=True)
        sys.exit(1)
    for row in plan.rows:
        for column, reason in row.errors:
            click.echo(f"{file}: {row.row}行目: {column}: {reason}", err=True)
    verb = "取り込めます" if dry_run else "取り込みました"
    click.echo(f"新規 {plan.count('create')} 件、更新 {plan.count('update')} 件、変更なし {plan.count('unchanged')} 件を{verb}"
               if plan.ok else "問題のある行があるため、何も取り込んでいません。")
    if not plan.ok:
        sys.exit(1)


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json", "yaml"]), required=True)
@click.argument("target", type=click.Path(path_type=Path))
@with_appcontext
def export_command(fmt: str, target: Path) -> None:
    """Export every case (all statuses): to a file, or with --format yaml to a folder of case files."""
    records = bulk.records_for(get_session())
    if fmt == "yaml":
        count = bulk.export_yaml(records, target)
    else:
        target.write_bytes(bulk.export(records, fmt))
        count = len(records)
    click.echo(f"{count} 件を書き出しました: {target}")


def init_app(app: Flask) -> None:
    """Register the commands on the app's CLI group."""
    for command in (load_command, reindex_command, check_index_command, municipalities_group, users_group,
                    import_command, export_command, db_group, changes_group, inquiries_group, alerts_group):
        app.cli.add_command(command)


def _create_app() -> Flask:
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True)
def main() -> None:
    """Manage casebook: init-db, db, load, reindex, check-index, run."""
