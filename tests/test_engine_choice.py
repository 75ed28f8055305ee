"""The SEARCH_ENGINE setting, and both engines giving the same search pages over the same cases."""
from __future__ import annotations

import pytest
from sqlmodel import Session

from casebook import search
from casebook.config import ConfigError
from casebook.db import get_engine
from casebook.search.tantivy.engine import TantivyEngine
from casebook.search.whoosh.engine import WhooshEngine

from . import writes
from .conftest import CASES_DIR, make_app, own_database


@pytest.mark.parametrize(("name", "cls"), [("whoosh", WhooshEngine), ("tantivy", TantivyEngine)])
def test_the_setting_chooses_the_engine(database_url, tmp_path, name, cls):
    app = make_app(database_url, tmp_path, SEARCH_ENGINE=name)
    assert type(search.get_index(app)) is cls
    get_engine(app).dispose()


def test_an_unknown_engine_is_refused(database_url, tmp_path):
    with pytest.raises(ConfigError, match="CASEBOOK_SEARCH_ENGINE"):
        make_app(database_url, tmp_path, SEARCH_ENGINE="lucene")


def test_the_environment_chooses_the_engine_of_an_index_opened_alone(monkeypatch, tmp_path):
    monkeypatch.delenv("CASEBOOK_SEARCH_ENGINE", raising=False)
    assert type(search.make_index(tmp_path / "a")) is WhooshEngine
    monkeypatch.setenv("CASEBOOK_SEARCH_ENGINE", "tantivy")
    assert type(search.make_index(tmp_path / "b")) is TantivyEngine


def test_an_index_built_by_the_other_engine_is_outdated_unreadable_and_rebuilt(tmp_path):
    whoosh, tantivy = WhooshEngine(tmp_path / "index"), TantivyEngine(tmp_path / "index")
    whoosh.rebuild([])
    assert not whoosh.outdated() and tantivy.outdated()
    assert tantivy.problem() is not None  # what the keeper thread (freshness.py) sets aside and rebuilds
    tantivy.rebuild([], applied=4)
    assert tantivy.problem() is None and not tantivy.outdated() and tantivy.applied() == 4
    assert whoosh.outdated() and whoosh.problem() is not None


SEARCHES = [
    {}, {"q": "窓口"}, {"q": "クラウド"}, {"q": "水"}, {"q": "くらうど"}, {"q": "委託 -窓口"}, {"q": "住民票 OR 窓口"},
    {"q": "高知"}, {"theme": ["outsourcing"]}, {"q": "窓口", "sort": "newest"}, {"sort": "population"},
    {"sort": "effect"}, {"q": "業務", "page": "2"}, {"q": "自治体 共同 クラウド 削減"},
]


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """An app per engine over the same bundled cases."""
    apps = {}
    with own_database(tmp_path_factory.mktemp("db")) as url:
        for name in ("whoosh", "tantivy"):
            app = make_app(url, tmp_path_factory.mktemp(name), SEARCH_ENGINE=name)
            with app.app_context(), Session(get_engine(app)) as session:
                if name == "whoosh":
                    writes.load(session, search.get_index(app), [CASES_DIR])
                else:
                    search.rebuild_index(session, search.get_index(app))
            apps[name] = app
        yield apps
        for app in apps.values():
            get_engine(app).dispose()


@pytest.mark.parametrize("raw", SEARCHES, ids=lambda raw: repr(raw))
def test_both_engines_give_the_same_page(both, raw):
    pages = {}
    for name, app in both.items():
        with app.app_context(), Session(get_engine(app)) as session:
            page = search.search_cases(session, search.get_index(app), search.parse_args(raw, app=app))
        pages[name] = (page.result.total, [(h.case.slug, str(h.title), str(h.snippet)) for h in page.hits],
                       [(name, [(v.value, v.count) for v in f.values]) for name, f in page.result.facets.items()])
    assert pages["whoosh"] == pages["tantivy"]
