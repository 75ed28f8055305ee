"""Database engine per app, one session per request, and `casebook init-db`.

`init-db` builds the schema with the migrations (casebook/migrations); `init_db` creates missing
tables directly, for the tests and for commands run on a fresh database (which `init-db` and
`casebook db upgrade` later adopt).
"""
from __future__ import annotations

import logging
from pathlib import Path

import click
from flask import Flask, current_app, g
from flask.cli import with_appcontext
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, SQLModel, create_engine, select

from . import migrations, models

DEFAULT_THEMES = (
    ("outsourcing", "窓口業務の民間委託"),
    ("cloud", "自治体クラウド"),
    ("wide-area", "広域化・共同化"),
    ("ai-ict", "AI・ICTを活用した業務改革"),
    ("facility-management", "公共施設の包括管理委託"),
    ("fire-consolidation", "消防の広域化"),
    ("waste-consolidation", "ごみ処理の広域化"),
    ("tax-collection", "滞納整理の共同化"),
)


log = logging.getLogger(__name__)
LOCK_TIMEOUT = 10.0


def make_engine(url: str, lock_timeout: float = LOCK_TIMEOUT) -> Engine:
    """Create the engine for `url`; SQLite files get their folder and foreign keys.

    A statement waits at most `lock_timeout` seconds for a lock another connection holds
    (SQLite's busy_timeout, PostgreSQL's lock_timeout), then fails, and the request answers 503.
    """
    parsed = make_url(url)
    wait_ms = max(1, round(lock_timeout * 1000))
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={wait_ms}")
            cursor.close()

        return engine
    # pool_pre_ping: a pooled connection the server has dropped (restarted, or its backend
    # terminated) is replaced at checkout instead of failing the request that gets it.
    engine = create_engine(url, pool_pre_ping=True)
    if parsed.get_backend_name() == "postgresql":
        @event.listens_for(engine, "connect")
        def _postgresql_settings(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute(f"SET lock_timeout = {wait_ms}")
            cursor.close()
            dbapi_connection.commit()  # SET in the driver's implicit transaction lasts only with it

    return engine


def get_engine(app: Flask | None = None) -> Engine:
    """Return the app's engine."""
    return (app or current_app).extensions["casebook.engine"]


def get_session() -> Session:
    """Return the session of the current request, opening it on first use."""
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    """Close the request's session, rolling back anything left uncommitted."""
    session = g.pop("db_session", None)
    if session is None:
        return
    try:
        session.close()
    except SQLAlchemyError as exc:
        # The connection died after the answer was made (say, its backend was terminated):
        # the answer stands, and the connection is dropped rather than returned to the pool.
        log.warning("database connection lost while closing the request's session: %s", exc)
        _invalidate(session)


def discard_session() -> None:
    """Drop the request's session after a database failure; its connections are closed, never pooled again."""
    session = g.pop("db_session", None)
    if session is not None:
        _invalidate(session)


def _invalidate(session: Session) -> None:
    try:
        session.invalidate()
    except SQLAlchemyError as exc:  # nothing more can be done for a connection already gone
        log.warning("could not invalidate the request's database connection: %s", exc)


def init_db(engine: Engine) -> None:
    """Create missing tables and the default themes; safe to run again (tests and quick starts)."""
    SQLModel.metadata.create_all(engine)
    add_default_themes(engine)


def add_default_themes(engine: Engine) -> None:
    """Add the default themes that are missing."""
    with Session(engine) as session:
        known = set(session.exec(select(models.Theme.code)).all())
        for position, (code, label) in enumerate(DEFAULT_THEMES):
            if code not in known:
                session.add(models.Theme(code=code, label=label, position=position))
        session.commit()


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Bring the database to the newest schema revision and add the default themes."""
    try:
        _before, after = migrations.upgrade(get_engine())
    except migrations.MigrationError as exc:
        raise click.ClickException(str(exc)) from exc
    add_default_themes(get_engine())
    click.echo(f"データベースを初期化しました（スキーマ {after}）。")


def init_app(app: Flask) -> None:
    """Attach the engine, the per-request session and the init-db command to `app`."""
    app.extensions["casebook.engine"] = make_engine(app.config["DATABASE_URL"], app.config["DATABASE_LOCK_TIMEOUT"])
    app.teardown_appcontext(close_session)
    app.cli.add_command(init_db_command)
