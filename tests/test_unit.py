"""services/unit.py: a unit of work commits the block's writes, then indexes them; a failing block leaves nothing."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select

from casebook import search
from casebook.db import get_engine
from casebook.errors import InvalidInput
from casebook.models import Case, Revision
from casebook.search import changes
from casebook.services import cases, loader, unit

from .conftest import case_data


def found(session, index, q: str) -> list[str]:
    return [hit.case.slug for hit in search.search_cases(session, index, search.SearchArgs(q=q)).hits]


def test_the_block_commits_then_indexes(loaded_app, session, index):
    with unit.unit_of_work(session, index) as work:
        cases.save_case(session, case_data(slug="uow-one", title="単位作業で保存した事例"))
        # Written and flushed, not yet committed: another connection does not see it, the index neither.
        with Session(get_engine(loaded_app)) as other:
            assert other.exec(select(Case).where(Case.slug == "uow-one")).first() is None
        assert found(session, index, "単位作業") == []
    assert work.indexed is True
    with Session(get_engine(loaded_app)) as other:
        assert other.exec(select(Case).where(Case.slug == "uow-one")).one().version == 1
    assert found(session, index, "単位作業") == ["uow-one"]
    assert index.applied() == changes.latest(session)


def test_a_block_that_raises_writes_nothing_and_indexes_nothing(loaded_app, session, index):
    before = changes.latest(session)
    with pytest.raises(InvalidInput):
        with unit.unit_of_work(session, index):
            cases.save_case(session, case_data(slug="uow-two", title="途中で失敗した保存"))
            cases.save_case(session, case_data(slug="uow-three", themes=["no-such-theme"]))
    with Session(get_engine(loaded_app)) as other:
        assert other.exec(select(Case).where(Case.slug.in_(["uow-two", "uow-three"]))).all() == []
        assert other.exec(select(Revision).join(Case).where(Case.slug.like("uow-%"))).all() == []
    assert changes.latest(session) == before
    assert found(session, index, "途中で失敗") == []


def test_a_failed_index_update_keeps_the_commit(loaded_app, session, index, caplog):
    index.lock_timeout = 0.1
    _name, ix = index._live()
    holder = ix.writer()  # another writer holds the index: the update cannot run now
    try:
        with unit.unit_of_work(session, index) as work:
            cases.save_case(session, case_data(slug="uow-four", title="索引が止まっても残る保存"))
    finally:
        holder.cancel()
    assert work.indexed is False
    assert "check-index --repair" in caplog.text
    assert cases.get_case(session, "uow-four", public=False).title == "索引が止まっても残る保存"
    assert search.check_index(session, index).missing == ["uow-four"]
    assert search.index_changes(session, index)  # the next apply brings it in
    assert found(session, index, "索引が止まって") == ["uow-four"]


def test_the_loader_commits_file_by_file_and_indexes_once(loaded_app, session, index, tmp_path):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text("slug: good\ntitle: 読み込めるファイル\nstatus: published\nthemes: [cloud]\n"
                    "participants:\n  - {role: lead, code: '392014', name: 高知市, prefecture: 高知県, kind: city}\n",
                    encoding="utf-8")
    bad.write_text("slug: bad\ntitle: [閉じていない\n", encoding="utf-8")
    with unit.unit_of_work(session, index) as work:
        report = loader.load_cases(work, [tmp_path])
    assert report.created == 1 and [e[0] for e in report.errors] == [str(bad)]
    assert found(session, index, "読み込める") == ["good"]
