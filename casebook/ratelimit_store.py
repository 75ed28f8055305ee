"""Request counts kept in the database, shared by every worker and server: a `limits` storage.

`limits` (the library behind Flask-Limiter) does the rate arithmetic; this storage keeps its
fixed-window counters in the `ratecounter` table, one row per client and window, incremented
with one INSERT … ON CONFLICT DO UPDATE (PostgreSQL and SQLite ≥ 3.35), so concurrent requests
on any worker count exactly once each. Expired rows are reset in place and pruned now and then.
"""
from __future__ import annotations

import random
import time

from limits.storage import Storage
from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from .models import RateCounter

TABLE = RateCounter.__table__
PRUNE_CHANCE = 0.001  # about one increment in a thousand deletes expired rows


class DatabaseStorage(Storage):
    """A `limits` storage over the app's database (fixed windows only)."""

    STORAGE_SCHEME = ["casebook+database"]

    def __init__(self, engine: Engine, clock=time.time):
        super().__init__(uri=None, wrap_exceptions=False)
        self.engine, self.clock = engine, clock
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = self.clock()
        statement = self._insert(TABLE).values(key=key[:200], count=amount, expires_at=now + expiry)
        expired = TABLE.c.expires_at <= now
        statement = statement.on_conflict_do_update(
            index_elements=[TABLE.c.key],
            set_={"count": case((expired, amount), else_=TABLE.c.count + amount),
                  "expires_at": case((expired, now + expiry), else_=TABLE.c.expires_at)},
        ).returning(TABLE.c.count)
        with self.engine.begin() as connection:
            counted = connection.execute(statement).scalar_one()
            if random.random() < PRUNE_CHANCE:
                connection.execute(delete(TABLE).where(TABLE.c.expires_at <= now))
        return counted

    def _row(self, key: str):
        with self.engine.connect() as connection:
            return connection.execute(select(TABLE.c.count, TABLE.c.expires_at).where(TABLE.c.key == key[:200])).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.count if row is not None and row.expires_at > self.clock() else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row.expires_at if row is not None and row.expires_at > self.clock() else self.clock()

    def check(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(select(1))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self.engine.begin() as connection:
            return connection.execute(delete(TABLE)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(TABLE).where(TABLE.c.key == key[:200]))
