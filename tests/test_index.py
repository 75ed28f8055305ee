"""The index is derived: rebuild, check and repair drift, generations swapped whole."""
from sqlalchemy import text

from casebook import search
from casebook.db import get_engine
from casebook.services import cases

from . import writes


def test_check_index_is_clean_after_load_and_rebuild(loaded_app, session, index):
    assert search.check_index(session, index).clean
    assert search.rebuild_index(session, index) == 12
    assert search.check_index(session, index).clean


def test_change_behind_the_index_is_reported_and_repaired(loaded_app, session, index):
    with get_engine(loaded_app).begin() as conn:
        conn.execute(text("UPDATE \"case\" SET title = '改ざんされた題名' WHERE slug = 'kochi-madoguchi-itaku'"))
        conn.execute(text("DELETE FROM participant WHERE case_id = (SELECT id FROM \"case\" WHERE slug = 'iwate-chubu-suido')"))
        conn.execute(text("DELETE FROM effect"))
        conn.execute(text("DELETE FROM \"case\" WHERE slug = 'kagawa-kouikika'"))
    drift = search.check_index(session, index)
    assert drift.orphaned == ["kagawa-kouikika"]
    assert {"kochi-madoguchi-itaku", "iwate-chubu-suido", "chichibu-suido-kouikika"} <= set(drift.stale)
    assert drift.missing == []
    assert search.repair_index(session, index, drift)
    assert search.check_index(session, index).clean
    client = loaded_app.test_client()
    assert client.get("/api/v1/cases", query_string={"q": "改ざん"}).get_json()["total"] == 1


def test_missing_documents_are_reported(loaded_app, session, index):
    index.update(delete=["kochi-madoguchi-itaku"])
    assert search.check_index(session, index).missing == ["kochi-madoguchi-itaku"]


def test_without_an_index_every_case_is_missing(loaded_app, session, index):
    from sqlmodel import select

    from casebook.models import Case
    index.discard()
    assert not index.exists()
    every = list(session.exec(select(Case.slug).order_by(Case.id)))
    assert len(every) > 5 and search.check_index(session, index).missing == every


def test_rebuild_swaps_generations_and_keeps_at_most_two(loaded_app, session, index):
    first = index.current_name()
    for _ in range(3):
        search.rebuild_index(session, index)
    assert index.current_name() != first
    assert len(list(index.directory.glob("gen-*"))) == 2


def test_failed_rebuild_leaves_the_live_index(loaded_app, session, index):
    live = index.current_name()

    def broken():
        yield search.case_document(cases.get_case(session, "kochi-madoguchi-itaku"), cases.theme_labels(session),
                                   index.bands)
        raise RuntimeError("database went away")

    try:
        index.rebuild(broken())
    except RuntimeError:
        pass
    assert index.current_name() == live
    assert search.check_index(session, index).clean


def test_busy_writer_is_logged_and_left_for_repair(loaded_app, session, index, caplog):
    index.lock_timeout = 0.1
    _name, ix = index._live()
    holder = ix.writer()
    try:
        case = cases.get_case(session, "kochi-madoguchi-itaku")
        data = cases.case_data(case) | {"title": "ロック中に変更"}
        writes.save(session, index, data)
    finally:
        holder.cancel()
    assert "check-index --repair" in caplog.text
    assert search.check_index(session, index).stale == ["kochi-madoguchi-itaku"]
    search.repair_index(session, index, search.check_index(session, index))
    assert search.check_index(session, index).clean


def test_a_rebuild_reads_the_cases_in_batches_in_id_order(loaded_app, monkeypatch):
    from sqlmodel import Session, select

    from casebook import search
    from casebook.db import get_engine
    from casebook.models import Case
    from casebook.search import rows

    with loaded_app.app_context(), Session(get_engine(loaded_app)) as session:
        every = [c.slug for c in session.exec(select(Case).order_by(Case.id))]
        assert len(every) > 10
        read = [c.slug for c in rows.each_case(session, batch=5)]
        assert read == every  # across batch boundaries: none lost, none twice
        assert [c.slug for c in rows.each_case(session, batch=len(every))] == every
        monkeypatch.setattr(rows, "REBUILD_BATCH", 4)
        monkeypatch.setattr(rows.each_case, "__defaults__", (4,))
        index = search.get_index(loaded_app)
        assert search.rebuild_index(session, index) == len(every)
        assert search.check_index(session, index).clean
