"""Request limits per client, counted where RATE_LIMIT_STORAGE says.

Counts are kept by `limits` (the library behind Flask-Limiter) in a storage shared by every
worker and server: the database (`ratelimit_store.DatabaseStorage`, the default with
PostgreSQL), a `limits` storage URI such as redis://host:6379 (needs its client library), or
this process's memory (`memory://`, the default with the embedded SQLite file, where one
machine serves). One limiter per setting: API_RATE_LIMIT for the JSON API (a client is its token, else its
address), HTML_RATE_LIMIT for the pages that run a search or lay out sheets, and PDF_RATE_LIMIT
for the PDFs, the most expensive answers (a page client is the signed-in user, else the address).
A setting reads "N/second", "N/minute", "N/hour" or "N/day"; empty (or 0) turns its limit off.
Going over raises TooManyRequests, which errors.py answers with 429 and Retry-After.
"""
from __future__ import annotations

import logging
import math
import threading
import time

import limits
from flask import Flask, current_app
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from .config import DEFAULTS, ConfigError
from .errors import TooManyRequests

logger = logging.getLogger(__name__)
UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def parse_rate(value: str | int | None, setting: str = "API_RATE_LIMIT") -> tuple[int, int] | None:
    """Parse a limit such as "300/minute" into (requests, seconds); None or "" or "0" means no limit."""
    if value is None or str(value).strip() in ("", "0"):
        return None
    count, _, unit = str(value).strip().partition("/")
    seconds = UNITS.get(unit.strip() or "minute")
    if not count.strip().isdigit() or seconds is None or int(count) <= 0:
        raise ValueError(f"{setting} must look like 300/minute (or be empty for no limit), not {value!r}")
    return int(count), seconds


class RateLimiter:
    """Fixed-window request counts per client, kept in this process's memory (for limits that
    need no sharing, and for tests with their own clock)."""

    def __init__(self, limit: int, period: int, clock=time.monotonic):
        self.limit, self.period, self.clock = limit, period, clock
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> int:
        """Count one request by `key`; return 0 when allowed, else the seconds to wait."""
        now = self.clock()
        with self._lock:
            start, count = self._windows.get(key, (now, 0))
            if now - start >= self.period:
                start, count = now, 0
            if count >= self.limit:
                return max(1, math.ceil(start + self.period - now))
            self._windows[key] = (start, count + 1)
            if len(self._windows) > 10_000:
                self._windows = {k: w for k, w in self._windows.items() if now - w[0] < self.period}
            return 0


_creating = threading.Lock()


class SharedLimiter:
    """Fixed-window request counts in a `limits` storage (shared by every process that uses it)."""

    def __init__(self, limit: int, period: int, storage):
        self.item = limits.RateLimitItemPerSecond(limit, period)
        self.strategy = FixedWindowRateLimiter(storage)

    def hit(self, key: str) -> int:
        """Count one request by `key`; return 0 when allowed, else the seconds to wait."""
        try:
            if self.strategy.hit(self.item, key):
                return 0
            reset = self.strategy.get_window_stats(self.item, key).reset_time
        except Exception:  # the store is down: let the request through (the page says what failed)
            logger.warning("rate limit store unavailable; request not counted", exc_info=True)
            return 0
        return max(1, math.ceil(reset - time.time()))


def storage_of(app: Flask):
    """The `limits` storage RATE_LIMIT_STORAGE names ("" picks by database), one per app."""
    stores = app.extensions.setdefault("casebook.limit_stores", {})
    name = app.config.get("RATE_LIMIT_STORAGE", "") or (
        "memory://" if app.config.get("DATABASE_URL", "").startswith("sqlite") else "database")
    if name not in stores:
        if name == "database":
            from . import db
            from .ratelimit_store import DatabaseStorage

            stores[name] = DatabaseStorage(db.get_engine(app))
        else:
            try:
                stores[name] = storage_from_string(name)
            except Exception as exc:
                raise ConfigError(f"RATE_LIMIT_STORAGE cannot be used ({name!r}): {exc}") from exc
    return stores[name]


def get_limiter(app: Flask, setting: str) -> SharedLimiter | None:
    """The app's limiter for `setting` (None when it is off); a changed setting starts a new count."""
    value = app.config.get(setting, DEFAULTS[setting])
    limiters = app.extensions.setdefault("casebook.limiters", {})
    known = limiters.get(setting)
    if known is None or known[0] != value:
        with _creating:
            known = limiters.get(setting)
            if known is None or known[0] != value:
                rate = parse_rate(value, setting)
                known = limiters[setting] = (value, SharedLimiter(*rate, storage_of(app)) if rate else None)
    return known[1]


def count(setting: str, client: str) -> None:
    """Count one request by `client` against `setting`; raise TooManyRequests when it is over."""
    limiter = get_limiter(current_app, setting)
    wait = limiter.hit(client) if limiter else 0
    if wait:
        raise TooManyRequests(f"{wait}秒待ってから、もう一度お試しください。", retry_after=wait)


def page_client() -> str:
    """Who a page request is counted for: the signed-in user, else the address."""
    from flask_login import current_user

    from .auth import client_address

    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"address:{client_address()}"


def check_settings(app: Flask, *settings: str) -> None:
    """Refuse a malformed limit when the app starts, not at the first request it applies to."""
    for setting in settings:
        try:
            parse_rate(app.config.get(setting, DEFAULTS[setting]), setting)
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc
    storage_of(app)  # a store that cannot be used stops the app here too
