"""`make bench-freshness`: how long an edit on one server takes to become searchable on another.

Two app instances share one database (a temporary SQLite file, or a temporary schema of the
PostgreSQL database named by --database-url) and each keeps its own index directory, as two
servers behind a load balancer would. Instance A holds the bundled cases; B polls for changes
every --poll seconds (the production default, 2). For each of --edits edits, made through A's
JSON API at a random moment of B's poll cycle, two delays are measured from A's answer:

- poll: until B's background thread has applied the change (no search on B meanwhile);
- search: until a search on B finds the new title, searching every 50 ms (a search first
  catches up when B is behind, checked at most every 0.5 s), on a fresh edit.

Prints p50/p95/max of both and writes bench-results/freshness.json.

    .venv/bin/python benchmarks/freshness.py [--edits 20] [--poll 2] [--database-url postgresql+psycopg://…]
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _p in (str(ROOT), str(HERE)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import bench_search  # noqa: E402  (percentiles)
import load  # noqa: E402  (temporary PostgreSQL schemas)

SLUG = "kochi-madoguchi-itaku"
PASSWORD = "bench-" + uuid.uuid4().hex


def make_app(database_url: str, folder: Path, poll: float):
    from casebook import create_app

    return create_app({"TESTING": True, "SECRET_KEY": uuid.uuid4().hex * 2, "DATABASE_URL": database_url,
                       "SEARCH_INDEX_DIR": str(folder / "index"), "INDEX_POLL_SECONDS": poll,
                       "API_RATE_LIMIT": "100000/minute"})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--poll", type=float, default=2.0, help="B's INDEX_POLL_SECONDS (default 2)")
    parser.add_argument("--database-url", help="PostgreSQL URL: use a temporary schema there (default SQLite)")
    parser.add_argument("--out", default=str(ROOT / "bench-results" / "freshness.json"))
    options = parser.parse_args()

    from sqlmodel import Session

    from casebook import search
    from casebook.db import get_engine, init_db
    from casebook.search import changes
    from casebook.services import loader, tokens, users
    from casebook.services.unit import unit_of_work

    workdir = Path(tempfile.mkdtemp(prefix="casebook-freshness-"))  # removed at the end
    database_url, schema = load.database(options, workdir)
    a = make_app(database_url, workdir / "a", 0)
    b = make_app(database_url, workdir / "b", options.poll)
    try:
        init_db(get_engine(a))
        with Session(get_engine(a)) as db:
            with unit_of_work(db, search.get_index(a)) as work:
                loader.load_cases(work, [ROOT / "cases"])
            editor = users.create_user(db, "bench@example.jp", PASSWORD, "editor")
            _token, plain = tokens.create_token(db, editor, "bench")
        headers = {"Authorization": f"Bearer {plain}"}
        client_a, client_b = a.test_client(), b.test_client()
        client_b.get("/healthz")  # B's first request starts its thread, which builds B's index

        def latest() -> int:
            with Session(get_engine(a)) as db:
                return changes.latest(db)

        def wait(condition, step: float, limit: float = 30.0) -> float:
            started = time.monotonic()
            while not condition():
                if time.monotonic() - started > limit:
                    raise SystemExit("no catch-up within 30 s")
                time.sleep(step)
            return time.monotonic() - started

        wait(lambda: search.get_index(b).applied() == latest(), 0.1)

        def edit(title: str) -> None:
            etag = client_a.get(f"/api/v1/cases/{SLUG}", headers=headers).headers["ETag"]
            response = client_a.patch(f"/api/v1/cases/{SLUG}", json={"title": title},
                                      headers={**headers, "If-Match": etag})
            assert response.status_code == 200, response.get_data(as_text=True)

        def found(title: str) -> bool:
            body = client_b.get("/api/v1/cases", query_string={"q": title}).get_json()
            return SLUG in [r["slug"] for r in body["results"]]

        rng = random.Random(1)
        poll_s, search_s = [], []
        for n in range(options.edits):
            time.sleep(rng.uniform(0, options.poll))  # a random moment of B's poll cycle
            edit(f"巡回試験{n}号の題名")
            poll_s.append(wait(lambda: search.get_index(b).applied() == latest(), 0.01))
            time.sleep(rng.uniform(0, options.poll))
            title = f"検索試験{n}号の題名"
            edit(title)
            search_s.append(wait(lambda t=title: found(t), 0.05))
        search.get_keeper(b).stop()
    finally:
        for app in (a, b):
            get_engine(app).dispose()
        if schema:
            load.drop_schema(options.database_url, schema)
        shutil.rmtree(workdir, ignore_errors=True)

    result = {"database": "postgresql" if schema else "sqlite", "poll_seconds": options.poll, "edits": options.edits,
              "poll": bench_search.summary([s * 1000 for s in poll_s]),
              "search": bench_search.summary([s * 1000 for s in search_s])}
    print(f"Edit on A to searchable on B ({result['database']}, B polls every {options.poll:g} s, "
          f"{options.edits} edits each way)")
    for kind, label in (("poll", "B's poll alone"), ("search", "searching B every 50 ms")):
        r = result[kind]
        print(f"  {label:24} p50 {r['p50'] / 1000:.2f} s   p95 {r['p95'] / 1000:.2f} s   max {r['max'] / 1000:.2f} s")
    out = Path(options.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"written: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
