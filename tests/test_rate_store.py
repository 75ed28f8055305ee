"""Request limits shared by every worker and server (issue 21, item 7): counted in the database
(ratelimit_store.DatabaseStorage, through `limits`), or in one process's memory for the embedded default."""
import threading

import pytest

from casebook import ratelimit
from casebook.config import ConfigError
from casebook.db import get_engine
from casebook.ratelimit_store import DatabaseStorage

from .conftest import make_app


@pytest.fixture
def two_servers(database_url, tmp_path):
    """Two apps on one database, as two gunicorn workers or two servers would be."""
    apps = [make_app(database_url, tmp_path / name, RATE_LIMIT_STORAGE="database", API_RATE_LIMIT="3/minute")
            for name in ("a", "b")]
    yield apps
    for app in apps:
        get_engine(app).dispose()


def test_two_servers_share_one_count(two_servers):
    a, b = (app.test_client() for app in two_servers)
    statuses = [client.get("/api/v1/cases/no-such-case").status_code for client in (a, b, a, b)]
    assert statuses == [404, 404, 404, 429]
    refused = b.get("/api/v1/cases/no-such-case")
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 60
    assert "秒待ってから" in refused.get_json()["detail"]


def test_concurrent_increments_count_once_each(app):
    store = DatabaseStorage(get_engine(app))
    results: list[int] = []

    def hit():
        for _ in range(10):
            results.append(store.incr("k", 60))

    threads = [threading.Thread(target=hit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == list(range(1, 41)) and store.get("k") == 40


def test_a_window_expires_and_starts_again(app):
    now = [1_000.0]
    store = DatabaseStorage(get_engine(app), clock=lambda: now[0])
    assert [store.incr("k", 60) for _ in range(3)] == [1, 2, 3] and store.get_expiry("k") == 1_060.0
    now[0] = 1_061.0
    assert store.get("k") == 0 and store.incr("k", 60) == 1 and store.get_expiry("k") == 1_121.0
    store.clear("k")
    assert store.get("k") == 0 and store.check()


def test_the_default_store_follows_the_database(database_url, tmp_path):
    app = make_app(database_url, tmp_path)
    try:
        store = ratelimit.storage_of(app)
        if database_url.startswith("sqlite"):
            assert type(store).__name__ == "MemoryStorage"
        else:
            assert isinstance(store, DatabaseStorage)
    finally:
        get_engine(app).dispose()


def test_an_unusable_store_is_refused_at_start(database_url, tmp_path):
    with pytest.raises(ConfigError, match="RATE_LIMIT_STORAGE"):
        make_app(database_url, tmp_path, RATE_LIMIT_STORAGE="nosuch://x")
