"""Issue 9: the change sequence keeps every server's own index up to date with the database."""
import threading
import time

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from casebook import search
from casebook.db import get_engine
from casebook.models import CaseChange
from casebook.search import changes
from casebook.services import cases, tokens, users

from . import writes
from .conftest import CASES_DIR, PASSWORD, case_data, login, make_app

SLUG = "kochi-madoguchi-itaku"
WAIT = 10.0  # seconds: the longest any test here waits for another instance to catch up


def wait_for(condition, timeout=WAIT, step=0.05):
    """Poll `condition` until it is true; return the seconds it took (fail after `timeout`)."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, "not within the time allowed"
        time.sleep(step)
    return time.monotonic() - started


def latest(app):
    with Session(get_engine(app)) as db:
        return changes.latest(db)


def found(client, q):
    response = client.get("/api/v1/cases", query_string={"q": q})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [r["slug"] for r in response.get_json()["results"]]


@pytest.fixture
def pair(database_url, tmp_path):
    """Two instances of the app over one database, each with its own index: (A, B).

    A has the bundled cases loaded and indexed and an editor with an API token; B polls
    every 0.2 s once it has served a request.
    """

    a = make_app(database_url, tmp_path / "a")
    b = make_app(database_url, tmp_path / "b", INDEX_POLL_SECONDS=0.2)
    with Session(get_engine(a)) as db:
        assert writes.load(db, search.get_index(a), [CASES_DIR]).errors == []
        editor = users.create_user(db, "editor@example.jp", PASSWORD, "editor")
        _token, plain = tokens.create_token(db, editor, "テスト")
    a.headers = {"Authorization": f"Bearer {plain}"}
    yield a, b
    for app in (a, b):
        search.get_keeper(app).stop()
        get_engine(app).dispose()


def edit_title(app, title):
    """Change the case's title through A's JSON API, as an editor; return when A has answered."""
    client = app.test_client()
    etag = client.get(f"/api/v1/cases/{SLUG}", headers=app.headers).headers["ETag"]
    response = client.patch(f"/api/v1/cases/{SLUG}", json={"title": title}, headers={**app.headers, "If-Match": etag})
    assert response.status_code == 200, response.get_data(as_text=True)


def test_every_change_is_numbered_in_its_own_transaction(app, session, index):
    assert changes.latest(session) == 0
    writes.save(session, index, case_data(slug="one"))
    writes.save(session, index, case_data(slug="two", title="二つ目"))
    writes.save(session, index, case_data(slug="one"))  # unchanged: no change, no number
    assert [(c.id, c.slug) for c in changes.since(session, 0, 10)] == [(1, "one"), (2, "two")]
    assert index.applied() == 2
    # A change that is rolled back leaves no number behind.
    cases.save_case(session, case_data(slug="three"))
    session.rollback()
    assert changes.latest(session) == 2


def test_the_editing_process_indexes_at_once_and_applying_again_is_harmless(loaded_app, session, index):
    case = cases.get_case(session, SLUG)
    writes.save(session, index, cases.case_data(case) | {"title": "即時に反映される題名"})
    assert index.applied() == changes.latest(session)
    assert search_slugs(loaded_app, "即時に反映") == [SLUG]
    # Forget what was applied: everything is applied again, with the same result.
    (index.directory / index.current_name() / "APPLIED").write_text("0")
    assert search.index_changes(session, index)
    assert index.applied() == changes.latest(session)
    assert search_slugs(loaded_app, "即時に反映") == [SLUG]
    assert search.check_index(session, index).clean


def search_slugs(app, q):
    return found(app.test_client(), q)


def test_an_edit_on_one_instance_is_found_through_the_others_poll(pair):
    a, b = pair
    assert b.test_client().get("/healthz").status_code == 200  # B's first request starts its thread...
    wait_for(lambda: search.get_index(b).applied() == latest(a))  # ...which builds B's index
    assert SLUG in found(b.test_client(), "高知市")
    started = time.monotonic()
    edit_title(a, "巡回で届く新しい題名")
    # Only B's thread may catch up here: nothing is searched on B until its index holds the change.
    wait_for(lambda: search.get_index(b).applied() == latest(a))
    delay = time.monotonic() - started
    assert found(b.test_client(), "巡回で届く新しい題名") == [SLUG]
    print(f"edit on A to searchable on B (poll every 0.2 s): {delay:.3f} s")
    assert delay < 5.0  # a few polls at most, even on a loaded machine


def test_workflow_steps_in_one_instances_pages_reach_the_other(pair):
    from .test_curate import transition

    a, b = pair
    b.test_client().get("/healthz")
    editor = login(a, "editor@example.jp")
    assert transition(editor, SLUG, "unpublish", "見直し").status_code == 302
    wait_for(lambda: search.get_index(b).applied() == latest(a))
    assert SLUG not in found(b.test_client(), "高知市")
    assert transition(editor, SLUG, "publish", "再公開").status_code == 302
    wait_for(lambda: search.get_index(b).applied() == latest(a))
    assert SLUG in found(b.test_client(), "高知市")
    with Session(get_engine(b)) as db:
        assert search.check_index(db, search.get_index(b)).clean


def test_a_search_on_a_stale_instance_catches_up_first(database_url, tmp_path):
    a = make_app(database_url, tmp_path / "a")
    b = make_app(database_url, tmp_path / "b")  # no thread: TESTING leaves polling off
    try:
        assert search.get_keeper(b).interval == 0
        with Session(get_engine(a)) as db:
            writes.save(db, search.get_index(a), case_data(slug="first"))
        assert b.test_client().get("/api/v1/cases").status_code == 503  # B has no index yet
        with Session(get_engine(b)) as db:
            search.rebuild_index(db, search.get_index(b))
        assert found(b.test_client(), "テスト事例") == ["first"]
        with Session(get_engine(a)) as db:
            writes.save(db, search.get_index(a), case_data(slug="second", title="後から加えた事例"))
        search.get_index(b).checked_at = 0  # the check runs at most every 0.5 s; do not wait for it
        started = time.monotonic()
        assert found(b.test_client(), "後から加えた事例") == ["second"]
        print(f"edit on A to searchable on B (catch-up before the search): {time.monotonic() - started:.3f} s")
        with Session(get_engine(b)) as db:
            assert search.check_index(db, search.get_index(b)).clean
    finally:
        for app in (a, b):
            get_engine(app).dispose()


def test_a_search_without_a_built_index_says_so(database_url, tmp_path):
    app = make_app(database_url, tmp_path)
    try:
        response = app.test_client().get("/cases", query_string={"q": "高知"})
        assert response.status_code == 503
        assert "検索インデックスがまだ作成されていません" in response.get_data(as_text=True)
    finally:
        get_engine(app).dispose()


def test_change_numbers_become_visible_in_commit_order(app, index):
    """A change committed later never gets a smaller number than one committed earlier.

    The first transaction takes its number and holds it uncommitted; a second one must wait
    (for the advisory lock on PostgreSQL, for the write lock on SQLite) and so numbers after it.
    """
    engine = get_engine(app)
    first = Session(engine)
    cases.save_case(first, case_data(slug="early"))
    done = threading.Event()

    def second_writer():
        with Session(engine) as db:
            cases.save_case(db, case_data(slug="late", title="後の事例"))
            db.commit()
        done.set()

    thread = threading.Thread(target=second_writer)
    thread.start()
    assert not done.wait(0.5), "the second writer should wait for the first"
    first.commit()
    first.close()
    thread.join(WAIT)
    assert done.is_set()
    with Session(engine) as db:
        numbered = [(c.slug, c.id) for c in changes.since(db, 0, 10)]
        assert [slug for slug, _ in numbered] == ["early", "late"]
        assert search.index_changes(db, index)
        assert sorted(index.stored()) == ["early", "late"]


def test_workflow_steps_and_bulk_imports_are_recorded(loaded_app, session, index):
    import json

    from casebook.services import bulk

    editor = users.create_user(session, "editor@example.jp", PASSWORD, "editor")
    before = changes.latest(session)
    writes.transition(session, index, SLUG, "unpublish", editor, "見直し")
    assert changes.latest(session) == before + 1
    assert SLUG not in search_slugs(loaded_app, "高知市")
    writes.transition(session, index, SLUG, "publish", editor)
    assert SLUG in search_slugs(loaded_app, "高知市")
    records = json.loads(bulk.export(bulk.records_for(session, [SLUG, "hirosaki-jichitai-cloud"]), "json"))
    for record in records:
        record["title"] += "（取込で更新）"
    writes.commit_import(session, index, json.dumps(records, ensure_ascii=False).encode(), "cases.json", editor, "file")
    assert changes.latest(session) == before + 4  # one change per imported case, in the import's transaction
    assert sorted(search_slugs(loaded_app, "取込で更新")) == sorted([SLUG, "hirosaki-jichitai-cloud"])
    count = session.exec(select(func.count()).select_from(CaseChange).where(CaseChange.slug == SLUG)).one()
    assert count == 4  # loaded, unpublished, published, imported
    assert index.applied() == changes.latest(session)
    assert search.check_index(session, index).clean


def test_pruned_changes_keep_the_newest_and_an_index_behind_them_is_rebuilt(loaded_app, session, index):
    from datetime import timedelta

    from casebook.models import utcnow

    runner = loaded_app.test_cli_runner()
    stale = search.SearchIndex(index.directory.parent / "stale", index.bands)  # another server's index, built now
    search.index_changes(session, stale)
    other = "hirosaki-jichitai-cloud"
    for slug, title in ((other, "剪定される変更の題名"), (SLUG, "剪定の後に残る変更の題名")):  # the first will be pruned
        writes.save(session, index, {**cases.case_data(cases.get_case(session, slug)), "title": title})
    before = latest(loaded_app)
    result = runner.invoke(args=["changes", "prune", "--days", "1"])
    assert result.exit_code == 0 and "0 件" in result.output  # nothing is a day old yet
    assert changes.prune(session, utcnow() + timedelta(days=1)) > 0
    assert changes.bounds(session) == (before, before)  # only the newest is left: numbers keep growing
    assert stale.applied() < before - 1  # it needs rows that are gone...
    stale.builds_itself, generation = True, stale.current_name()
    search.keep_fresh(session, stale)  # a search does not rebuild when a background thread can
    assert stale.current_name() == generation and stale.applied() < before - 1
    assert search.index_changes(session, stale)
    assert stale.applied() == before  # ...so it was rebuilt, and holds the edit
    assert search.check_index(session, stale).clean
    assert stale.stored() == index.stored()  # the pruned change to the other case included
