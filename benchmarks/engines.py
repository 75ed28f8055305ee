"""The search engines as the benchmarks see them: opening an index on either, what each keeps, targets, ratios.

bench_search.py runs every phase once per engine named in `--engines` (the same database, one
index directory per engine) and prints each engine's tables, its targets (issue 21: on 2 cores) and
the ratios between the engines.
"""
from __future__ import annotations

import time
from pathlib import Path

ENGINES = ("whoosh", "tantivy")
# (engine, cases) -> targets on 2 cores: full rebuild, search page p95, memory of each process.
TARGETS = {
    ("whoosh", 10_000): {"rebuild_s": 60.0, "page_p95_ms": 50.0, "rss_mb": 300.0},
    ("tantivy", 10_000): {"rebuild_s": 30.0, "page_p95_ms": 15.0, "rss_mb": 300.0},
    ("tantivy", 50_000): {"rebuild_s": 180.0, "page_p95_ms": 50.0, "rss_mb": 300.0},
}


def open_index(engine: str, index_dir: Path):
    """The index on `index_dir` run by `engine`."""
    from casebook import domain, search

    return search.make_index(index_dir, domain.Bands(), engine=engine)


def indexed(index) -> tuple[int, int]:
    """(documents, segments) of the live generation."""
    if hasattr(index, "opened"):  # tantivy
        searcher = index.opened().searcher
        return searcher.num_docs, searcher.num_segments
    with index.searcher() as searcher:
        leaves = searcher.ixreader.leaf_readers() if hasattr(searcher.ixreader, "leaf_readers") else [None]
        return searcher.doc_count(), len(leaves)


def forget_results(index) -> None:
    """Empty the per-process result cache, so that a measured search is computed."""
    if hasattr(index, "_results"):  # tantivy
        index._results.clear()
    else:
        index.cache.results.clear()


def cache_stats(index) -> dict:
    """What the engine keeps between searches (the Whoosh engine's term-score caches)."""
    cache = getattr(index, "cache", None)
    if cache is None:
        return {"term_cache_entries": 0, "term_cache_postings": 0, "raw_postings_cached": 0}
    return {"term_cache_entries": len(cache._scored), "term_cache_postings": cache.scored_size,
            "raw_postings_cached": cache.raw_size}


def open_searcher_ms(index, times: int = 20) -> float:
    """The median time to get a searcher on the live generation (the Whoosh engine opens one per search)."""
    found = []
    for _ in range(times):
        t0 = time.perf_counter()
        if hasattr(index, "opened"):
            index.opened()
        else:
            with index.searcher():
                pass
        found.append((time.perf_counter() - t0) * 1000)
    return round(sorted(found)[len(found) // 2], 2)


def analysis_s(index, documents: list[dict]) -> tuple[float, int]:
    """Seconds to analyse the text fields of `documents` once in one process, and the terms made."""
    terms = 0
    t0 = time.perf_counter()
    if hasattr(index, "opened"):
        from casebook.search.tantivy.schema import analysed

        for doc in documents:
            terms += sum(text.count(" ") + 1 for text in analysed(doc).values() if text)
    else:
        from casebook.search.whoosh.schema import fields_of

        schema = index.schema
        for doc in map(fields_of, documents):
            for name in ("title", "keywords", "summary", "all"):
                terms += sum(1 for _ in schema[name].index(doc[name]))
    return time.perf_counter() - t0, terms


def verdicts(engine: str, r: dict) -> dict[str, bool] | None:
    """Each target of `engine` at r's size met (True) or missed; None when no target is set for that size."""
    targets = TARGETS.get((engine, r["cases"]))
    if targets is None:
        return None
    return {"rebuild_s": r["rebuild_s"] <= targets["rebuild_s"],
            "page_p95_ms": r["page"]["p95"] <= targets["page_p95_ms"],
            "serve_rss_mb": r["serve_rss_mb"] <= targets["rss_mb"],
            "rebuild_rss_mb": r["rebuild_rss_mb"] <= targets["rss_mb"]}


def report_targets(engine: str, results: list[dict]) -> None:
    """Print the targets of `engine` met or missed at each measured size that has some."""
    for r in results:
        ok = verdicts(engine, r)
        if ok is None:
            continue
        t = TARGETS[(engine, r["cases"])]
        mark = {True: "PASS", False: "MISS"}
        print(f"Targets for {engine} at {r['cases']:,} cases")
        print(f"  full rebuild            ≤ {t['rebuild_s']:.0f} s    {r['rebuild_s']:>8} s   {mark[ok['rebuild_s']]}")
        print(f"  search page p95         ≤ {t['page_p95_ms']:.0f} ms   {r['page']['p95']:>8} ms  {mark[ok['page_p95_ms']]}")
        print(f"  serving process memory  ≤ {t['rss_mb']:.0f} MB  {r['serve_rss_mb']:>8} MB  {mark[ok['serve_rss_mb']]}")
        print(f"  rebuild process memory  ≤ {t['rss_mb']:.0f} MB  {r['rebuild_rss_mb']:>8} MB  {mark[ok['rebuild_rss_mb']]}")


RATIOS = (("rebuild s", lambda r: r["rebuild_s"]), ("page p50 ms", lambda r: r["page"]["p50"]),
          ("page p95 ms", lambda r: r["page"]["p95"]), ("search() p50 ms", lambda r: r["index"]["p50"]),
          ("search() p95 ms", lambda r: r["index"]["p95"]), ("index MB", lambda r: r["index_mb"]),
          ("rebuild RSS MB", lambda r: r["rebuild_rss_mb"]), ("serve RSS MB", lambda r: r["serve_rss_mb"]))


def report_ratios(by_engine: dict[str, list[dict]]) -> None:
    """Print, per size measured on both engines, each figure side by side and whoosh ÷ tantivy."""
    if not {"whoosh", "tantivy"} <= by_engine.keys():
        return
    tantivy = {r["cases"]: r for r in by_engine["tantivy"]}
    for w in by_engine["whoosh"]:
        t = tantivy.get(w["cases"])
        if t is None:
            continue
        print()
        print(f"Engines side by side at {w['cases']:,} cases (ratio: whoosh ÷ tantivy; same database, queries, process layout)")
        print(f"{'':<18} {'whoosh':>10} {'tantivy':>10} {'ratio':>8}")
        for label, get in RATIOS:
            a, b = get(w), get(t)
            ratio = f"{a / b:.1f}×" if b else "-"
            print(f"{label:<18} {a:>10} {b:>10} {ratio:>8}")
        same = sum(1 for x, y in zip(w.get("totals", []), t.get("totals", []), strict=False) if x == y)
        print(f"  result totals equal on {same} of {len(w.get('totals', []))} searches")
