"""`make bench`: index build throughput, search latency (results and facet counts) and peak memory.

For each size (default 1,000 and 10,000 cases) this
1. generates a deterministic, realistic Japanese corpus (benchmarks/corpus.py: real
   municipalities from ../shared/data/municipalities.csv, ~1,100 characters of text a case)
   and bulk-inserts it into a fresh SQLite database in a temporary directory;
2. in a fresh process (as `casebook reindex` would run), times the full rebuild
   search.rebuild_index and measures that process's peak memory, then times the
   parts of a rebuild one by one (loading cases, building documents, text analysis);
3. in another fresh process (a serving worker), runs a mixed query set through
   search.search_cases — the index search with facet counts plus loading and
   highlighting the page's cases, i.e. what one result page costs — and reports latency
   percentiles, the share of search.search() alone, and the worker's peak memory.

Phases 2 and 3 run once per engine of `--engines` (default both: whoosh,tantivy) on the same
database, each engine with its own index directory, and the report puts them side by side with
the ratios (benchmarks/engines.py). Prints a table with each engine's targets (on 2 cores: Whoosh at
10,000 cases a rebuild ≤ 60 s and page p95 ≤ 50 ms; tantivy at 10,000 ≤ 30 s and ≤ 15 ms, at 50,000
≤ 3 min and ≤ 50 ms; ≤ 300 MB per process) and writes bench-results/search.json. Exits 0 whether or
not a target is met; non-zero only when something crashes.

    .venv/bin/python benchmarks/bench_search.py [--sizes 1000,10000] [--engines whoosh,tantivy] [--queries 300]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _p in (str(ROOT), str(HERE)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import corpus  # noqa: E402  (benchmarks/corpus.py)
import engines  # noqa: E402  (benchmarks/engines.py)

PAGE_SIZE, MAX_PAGE_SIZE = 20, 100
PHASE_TIMEOUT = 1800  # seconds; a phase that hangs fails the run instead of blocking it

# Queries of the kinds judged in shared/search-analysis.md.
JUDGED_QUERIES = [
    "クラウド", "自治体クラウド", "委託", "水道 統合", "水道事業の広域化", "高知", "水", "ＡＩ", "AI-OCR", "rpa",
    "住民票", "運用保守経費", "窓口", "くらうど", "ﾏｲﾅﾝﾊﾞｰ", "浄水場", "広域化", "チャットボット", "定員適正化",
    "人口減少", "老朽化", "マイナンバー", "ＲＰＡ　窓口", "札幌", "京都", "町",
]
SORTS = ("newest", "population", "effect")
REGION_NAMES = ("北海道", "東北", "関東", "中部", "近畿", "中国", "四国", "九州・沖縄")


# --- small helpers -------------------------------------------------------------------

def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def proc_status_mb(key: str) -> float | None:
    """VmRSS / VmHWM of this process from /proc (MB), or None off Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def maxrss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """getrusage ru_maxrss in MB (KiB on Linux)."""
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


def dir_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 1)


def percentile(values: list[float], p: float) -> float:
    """Linear-interpolated percentile (p in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50": round(percentile(values, 50), 1), "p95": round(percentile(values, 95), 1),
            "p99": round(percentile(values, 99), 1), "max": round(max(values), 1) if values else float("nan"),
            "mean": round(sum(values) / len(values), 1) if values else float("nan")}


def paths(workdir: Path, n: int, engine: str = "whoosh") -> tuple[str, Path]:
    return f"sqlite:///{workdir / f'cases-{n}.sqlite'}", workdir / f"index-{n}-{engine}"


# --- phase 1: corpus into the database ----------------------------------------------------

def insert_corpus(engine, cases: list[dict]) -> tuple[list[dict], list[dict], list[dict]]:
    """Bulk-insert generated cases (ids 1…n) with their participants and effects, as save_case would
    store them but without revisions; returns the rows inserted."""
    from sqlalchemy import insert
    from sqlmodel import Session

    from casebook import case_fields
    from casebook.models import Case, CaseSource, Effect, Participant
    from casebook.services.cases import effect_row

    case_rows, source_rows, participant_rows, effect_rows = [], [], [], []
    effect_columns = [c.name for c in Effect.__table__.columns if c.name not in ("id", "case_id")]
    for case_id, data in enumerate(cases, 1):
        case_rows.append({"id": case_id, **case_fields.model_values(data),
                          "created_at": data["_updated_at"], "updated_at": data["_updated_at"], "version": 1})
        for position, s in enumerate(data["sources"]):
            source_rows.append({"case_id": case_id, "position": position, **case_fields.row_values(case_fields.SOURCES, s)})
        for position, p in enumerate(data["participants"]):
            participant_rows.append({"case_id": case_id, "position": position,
                                     **case_fields.row_values(case_fields.PARTICIPANTS, p)})
        for position, e in enumerate(data["effects"]):  # as services.cases.effect_row stores it
            effect = effect_row(position, e)
            effect_rows.append({"case_id": case_id, **{c: getattr(effect, c) for c in effect_columns}})
    with Session(engine) as session:
        for model, rows in ((Case, case_rows), (CaseSource, source_rows), (Participant, participant_rows),
                            (Effect, effect_rows)):
            for i in range(0, len(rows), 2000):
                session.execute(insert(model), rows[i:i + 2000])
        session.commit()
    return case_rows, participant_rows, effect_rows


def phase_prepare(n: int, workdir: Path, seed: int) -> dict:
    from sqlmodel import Session

    from casebook.db import init_db, make_engine
    from casebook.services.cases import check_rules, get_case, same_content

    started = time.perf_counter()
    cases = corpus.generate(n, seed)
    generate_s = time.perf_counter() - started
    log(f"  generated {n:,} cases in {generate_s:.1f} s "
        f"(average {sum(map(corpus.text_length, cases)) / n:,.0f} characters of text)")

    db_url, _index_dir = paths(workdir, n)
    engine = make_engine(db_url)
    init_db(engine)
    started = time.perf_counter()
    case_rows, participant_rows, effect_rows = insert_corpus(engine, cases)
    insert_s = time.perf_counter() - started

    # The bulk path must store exactly what save_case would: check a sample.
    with Session(engine) as session:
        for data in random.Random(seed).sample(cases, min(50, n)):
            clean = {k: v for k, v in data.items() if not k.startswith("_")}
            check_rules(session, clean)
            if not same_content(get_case(session, data["slug"], public=False), clean):
                raise AssertionError(f"bulk-inserted case differs from its data: {data['slug']}")
    engine.dispose()
    log(f"  inserted {len(case_rows):,} cases, {len(participant_rows):,} participants, "
        f"{len(effect_rows):,} effects in {insert_s:.1f} s")
    return {
        "generate_s": round(generate_s, 2), "insert_s": round(insert_s, 2),
        "avg_text_chars": round(sum(map(corpus.text_length, cases)) / n),
        "published": sum(c["status"] == "published" for c in cases),
        "participants": len(participant_rows), "effects": len(effect_rows),
        "db_mb": round(Path(db_url.removeprefix("sqlite:///")).stat().st_size / 2**20, 1),
        "prepare_rss_mb": proc_status_mb("VmHWM") or maxrss_mb(),
    }


# --- phase 2: the full rebuild ----------------------------------------------------------

class TreeMemory:
    """Samples this process and its children (Whoosh's writer processes) every 0.2 s: the peak
    RSS of each child and the peak of the tree's summed PSS (shared pages counted once)."""

    def __init__(self) -> None:
        import threading

        self.child_rss_mb = 0.0
        self.tree_pss_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _children(pid: int) -> list[int]:
        out = []
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                out += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
        return out

    @staticmethod
    def _rollup(pid: int) -> dict[str, int]:
        values = {}
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
                key, _, rest = line.partition(":")
                values[key] = int(rest.split()[0])
        except (OSError, ValueError, IndexError):
            pass
        return values

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(0.2):
            kids = self._children(me)
            pss = self._rollup(me).get("Pss", 0)
            for kid in kids:
                rollup = self._rollup(kid)
                pss += rollup.get("Pss", 0)
                self.child_rss_mb = max(self.child_rss_mb, round(rollup.get("Rss", 0) / 1024, 1))
            self.tree_pss_mb = max(self.tree_pss_mb, round(pss / 1024, 1))

    def __enter__(self) -> TreeMemory:
        if Path("/proc/self/smaps_rollup").exists():
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


def phase_rebuild(n: int, workdir: Path, breakdown: bool, engine_name: str) -> dict:
    from sqlmodel import Session

    from casebook import search
    from casebook.db import make_engine
    from casebook.search.rows import each_case, theme_labels

    db_url, index_dir = paths(workdir, n, engine_name)
    engine = make_engine(db_url)
    index = engines.open_index(engine_name, index_dir)
    rss_start = proc_status_mb("VmRSS")
    started = time.perf_counter()
    cpu_started = time.process_time()
    with TreeMemory() as memory, Session(engine) as session:
        count = search.rebuild_index(session, index)
    rebuild_s = time.perf_counter() - started
    parent_cpu_s = time.process_time() - cpu_started
    out = {
        "documents": count, "rebuild_s": round(rebuild_s, 2), "docs_per_s": round(count / rebuild_s, 1),
        "rebuild_parent_cpu_s": round(parent_cpu_s, 2),
        "index_mb": dir_mb(index_dir / index.current_name()),
        "rebuild_rss_start_mb": rss_start,
        # the rebuild process itself (VmHWM is exact for this process; ru_maxrss as asked)
        "rebuild_rss_mb": proc_status_mb("VmHWM") or maxrss_mb(),
        "rebuild_maxrss_mb": maxrss_mb(),
        # the largest writer subprocess (Whoosh's procs=N writer forks after the documents are built,
        # so this counts pages it shares with its parent)
        "writer_children_maxrss_mb": maxrss_mb(resource.RUSAGE_CHILDREN),
        "writer_child_rss_sampled_mb": memory.child_rss_mb,
        # all rebuild processes together, each shared page counted once (sampled every 0.2 s)
        "rebuild_tree_pss_mb": memory.tree_pss_mb,
    }
    out["indexed_documents"], out["segments"] = engines.indexed(index)
    if out["indexed_documents"] != n:
        log(f"  WARNING: the index holds {out['indexed_documents']:,} documents for {n:,} cases")
    log(f"  rebuilt {count:,} documents in {rebuild_s:.1f} s ({count / rebuild_s:,.0f} docs/s), "
        f"index {out['index_mb']} MB, peak RSS {out['rebuild_rss_mb']} MB")

    if breakdown:  # the parts of a rebuild, one by one in this process (not part of the timed rebuild)
        parts = {}
        with Session(engine) as session:
            t0 = time.perf_counter()
            cases = list(each_case(session))
            parts["load_cases_s"] = time.perf_counter() - t0
            labels = theme_labels(session)
            t0 = time.perf_counter()
            docs = [search.case_document(c, labels, index.bands) for c in cases]
            parts["case_document_s"] = time.perf_counter() - t0
        parts["text_analysis_s"], terms = engines.analysis_s(index, docs)  # what the writer's analysis does
        out["breakdown"] = {k: round(v, 2) for k, v in parts.items()}
        out["breakdown"]["distinct_terms_per_doc"] = round(terms / max(len(docs), 1))
        log("  rebuild parts (one process): " + ", ".join(f"{k} {v}" for k, v in out["breakdown"].items()))
    engine.dispose()
    return out


# --- phase 3: searching from a serving process ---------------------------------------------

def query_mix(count: int, seed: int) -> list[tuple[str, dict]]:
    """(category, raw request arguments) for `count` distinct searches of the kinds people run."""
    from casebook import domain

    rng = random.Random(seed)
    words = corpus.vocabulary()
    bands = [b.code for b in domain.Bands().bands]
    out: list[tuple[str, dict]] = []
    seen: set[str] = set()

    def keyword() -> str:
        roll = rng.random()
        if roll < 0.5:
            return rng.choice(JUDGED_QUERIES)
        if roll < 0.8:
            return rng.choice(words)
        if roll < 0.9:  # a fragment, as typed
            word = rng.choice([w for w in words if len(w) >= 4])
            start = rng.randrange(len(word) - 2)
            return word[start:start + rng.randint(2, 3)]
        return " ".join(rng.sample(words, 2))

    def facets() -> dict:
        raw: dict = {}
        for facet in rng.sample(["band", "theme", "pref", "region"], rng.choice([1, 1, 1, 2])):
            pool = {"band": bands, "theme": list(corpus.THEMES), "pref": list(domain.PREFECTURES),
                    "region": list(REGION_NAMES)}[facet]
            raw[facet] = rng.sample(pool, rng.choice([1, 1, 1, 2]))
        return raw

    attempts = 0
    while len(out) < count and attempts < count * 50:
        attempts += 1
        roll = rng.random()
        raw: dict = {}
        if roll < 0.35:
            category, raw["q"] = "keyword", keyword()
        elif roll < 0.57:
            category, raw = "keyword + facets", {"q": keyword(), **facets()}
        elif roll < 0.70:
            category, raw = "facets only", facets()
        elif roll < 0.73:
            category = "browse all"
        elif roll < 0.87:
            category = "sorted"
            raw = {"sort": rng.choice(SORTS)}
            if rng.random() < 0.6:
                raw["q"] = keyword()
            if rng.random() < 0.5:
                raw.update(facets())
        else:
            category = "page 2-3"
            raw = {"page": rng.choice([2, 3])}
            if rng.random() < 0.8:
                raw["q"] = keyword()
            if rng.random() < 0.3:
                raw.update(facets())
            if rng.random() < 0.2:
                raw["sort"] = rng.choice(SORTS)
        key = json.dumps(raw, sort_keys=True, ensure_ascii=False)
        if key not in seen:
            seen.add(key)
            out.append((category, raw))
    return out


def phase_search(n: int, workdir: Path, queries: int, seed: int, profile: int, engine_name: str) -> dict:
    rss_boot = proc_status_mb("VmRSS")
    from sqlmodel import Session

    from casebook import search
    from casebook.db import make_engine
    from casebook.search import results
    from casebook.search.rows import theme_labels

    db_url, index_dir = paths(workdir, n, engine_name)
    engine = make_engine(db_url)
    index = engines.open_index(engine_name, index_dir)
    rss_imported = proc_status_mb("VmRSS")

    def args_of(raw: dict) -> search.SearchArgs:
        return search.parse_search_args({k: (str(v) if k == "page" else v) for k, v in raw.items()},
                                        index.bands, PAGE_SIZE, MAX_PAGE_SIZE)

    def page(raw: dict):
        with Session(engine) as session:  # one session per request, as the app does
            return search.search_cases(session, index, args_of(raw))

    # Time search.search() inside each search_cases call: the index's share of the same page.
    inner_ms: list[float] = []
    real_search = results.search

    def timed_search(*a, **kw):
        t0 = time.perf_counter()
        try:
            return real_search(*a, **kw)
        finally:
            inner_ms.append((time.perf_counter() - t0) * 1000)

    results.search = timed_search  # what search_cases calls

    # The steps of a page, summed per page: the engine's own work (index.search), reading the page's
    # cases (service.cards_by_slugs) and highlighting them (analysis.highlight); results.search less
    # the engine is the facet values, their toggles and the fallbacks.
    from casebook.search import analysis, service
    step_ms = {"engine": 0.0, "load": 0.0, "highlight": 0.0}

    def timed(key: str, function):
        def run(*a, **kw):
            t0 = time.perf_counter()
            try:
                return function(*a, **kw)
            finally:
                step_ms[key] += (time.perf_counter() - t0) * 1000
        return run

    real_engine_search, real_load, real_highlight = index.search, service.cards_by_slugs, analysis.highlight
    index.search = timed("engine", real_engine_search)
    service.cards_by_slugs = timed("load", real_load)
    analysis.highlight = timed("highlight", real_highlight)

    t0 = time.perf_counter()
    first = page({"q": "窓口"})
    cold_ms = (time.perf_counter() - t0) * 1000
    log(f"  cold first search (opens the index, builds facet sets): {cold_ms:,.0f} ms, {first.result.total:,} hits")
    for _category, raw in query_mix(25, seed + 1):  # warm-up with other searches than the measured ones
        page(raw)
    warm_terms = engines.cache_stats(index)["term_cache_entries"]

    mix = query_mix(queries, seed)
    rows = []
    inner_ms.clear()
    started = time.perf_counter()
    for category, raw in mix:
        engines.forget_results(index)  # each measured search computed, never served from the result cache
        step_ms.update(engine=0.0, load=0.0, highlight=0.0)
        t0 = time.perf_counter()
        result = page(raw)
        elapsed = (time.perf_counter() - t0) * 1000
        rows.append({"category": category, "args": raw, "page_ms": elapsed, "index_ms": inner_ms[-1],
                     "total": result.result.total, "shown": len(result.hits), **{f"{k}_ms": v for k, v in step_ms.items()}})
        # The same search again at once: a result-cache hit (a reload or back-button search).
        t0 = time.perf_counter()
        page(raw)
        rows[-1]["cached_ms"] = (time.perf_counter() - t0) * 1000
    measured_s = time.perf_counter() - started - sum(r["cached_ms"] for r in rows) / 1000
    results.search = real_search
    index.search, service.cards_by_slugs, analysis.highlight = real_engine_search, real_load, real_highlight
    steps = {"engine": [r["engine_ms"] for r in rows],
             "facets_and_fallbacks": [r["index_ms"] - r["engine_ms"] for r in rows],
             "load_cases": [r["load_ms"] for r in rows], "highlight": [r["highlight_ms"] for r in rows],
             "rest": [r["page_ms"] - r["index_ms"] - r["load_ms"] - r["highlight_ms"] for r in rows]}
    cached_ms = [r["cached_ms"] for r in rows]
    # search.search() over the same mix once more (result cache cleared): the term-score cache is now
    # as warm as this mix can make it, so the gap to the first pass is the cost of first-seen terms.
    with Session(engine) as session:
        label = search.facet_label(theme_labels(session), index.bands)
    second_ms = []
    for _category, raw in mix:
        engines.forget_results(index)
        args = args_of(raw)
        t0 = time.perf_counter()
        search.search(index, args, index.bands, label)
        second_ms.append((time.perf_counter() - t0) * 1000)

    page_ms = [r["page_ms"] for r in rows]
    index_ms = [r["index_ms"] for r in rows]
    by_category = {}
    for category in dict.fromkeys(r["category"] for r in rows):
        picked = [r for r in rows if r["category"] == category]
        by_category[category] = {"page": summary([r["page_ms"] for r in picked]),
                                 "index": summary([r["index_ms"] for r in picked])}
    slowest = sorted(rows, key=lambda r: -r["page_ms"])[:8]
    out = {
        "queries": len(rows), "searches_per_s": round(len(rows) / measured_s, 1),
        "cold_first_ms": round(cold_ms, 1),
        "page": summary(page_ms), "index": summary(index_ms),
        "db_and_render": summary([p - i for p, i in zip(page_ms, index_ms, strict=True)]),
        "steps_mean_ms": {k: round(sum(v) / len(v), 2) for k, v in steps.items()},
        "steps_p95_ms": {k: round(percentile(v, 95), 2) for k, v in steps.items()},
        "cached_page": summary(cached_ms),
        "index_second_pass": summary(second_ms),
        "open_searcher_ms": engines.open_searcher_ms(index),  # what opening a searcher costs
        "by_category": by_category,
        "zero_hit_searches": sum(1 for r in rows if r["total"] == 0),
        "median_hits": int(percentile([r["total"] for r in rows], 50)),
        "slowest": [{"ms": round(r["page_ms"], 1), "index_ms": round(r["index_ms"], 1), "hits": r["total"],
                     "args": r["args"]} for r in slowest],
        **engines.cache_stats(index), "term_cache_entries_after_warmup": warm_terms,
        "totals": [r["total"] for r in rows],  # to compare the engines' results search by search
        "rss_boot_mb": rss_boot, "rss_after_imports_mb": rss_imported, "rss_end_mb": proc_status_mb("VmRSS"),
        "serve_rss_mb": proc_status_mb("VmHWM") or maxrss_mb(),
        "serve_maxrss_mb": maxrss_mb(),  # getrusage(RUSAGE_SELF).ru_maxrss
    }
    log(f"  {len(rows)} searches: page p50 {out['page']['p50']} ms, p95 {out['page']['p95']} ms; "
        f"search.search() p50 {out['index']['p50']} ms, p95 {out['index']['p95']} ms; result-cache hit p50 "
        f"{out['cached_page']['p50']} ms; search.search() 2nd pass p50 {out['index_second_pass']['p50']} ms, p95 "
        f"{out['index_second_pass']['p95']} ms; opening a searcher {out['open_searcher_ms']} ms; peak RSS {out['serve_rss_mb']} MB")
    log("  a page's steps, mean (p95) ms: " + ", ".join(
        f"{k.replace('_', ' ')} {out['steps_mean_ms'][k]} ({out['steps_p95_ms'][k]})" for k in steps))

    if profile:
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        sample = [raw for _c, raw in mix][:profile]
        profiler.enable()
        for raw in sample:
            engines.forget_results(index)
            page(raw)
        profiler.disable()
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text).strip_dirs()
        text.write(f"=== {len(sample)} searches at {n:,} cases, sorted by own time ===\n")
        stats.sort_stats("tottime").print_stats(25)
        text.write("=== sorted by cumulative time ===\n")
        stats.sort_stats("cumulative").print_stats(35)
        target = ROOT / "bench-results" / f"search-profile-{n}-{engine_name}.txt"
        target.parent.mkdir(exist_ok=True)
        target.write_text(text.getvalue(), encoding="utf-8")
        out["profile"] = str(target.relative_to(ROOT))
        log(f"  profile of {len(sample)} searches written to {out['profile']}")
    engine.dispose()
    return out


# --- orchestration ----------------------------------------------------------------------

def run_phase(*argv: str) -> dict:
    """Run one phase in a fresh interpreter; its last stdout line is its JSON result."""
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), *argv], stdout=subprocess.PIPE,
                          text=True, timeout=PHASE_TIMEOUT, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"benchmark phase {argv[:2]} failed with exit code {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_size(n: int, workdir: Path, options) -> dict[str, dict]:
    """{engine: results} at `n` cases: one database, then each engine's rebuild and searches."""
    log(f"[{n:,} cases] generating and inserting…")
    prepared = run_phase("--phase", "prepare", "--n", str(n), "--workdir", str(workdir), "--seed", str(options.seed))
    out = {}
    for name in options.engine_list:
        log(f"[{n:,} cases, {name}] rebuilding the index (fresh process)…")
        rebuilt = run_phase("--phase", "rebuild", "--n", str(n), "--workdir", str(workdir), "--engine", name,
                            *(["--no-breakdown"] if options.no_breakdown else []))
        log(f"[{n:,} cases, {name}] searching (fresh process, {options.queries} searches)…")
        profile = options.profile if n == max(options.size_list) else 0
        searched = run_phase("--phase", "search", "--n", str(n), "--workdir", str(workdir), "--seed", str(options.seed),
                             "--queries", str(options.queries), "--profile", str(profile), "--engine", name)
        out[name] = {"cases": n, "engine": name, **prepared, **rebuilt, **searched}
    return out


def report(results: list[dict]) -> None:
    print()
    print(f"=== {results[0]['engine']} ===")
    print("Index build")
    print(f"{'cases':>7} {'insert s':>9} {'rebuild s':>10} {'docs/s':>8} {'index MB':>9} {'rebuild RSS MB':>15} "
          f"{'writer RSS MB':>14} {'all PSS MB':>11} {'analysis s':>11}")
    for r in results:
        analysis_s = r.get("breakdown", {}).get("text_analysis_s", "-")
        print(f"{r['cases']:>7,} {r['insert_s']:>9} {r['rebuild_s']:>10} {r['docs_per_s']:>8} {r['index_mb']:>9} "
              f"{r['rebuild_rss_mb']:>15} {r['writer_children_maxrss_mb']:>14} {r['rebuild_tree_pss_mb']:>11} {analysis_s:>11}")
    print("  (rebuild RSS: the process calling rebuild_index; writer RSS: largest Whoosh writer subprocess, which")
    print("   shares the pages it inherited; all PSS: every rebuild process together; analysis s: tokenising the")
    print("   text fields of every document once, single process — the rest of the rebuild is Whoosh writing)")
    print()
    print("Search (one serving process; each page = results + facet counts + the page's cases from the DB)")
    print(f"{'cases':>7} {'queries':>8} {'cold ms':>8} {'page p50':>9} {'p95':>7} {'p99':>7} {'max':>7} "
          f"{'search() p50':>13} {'p95':>7} {'cached p50':>11} {'open ms':>8} {'serve RSS MB':>13} {'ru_maxrss MB':>13}")
    for r in results:
        print(f"{r['cases']:>7,} {r['queries']:>8} {r['cold_first_ms']:>8} {r['page']['p50']:>9} {r['page']['p95']:>7} "
              f"{r['page']['p99']:>7} {r['page']['max']:>7} {r['index']['p50']:>13} {r['index']['p95']:>7} "
              f"{r['cached_page']['p50']:>11} {r['open_searcher_ms']:>8} {r['serve_rss_mb']:>13} {r['serve_maxrss_mb']:>13}")
    print("  (search(): search.search() inside the same page calls — index work and facet counts without the DB;")
    print("   cached: the same search repeated at once, a result-cache hit; open ms: opening a searcher)")
    for r in results:
        s = r["index_second_pass"]
        print(f"  {r['cases']:,} cases: search() over the same mix a second time (terms seen before): p50 {s['p50']} ms, "
              f"p95 {s['p95']} ms; term-score cache {r['term_cache_postings']} postings")
    print()
    print("Where a page's time goes, mean ms (p95 of each step)")
    names = ("engine", "facets_and_fallbacks", "load_cases", "highlight", "rest")
    print(f"{'cases':>7} " + " ".join(f"{n.replace('_', ' '):>22}" for n in names))
    for r in results:
        print(f"{r['cases']:>7,} " + " ".join(f"{r['steps_mean_ms'][n]:>13} ({r['steps_p95_ms'][n]:>6})" for n in names))
    print("  (engine: index.search calls; facets and fallbacks: the rest of search.search(); load cases: the")
    print("   page's cases from the database; highlight: their titles and excerpts; rest: the page object)")
    big = max(results, key=lambda r: r["cases"])
    print()
    print(f"By kind of search at {big['cases']:,} cases (ms)")
    print(f"{'kind':<18} {'n':>4} {'page p50':>9} {'p95':>7} {'max':>7} {'search() p50':>13} {'p95':>7}")
    for category, s in big["by_category"].items():
        print(f"{category:<18} {s['page']['n']:>4} {s['page']['p50']:>9} {s['page']['p95']:>7} {s['page']['max']:>7} "
              f"{s['index']['p50']:>13} {s['index']['p95']:>7}")


def main() -> int:
    parser = argparse.ArgumentParser(description="Search benchmark: index build, search latency, memory.")
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes (default 1000,10000)")
    parser.add_argument("--engines", default=",".join(engines.ENGINES),
                        help="comma-separated search engines to compare (default whoosh,tantivy)")
    parser.add_argument("--queries", type=int, default=300, help="measured searches per size (default 300)")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="cProfile N searches at the largest size into bench-results/search-profile-<n>.txt")
    parser.add_argument("--no-breakdown", action="store_true", help="skip timing the parts of a rebuild")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database and index")
    parser.add_argument("--out", default=str(ROOT / "bench-results" / "search.json"))
    # internal: one phase in a fresh process
    parser.add_argument("--phase", choices=("prepare", "rebuild", "search"), help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--engine", default="whoosh", help=argparse.SUPPRESS)
    options = parser.parse_args()

    if options.phase:
        workdir = Path(options.workdir)
        if options.phase == "prepare":
            result = phase_prepare(options.n, workdir, options.seed)
        elif options.phase == "rebuild":
            result = phase_rebuild(options.n, workdir, not options.no_breakdown, options.engine)
        else:
            result = phase_search(options.n, workdir, options.queries, options.seed, options.profile, options.engine)
        print(json.dumps(result, ensure_ascii=False, default=str))
        return 0

    options.size_list = [int(s) for s in options.sizes.split(",") if s.strip()]
    options.engine_list = [e.strip() for e in options.engines.split(",") if e.strip()]
    unknown = set(options.engine_list) - set(engines.ENGINES)
    if unknown:
        parser.error(f"unknown engines: {', '.join(sorted(unknown))} (known: {', '.join(engines.ENGINES)})")
    if not corpus.MASTER.is_file():
        log(f"the municipality list is needed for realistic participants: {corpus.MASTER}")
        return 2
    started = time.perf_counter()
    by_engine: dict[str, list[dict]] = {name: [] for name in options.engine_list}
    workdir = Path(tempfile.mkdtemp(prefix="casebook-bench-"))
    try:
        for n in options.size_list:
            for name, result in bench_size(n, workdir, options).items():
                by_engine[name].append(result)
    finally:
        if options.keep:
            log(f"kept {workdir}")
        else:
            import shutil
            shutil.rmtree(workdir, ignore_errors=True)
    for name, results in by_engine.items():
        report(results)
        print()
        engines.report_targets(name, results)
    engines.report_ratios(by_engine)
    wall = time.perf_counter() - started
    target = Path(options.out)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"), "cpus": os.cpu_count(), "python": platform.python_version(),
        "machine": platform.machine(), "queries": options.queries, "seed": options.seed, "wall_s": round(wall, 1),
        "engines": options.engine_list,
        "targets": [{"engine": e, "cases": n, **t} for (e, n), t in engines.TARGETS.items()],
        "verdicts": {e: [{"cases": r["cases"], "met": engines.verdicts(e, r)} for r in rs] for e, rs in by_engine.items()},
        "results": [r for rs in by_engine.values() for r in rs],
    }, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    print(f"\nwritten: {target} (whole run {wall:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
