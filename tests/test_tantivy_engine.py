"""What is particular to the tantivy engine: its terms are analysis.py's, and a killed rebuild leaves nothing behind."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from casebook.search import analysis
from casebook.search.tantivy.engine import TantivyEngine
from casebook.search.tantivy.schema import indexed_text, sort_key

from .conftest import ROOT
from .test_engine_contract import DOCS, doc, query

TEXTS = [
    "", "水", "高知市の窓口業務の委託", "ＡＩ-OCRとRPAで　ｸﾗｳﾄﾞ化（2024年度）", "くらうど・マイナンバー、ﾏｲﾅﾝﾊﾞｰ",
    "々〆ヶ丘 a b c 1 2", "Straße ÉCOLE café", "𠮷野家の吉野", "ガ\u3099ｶﾞ", "市\n町\n村", "上下水道事業の広域化と浄水場の統合",
]


@pytest.mark.parametrize("text", TEXTS)
def test_the_indexed_terms_are_the_analysis_terms(text):
    expected = [term for term, _s, _e in analysis.terms(text, index=True)]
    assert indexed_text(text).split(" ") == (expected or [""])


def test_a_sort_key_orders_by_value_then_by_write_order():
    keys = [sort_key(v, s) for v, s in [(-5, 9), (0, 3), (0, 4), (10, 0), (2**62, 1), (2**62, 2)]]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


def test_another_process_sees_the_commits_of_this_one(tmp_path):
    mine, theirs = TantivyEngine(tmp_path / "index"), TantivyEngine(tmp_path / "index")
    mine.rebuild(DOCS)
    assert theirs.search(query("窓口")).total == 3
    mine.update([doc("more", "窓口の一元化")])
    assert theirs.search(query("窓口")).total == 4 and "more" in theirs.stored()


REBUILD = textwrap.dedent("""
    import sys
    from casebook.search.tantivy import engine
    engine.PARALLEL_FROM = 50
    sys.path.insert(0, {root!r})
    from tests.test_engine_contract import doc
    text = "窓口業務の委託による住民サービスの向上と職員の負担軽減を図った。" * 30
    docs = (doc(f"d{{i}}", f"事例{{i}}", text, text) for i in range(20000))  # read as the rebuild goes
    engine.TantivyEngine(sys.argv[1]).rebuild(docs)
""")


def _children(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] not in ("Z", "X") and int(fields[1]) == parent:
            found.append(int(entry))
    return found


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="watches processes through /proc")
def test_a_killed_rebuild_leaves_no_analysers_no_lock_and_is_swept(tmp_path):
    index = TantivyEngine(tmp_path / "index", lock_timeout=2.0)
    index.rebuild(DOCS, applied=3)
    live = index.current_name()
    process = subprocess.Popen([sys.executable, "-c", REBUILD.format(root=str(ROOT)), str(index.directory)], cwd=ROOT)
    try:
        until = time.monotonic() + 60
        while len(analysers := _children(process.pid)) < 2:  # the rebuild is analysing in its processes
            assert process.poll() is None and time.monotonic() < until
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        until = time.monotonic() + 5
        while [pid for pid in analysers if _running(pid)]:
            assert time.monotonic() < until, "the analysing processes outlived their parent"
            time.sleep(0.05)
        assert not index.is_rebuilding() and index.current_name() == live and index.problem() is None
        assert len(list(index.directory.glob("gen-*"))) == 2  # the live one and the killed one's
        index.update([doc("after", "再構築が止まった後の窓口")])  # nothing holds the live generation's lock
        assert index.search(query("窓口")).total == 4 and index.applied() == 3
        assert index.sweep() and [p.name for p in index.directory.glob("gen-*")] == [live]
    finally:
        process.kill()
        process.wait(10)
