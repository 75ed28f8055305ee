"""Issue 14.1: optimistic locking that holds under concurrency (a real threaded server, SQLite and PostgreSQL).

Many clients PATCH one case at once, each naming the version it read. Every acknowledged
write must be in the history under the version it was acknowledged with, no version may be
acknowledged twice, and the case's rows must not be duplicated by the race.
"""
from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

from sqlmodel import Session, select
from werkzeug.serving import make_server

from casebook import search
from casebook.db import get_engine
from casebook.errors import Conflict
from casebook.models import Case, Effect, Participant, Revision, User
from casebook.services import cases, tokens, users

from . import writes

PASSWORD = "correct-horse-battery"
SLUG = "kochi-madoguchi-itaku"
THREADS = 8
SECONDS = 4.0


class Served:
    """The app on a free loopback port, with a thread per request, until `close`."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def request(self, method: str, path: str, headers: dict, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={**headers, **({"Content-Type": "application/json"} if data else {})})
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                return response.status, dict(response.headers), _body(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), _body(exc.read())

    def close(self):
        self.server.shutdown()
        self.thread.join()


def _body(raw: bytes):
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return raw[:200]


def editor_token(app) -> str:
    with app.app_context(), Session(get_engine(app)) as db:
        user = users.create_user(db, "editor@example.jp", PASSWORD, "editor")
        return tokens.create_token(db, user, "stress")[1]


def history(app) -> tuple[Case, list[Revision], list[Participant], list[Effect]]:
    with app.app_context(), Session(get_engine(app)) as db:
        case = db.exec(select(Case).where(Case.slug == SLUG)).one()
        revisions = list(db.exec(select(Revision).where(Revision.case_id == case.id).order_by(Revision.number)))
        participants = list(db.exec(select(Participant).where(Participant.case_id == case.id)))
        effects = list(db.exec(select(Effect).where(Effect.case_id == case.id)))
        return case, revisions, participants, effects


def test_concurrent_patches_never_lose_an_acknowledged_write(loaded_app):
    app = loaded_app
    app.config["API_RATE_LIMIT"] = "100000/minute"
    headers = {"Authorization": f"Bearer {editor_token(app)}"}
    _case, _revisions, participants_before, effects_before = history(app)
    served = Served(app)
    acknowledged: list[tuple[int, str]] = []   # (version acknowledged, the summary written)
    refused = Counter()
    failures: list[str] = []
    start = threading.Barrier(THREADS)

    def client(n: int) -> None:
        start.wait()
        deadline = time.monotonic() + SECONDS
        i = 0
        while time.monotonic() < deadline:
            status, head, _body = served.request("GET", f"/api/v1/cases/{SLUG}", headers)
            if status != 200:
                failures.append(f"GET {status}")
                continue
            summary = f"スレッド{n}の書き込み{i}"
            i += 1
            status, head, body = served.request("PATCH", f"/api/v1/cases/{SLUG}",
                                                {**headers, "If-Match": head["ETag"]}, {"summary": summary})
            if status == 200:
                acknowledged.append((int(head["ETag"].strip('"')), summary))
            elif status == 412:
                refused[status] += 1
            else:
                failures.append(f"PATCH {status}: {body}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    served.close()

    assert failures == []
    assert len(acknowledged) >= 5 and refused[412] >= 1  # the clients did race
    versions = [v for v, _s in acknowledged]
    assert len(versions) == len(set(versions)), "two writes acknowledged on one version"
    case, revisions, participants, effects = history(app)
    numbers = [r.number for r in revisions]
    assert len(numbers) == len(set(numbers))
    by_number = {r.number: r.content["summary"] for r in revisions}
    for version, summary in acknowledged:
        assert by_number.get(version) == summary, f"acknowledged write {version} lost"
    assert case.version == max(versions) == numbers[-1]
    # no rows multiplied by the race
    assert len(participants) == len(participants_before) and len(effects) == len(effects_before)
    assert sorted(p.position for p in participants) == list(range(len(participants)))
    # and the case can still be saved
    with app.test_client() as http:
        etag = http.get(f"/api/v1/cases/{SLUG}", headers=headers).headers["ETag"]
        later = http.patch(f"/api/v1/cases/{SLUG}", json={"summary": "最後の書き込み"},
                           headers={**headers, "If-Match": etag})
        assert later.status_code == 200, later.get_data(as_text=True)
    with app.app_context(), Session(get_engine(app)) as db:
        assert search.check_index(db, search.get_index(app)).clean


def test_two_saves_on_one_version_one_wins_the_other_conflicts(loaded_app, monkeypatch):
    """The editor's path (save_case), both saves past the early version check at the same moment."""
    app = loaded_app
    with app.app_context(), Session(get_engine(app)) as db:
        base = cases.case_data(cases.get_case(db, SLUG))
        version = cases.get_case(db, SLUG).version
    results: list[str] = []
    ready = threading.Barrier(2)
    real_claim = cases.claim_version

    def slow_claim(session, case, expected):
        ready.wait()  # both have read the case and passed the early check
        real_claim(session, case, expected)

    def save(summary: str) -> None:
        with app.app_context(), Session(get_engine(app), expire_on_commit=False) as db:
            try:
                writes.save(db, search.get_index(app), {**base, "summary": summary}, expected_version=version)
                results.append("saved")
            except Conflict as exc:
                assert exc.current.version == version + 1
                results.append("conflict")

    monkeypatch.setattr(cases, "claim_version", slow_claim)
    threads = [threading.Thread(target=save, args=(f"同時保存{n}",)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict", "saved"]
    case, revisions, participants, _effects = history(app)
    assert case.version == version + 1
    assert [r.number for r in revisions][-1] == version + 1 and len(revisions) == len({r.number for r in revisions})
    assert revisions[-1].content["summary"] == case.summary


def test_a_transition_racing_a_save_is_refused(loaded_app):
    """Publishing on a version that a save has just replaced raises Conflict, not a second version 2."""
    app = loaded_app
    with app.app_context(), Session(get_engine(app), expire_on_commit=False) as db:
        editor = users.create_user(db, "editor2@example.jp", PASSWORD, "editor")
        stale = cases.get_case(db, SLUG)
        version = stale.version
        with Session(get_engine(app)) as other:
            data = cases.case_data(cases.get_case(other, SLUG))
            writes.save(other, search.get_index(app), {**data, "summary": "先に保存"},
                            expected_version=version)
        user = db.get(User, editor.id)
        try:
            cases.claim_version(db, stale, version)
        except Conflict as exc:
            assert exc.current.version == version + 1
        else:
            raise AssertionError("a stale version was claimed")
        # the workflow itself re-reads and moves on from the current version
        moved = writes.transition(db, search.get_index(app), SLUG, "archive", user)
        assert moved.version == version + 2


def test_racing_creates_of_one_slug_give_one_case_and_409s(loaded_app):
    app = loaded_app
    app.config["API_RATE_LIMIT"] = "100000/minute"
    headers = {"Authorization": f"Bearer {editor_token(app)}"}
    with app.app_context(), Session(get_engine(app)) as db:
        body = cases.content_json({**cases.case_data(cases.get_case(db, SLUG)), "slug": "race-created"})
    body.pop("status")
    served = Served(app)
    statuses: list[int] = []
    start = threading.Barrier(6)

    def create() -> None:
        start.wait()
        statuses.append(served.request("POST", "/api/v1/cases", headers, body)[0])

    threads = [threading.Thread(target=create) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    served.close()
    assert sorted(statuses) == [201] + [409] * 5
    with app.app_context(), Session(get_engine(app)) as db:
        case = db.exec(select(Case).where(Case.slug == "race-created")).one()
        assert [r.number for r in db.exec(select(Revision).where(Revision.case_id == case.id))] == [1]
