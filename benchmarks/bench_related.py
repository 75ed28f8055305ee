"""What the case page's related cases (search.related_cases) cost, per case page, at 1,000 and 10,000 cases.

Generates the benchmark corpus (benchmarks/corpus.py) into a fresh SQLite database, rebuilds its
index (as bench_search.py does), then, in this process as a serving worker would, times
search.related_cases for a sample of published cases: cold (the engine's result cache emptied
before each case, as the first view of a page) and warm (the same case again), and, for scale in
the same conditions, one search result page per case (cold). Prints a table;
exits 0 whether or not a target is met.

    .venv/bin/python benchmarks/bench_related.py [--sizes 1000,10000] [--cases 200]
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
for _p in (str(HERE.parent), str(HERE)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import bench_search  # noqa: E402  (benchmarks/bench_search.py: corpus in, index built)
import engines  # noqa: E402  (benchmarks/engines.py: an index by engine name)

TARGET_MS = 50.0  # p95 of one case page's related cases, cold, at 10,000 cases


def measure(n: int, workdir: Path, sample: int, seed: int, engine_name: str = "whoosh") -> dict:
    """Related-case timings for `sample` published cases of an `n`-case corpus."""
    from sqlmodel import Session, select

    from casebook import search
    from casebook.db import make_engine
    from casebook.models import Case
    from casebook.services import cases

    db_url, index_dir = bench_search.paths(workdir, n, engine_name)
    if not engines.open_index(engine_name, index_dir).exists():  # --workdir keeps an earlier run's
        Path(db_url.removeprefix("sqlite:///")).unlink(missing_ok=True)  # a run killed before its index
        bench_search.phase_prepare(n, workdir, seed)
        bench_search.phase_rebuild(n, workdir, False, engine_name)
    engine = make_engine(db_url)
    index = engines.open_index(engine_name, index_dir)
    with Session(engine) as session:
        slugs = sorted(session.exec(select(Case.slug).where(Case.status == "published")))
    chosen = random.Random(seed).sample(slugs, min(sample, len(slugs)))
    with Session(engine) as session:  # the worker's first search reads what every search shares
        search.related_cases(session, index, cases.get_case(session, chosen[0]))
    cold, cold_cpu, warm, found, pages = [], [], [], [], []
    for slug in chosen:
        with Session(engine) as session:  # one session per request, as the app does
            case = cases.get_case(session, slug)
            engines.forget_results(index)
            started, cpu = time.perf_counter(), time.process_time()
            related = search.related_cases(session, index, case)
            cold.append((time.perf_counter() - started) * 1000)
            cold_cpu.append((time.process_time() - cpu) * 1000)
            started = time.perf_counter()
            search.related_cases(session, index, case)
            warm.append((time.perf_counter() - started) * 1000)
            found.append(len(related))
            # For scale, in the same conditions: one search page for the case's first theme and tag.
            args = search.parse_search_args({"q": " ".join(case.tags[:1]) or case.title[:4], "theme": case.themes[:1]},
                                            index.bands, bench_search.PAGE_SIZE, bench_search.MAX_PAGE_SIZE)
            engines.forget_results(index)
            started = time.perf_counter()
            search.search_cases(session, index, args)
            pages.append((time.perf_counter() - started) * 1000)
    engine.dispose()
    return {"engine": engine_name, "cases": n, "sampled": len(chosen), "cold": bench_search.summary(cold),
            "cold_cpu": bench_search.summary(cold_cpu), "warm": bench_search.summary(warm),
            "search_page": bench_search.summary(pages),
            "avg_related": round(sum(found) / max(len(found), 1), 2), "with_none": sum(1 for f in found if not f)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--engine", default="whoosh", help="whoosh or tantivy")
    parser.add_argument("--workdir", help="keep the corpora and indexes here (reused by the next run)")
    options = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="casebook-related-") as tmp:
        workdir = Path(options.workdir or tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for n in (int(s) for s in options.sizes.split(",")):
            bench_search.log(f"[{n:,} cases] preparing…")
            rows.append(measure(n, workdir, options.cases, options.seed, options.engine))
    print(f"engine: {options.engine}")
    print(f"{'cases':>7} {'sampled':>8} {'cold p50':>9} {'cold p95':>9} {'cpu p50':>8} {'cpu p95':>8} "
          f"{'warm p50':>9} {'search page p50':>16} {'related':>8} {'none':>5}")
    for r in rows:
        print(f"{r['cases']:>7,} {r['sampled']:>8} {r['cold']['p50']:>9.1f} {r['cold']['p95']:>9.1f} "
              f"{r['cold_cpu']['p50']:>8.1f} {r['cold_cpu']['p95']:>8.1f} "
              f"{r['warm']['p50']:>9.1f} {r['search_page']['p50']:>16.1f} {r['avg_related']:>8} {r['with_none']:>5}")
    print(f"target: cold p95 ≤ {TARGET_MS:.0f} ms at 10,000 cases (milliseconds per case page; cpu: this process's CPU time)")


if __name__ == "__main__":
    main()
