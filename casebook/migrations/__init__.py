"""Schema migrations: Alembic revisions in versions/, applied by `casebook db upgrade` and `init-db`.

The tests and the other commands create missing tables directly (`db.init_db`, i.e. create_all),
which is quick and leaves no `alembic_version` table. `upgrade` adopts such a database: when its
tables already equal the models it is stamped at the newest revision; when it holds exactly the
tables of the first revision and lacks only tables added later, it is stamped at the first
revision and upgraded from there; anything else is refused with the differences, for a person to
look at. Every step runs in one transaction on the app's engine, so a PostgreSQL search_path in
the URL decides the schema of the tables and of `alembic_version`.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from .. import models  # noqa: F401  (registers the tables on SQLModel.metadata)

HERE = Path(__file__).resolve().parent
INITIAL = "0001_initial"
# The tables that revision 0001_initial creates; a create_all database holding these and missing
# only later tables is adopted at that revision.
INITIAL_TABLES = frozenset({
    "apitoken", "auditentry", "case", "effect", "loginattempt", "masterinfo", "municipality",
    "participant", "pendingimport", "revision", "theme", "user",
})
# Columns of the first release that later revisions drop or retype, as (table, column).
LATER_DROPPED = frozenset({("case", "source_title"), ("case", "source_publisher"), ("case", "source_date"),
                           ("case", "source_url")})
LATER_RETYPED = frozenset({("case", "event_date"), ("effect", "value_low"), ("effect", "value_high"),
                           ("effect", "unit")})


class MigrationError(RuntimeError):
    """Raised when a database cannot be brought under migrations safely."""


@contextmanager
def _refusals() -> Iterator[None]:
    # Alembic's own refusals (an unknown revision…) become ours, for the commands to print.
    try:
        yield
    except CommandError as exc:
        raise MigrationError(str(exc)) from exc


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for the revisions in this package, bound to `connection`."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current(engine: Engine) -> str | None:
    """The revision the database is at (None when it is not under migrations)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def differences(connection: Connection) -> list:
    """What separates the database's schema from the models (Alembic's autogenerate diff)."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, SQLModel.metadata)


def describe(difference) -> str:
    """One line for one autogenerate difference, e.g. `add_table casechange`."""
    if isinstance(difference, list):  # column modifications come grouped
        return "; ".join(describe(d) for d in difference)
    action, *rest = difference
    names = [getattr(x, "name", None) or (x if isinstance(x, str) else None) for x in rest]
    return " ".join([action, *(n for n in names if n)])


def _adopted_revision(connection: Connection) -> str | None:
    # The revision to stamp a create_all database with, or None for an empty one.
    tables = set(inspect(connection).get_table_names()) & set(SQLModel.metadata.tables)
    if not tables:
        return None
    diff = differences(connection)
    if not diff:
        return "head"
    missing = {d[1].name for d in diff if isinstance(d, tuple) and d[0] == "add_table"}
    # What later revisions change: tables (with their indexes), columns and unique constraints
    # added, the case's single-source columns dropped (0004), column types changed (0004).
    only_later_changes = all(
        (isinstance(d, tuple) and (d[0] in ("add_table", "add_column", "add_constraint")
                                   or (d[0] == "add_index" and d[1].table.name in missing)
                                   or (d[0] == "remove_column" and (d[2], d[3].name) in LATER_DROPPED)))
        or (isinstance(d, list) and all(m[0] in ("modify_type", "modify_nullable") and (m[2], m[3]) in LATER_RETYPED
                                        for m in d))
        for d in diff)
    if only_later_changes and tables == INITIAL_TABLES:
        return INITIAL
    raise MigrationError(
        "The database has tables but no migration version, and they differ from the models; "
        "compare them and stamp the matching revision with `casebook db stamp REVISION`:\n"
        + "\n".join(f"  {describe(d)}" for d in diff))


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the database to `revision` (adopting a create_all database first); returns (before, after)."""
    with _refusals(), engine.begin() as connection:
        config = alembic_config(connection)
        before = MigrationContext.configure(connection).get_current_revision()
        if before is None:
            adopted = _adopted_revision(connection)
            if adopted:
                command.stamp(config, adopted)
        command.upgrade(config, revision)
        after = MigrationContext.configure(connection).get_current_revision()
    return before, after


def downgrade(engine: Engine, revision: str) -> tuple[str | None, str | None]:
    """Take the database back to `revision` ("base" drops every table); returns (before, after)."""
    with _refusals(), engine.begin() as connection:
        before = MigrationContext.configure(connection).get_current_revision()
        command.downgrade(alembic_config(connection), revision)
        after = MigrationContext.configure(connection).get_current_revision()
    return before, after


def stamp(engine: Engine, revision: str) -> None:
    """Record `revision` as applied without running anything (for a database made another way)."""
    with _refusals(), engine.begin() as connection:
        command.stamp(alembic_config(connection), revision)


def draft_revision(engine: Engine, revision_id: str, message: str) -> Path:
    """Write versions/<revision_id>.py from the differences between the models and the database,
    which must be at the newest revision; the draft is to be reviewed by hand."""
    with _refusals(), engine.begin() as connection:
        at = MigrationContext.configure(connection).get_current_revision()
        if at != head():
            raise MigrationError(f"the database is at {at or 'no revision'}, not {head()}: upgrade it first")
        script = command.revision(alembic_config(connection), message=message, autogenerate=True, rev_id=revision_id)
    written = Path(script.path)
    return written.rename(written.with_name(f"{revision_id}.py"))
