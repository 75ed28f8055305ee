"""`make bench-load`: gunicorn with several workers under mixed traffic, on loopback, for a bounded time,
once per search engine (default both, whoosh then tantivy), side by side.

1. Generates a corpus (benchmarks/corpus.py, default 10,000 cases) into a fresh SQLite file in a
   temporary folder, or into a temporary schema of the PostgreSQL database named by
   --database-url (dropped afterwards), and brings it under migrations with `casebook init-db`:
   once, for all engines. Makes an editor with an API token (services).
2. Then for each engine of --engines in turn (CASEBOOK_SEARCH_ENGINE=<engine>, its own index
   folder index-<engine>): builds the index with `casebook reindex` (timed), as an operator would,
   and starts gunicorn with casebook/gunicorn_conf.py (--workers, default 4) on a free loopback port.
3. Client threads send, for --seconds (default 60, after a short warm-up that is not counted),
   a mix of searches, facet clicks, case pages, API searches and curator edits (PATCH of a case's
   summary with If-Match, each thread editing its own cases so no edit may conflict). Every engine
   gets the same clients, mix and seed.
4. Reports per engine throughput and p50/p95/p99 latency per kind, every failed request (any status
   other than the expected one, or a connection error: there must be none), and whether an edit was
   lost: each edited case's last summary must be in the database and in the API, and its last marker
   word must find it through search on every worker while the previous marker no longer does;
   `casebook check-index` must be clean. Then, with both engines, a comparison: requests per second
   and p50/p95 per kind and overall, with the ratios tantivy ÷ whoosh (aim: tantivy ≥ 2× the
   throughput measured before this change at 8 clients on 2 cores). Writes bench-results/load.json
   ({"engines": {"whoosh": {…}, "tantivy": {…}}} and the run's facts).

    .venv/bin/python benchmarks/load.py [--engines whoosh,tantivy] [--cases 10000] [--seconds 60] [--clients 8]
                                        [--workers 4] [--database-url postgresql+psycopg://…] [--workdir DIR]
With --workdir, the database there and each engine's index there are reused when present.
Exits 1 when, on any engine, a request failed, an edit was lost or check-index was not clean.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _p in (str(ROOT), str(HERE)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import bench_search  # noqa: E402  (benchmarks/bench_search.py: corpus insertion and percentiles)
import corpus  # noqa: E402
import engines  # noqa: E402  (benchmarks/engines.py: the engines' names)

BIN = Path(sys.executable).parent
MIX = {"search": 35, "facet": 25, "case": 28, "api_search": 7, "edit": 5}
BANDS = ("0-5000", "5000-10000", "10000-20000", "20000-50000", "50000-100000", "100000-200000", "200000-500000",
         "500000-")
KINDS = ("city", "town", "village", "designated_city", "special_ward", "prefecture")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the data -------------------------------------------------------------------------------

def database(options, workdir: Path) -> tuple[str, str | None]:
    """The URL to load into, and the PostgreSQL schema made for it (None for SQLite)."""
    if not options.database_url:
        return f"sqlite:///{workdir / 'cases.sqlite'}", None
    from sqlalchemy import create_engine, text

    schema = f"load_{uuid.uuid4().hex[:10]}"
    admin = create_engine(options.database_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    sep = "&" if "?" in options.database_url else "?"
    return f"{options.database_url}{sep}options=-csearch_path%3D{schema}", schema


def drop_schema(url: str, schema: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def casebook(environ: dict[str, str], *args: str) -> str:
    """Run a `casebook` command as an operator would; its output, or exit on failure."""
    done = subprocess.run([str(BIN / "casebook"), *args], env=environ, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"casebook {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip()


def prepare(options, url: str, environ: dict[str, str]) -> dict:
    """Generate and insert the corpus, migrate; returns timings (each engine indexes it: reindex)."""
    from sqlalchemy import text

    from casebook.db import init_db, make_engine

    started = time.perf_counter()
    cases = corpus.generate(options.cases, options.seed)
    engine = make_engine(url)
    init_db(engine)
    bench_search.insert_corpus(engine, cases)
    if engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
        with engine.begin() as connection:
            for table in ("case", "participant", "effect"):
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                                        f"(SELECT max(id) FROM \"{table}\"))"))
    engine.dispose()
    inserted_s = time.perf_counter() - started
    log(f"  {options.cases:,} cases generated and inserted in {inserted_s:.1f} s")
    log(f"  {casebook(environ, 'init-db')}")
    return {"insert_s": round(inserted_s, 1)}


def reindex(name: str, environ: dict[str, str], reuse: bool) -> float | None:
    """Build the engine's index with `casebook reindex`; its seconds, or None when a built one is reused."""
    if reuse and engines.open_index(name, Path(environ["CASEBOOK_SEARCH_INDEX_DIR"])).exists():
        log(f"  {name}: index reused")
        return None
    started = time.perf_counter()
    log(f"  {casebook(environ, 'reindex')}")
    return round(time.perf_counter() - started, 1)


def editor_token(url: str, environ: dict[str, str]) -> str:
    """An editor account and its API token, made through the services."""
    from sqlmodel import Session

    from casebook import create_app
    from casebook.db import get_engine
    from casebook.services import tokens, users

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": environ["CASEBOOK_SECRET_KEY"],
                      "SEARCH_INDEX_DIR": environ["CASEBOOK_SEARCH_INDEX_DIR"],
                      "SEARCH_ENGINE": environ["CASEBOOK_SEARCH_ENGINE"]})
    with app.app_context(), Session(get_engine(app)) as session:
        editor = users.create_user(session, f"load-{uuid.uuid4().hex[:8]}@example.jp", secrets.token_urlsafe(16),
                                   "editor", "負荷試験")
        _token, plain = tokens.create_token(session, editor, "load test")
    get_engine(app).dispose()
    return plain


def published_slugs(url: str) -> list[str]:
    from sqlalchemy import text

    from casebook.db import make_engine

    engine = make_engine(url)
    with engine.connect() as connection:
        slugs = [row[0] for row in connection.execute(
            text("SELECT slug FROM \"case\" WHERE status = 'published' ORDER BY id"))]
    engine.dispose()
    return slugs


# --- the server -----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(environ: dict[str, str], log_path: Path) -> subprocess.Popen:
    with log_path.open("wb") as stderr:
        server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "python:casebook.gunicorn_conf"], cwd=ROOT,
                                  env=environ, stdout=subprocess.DEVNULL, stderr=stderr)
    port = int(environ["CASEBOOK_BIND"].rsplit(":", 1)[1])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped:\n{log_path.read_text()[-3000:]}")
        try:
            if fetch(port, "GET", "/api/v1/cases?size=1")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def fetch(port: int, method: str, path: str, body: dict | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request on a new connection (sync workers close each one); status, headers, body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        payload = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        sent = {**(headers or {}), **({"Content-Type": "application/json"} if payload else {})}
        connection.request(method, path, body=payload, headers=sent)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


# --- the traffic ----------------------------------------------------------------------------

def marker(run: str, client: int, seq: int) -> str:
    """A word found nowhere else: letters only, so the analyser keeps it as one term."""
    letters = []
    for _ in range(4):
        seq, r = divmod(seq, 26)
        letters.append(string.ascii_lowercase[r])
    return f"lt{run}{string.ascii_lowercase[client % 26]}{''.join(letters)}"


class Client(threading.Thread):
    """One simulated user: a weighted random mix of requests until the deadline."""

    def __init__(self, number: int, options, port: int, token: str, slugs: list[str], targets: list[str],
                 run: str, start: float, warm_until: float, deadline: float) -> None:
        super().__init__(daemon=True)
        self.number, self.port, self.token, self.slugs, self.targets = number, port, token, slugs, targets
        self.run_tag = run
        self.start_at, self.warm_until, self.deadline = start, warm_until, deadline
        self.rng = random.Random(options.seed * 100 + number)
        self.samples: list[tuple[str, float, bool]] = []  # kind, ms, counted (after warm-up)
        self.failures: list[dict] = []
        self.edits: dict[str, dict] = {}  # slug -> etag, base summary, markers, expected summary
        self.seq = 0

    def request(self, kind: str, method: str, path: str, expect: int = 200, **kw) -> tuple[int, dict, bytes] | None:
        started = time.perf_counter()
        try:
            status, headers, body = fetch(self.port, method, path, **kw)
        except OSError as exc:
            self.failures.append({"kind": kind, "path": path, "error": repr(exc)})
            return None
        finished = time.perf_counter()
        self.samples.append((kind, (finished - started) * 1000, started >= self.warm_until))
        if status != expect:
            self.failures.append({"kind": kind, "path": path, "status": status, "body": body[:300].decode(errors="replace")})
            return None
        return status, headers, body

    def search_args(self, facets: int) -> dict[str, str]:
        rng = self.rng
        args = {"q": rng.choice(bench_search.JUDGED_QUERIES)} if rng.random() < 0.8 or not facets else {}
        for name in rng.sample(["theme", "band", "region", "kind", "year"], facets):
            args[name] = {"theme": lambda: rng.choice(corpus.THEMES), "band": lambda: rng.choice(BANDS),
                          "region": lambda: rng.choice(bench_search.REGION_NAMES), "kind": lambda: rng.choice(KINDS),
                          "year": lambda: str(rng.randint(2005, 2024))}[name]()
        if rng.random() < 0.2:
            args["sort"] = rng.choice(bench_search.SORTS)
        return args

    def edit(self) -> None:
        slug = self.targets[self.seq % len(self.targets)]
        auth = {"Authorization": f"Bearer {self.token}"}
        state = self.edits.get(slug)
        if state is None:
            got = self.request("edit_read", "GET", f"/api/v1/cases/{slug}", headers=auth)
            if got is None:
                return
            state = self.edits[slug] = {"etag": got[1]["etag"], "base": json.loads(got[2])["summary"][:1800],
                                        "markers": [], "expected": None}
        word = marker(self.run_tag, self.number, self.seq)
        self.seq += 1
        summary = f"{state['base']} 負荷試験の編集 {word}"
        got = self.request("edit", "PATCH", f"/api/v1/cases/{slug}", body={"summary": summary},
                           headers={**auth, "If-Match": state["etag"]})
        if got is not None:
            state.update(etag=got[1]["etag"], expected=summary)
            state["markers"].append(word)

    def run(self) -> None:
        try:
            self.traffic()
        except Exception as exc:  # a broken client must fail the run, not shrink it silently
            self.failures.append({"kind": "client", "error": repr(exc)})

    def traffic(self) -> None:
        kinds, weights = list(MIX), list(MIX.values())
        while time.perf_counter() < self.start_at:
            time.sleep(0.01)
        while time.perf_counter() < self.deadline:
            kind = self.rng.choices(kinds, weights)[0]
            if kind == "search":
                self.request(kind, "GET", "/cases?" + urlencode(self.search_args(0)))
            elif kind == "facet":
                self.request(kind, "GET", "/cases?" + urlencode(self.search_args(self.rng.randint(1, 2))))
            elif kind == "case":
                self.request(kind, "GET", f"/cases/{quote(self.rng.choice(self.slugs))}")
            elif kind == "api_search":
                self.request(kind, "GET", "/api/v1/cases?" + urlencode(self.search_args(self.rng.randint(0, 1))))
            elif self.targets:
                self.edit()


# --- after the run --------------------------------------------------------------------------

def verify_edits(port: int, url: str, token: str, edits: dict[str, dict], workers: int) -> dict:
    """Every edit's last summary in the database and the API; its marker found by search on every
    worker (asked several times; the accept queue spreads them), the previous marker gone."""
    from sqlalchemy import bindparam, text

    from casebook.db import make_engine

    edited = {slug: s for slug, s in edits.items() if s["expected"] is not None}
    engine = make_engine(url)
    query = text('SELECT slug, summary FROM "case" WHERE slug IN :slugs').bindparams(bindparam("slugs", expanding=True))
    with engine.connect() as connection:
        stored = dict(connection.execute(query, {"slugs": list(edited)}).all())
    engine.dispose()
    lost_db = sorted(slug for slug, s in edited.items() if stored.get(slug) != s["expected"])
    auth = {"Authorization": f"Bearer {token}"}
    lost_api = sorted(slug for slug, s in edited.items()
                      if json.loads(fetch(port, "GET", f"/api/v1/cases/{slug}", headers=auth)[2])["summary"] != s["expected"])

    def found(word: str) -> set[str]:
        # Quoted: the word as typed. Unquoted, an old marker that finds nothing is searched as its
        # nearest indexed word, which is the next marker (one letter apart), and the API says so in
        # `instead`: that is not the old marker still found.
        status, _h, body = fetch(port, "GET", "/api/v1/cases?" + urlencode({"q": f'"{word}"', "size": 100}))
        if status != 200 or json.loads(body).get("instead"):
            return set()
        return {r["slug"] for r in json.loads(body)["results"]}

    started = time.perf_counter()
    missing, stale = set(edited), set()
    while True:
        missing = {slug for slug in missing
                   if not all(slug in found(edited[slug]["markers"][-1]) for _ in range(workers))}
        stale = {slug for slug, s in edited.items() if len(s["markers"]) > 1
                 and any(slug in found(s["markers"][-2]) for _ in range(workers))}
        if (not missing and not stale) or time.perf_counter() - started > 10:
            break
        time.sleep(1)
    return {"edits": sum(len(s["markers"]) for s in edited.values()), "cases_edited": len(edited),
            "lost_in_database": lost_db, "lost_in_api": lost_api, "missing_in_search": sorted(missing),
            "stale_in_search": sorted(stale), "search_checked_s": round(time.perf_counter() - started, 1)}


def server_lines(log_path: Path) -> dict:
    lines = []
    for line in log_path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except ValueError:
                pass
    return {"request_lines": len(lines), "server_errors": sum(1 for line in lines if line.get("status", 0) >= 500),
            "server_duration_ms": bench_search.summary([line["duration_ms"] for line in lines
                                                        if line.get("duration_ms") is not None])}


def engine_environ(base: dict[str, str], name: str, workdir: Path) -> dict[str, str]:
    """The environment of one engine's commands and server: its engine, its own index folder, a free port."""
    return {**base, "CASEBOOK_SEARCH_ENGINE": name, "CASEBOOK_SEARCH_INDEX_DIR": str(workdir / f"index-{name}"),
            "CASEBOOK_BIND": f"127.0.0.1:{free_port()}"}


def run_engine(name: str, options, environ: dict[str, str], log_path: Path, reuse: bool, token: str,
               slugs: list[str], pool: list[str]) -> dict:
    """One engine's part of the run: index, serve, load, verify, stop; its results."""
    log(f"[{name}] casebook reindex…")
    reindex_s = reindex(name, environ, reuse)
    port = int(environ["CASEBOOK_BIND"].rsplit(":", 1)[1])
    server = None
    try:
        log(f"[{name}] gunicorn, {options.workers} workers on 127.0.0.1:{port}…")
        server = start_server(environ, log_path)
        # marker words of their own in each engine's run: the database keeps earlier runs' markers
        run = "".join(secrets.choice(string.ascii_lowercase) for _ in range(3))
        start = time.perf_counter() + 0.2
        warm_until, deadline = start + options.warmup, start + options.warmup + options.seconds
        clients = [Client(i, options, port, token, slugs, pool[i::options.clients], run, start, warm_until, deadline)
                   for i in range(options.clients)]
        log(f"[{name}] {options.clients} clients, {options.warmup:.0f} s warm-up + {options.seconds:.0f} s measured…")
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        log(f"[{name}] edits in the database, the API and search; check-index…")
        edits = {slug: state for client in clients for slug, state in client.edits.items()}
        edit_check = verify_edits(port, environ["CASEBOOK_DATABASE_URL"], token, edits, options.workers)
        checked = subprocess.run([str(BIN / "casebook"), "check-index"], env=environ, cwd=ROOT, capture_output=True,
                                 text=True)
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()

    counted = [(kind, ms) for client in clients for kind, ms, on in client.samples if on]
    failures = [f for client in clients for f in client.failures]

    def stats(values: list[float]) -> dict:
        return {**bench_search.summary(values), "per_s": round(len(values) / options.seconds, 1)}

    return {
        "reindex_s": reindex_s, "index_reused": reindex_s is None,
        "kinds": {kind: stats([ms for k, ms in counted if k == kind]) for kind in (*MIX, "edit_read")
                  if any(k == kind for k, _ in counted)},
        "all": stats([ms for _k, ms in counted]),
        "failed": len(failures), "failures": failures[:20],
        "edit_check": edit_check,
        "check_index_clean": checked.returncode == 0, "check_index_output": checked.stdout.strip()[-500:],
        "server": server_lines(log_path),
    }


def bad(r: dict) -> bool:
    """A failed request, a lost edit or an unclean check-index in one engine's results."""
    e = r["edit_check"]
    lost = e["lost_in_database"] or e["lost_in_api"] or e["missing_in_search"] or e["stale_in_search"]
    return bool(r["failed"] or lost or not r["check_index_clean"])


def report(result: dict, name: str, r: dict) -> None:
    print()
    indexed = "index reused" if r["reindex_s"] is None else f"reindex {r['reindex_s']} s"
    print(f"Load on {name}: {result['cases']:,} cases, gunicorn {result['workers']} workers, {result['clients']} "
          f"clients, {result['seconds']} s measured ({result['cpus']} cores, {result['database']}; {indexed})")
    print(f"{'kind':<12} {'requests':>9} {'per s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind, s in {**r["kinds"], "all": r["all"]}.items():
        print(f"{kind:<12} {s['n']:>9} {s['per_s']:>7} {s['p50']:>8} {s['p95']:>8} {s['p99']:>8} {s['max']:>8}")
    e = r["edit_check"]
    print(f"failed requests: {r['failed']}   server 5xx lines: {r['server']['server_errors']}")
    print(f"edits: {e['edits']} on {e['cases_edited']} cases; lost in database {len(e['lost_in_database'])}, "
          f"in API {len(e['lost_in_api'])}, missing in search {len(e['missing_in_search'])}, stale in search "
          f"{len(e['stale_in_search'])}; check-index clean: {r['check_index_clean']}")


def compare(by_engine: dict[str, dict]) -> None:
    """Both engines per kind and overall: requests per second, p50 and p95, and tantivy ÷ whoosh."""
    if not {"whoosh", "tantivy"} <= by_engine.keys():
        return
    w, t = by_engine["whoosh"], by_engine["tantivy"]

    def ratio(a: float, b: float) -> str:
        return f"{b / a:.2f}×" if a else "-"

    print()
    print("Engines side by side (ratio: tantivy ÷ whoosh; the same cases, clients, mix and seed)")
    print("aim: tantivy ≥ 2× the throughput measured before this change at 8 clients on 2 cores")
    print(f"{'':<12} {'requests per s':^25} {'p50 ms':^17} {'p95 ms':^25}".rstrip())
    print(f"{'kind':<12} {'whoosh':>8} {'tantivy':>8} {'ratio':>7} {'whoosh':>8} {'tantivy':>8} "
          f"{'whoosh':>8} {'tantivy':>8} {'ratio':>7}")
    kinds = [k for k in w["kinds"] if k in t["kinds"]]
    for kind, a, b in [(k, w["kinds"][k], t["kinds"][k]) for k in kinds] + [("all", w["all"], t["all"])]:
        print(f"{kind:<12} {a['per_s']:>8} {b['per_s']:>8} {ratio(a['per_s'], b['per_s']):>7} {a['p50']:>8} "
              f"{b['p50']:>8} {a['p95']:>8} {b['p95']:>8} {ratio(a['p95'], b['p95']):>7}")
    if w["reindex_s"] is not None and t["reindex_s"] is not None:
        print(f"reindex s    {w['reindex_s']:>8} {t['reindex_s']:>8} {ratio(w['reindex_s'], t['reindex_s']):>7}")


def main() -> int:
    parser = argparse.ArgumentParser(description="Load test: gunicorn under mixed traffic on loopback, per engine.")
    parser.add_argument("--engines", default=",".join(engines.ENGINES),
                        help=f"comma-separated search engines to load in turn (default {','.join(engines.ENGINES)})")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=60.0, help="measured duration (default 60)")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of traffic before measuring (default 5)")
    parser.add_argument("--clients", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--database-url", help="PostgreSQL URL: load into a temporary schema there (default SQLite)")
    parser.add_argument("--edit-share", type=int, default=MIX["edit"], help=f"edits per 100 requests (default {MIX['edit']})")
    parser.add_argument("--workdir", help="folder for the SQLite database and indexes, kept; reused when it holds them")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (and schema)")
    parser.add_argument("--out", default=str(ROOT / "bench-results" / "load.json"))
    options = parser.parse_args()
    names = list(dict.fromkeys(e.strip() for e in options.engines.split(",") if e.strip()))
    unknown = [e for e in names if e not in engines.ENGINES]
    if unknown or not names:
        parser.error(f"unknown engines: {', '.join(unknown)} (known: {', '.join(engines.ENGINES)})" if unknown
                     else f"no engine given (known: {', '.join(engines.ENGINES)})")
    if not corpus.MASTER.is_file():
        log(f"the municipality list is needed for realistic participants: {corpus.MASTER}")
        return 2

    MIX["edit"] = options.edit_share
    workdir = Path(options.workdir or tempfile.mkdtemp(prefix="casebook-load-"))
    workdir.mkdir(parents=True, exist_ok=True)
    reuse = bool(options.workdir) and not options.database_url and (workdir / "cases.sqlite").is_file()
    options.keep = options.keep or bool(options.workdir)
    url, schema = database(options, workdir)
    base = {k: v for k, v in os.environ.items() if not k.startswith("CASEBOOK_")}
    base.update(CASEBOOK_DATABASE_URL=url, CASEBOOK_SECRET_KEY=secrets.token_hex(32),
                CASEBOOK_WORKERS=str(options.workers),
                # one token does every edit and one address every read: the per-client limits
                # would be the bottleneck, not the app (empty: no limit)
                CASEBOOK_API_RATE_LIMIT="", CASEBOOK_HTML_RATE_LIMIT="", CASEBOOK_PDF_RATE_LIMIT="")
    first = engine_environ(base, names[0], workdir)
    log(f"[prepare] {options.cases:,} cases into {'PostgreSQL schema ' + schema if schema else 'SQLite'}…")
    prepared = {"reused": str(workdir)} if reuse else prepare(options, url, first)
    token = editor_token(url, first)
    slugs = published_slugs(url)
    rng = random.Random(options.seed)
    pool = rng.sample(slugs, min(len(slugs), 5 * options.clients))  # few, so each is edited again and again
    by_engine = {name: run_engine(name, options, engine_environ(base, name, workdir), workdir / f"server-{name}.log",
                                  reuse, token, slugs, pool) for name in names}

    result = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"), "cpus": os.cpu_count(), "python": platform.python_version(),
        "cases": options.cases, "workers": options.workers, "clients": options.clients,
        "seconds": options.seconds, "warmup_s": options.warmup, "mix": MIX, "seed": options.seed,
        "database": "postgresql" if schema else "sqlite", **prepared,
        "engines": by_engine,
    }
    for name, r in by_engine.items():
        report(result, name, r)
    compare(by_engine)
    target = Path(options.out)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"\nwritten: {target}")
    if options.keep:
        log(f"kept {workdir}" + (f" and schema {schema}" if schema else ""))
    else:
        shutil.rmtree(workdir, ignore_errors=True)
        if schema:
            drop_schema(options.database_url, schema)
    return 1 if any(bad(r) for r in by_engine.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
