"""Issue 14: a rebuild killed with -9 (a server worker, or `casebook reindex`) leaves no locked index behind.

The parallel rebuild forks writer processes. These tests kill the parent in the middle and check
that its writers go with it, that the lock is free at once (search comes back without a hand),
and that the half-written generation folder does not stay. Two settings make a few hundred cases
behave as 10,000 do: writers from 50 documents on, and jobs of 10 documents (Whoosh's default is
100), so that the writers are still busy, and the parent still feeding them, when it is killed.
"""
import json
import os
import secrets
import signal
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlmodel import Session

from casebook import search
from casebook.db import get_engine
from casebook.search import changes, freshness
from casebook.services import cases

from . import writes
from .conftest import ROOT, case_data
from .test_freshness import wait_for
from .test_prod import GUNICORN, free_port

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="watches processes through /proc")

CASES = 300
SMALL_JOBS = """
import casebook.search.whoosh.engine, whoosh.multiproc
casebook.search.whoosh.engine.PARALLEL_FROM = 50
whoosh.multiproc.MpWriter.__init__.__defaults__ = (None, 10, None, False)  # procs, batchsize, subargs, multisegment
"""
REINDEX = SMALL_JOBS + "from casebook.cli import main\nmain(['reindex'])\n"
SERVER_CONF = SMALL_JOBS + "from casebook.gunicorn_conf import *  # noqa\n"


# --- processes ------------------------------------------------------------------

def stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state first), or None when it is gone or a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None if fields[0] in ("Z", "X") else fields


def alive(pids) -> list[int]:
    """Those of `pids` that still run."""
    return [pid for pid in pids if stat(pid) is not None]


def children(parent: int) -> list[int]:
    """The running processes whose parent is `parent`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = stat(int(entry))
            if fields is not None and int(fields[1]) == parent:
                found.append(int(entry))
    return found


def open_files(pid: int) -> set[str]:
    """The paths process `pid` has open."""
    paths = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                paths.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
            except OSError:
                pass
    except OSError:
        pass
    return paths


def kill_all(pids) -> None:
    """Kill what a failing test left running (the writers of an unfixed rebuild never exit)."""
    for pid in alive(pids):
        os.kill(pid, signal.SIGKILL)


def environment(database_url: str, directory: Path) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CASEBOOK_")}
    environ.update(CASEBOOK_DATABASE_URL=database_url, CASEBOOK_SEARCH_INDEX_DIR=str(directory),
                   CASEBOOK_SECRET_KEY=secrets.token_hex(32))
    return environ


def generations(directory: Path) -> set[str]:
    return {p.name for p in directory.glob("gen-*")}


def half_written(directory: Path) -> set[str]:
    """Generation folders without APPLIED (written after a rebuild's commit), other than the live one."""
    live = (directory / "CURRENT").read_text().strip() if (directory / "CURRENT").exists() else None
    return {p.name for p in directory.glob("gen-*") if p.name != live and not (p / "APPLIED").exists()}


# --- data -----------------------------------------------------------------------

@pytest.fixture
def many(app):
    """The app over a database of CASES generated cases (one commit, no index yet); returns its URL."""
    text = "窓口業務の委託による住民サービスの向上と職員の負担軽減を図った。"
    with Session(get_engine(app)) as db:
        for i in range(CASES):
            cases.save_case(db, case_data(
                slug=f"generated-{i:04d}", title=f"生成した事例{i}：窓口業務の共同委託",
                summary=text * 3, background=f"背景{i} " + text * 8, approach=text * 8, outcome=text * 8,
                tags=[f"タグ{i % 17}", f"分類{i % 5}"]))
        db.commit()
    return get_engine(app).url.render_as_string(hide_password=False)


def start(command: list[str], environ: dict, log: Path) -> subprocess.Popen:
    """Start `command` in the project folder, its stderr to `log`."""
    with log.open("wb") as stderr:  # the child keeps its own copy
        return subprocess.Popen(command, cwd=ROOT, env=environ, stdout=subprocess.DEVNULL, stderr=stderr)


def writing(process: subprocess.Popen, log: Path, rebuilder=None) -> tuple[int, list[int]]:
    """Wait until the rebuilding process (`process`, or the pid `rebuilder()` returns) has writer processes.

    Returns the rebuilding process's pid and its writers' pids.
    """
    found: dict[str, object] = {}

    def started() -> bool:
        assert process.poll() is None, log.read_text()
        pid = rebuilder() if rebuilder else process.pid
        writers = children(pid) if pid else []
        found.update(pid=pid, writers=writers)
        return len(writers) >= 2

    wait_for(started, timeout=30, step=0.005)
    return found["pid"], found["writers"]


# --- casebook reindex killed -------------------------------------------------------

def test_a_killed_reindex_leaves_no_writers_no_lock_and_no_half_written_generation(many, app, tmp_path):
    index = search.get_index(app)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["reindex"]).exit_code == 0  # the live generation (serial: under 1,000 cases)
    live = index.current_name()
    process = start([sys.executable, "-c", REINDEX], environment(many, index.directory), tmp_path / "reindex.log")
    writers: list[int] = []
    try:
        _pid, writers = writing(process, tmp_path / "reindex.log")
        # The writers do not hold the rebuild lock (only their parent does)...
        lock = str(index.directory / "REBUILD.lock")
        assert lock in open_files(process.pid)
        assert not [w for w in writers if lock in open_files(w)]
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        # ...and they end with their parent.
        wait_for(lambda: not alive(writers), timeout=5)
        assert children(process.pid) == []
        assert half_written(index.directory)  # killed mid-write: its generation is left behind...
        # Meanwhile the live generation is untouched and keeps being updated: nothing holds its lock.
        assert index.current_name() == live and index.problem() is None
        with Session(get_engine(app), expire_on_commit=False) as db:
            case = cases.get_case(db, "generated-0007")
            writes.save(db, index, cases.case_data(case) | {"title": "再構築が止まった後の題名"})
            assert index.applied() == changes.latest(db)
        # The next reindex runs at once, and removes the half-written generation.
        result = runner.invoke(args=["reindex"])
        assert result.exit_code == 0, result.output
        assert f"{CASES} 件" in result.output
        assert half_written(index.directory) == set()
        assert generations(index.directory) == {live, index.current_name()}
        with Session(get_engine(app)) as db:
            assert search.check_index(db, index).clean
    finally:
        process.kill()
        process.wait(10)
        kill_all(writers)


# --- a server worker killed while it rebuilds a missing index -----------------------

def get(port: int, path: str) -> tuple[int, bytes]:
    """GET `path`: the status and body, or (0, b"") while nothing answers."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


def test_a_worker_killed_while_rebuilding_is_replaced_by_one_that_rebuilds(many, app, tmp_path):
    directory = search.get_index(app).directory  # never built: the server's worker builds it
    conf = tmp_path / "gunicorn_small_jobs.py"
    conf.write_text(textwrap.dedent(SERVER_CONF))
    port = free_port()
    environ = environment(many, directory) | {"CASEBOOK_BIND": f"127.0.0.1:{port}", "CASEBOOK_WORKERS": "1",
                                              "CASEBOOK_INDEX_POLL_SECONDS": "0.2"}
    master = None
    workers: list[int] = []  # every worker gunicorn started, the running one last
    served: set[int] = set()  # the workers that have answered a request
    writers: list[int] = []

    def worker() -> int | None:
        # The running worker, once it has answered a first request (which starts its background thread).
        if not workers or not alive(workers[-1:]):
            found = children(master.pid)
            if not found:
                return None
            workers.append(found[0])
        if workers[-1] not in served and get(port, "/api/v1/cases?q=%E7%AA%93%E5%8F%A3")[0]:
            served.add(workers[-1])
        return workers[-1] if workers[-1] in served else None

    try:
        master = start([str(GUNICORN), "-c", str(conf)], environ, tmp_path / "server.log")
        first, writers = writing(master, tmp_path / "server.log", worker)
        assert (directory / "CURRENT").exists() is False
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: not alive(writers), timeout=5)
        # gunicorn starts another worker; it finds the index missing and builds it, without a hand.
        statuses = []

        def answered() -> bool:
            worker()
            status, body = get(port, "/api/v1/cases?q=%E7%AA%93%E5%8F%A3&size=1")
            statuses.append(status)
            return status == 200

        wait_for(answered, timeout=30, step=0.1)
        assert set(statuses[:-1]) <= {503}
        status, body = get(port, "/api/v1/cases?size=1")
        assert status == 200 and json.loads(body)["total"] == CASES
        assert workers[-1] != first
        assert half_written(directory) == set()
        assert generations(directory) == {(directory / "CURRENT").read_text().strip()}
        assert not alive(writers)
    finally:
        if master is not None:
            master.send_signal(signal.SIGTERM)
            try:
                master.wait(30)
            except subprocess.TimeoutExpired:
                master.kill()
        kill_all(writers + [w for pid in workers for w in children(pid)] + workers)


# --- a lock kept by something its dead owner left behind ----------------------------

# Takes the rebuild lock, hands its descriptor to a sleeping program (as an older version's writer
# processes inherited it), and dies without letting go: the lock stays held, its owner gone.
ORPHANED_LOCK = """
import os, subprocess, sys
from casebook.search import SearchIndex
index = SearchIndex(sys.argv[1])
with index.rebuilding():
    lock = next(fd for fd in range(3, 256) if os.path.realpath(f"/proc/self/fd/{fd}").endswith("REBUILD.lock"))
    heir = subprocess.Popen(["sleep", "60"], pass_fds=[lock])
    print(heir.pid, flush=True)
    if sys.argv[2] == "die":
        os._exit(0)
    sys.stdin.read()
"""


@pytest.mark.parametrize("owner", ["dead", "alive"])
def test_a_rebuild_lock_whose_owner_died_is_broken_and_a_live_one_is_not(index, tmp_path, owner):
    index.directory.mkdir(parents=True)
    process = subprocess.Popen([sys.executable, "-c", ORPHANED_LOCK, str(index.directory),
                                "die" if owner == "dead" else "live"],
                               cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    heir = 0
    try:
        heir = int(process.stdout.readline())
        if owner == "dead":
            process.wait(10)
        assert index.is_rebuilding()
        with index.rebuilding(wait=False) as mine:
            assert mine is (owner == "dead")
        if owner == "dead":
            assert not alive([heir])  # the lock's last holder was killed, and the lock taken
            assert not index.is_rebuilding()
        else:
            assert alive([heir, process.pid]) == [heir, process.pid]  # a live owner is left alone
            assert index.is_rebuilding()
    finally:
        process.kill()
        process.wait(10)
        process.stdout.close()
        process.stdin.close()
        if heir:
            kill_all([heir])


def test_the_cli_names_the_processes_holding_the_rebuild_lock(app, index):
    index.directory.mkdir(parents=True)
    with index.rebuilding():
        result = app.test_cli_runner().invoke(args=["reindex"])
    assert result.exit_code == 1
    assert f"別のプロセス（pid {os.getpid()}）が検索インデックスを再構築中です" in result.output


# --- a half-written generation found at start ---------------------------------------

def test_a_half_written_generation_is_removed_at_start_and_the_live_one_kept(loaded_app, index):
    live = index.current_name()
    previous = index.directory / "gen-20000101T000000-1-1"  # a finished older generation (it has APPLIED)
    previous.mkdir()
    (previous / "APPLIED").write_text("0")
    leftover = index._new_generation()  # as a killed rebuild leaves it: no APPLIED
    (leftover / "half.tmp").mkdir()
    freshness.Keeper.tend(loaded_app, first=True)
    assert index.current_name() == live and index.problem() is None
    assert generations(index.directory) == {live, previous.name}
    assert loaded_app.test_client().get("/api/v1/cases?q=窓口").status_code == 200


def test_a_generation_is_not_swept_while_its_rebuild_runs(loaded_app, index):
    started = time.monotonic()
    with index.rebuilding():
        building = index._new_generation()
        index.sweep()  # another thread's start: the rebuild lock is taken, so nothing is swept
        assert building.exists()
    assert time.monotonic() - started < 5
    index.sweep()
    assert not building.exists()


# --- a writer process that never hands in its segment --------------------------------

class Dropped:
    """A result queue that loses what is put on it, as when a writer process dies while finishing."""

    def put(self, *args, **kwargs):
        pass


def test_a_rebuild_missing_a_writers_segment_fails_and_keeps_the_live_index(many, app, monkeypatch):
    import whoosh.multiproc

    from casebook.search.whoosh import engine as whoosh_engine

    index = search.get_index(app)
    with Session(get_engine(app)) as db:
        search.rebuild_index(db, index)
        live = index.current_name()
        run = whoosh.multiproc.SubWriterTask.run

        def run_and_lose(task):
            task.resultqueue = Dropped()
            run(task)

        monkeypatch.setattr(whoosh_engine, "PARALLEL_FROM", 50)
        monkeypatch.setattr(whoosh.multiproc.SubWriterTask, "run", run_and_lose)
        with pytest.raises(RuntimeError, match=rf"wrote \d+ of {CASES} documents"):
            search.rebuild_index(db, index)
        assert index.current_name() == live and generations(index.directory) == {live}
        assert search.check_index(db, index).clean
    assert children(os.getpid()) == []
