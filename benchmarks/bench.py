"""`make bench`: index build throughput, search latency (results and facet counts) and memory.

Generates realistic Japanese corpora (default 1,000 and 10,000 cases) from a seeded
vocabulary and real municipalities, stores them in a temporary SQLite database, rebuilds the
index from it, then searches from a fresh process with a mixed query set through the same
service a page uses (search + facet counts + loading the page's cases). Prints a table with
the targets of issue 2 and writes bench-results/search.json.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MASTER = ROOT.parent / "shared" / "data" / "municipalities.csv"
TARGETS = {"rebuild_s": 60.0, "p95_ms": 50.0, "rss_mb": 300.0}

PHRASES = [
    "窓口業務の民間委託を進め", "住民票の写しの交付事務を外部に任せ", "郵送請求の処理を集約し", "自治体クラウドを共同で導入し",
    "基幹系システムを標準化し", "データセンターへ移行して", "水道事業を広域化し", "浄水場と取水施設を統廃合し",
    "下水道の維持管理を共同化し", "AI-OCRで申請書を読み取り", "RPAで入力作業を自動化し", "チャットボットで問い合わせに答え",
    "マイナンバーカードの交付体制を整え", "運用保守経費を削減し", "職員の残業時間を減らし", "定員適正化計画に基づいて",
    "人口減少と施設の老朽化に備え", "近隣の町村と協議会を設け", "プロポーザルで事業者を選び", "仕様書の作成を外部に支援してもらい",
    "窓口の待ち時間を短くし", "電話対応の件数を減らし", "臨時職員の配置を見直し", "業務量を調査して",
    "福祉・介護の相談窓口をまとめ", "子育て支援の手続きをオンライン化し", "税務の照会を電子化し", "防災情報の配信を共同化し",
    "ごみ処理施設を一部事務組合で運営し", "消防の指令業務を共同で運用し", "公共施設の管理を包括委託し", "図書館の運営を指定管理にし",
    "庁内の文書をペーパーレス化し", "テレワークの環境を整え", "会計事務の審査を集約し", "職員研修を近隣自治体と合同で行い",
]
ENDINGS = ["た。", "ている。", "ることにした。", "る計画である。", "た結果、事務が軽くなった。", "た。住民の評価も高い。"]
WORDS = ["効率化", "標準化", "共同化", "省力化", "見える化", "電子化", "集約化", "広域化", "民間活力", "業務改革", "働き方改革",
         "経費削減", "人員不足", "住民サービス", "窓口", "委託", "クラウド", "水道", "施設", "申請", "手続", "照会", "相談"]
TAGS = ["RPA", "AI-OCR", "チャットボット", "住民票", "水道", "データセンター", "共同調達", "マイナンバー", "テレワーク",
        "ペーパーレス", "包括委託", "指定管理", "標準化", "キャッシュレス", "オンライン申請"]
THEMES = ["outsourcing", "cloud", "wide-area", "ai-ict"]
AMOUNTS = ["232億円", "約10〜15%", "8名", "15箇所", "1億2,300万円", "約1,200時間", "3,000万円", "約20%", "2名", "500件"]
EFFECT_KINDS = {"円": "cost", "%": "cost", "名": "staff", "箇所": "facilities", "時間": "time", "件": "service"}
QUERIES = ["クラウド", "自治体クラウド", "委託", "水道 統合", "水道事業の広域化", "高知", "水", "ＡＩ", "AI-OCR", "rpa",
           "住民票", "運用保守経費", "窓口", "くらうど", "ﾏｲﾅﾝﾊﾞｰ", "浄水場", "チャットボット", "人口減少", "臨時職員", "共同化"]


def municipalities() -> list[dict]:
    with MASTER.open(encoding="utf-8", newline="") as f:
        return [r for r in csv.DictReader(f) if r["kind"] != "prefecture"]


def text(rng: random.Random, sentences: int) -> str:
    out = []
    for _ in range(sentences):
        parts = rng.sample(PHRASES, 2)
        out.append(f"{rng.choice(WORDS)}のため、{parts[0]}、{parts[1][:-1] if parts[1].endswith('し') else parts[1]}"
                   f"{rng.choice(ENDINGS)}")
    return "".join(out)


def corpus(n: int, seed: int = 7) -> list[dict]:
    """n cases in the validated case shape (schemas.CaseFileSchema.load output)."""
    rng = random.Random(seed)
    towns = municipalities()
    cases = []
    for i in range(n):
        members = rng.sample(towns, rng.choice([1, 1, 1, 2, 3, 4, 6]))
        people = []
        if len(members) > 1 and rng.random() < 0.5:
            people.append({"role": "lead", "code": None, "name": f"{members[0]['name']}ほか広域連合{i}",
                           "prefecture": members[0]["prefecture"], "kind": "association", "population": None,
                           "population_year": None, "population_source": ""})
        for j, m in enumerate(members):
            people.append({"role": "lead" if not people and j == 0 else "member", "code": m["code"], "name": m["name"],
                           "prefecture": m["prefecture"], "kind": m["kind"], "population": int(m["population"]),
                           "population_year": 2020, "population_source": "令和2年国勢調査"})
        effects = []
        for _ in range(rng.randint(0, 4)):
            amount = rng.choice(AMOUNTS)
            unit = next(u for u in EFFECT_KINDS if u in amount)
            effects.append({"kind": EFFECT_KINDS[unit], "direction": "reduction", "label": rng.choice(WORDS),
                            "amount": amount, "period": rng.choice(["annual", "total"]),
                            "status": rng.choice(["expected", "achieved"]), "wording": f"{rng.choice(WORDS)}で{amount}削減"})
        title = f"{members[0]['name']}の{rng.choice(WORDS)}による{rng.choice(PHRASES)[:-1]}取組"[:190]
        cases.append({
            "slug": f"bench-{i:05d}", "title": title, "status": "published" if rng.random() < 0.95 else "draft",
            "detail": "full", "themes": rng.sample(THEMES, rng.choice([1, 1, 2])), "tags": rng.sample(TAGS, rng.randint(0, 3)),
            "start_fiscal_year": rng.randint(2005, 2024), "summary": text(rng, 2)[:300],
            "background": text(rng, 4), "approach": text(rng, 6), "outcome": text(rng, 4), "contact": "",
            "source": {"title": "先進事例報告", "publisher": "内閣府", "date": None, "url": ""},
            "event": {"name": "", "date": None}, "participants": people, "effects": effects,
        })
    return cases


def store(db_url: str, cases: list[dict]) -> float:
    """Insert the corpus directly (the bulk path without per-case indexing); return seconds."""
    from sqlmodel import Session

    from casebook.db import init_db, make_engine
    from casebook.models import Case, Participant
    from casebook.services.cases import CASE_FIELDS, PARTICIPANT_FIELDS, _effect

    engine = make_engine(db_url)
    init_db(engine)
    started = time.perf_counter()
    with Session(engine) as session:
        for data in cases:
            case = Case(**{k: data[k] for k in CASE_FIELDS}, source_title=data["source"]["title"],
                        source_publisher=data["source"]["publisher"])
            case.participants = [Participant(position=i, **{f: p[f] for f in PARTICIPANT_FIELDS})
                                 for i, p in enumerate(data["participants"])]
            case.effects = [_effect(i, e) for i, e in enumerate(data["effects"])]
            session.add(case)
        session.commit()
    engine.dispose()
    return time.perf_counter() - started


def rebuild(db_url: str, index_dir: Path) -> tuple[float, int]:
    from sqlmodel import Session

    from casebook import domain, search
    from casebook.db import make_engine
    from casebook.services import indexing

    engine = make_engine(db_url)
    index = search.SearchIndex(index_dir, domain.Bands())
    started = time.perf_counter()
    with Session(engine) as session:
        count = indexing.rebuild_index(session, index)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed, count


def query_mix(n: int, seed: int = 11) -> list[dict]:
    """A mix of what people do: keywords, facet clicks, band shortcuts, sorts, later pages."""
    from casebook import domain

    rng = random.Random(seed)
    bands = [b.code for b in domain.Bands().bands]
    prefs = ["青森県", "高知県", "埼玉県", "北海道", "東京都", "岩手県", "長野県"]
    mix = []
    for i in range(n):
        args: dict = {}
        kind = i % 10
        if kind < 6:
            args["q"] = rng.choice(QUERIES) if rng.random() < 0.7 else " ".join(rng.sample(WORDS, rng.choice([1, 2])))
        if kind in (2, 3, 6, 7):
            args["band"] = [rng.choice(bands)]
        if kind in (3, 7, 8):
            args["theme"] = [rng.choice(THEMES)]
        if kind == 8:
            args["pref"] = [rng.choice(prefs)]
        if kind == 9:
            args["sort"] = rng.choice(["newest", "population", "effect"])
        if kind == 5:
            args["page"] = rng.choice([2, 3])
        mix.append(args)
    return mix


def search_worker(db_url: str, index_dir: str, queries: int) -> dict:
    """Runs in its own process: search latency through the page's service, and memory."""
    from sqlmodel import Session

    from casebook import domain, search
    from casebook.db import make_engine
    from casebook.services import searching

    engine = make_engine(db_url)
    index = search.SearchIndex(index_dir, domain.Bands())
    mix = query_mix(queries)
    with Session(engine) as session:
        def run(raw):
            args = searching.parse_search_args({**raw, "page": str(raw.get("page", 1))}, index.bands, 20, 100)
            return searching.search_cases(session, index, args)

        started = time.perf_counter()
        run({"q": "窓口"})
        cold = (time.perf_counter() - started) * 1000
        for raw in mix[:20]:   # warm-up
            run(raw)
        page_ms, index_ms = [], []
        label = searching.facet_label(searching.theme_labels(session), index.bands)
        for raw in mix:
            args = searching.parse_search_args({**raw, "page": str(raw.get("page", 1))}, index.bands, 20, 100)
            t0 = time.perf_counter()
            searching.search_cases(session, index, args)
            page_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            search.search(index, args, index.bands, label)
            index_ms.append((time.perf_counter() - t0) * 1000)
    engine.dispose()

    def pct(values, p):
        return statistics.quantiles(values, n=100, method="inclusive")[p - 1]

    return {"queries": len(mix), "cold_first_ms": round(cold, 1),
            "page_p50_ms": round(pct(page_ms, 50), 1), "page_p95_ms": round(pct(page_ms, 95), 1),
            "page_p99_ms": round(pct(page_ms, 99), 1), "page_max_ms": round(max(page_ms), 1),
            "index_p50_ms": round(pct(index_ms, 50), 1), "index_p95_ms": round(pct(index_ms, 95), 1),
            "rss_mb": peak_rss_mb()}


def peak_rss_mb() -> float:
    """Peak resident memory of this process image (VmHWM; ru_maxrss would include the parent's
    pages counted before exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def dir_size_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1024 / 1024, 1)


def bench(n: int, queries: int, work: Path) -> dict:
    print(f"[{n:,} cases] generating…", flush=True)
    cases = corpus(n)
    db_url = f"sqlite:///{work / f'bench-{n}.sqlite'}"
    index_dir = work / f"index-{n}"
    insert_s = store(db_url, cases)
    print(f"[{n:,} cases] stored in {insert_s:.1f} s; rebuilding the index…", flush=True)
    rebuild_s, count = rebuild(db_url, index_dir)
    print(f"[{n:,} cases] rebuilt {count:,} documents in {rebuild_s:.1f} s; searching…", flush=True)
    out = subprocess.run([sys.executable, __file__, "--worker", db_url, str(index_dir), str(queries)],
                         check=True, capture_output=True, text=True)
    searched = json.loads(out.stdout.strip().splitlines()[-1])
    return {"cases": n, "insert_s": round(insert_s, 1), "rebuild_s": round(rebuild_s, 1),
            "docs_per_s": round(count / rebuild_s), "index_mb": dir_size_mb(index_dir),
            "build_rss_mb": peak_rss_mb(), **searched}


def report(results: list[dict]) -> None:
    def mark(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    print()
    print(f"{'cases':>7} {'rebuild s':>9} {'docs/s':>7} {'index MB':>8} {'page p50':>8} {'p95':>6} {'p99':>6} "
          f"{'index p50':>9} {'p95':>6} {'cold ms':>7} {'RSS MB':>7}")
    for r in results:
        print(f"{r['cases']:>7,} {r['rebuild_s']:>9} {r['docs_per_s']:>7} {r['index_mb']:>8} {r['page_p50_ms']:>8} "
              f"{r['page_p95_ms']:>6} {r['page_p99_ms']:>6} {r['index_p50_ms']:>9} {r['index_p95_ms']:>6} "
              f"{r['cold_first_ms']:>7} {r['rss_mb']:>7}")
    big = max(results, key=lambda r: r["cases"])
    print(f"\nTargets at {big['cases']:,} cases (2 cores): rebuild ≤ {TARGETS['rebuild_s']:.0f} s "
          f"{mark(big['rebuild_s'] <= TARGETS['rebuild_s'])} ({big['rebuild_s']} s); search page p95 ≤ "
          f"{TARGETS['p95_ms']:.0f} ms {mark(big['page_p95_ms'] <= TARGETS['p95_ms'])} ({big['page_p95_ms']} ms); "
          f"≤ {TARGETS['rss_mb']:.0f} MB per serving process {mark(big['rss_mb'] <= TARGETS['rss_mb'])} ({big['rss_mb']} MB)")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        print(json.dumps(search_worker(sys.argv[2], sys.argv[3], int(sys.argv[4]))))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--queries", type=int, default=300)
    options = parser.parse_args()
    if not MASTER.is_file():
        sys.exit(f"the municipality list is needed for realistic participants: {MASTER}")
    results = []
    with tempfile.TemporaryDirectory(prefix="casebook-bench-") as tmp:
        for n in (int(s) for s in options.sizes.split(",")):
            results.append(bench(n, options.queries, Path(tmp)))
    report(results)
    target = ROOT / "bench-results" / "search.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps({"when": time.strftime("%Y-%m-%dT%H:%M:%S"), "cpus": os.cpu_count(),
                                  "targets": TARGETS, "results": results}, indent=2), encoding="utf-8")
    print(f"\nwritten: {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
