"""Each index records the fingerprint of what built it; a server whose index has another one rebuilds
it by itself (searches keep reading the old generation meanwhile), and check-index reports it."""
from __future__ import annotations

import pytest
from sqlmodel import Session

from casebook import search
from casebook.db import get_engine
from casebook.search import facets, freshness

from .conftest import make_app
from .test_facets import detail_facet
from .test_freshness import wait_for


@pytest.fixture
def upgraded(loaded_app, monkeypatch, database_url, tmp_path):
    """The bundled cases indexed by today's code, then a new version with one more facet over the same
    database and index directory (as after a deployment): (old app, new app)."""
    monkeypatch.setattr(facets, "REGISTRY", [*facets.REGISTRY, detail_facet()])
    new = make_app(database_url, tmp_path)  # the same SEARCH_INDEX_DIR, under tmp_path
    assert search.get_index(new).directory == search.get_index(loaded_app).directory
    yield loaded_app, new
    search.get_keeper(new).stop()
    get_engine(new).dispose()


def test_an_index_records_the_fingerprint_it_was_built_with(loaded_app):
    index = search.get_index(loaded_app)
    assert index.fingerprint() == index.expected_fingerprint() and not index.outdated()
    with Session(get_engine(loaded_app)) as db:
        assert search.check_index(db, index).clean


def test_other_code_sees_the_index_as_outdated(upgraded):
    old, new = upgraded
    index = search.get_index(new)
    assert index.outdated() and index.fingerprint() == search.get_index(old).expected_fingerprint()
    with Session(get_engine(new)) as db:
        drift = search.check_index(db, index)
    assert not drift.clean and drift.fingerprint == (index.fingerprint(), index.expected_fingerprint())


def test_check_index_reports_the_mismatch_and_repair_rebuilds(upgraded):
    _old, new = upgraded
    index = search.get_index(new)
    runner = new.test_cli_runner()
    result = runner.invoke(args=["check-index"])
    assert result.exit_code == 1
    assert f"fingerprint\t{index.fingerprint()}\t{index.expected_fingerprint()}" in result.output
    assert "別の定義" in result.output
    assert runner.invoke(args=["check-index", "--repair"]).exit_code == 0
    assert not index.outdated()
    assert runner.invoke(args=["check-index"]).output.strip() == "検索インデックスはデータベースと一致しています。"


def test_searches_keep_reading_the_old_generation_until_the_rebuild(upgraded):
    old, new = upgraded
    before = old.test_client().get("/api/v1/cases", query_string={"q": "窓口"}).get_json()
    client = new.test_client()
    with search.get_index(new).rebuilding():  # a rebuild is running (another process's, say)
        during = client.get("/api/v1/cases", query_string={"q": "窓口"})
        assert during.status_code == 200
        body = during.get_json()
        assert body["results"] == before["results"] and body["facets"]["detail"] == []  # not in the old index
        assert client.get("/cases", query_string={"q": "窓口"}).status_code == 200


def test_the_keeper_rebuilds_an_outdated_index_by_itself(upgraded):
    _old, new = upgraded
    index = search.get_index(new)
    live = index.current_name()
    freshness.Keeper.tend(new, first=True)  # one round of the server's background thread
    assert not index.outdated() and index.current_name() != live
    body = new.test_client().get("/api/v1/cases", query_string={"detail": "outline"}).get_json()
    assert body["total"] > 0 and all(r["detail"] == "outline" for r in body["results"])


def test_a_polling_server_rebuilds_it_in_the_background(loaded_app, monkeypatch, database_url, tmp_path):
    monkeypatch.setattr(facets, "REGISTRY", [*facets.REGISTRY, detail_facet()])
    new = make_app(database_url, tmp_path, INDEX_POLL_SECONDS=0.1)
    try:
        index = search.get_index(new)
        assert index.outdated()
        assert new.test_client().get("/api/v1/cases").status_code == 200  # starts the thread; answers meanwhile
        wait_for(lambda: not index.outdated())
        assert new.test_client().get("/api/v1/cases?detail=full").get_json()["total"] > 0
    finally:
        search.get_keeper(new).stop()
        get_engine(new).dispose()


def test_changes_are_not_written_into_an_outdated_index(upgraded):
    _old, new = upgraded
    index = search.get_index(new)
    with Session(get_engine(new)) as db:
        assert search.index_changes(db, index, rebuild=False)  # left for the background thread
        assert index.outdated()
        assert search.index_changes(db, index)  # no thread to leave it to: rebuilt here
        assert not index.outdated() and search.check_index(db, index).clean


def test_an_index_from_before_fingerprints_is_outdated(loaded_app):
    index = search.get_index(loaded_app)
    (index.directory / index.current_name() / "FINGERPRINT").unlink()
    assert index.fingerprint() == "" and index.outdated()
    with Session(get_engine(loaded_app)) as db:
        assert search.check_index(db, index).fingerprint == ("", index.expected_fingerprint())
        search.rebuild_index(db, index)
    assert not index.outdated()
