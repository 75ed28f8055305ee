"""Alembic environment: runs revisions on the connection that casebook.migrations hands over.

The connection comes from the app's engine, so a PostgreSQL URL with
`options=-csearch_path=…` puts the tables and `alembic_version` in that schema. SQLite needs
batch mode (copy-and-move tables) for most ALTERs.
"""
from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from casebook import models  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations with `casebook db upgrade` (it passes the app's database connection).")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
