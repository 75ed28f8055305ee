"""Issue 9: faults — a writer killed mid-write, the database going away, a missing or damaged index."""
import gc
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest
from sqlmodel import Session

from casebook import search
from casebook.db import get_engine, make_engine
from casebook.search import SearchIndex, changes
from casebook.services import cases

from . import writes
from .conftest import CASES_DIR, login, make_app
from .test_freshness import SLUG, WAIT, wait_for

# A writer in another process: takes the index's writer lock, writes documents, then commits.
KILLED_WRITER = """
import sys
from casebook.search import SearchIndex
_name, ix = SearchIndex(sys.argv[1])._live()
writer = ix.writer(limitmb=1)  # small buffers: runs are spilled to files while writing
for i in range(200_000):
    writer.add_document(slug=f"half-written-{i}", status="published", title="書きかけの文書",
                        all="書きかけの文書 " * 50)
    if i == 500:
        print("writing", flush=True)
writer.commit()
"""


def test_a_writer_killed_mid_write_leaves_a_usable_index(loaded_app, session, index, caplog):
    index.lock_timeout = 0.2
    live = index.directory / index.current_name()
    before = set(os.listdir(live))
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    child = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(index.directory)], cwd=root,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "writing"
        # A change committed while the other process holds the lock cannot be indexed now...
        case = cases.get_case(session, SLUG)
        writes.save(session, index, cases.case_data(case) | {"title": "書き込み中に変えた題名"})
        assert "check-index --repair" in caplog.text
        assert index.applied() < changes.latest(session)
        time.sleep(0.2)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(WAIT)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    half_written = set(os.listdir(live)) - before
    assert half_written  # the writer was killed in the middle of writing its files
    # ...and once the writer is dead its lock is free at once (the kernel drops an flock with
    # its process), the next apply brings the change in, and nothing half-written shows.
    started = time.monotonic()
    assert search.index_changes(session, index, wait=False)
    assert time.monotonic() - started < 2
    assert index.applied() == changes.latest(session)
    assert search.check_index(session, index).clean
    assert not [slug for slug in index.stored() if slug.startswith("half-written")]
    assert SearchIndex(index.directory).problem() is None
    assert not half_written & set(os.listdir(live))  # removed by the next commit
    response = loaded_app.test_client().get("/api/v1/cases", query_string={"q": "書き込み中に変えた題名"})
    assert [r["slug"] for r in response.get_json()["results"]] == [SLUG]


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_database_down_answers_503_and_recovers_without_a_restart(accounts):
    app = accounts
    editor = login(app, "editor@example.jp")
    anonymous = app.test_client()
    working = get_engine(app)
    down = make_engine(f"postgresql+psycopg://casebook@127.0.0.1:{closed_port()}/casebook?connect_timeout=2")
    app.extensions["casebook.engine"] = down
    try:
        page = anonymous.get("/cases", query_string={"q": "窓口"})
        assert page.status_code == 503 and page.mimetype == "text/html"
        html = page.get_data(as_text=True)
        assert "データベースに接続できません" in html and "しばらくしてから" in html
        assert editor.get("/curate/").status_code == 503  # signed in: the page does not ask the database who
        api = anonymous.get("/api/v1/cases")
        assert api.status_code == 503 and api.mimetype == "application/problem+json"
        assert api.get_json() == {"type": "about:blank", "title": "データベースに接続できません", "status": 503,
                                  "detail": "しばらくしてから、もう一度お試しください。続く場合は管理者にお知らせください。"}
        assert anonymous.get("/healthz").status_code == 200
        ready = anonymous.get("/readyz")
        assert ready.status_code == 503 and ready.get_json()["database"] == "unavailable"
    finally:
        app.extensions["casebook.engine"] = working
        down.dispose()
    assert anonymous.get("/cases", query_string={"q": "窓口"}).status_code == 200
    assert editor.get("/curate/").status_code == 200
    assert anonymous.get("/readyz").status_code == 200


class Proxy:
    """A TCP relay to the PostgreSQL server that can be stopped (connections cut) and started again."""

    def __init__(self, target: tuple[str, int]):
        import threading

        self.target, self.threading = target, threading
        self.port = closed_port()
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None

    def start(self):
        self.listener = socket.create_server(("127.0.0.1", self.port), reuse_port=True)
        self.threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def stop(self):
        for s in [self.listener, *self.sockets]:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        self.sockets = []

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                self.threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            try:
                b.shutdown(socket.SHUT_WR)
            except OSError:
                pass


@pytest.mark.skipif("postgresql" not in os.environ.get("CASEBOOK_TEST_DATABASE_URL", ""),
                    reason="a network outage needs a database server (the test above covers SQLite)")
def test_postgresql_going_away_and_coming_back(database_url, tmp_path):
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    proxy = Proxy((url.host, url.port or 5432))
    proxy.start()
    app = make_app(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False), tmp_path)
    client = app.test_client()
    try:
        with Session(get_engine(app)) as db:

            writes.load(db, search.get_index(app), [CASES_DIR])
        assert client.get("/cases", query_string={"q": "窓口"}).status_code == 200
        proxy.stop()
        assert client.get("/cases", query_string={"q": "窓口"}).status_code == 503
        assert client.get("/api/v1/cases").status_code == 503
        proxy.start()
        assert client.get("/cases", query_string={"q": "窓口"}).status_code == 200
        assert client.get("/readyz").status_code == 200
    finally:
        get_engine(app).dispose()
        proxy.stop()


@pytest.fixture
def built(loaded_app):
    """The bundled cases in a database whose index this app built; returns (database URL, index folder)."""
    return str(get_engine(loaded_app).url.render_as_string(hide_password=False)), search.get_index(loaded_app).directory


def restarted(database_url, directory, tmp_path):
    """A new app process over the same database and index folder, with its background thread on."""
    return make_app(database_url, tmp_path, SEARCH_INDEX_DIR=str(directory), INDEX_POLL_SECONDS=0.2)


def search_until_found(client) -> list[int]:
    """Search until results come; return every status seen on the way (all 503 until 200)."""
    seen = []

    def answered():
        response = client.get("/cases", query_string={"q": "窓口"})
        seen.append(response.status_code)
        if response.status_code == 503:
            text = response.get_data(as_text=True)
            assert ("検索インデックスを再構築しています" in text
                    or "検索インデックスを読み込めません。再構築を試みています" in text), text
        return response.status_code == 200 and "窓口業務" in response.get_data(as_text=True)

    wait_for(answered, step=0.02)
    return seen


def test_a_missing_index_is_rebuilt_at_start_while_searches_get_a_message(built, tmp_path):
    url, directory = built
    shutil.rmtree(directory)
    app = restarted(url, directory, tmp_path)
    client = app.test_client()
    try:
        # While a rebuild runs (here another process holds the rebuild lock), searches answer 503
        # with the reason, in HTML and as problem+json.
        index = search.get_index(app)
        with index.rebuilding():
            page = client.get("/cases", query_string={"q": "窓口"})
            assert page.status_code == 503
            assert "検索インデックスを再構築しています。しばらくしてから、もう一度お試しください。" in page.get_data(as_text=True)
            api = client.get("/api/v1/cases")
            assert api.status_code == 503 and api.mimetype == "application/problem+json"
            assert client.get("/readyz").get_json()["index"]["rebuilding"] is True
        seen = search_until_found(client)
        assert set(seen[:-1]) <= {503} and seen[-1] == 200
        with Session(get_engine(app)) as db:
            assert search.check_index(db, index).clean
        assert client.get("/readyz").status_code == 200
    finally:
        search.get_keeper(app).stop()
        get_engine(app).dispose()


# Whoosh leaves files open when it fails to read damaged ones (closed, with a ResourceWarning, when
# collected): expected here, and not ours to fix.
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("damage", ["table of contents", "segments", "CURRENT"])
def test_a_damaged_index_is_set_aside_and_rebuilt_at_start(built, tmp_path, damage):
    url, directory = built
    live = directory / (directory / "CURRENT").read_text()
    if damage == "table of contents":
        for toc in live.glob("*.toc"):
            toc.write_bytes(b"\x00garbage" * 10)
    elif damage == "segments":
        for segment in live.glob("*.seg"):
            segment.write_bytes(b"\x00garbage" * 10)
        for postings in live.iterdir():
            if postings.suffix in (".trm", ".pst", ".vps", ".fln", ".sto"):
                postings.write_bytes(b"")
    else:
        (directory / "CURRENT").write_text("gen-that-does-not-exist")
    assert SearchIndex(directory).problem() is not None
    app = restarted(url, directory, tmp_path)
    try:
        seen = search_until_found(app.test_client())
        assert 500 not in seen
        index = search.get_index(app)
        assert index.current_name() != live.name and index.problem() is None
        with Session(get_engine(app)) as db:
            assert search.check_index(db, index).clean
            assert index.applied() == changes.latest(db)
    finally:
        search.get_keeper(app).stop()
        get_engine(app).dispose()
        gc.collect()  # Whoosh's leaked files are closed here, where their warnings are expected


def test_the_background_thread_survives_a_database_outage(built, tmp_path, caplog):
    url, directory = built
    app = restarted(url, directory, tmp_path)
    keeper = search.get_keeper(app)
    working = get_engine(app)
    down = make_engine(f"postgresql+psycopg://casebook@127.0.0.1:{closed_port()}/casebook?connect_timeout=2")
    try:
        app.extensions["casebook.engine"] = down
        keeper.start()
        wait_for(lambda: "search index update failed" in caplog.text)
        app.extensions["casebook.engine"] = working
        rounds = keeper.rounds
        wait_for(lambda: keeper.rounds > rounds)
    finally:
        keeper.stop()
        down.dispose()
        get_engine(app).dispose()
