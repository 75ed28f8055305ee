"""The `casebook` commands that administer rather than handle cases: the master, users, migrations, changes."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from . import migrations, search
from .db import get_engine, get_session, init_db
from .errors import InvalidInput
from .services import municipalities, users


@click.group("municipalities")
def municipalities_group() -> None:
    """The municipality master (全国地方公共団体コード and census populations)."""


@municipalities_group.command("import")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--credit", help="Credit line to show with the populations (default: from FILE's .SOURCE.md).")
@click.option("--if-needed", is_flag=True,
              help="Skip when the master already is this file, or came from a file of another name (make run).")
@with_appcontext
def import_master_command(file: Path | None, credit: str | None, if_needed: bool) -> None:
    """Import (upsert by code) a master CSV: code,prefecture,name,kana,population,population_year,source,kind.

    Without FILE, the master packaged with casebook (casebook/data/municipalities.csv: 2020 census).
    """
    path = file or municipalities.packaged_master()
    credit = credit or municipalities.credit_from_note(path)
    if not credit:
        click.echo(f"エラー: 出典の表示が見つかりません。--credit で指定してください（{path.name} と同じ場所の "
                   f"{path.stem}.SOURCE.md からも読み取ります）。", err=True)
        sys.exit(1)
    init_db(get_engine())
    name = path.name if file else municipalities.PACKAGED_NAME
    try:
        report = municipalities.import_master(get_session(), path.read_bytes(), credit, name, if_needed=if_needed)
    except InvalidInput as exc:
        click.echo(f"エラー: {exc.message}", err=True)
        for where, reason in exc.errors:
            click.echo(f"  {path}: {where}: {reason}", err=True)
        sys.exit(1)
    if report.skipped == "same":
        click.echo(f"市区町村マスタ: {name} を取り込み済みです（変更なし）。")
    elif report.skipped == "other":
        click.echo(f"市区町村マスタ: 別のファイルから取り込んだマスタをそのまま使います（{name} で置き換えるには "
                   "--if-needed を付けずに取り込んでください）。")
    else:
        click.echo(f"市区町村マスタ: 新規 {report.created} 件、更新 {report.updated} 件、変更なし {report.unchanged} 件")
    click.echo(report.credit)


@municipalities_group.command("check")
@with_appcontext
def check_master_command() -> None:
    """List case participants whose population differs from the master; exit 1 if any."""
    session = get_session()
    if not municipalities.has_master(session):
        click.echo("市区町村マスタがまだ取り込まれていません（casebook municipalities import）。", err=True)
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


@click.group("inquiries")
def inquiries_group() -> None:
    """Questions about cases sent to the secretariat (問い合わせ)."""


@inquiries_group.command("purge")
@with_appcontext
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="Days after closing to keep personal data (default: INQUIRY_RETENTION_DAYS, else 365).")
def purge_inquiries_command(days: int | None) -> None:
    """Delete closed inquiries (a published Q&A keeps only its question and answer) after the retention period."""
    from flask import current_app

    from .services import inquiries
    from .services.unit import unit_of_work

    days = days or int(current_app.config.get("INQUIRY_RETENTION_DAYS") or inquiries.RETENTION_DAYS)
    with unit_of_work(get_session(), search.get_index()):
        removed = inquiries.purge(get_session(), days)
    click.echo(f"終了から {days} 日を過ぎた問い合わせ {removed} 件の個人情報を削除しました。")
