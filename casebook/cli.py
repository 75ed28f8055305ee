"""The `casebook` command: thin wrappers over the services that print counts and progress."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from . import migrations, search
from .db import get_engine, get_session, init_db
from .errors import InvalidInput
from .services import bulk, loader, municipalities, users
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


@click.group("municipalities")
def municipalities_group() -> None:
    """The municipality master (全国地方公共団体コード and census populations)."""


@municipalities_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--credit", help="Credit line to show with the populations (default: from FILE's .SOURCE.md).")
@with_appcontext
def import_master_command(file: Path, credit: str | None) -> None:
    """Import (upsert by code) a master CSV: code,prefecture,name,kana,population,population_year,source,kind."""
    credit = credit or municipalities.credit_from_note(file)
    if not credit:
        click.echo(f"エラー: 出典の表示が見つかりません。--credit で指定してください（{file.name} と同じ場所の "
                   f"{file.stem}.SOURCE.md からも読み取ります）。", err=True)
        sys.exit(1)
    init_db(get_engine())
    try:
        report = municipalities.import_master(get_session(), file.read_bytes(), credit, file.name)
    except InvalidInput as exc:
        click.echo(f"エラー: {exc.message}", err=True)
        for where, reason in exc.errors:
            click.echo(f"  {file}: {where}: {reason}", err=True)
        sys.exit(1)
    click.echo(f"市区町村マスタ: 新規 {report.created} 件、更新 {report.updated} 件、変更なし {report.unchanged} 件")
    click.echo(report.credit)


@municipalities_group.command("check")
@with_appcontext
def check_master_command() -> None:
    """List case participants whose population differs from the master; exit 1 if any."""
    session = get_session()
    if not municipalities.has_master(session):
        click.echo("市区町村マスタがまだ取り込まれていません（casebook municipalities import FILE）。", err=True)
        sys.exit(1)
    found = municipalities.population_mismatches(session)
    for m in found:
        click.echo(f"{m.slug}\t{m.code}\t{m.name}\t事例: {m.stored if m.stored is not None else '—'}"
                   f"（{m.stored_year or '—'}年）\tマスタ: {m.master}（{m.master_year}年）")
    if found:
        click.echo(f"人口がマスタと異なる参加団体: {len(found)} 件", err=True)
        sys.exit(1)
    click.echo("すべての参加団体の人口がマスタと一致しています。")


@click.group("users")
def users_group() -> None:
    """Curator and editor accounts."""


def _password(value: str | None) -> str:
    # From the option, the CASEBOOK_NEW_PASSWORD environment variable, or a hidden prompt.
    import os

    return value or os.environ.get("CASEBOOK_NEW_PASSWORD") or click.prompt(
        "パスワード（12文字以上）", hide_input=True, confirmation_prompt=True)


@users_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(users.ROLES), default="curator", show_default=True)
@click.option("--name", default="", help="Display name.")
@click.option("--password", help="Prefer the prompt or CASEBOOK_NEW_PASSWORD (options show in process lists).")
@with_appcontext
def create_user_command(email: str, role: str, name: str, password: str | None) -> None:
    """Create a curator or editor account."""
    init_db(get_engine())
    try:
        user = users.create_user(get_session(), email, _password(password), role, name)
    except InvalidInput as exc:
        click.echo(f"エラー: {exc.message} {' '.join(m for _f, m in exc.errors)}", err=True)
        sys.exit(1)
    click.echo(f"利用者を作成しました: {user.email}（{role}）")


@users_group.command("set-password")
@click.argument("email")
@click.option("--password", help="Prefer the prompt or CASEBOOK_NEW_PASSWORD.")
@with_appcontext
def set_password_command(email: str, password: str | None) -> None:
    """Set a new password for an account."""
    from .errors import NotFound

    try:
        users.set_password(get_session(), email, _password(password))
    except (InvalidInput, NotFound) as exc:
        click.echo(f"エラー: {exc.message} {' '.join(m for _f, m in exc.errors)}", err=True)
        sys.exit(1)
    click.echo(f"パスワードを変更しました: {email}（この利用者のログインはすべて終了しました）")


@users_group.command("end-sessions")
@click.argument("email")
@with_appcontext
def end_sessions_command(email: str) -> None:
    """Sign an account out everywhere (every browser must sign in again)."""
    from .errors import NotFound

    try:
        user = users.get_user(get_session(), email)
        users.end_sessions(get_session(), user.id)
    except NotFound as exc:
        click.echo(f"エラー: {exc.message}", err=True)
        sys.exit(1)
    click.echo(f"ログインをすべて終了しました: {user.email}")


@click.group("db")
def db_group() -> None:
    """Schema migrations (Alembic revisions in casebook/migrations/versions)."""


def _migrate(step, *args):
    # One migration step on the app's database; a refusal is printed and exits 1.
    try:
        return step(get_engine(), *args)
    except migrations.MigrationError as exc:
        click.echo(f"エラー: {exc}", err=True)
        sys.exit(1)


def _moved(before: str | None, after: str | None) -> None:
    click.echo(f"スキーマ: {before or '（なし）'} → {after or '（なし）'}")


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade_command(revision: str) -> None:
    """Apply the revisions up to REVISION (default: the newest); adopts a database made by create_all."""
    _moved(*_migrate(migrations.upgrade, revision))


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade_command(revision: str) -> None:
    """Undo the revisions after REVISION ("base" drops every table and its data)."""
    _moved(*_migrate(migrations.downgrade, revision))


@db_group.command("current")
@with_appcontext
def db_current_command() -> None:
    """Print the database's revision and the newest one; exit 1 when they differ."""
    current, head = migrations.current(get_engine()), migrations.head()
    click.echo(f"{current or '（なし）'}\t最新: {head}")
    if current != head:
        sys.exit(1)


@db_group.command("stamp")
@click.argument("revision")
@with_appcontext
def db_stamp_command(revision: str) -> None:
    """Record REVISION as applied without running it (for a database whose tables already match it)."""
    _migrate(migrations.stamp, revision)
    click.echo(f"スキーマを {revision} として記録しました。")


@db_group.command("revision")
@click.argument("revision_id")
@click.argument("message")
@with_appcontext
def db_revision_command(revision_id: str, message: str) -> None:
    """Draft casebook/migrations/versions/REVISION_ID.py from the models (review it before use)."""
    path = _migrate(migrations.draft_revision, revision_id, message)
    click.echo(f"下書きを書きました（内容を確認してください）: {path}")


@click.group("changes")
def changes_group() -> None:
    """The change sequence that keeps every server's index fresh."""


@changes_group.command("prune")
@with_appcontext
@click.option("--days", type=click.IntRange(min=1), default=30, show_default=True,
              help="Keep the changes of this many days (and always the newest).")
def prune_changes_command(days: int) -> None:
    """Delete old change rows; a server whose index is older than what is kept rebuilds it."""
    from datetime import timedelta

    from .models import utcnow

    removed = search.changes.prune(get_session(), utcnow() - timedelta(days=days))
    click.echo(f"{days} 日より前の変更記録を {removed} 件削除しました。")


def init_app(app: Flask) -> None:
    """Register the commands on the app's CLI group."""
    for command in (load_command, reindex_command, check_index_command, municipalities_group, users_group,
                    import_command, export_command, db_group, changes_group):
        app.cli.add_command(command)


def _create_app() -> Flask:
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True)
def main() -> None:
    """Manage casebook: init-db, db, load, reindex, check-index, run."""
