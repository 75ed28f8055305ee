"""Issue 14: imports within bounds — bombs refused quickly and clearly, and limits on participants and effects.

Every bomb runs under `bounded()`: with the fix it is refused in well under a second; without
it the test fails on the time or memory guard instead of taking the machine down.
"""
import io
import json
import re
import resource
import signal
import struct
import zipfile
import zlib
from contextlib import contextmanager

import pytest
from marshmallow import ValidationError
from sqlmodel import Session, select

from casebook import schemas
from casebook.db import get_engine
from casebook.errors import InvalidInput
from casebook.models import Case
from casebook.services import bulk, tabular, tokens, users

from . import writes
from .conftest import case_data, effect, login, participant, token
from .test_bulk import GOOD_ROWS, as_csv, as_xlsx, snapshot, table
from .test_curate import case_form

PARTICIPANT_LIMIT, EFFECT_LIMIT = 50, 50   # documented in the final report / README


class Overran(BaseException):
    """Raised by bounded(); a BaseException, so no `except Exception` (or OSError) in the code swallows it."""


@contextmanager
def bounded(seconds: float = 5.0, megabytes: int = 600):
    """Fail the test (Overran, MemoryError) when the code inside runs long or allocates far too much."""
    page = resource.getpagesize()
    with open("/proc/self/statm") as statm:
        used = int(statm.read().split()[0]) * page
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = used + megabytes * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)

    def timeout(_signum, _frame):
        raise Overran(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, timeout)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.fixture
def db(loaded_app):
    with Session(get_engine(loaded_app), expire_on_commit=False) as session:
        yield session


def refused(db, data: bytes, name: str) -> str:
    """Plan an import that must be refused as a whole; return its message and reasons as one text."""
    before = snapshot(db)
    with bounded(), pytest.raises(InvalidInput) as caught:
        bulk.plan_import(db, data, name, None)
    assert snapshot(db) == before
    return caught.value.message + " " + " ".join(f"{w}: {m}" for w, m in caught.value.errors)


# --- crafted files -------------------------------------------------------------------------

BILLION_LAUGHS = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{n}: &{n} [{','.join([f'*{p}'] * 9)}]" for p, n in zip("abcdefgh", "bcdefghi", strict=True)]
    + ["slug: bomb", "title: x", "themes: [outsourcing]", "participants: *i"]).encode()


def deep_yaml(depth: int) -> bytes:
    return b"slug: deep\ntitle: x\nthemes: " + b"[" * depth + b"]" * depth + b"\n"


def deep_json(depth: int) -> bytes:
    return b'{"slug": "deep", "title": "x", "themes": ' + b"[" * depth + b"]" * depth + b"}"


def _deflate(body: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(body) + c.flush()


def zipped(members: dict[str, bytes | tuple[bytes, int, int]]) -> bytes:
    """A zip of deflated members; a member may be given already deflated as (deflate data, crc, size)."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, body in members.items():
        raw, crc, size = body if isinstance(body, tuple) else (_deflate(body), zlib.crc32(body), len(body))
        offset, encoded = out.tell(), name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(raw), size, len(encoded), 0))
        out.write(encoded + raw)
        central.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(raw), size,
                                  len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    out.write(central.getvalue())
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central.getvalue()),
                          start, 0))
    return out.getvalue()


def workbook_parts(grid) -> dict[str, bytes]:
    """The parts of a small workbook as openpyxl writes it, for a test to change."""
    with zipfile.ZipFile(io.BytesIO(as_xlsx(grid))) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


SHEET = "xl/worksheets/sheet1.xml"


def with_rows(parts: dict[str, bytes], rows: int, dimension: str | None) -> bytes:
    """The workbook with its sheet replaced by a header row and `rows` one-cell rows (inline strings)."""
    head = parts[SHEET].split(b"<sheetData>")[0]
    head = re.sub(rb"<dimension [^>]*/>", b"" if dimension is None else f'<dimension ref="{dimension}"/>'.encode(),
                  head)
    body = [b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>slug</t></is></c></row>']
    body += [f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>s{i}</t></is></c></row>'.encode()
             for i in range(2, rows + 2)]
    return zipped({**parts, SHEET: head + b"".join(body) + b"</sheetData></worksheet>"})


@pytest.fixture(scope="module")
def whitespace_bomb() -> bytes:
    """About 1 MB of xlsx whose sheet declares (and holds) 1 GiB of blank space between its rows."""
    parts = workbook_parts([["事例ID (slug)"], ["a-case"]])
    head, tail = parts[SHEET].split(b"</sheetData>")
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b" " * (1 << 20)
    start = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)  # the same bytes each time after a full flush
    end = c.compress(b"</sheetData>" + tail) + c.flush()
    crc = zlib.crc32(head)
    for _ in range(1024):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(b"</sheetData>" + tail, crc)
    size = len(head) + 1024 * len(chunk) + len(b"</sheetData>" + tail)
    return zipped({**parts, SHEET: (start + block * 1024 + end, crc, size)})


# --- YAML ---------------------------------------------------------------------------------

def test_yaml_billion_laughs_is_refused(db):
    message = refused(db, BILLION_LAUGHS, "bomb.yaml")
    assert "別名" in message and "2行目" in message


def test_deeply_nested_yaml_and_json_are_refused(db):
    assert "入れ子が深すぎます" in refused(db, deep_yaml(1000), "deep.yaml")
    assert "入れ子が深すぎます" in refused(db, deep_yaml(30), "deep.yaml")
    assert "入れ子が深すぎます" in refused(db, deep_json(100_000), "deep.json")
    assert "入れ子が深すぎます" in refused(db, deep_json(30), "deep.json")


@pytest.mark.parametrize(("data", "name", "words"), [
    (b"slug: a\nsource:\n  date: 2018-13-01\n", "x.yaml", "3行目"),
    (b"slug: a\nstart_fiscal_year: " + b"9" * 5000 + b"\n", "x.yaml", "2行目"),
    (b'{"slug": "a", "start_fiscal_year": ' + b"9" * 5000 + b"}", "x.json", "JSON"),
])
def test_unreadable_values_are_refused_not_500(db, data, name, words):
    assert words in refused(db, data, name)


@pytest.mark.parametrize(("content", "words"), [
    (BILLION_LAUGHS, "別名"), (deep_yaml(1000), "入れ子が深すぎます"), (b"slug: a\nsource: {date: 2018-13-01}\n", "2行目"),
])
def test_case_file_bombs_are_reported_and_not_written(session, index, tmp_path, content, words):
    path = tmp_path / "bomb.yaml"
    path.write_bytes(content)
    with bounded():
        report = writes.load(session, index, [path])
    assert report.created == 0 and len(report.errors) == 1 and report.errors[0][1] == "（ファイル）"
    assert words in report.errors[0][2]
    assert session.exec(select(Case)).all() == []


def test_case_files_are_written_without_aliases():
    shared = {"title": "", "publisher": "", "date": None, "url": ""}
    record = case_data(source=shared)
    record["event"] = record["source"]  # the same object twice would be written as an anchor and an alias
    assert "&" not in tabular.to_yaml(record) and "*" not in tabular.to_yaml(record)


# --- XLSX ---------------------------------------------------------------------------------

def test_xlsx_declaring_a_gibibyte_of_space_is_refused_unread(db, whitespace_bomb):
    assert len(whitespace_bomb) < 2 * 1024 * 1024
    message = refused(db, whitespace_bomb, "bomb.xlsx")
    assert "展開すると大きすぎます" in message and "xl/worksheets/sheet1.xml" in message


def test_xlsx_of_100000_rows_is_refused_before_reading_them(db):
    parts = workbook_parts([["事例ID (slug)"], ["a-case"]])
    with_dimension = with_rows(parts, 100_000, "A1:A100001")
    assert len(with_dimension) < 1024 * 1024
    assert "A1:A100001" in refused(db, with_dimension, "rows.xlsx")
    assert "行が多すぎます" in refused(db, with_rows(parts, 100_000, None), "rows.xlsx")
    # under the sheet's limit but over the import's: reading stops at the first row too many
    assert "5000行以下" in refused(db, with_rows(parts, 6_000, None), "rows.xlsx")


def test_xlsx_declaring_a_huge_range_is_refused(db):
    parts = workbook_parts([["事例ID (slug)"], ["a-case"]])
    parts[SHEET] = re.sub(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:XFD1048576"/>', parts[SHEET])
    assert "A1:XFD1048576" in refused(db, zipped(parts), "range.xlsx")


def test_xlsx_with_a_doctype_is_refused(db):
    parts = workbook_parts([["事例ID (slug)"], ["a-case"]])
    entities = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    parts[SHEET] = parts[SHEET].replace(b"<worksheet", entities + b"<worksheet", 1)
    assert "DOCTYPE" in refused(db, zipped(parts), "dtd.xlsx")


def test_xlsx_highly_compressed_shared_strings_are_refused(db):
    parts = workbook_parts([["事例ID (slug)"], ["a-case"]])
    parts["xl/sharedStrings.xml"] = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                     + b"<si><t>x</t></si>" * 400_000 + b"</sst>")
    assert "圧縮率" in refused(db, zipped(parts), "strings.xlsx")


@pytest.mark.parametrize(("data", "words"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "パスワード"),
    (zipped({"hello.txt": b"hi"}), "Excel"),
])
def test_files_that_are_not_xlsx_get_a_message(db, data, words):
    assert words in refused(db, data, "x.xlsx")


def test_csv_stops_at_the_row_limit(db):
    rows = [{"slug": f"row-{i}", "title": "x"} for i in range(bulk.MAX_ROWS + 1)]
    assert "5000行以下" in refused(db, as_csv(table(rows)), "rows.csv")


def test_web_upload_of_bombs_answers_400_with_the_reason(accounts, whitespace_bomb):
    editor = login(accounts, "editor@example.jp")
    with Session(get_engine(accounts)) as session:
        before = snapshot(session)
    for data, name, words in [(BILLION_LAUGHS, "bomb.yaml", "別名"), (deep_json(100_000), "deep.json", "入れ子"),
                              (whitespace_bomb, "bomb.xlsx", "大きすぎます")]:
        with bounded():
            response = editor.post("/curate/import", data={
                "csrf_token": token(editor, "/curate/import"), "mode": "draft", "file": (io.BytesIO(data), name)},
                content_type="multipart/form-data")
        assert response.status_code == 400 and words in response.get_data(as_text=True), name
        response.request.environ["wsgi.input"].close()  # the test client's spooled upload
    with Session(get_engine(accounts)) as session:
        assert snapshot(session) == before


# --- participants and effects per case --------------------------------------------------------

def many(participants: int = 1, effects: int = 0, **changes) -> dict:
    """A valid case with the given numbers of participants and effects."""
    return case_data(
        participants=[participant(f"町{i}", 1000 + i, role="lead" if i == 0 else "member") for i in range(participants)],
        effects=[effect(f"効果{i}", f"{i + 1}万円") for i in range(effects)], **changes)


def test_the_limits_are_declared_in_the_case_file_schema():
    assert (schemas.MAX_PARTICIPANTS, schemas.MAX_EFFECTS) == (PARTICIPANT_LIMIT, EFFECT_LIMIT)
    assert len(tabular.headers(PARTICIPANT_LIMIT, EFFECT_LIMIT)) <= 16_384  # Excel's columns


@pytest.mark.parametrize(("participants", "effects", "path", "words"), [
    (PARTICIPANT_LIMIT + 1, 0, "participants", f"{PARTICIPANT_LIMIT}件以内"),
    (1, EFFECT_LIMIT + 1, "effects", f"{EFFECT_LIMIT}件以内"),
    (1, 10_000, "effects", f"{EFFECT_LIMIT}件以内"),
])
def test_schema_refuses_too_many_rows_before_reading_them(participants, effects, path, words):
    raw = many(participants, effects)
    with bounded(seconds=1), pytest.raises(ValidationError) as caught:
        schemas.CaseFileSchema().load(raw)
    assert list(caught.value.messages) == [path] and words in caught.value.messages[path][0]


def test_bulk_import_refuses_a_case_with_10000_effects(db):
    data = json.dumps([many(1, 10_000, slug="many-effects")], ensure_ascii=False).encode()
    with bounded():
        plan = bulk.plan_import(db, data, "many.json", None)
    assert not plan.ok and plan.rows[0].errors == [("effects", f"効果は{EFFECT_LIMIT}件以内にしてください。")]


def test_csv_import_names_the_columns_of_too_many_participants(db):
    row = {**GOOD_ROWS[1]}
    for i in range(2, PARTICIPANT_LIMIT + 2):
        row.update({f"p{i}_name": f"町{i}", f"p{i}_kind": "town"})
    plan = bulk.plan_import(db, as_csv(table([row], participants=PARTICIPANT_LIMIT + 1)), "x.csv", None)
    assert plan.rows[0].errors == [("参加団体 (pN_… の列)", f"参加団体は{PARTICIPANT_LIMIT}件以内にしてください。")]


def test_case_file_with_too_many_effects_is_reported(session, index, tmp_path):
    from casebook.services.tabular import to_yaml
    path = tmp_path / "many-effects.yaml"
    path.write_text(to_yaml(many(1, EFFECT_LIMIT + 1, slug="many-effects")), encoding="utf-8")
    report = writes.load(session, index, [path])
    assert report.created == 0 and [(f, r) for _p, f, r in report.errors] == [
        ("effects", f"効果は{EFFECT_LIMIT}件以内にしてください。")]


def test_api_refuses_too_many_participants(loaded_app):
    from casebook.openapi import EXAMPLE_CASE
    with loaded_app.app_context(), Session(get_engine(loaded_app)) as session:
        user = users.create_user(session, "api@example.jp", "correct-horse-battery", "curator")
        _token, plain = tokens.create_token(session, user, "テスト")
    body = {**EXAMPLE_CASE, "participants": [participant(f"町{i}", 1000) for i in range(PARTICIPANT_LIMIT + 1)]}
    response = loaded_app.test_client().post("/api/v1/cases", json=body, headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 400
    assert response.get_json()["errors"] == [
        {"field": "participants", "message": f"参加団体は{PARTICIPANT_LIMIT}件以内にしてください。"}]
    spec = loaded_app.test_client().get("/api/v1/openapi.json").get_json()
    case_in = spec["components"]["schemas"]["CaseIn"]["properties"]
    assert (case_in["participants"]["maxItems"], case_in["effects"]["maxItems"]) == (PARTICIPANT_LIMIT, EFFECT_LIMIT)


def test_editor_refuses_too_many_effects_and_shows_a_case_at_the_limits(accounts, add_case):
    editor = login(accounts, "editor@example.jp")
    form = case_form(editor, "/curate/cases/new")
    for i in range(3, EFFECT_LIMIT + 1):
        form.update({f"effects-{i}-position": str(i + 1), f"effects-{i}-kind": "cost", f"effects-{i}-label": f"効果{i}",
                     f"effects-{i}-amount": "1万円"})
    response = editor.post("/curate/cases/new", data=form)
    assert response.status_code == 400
    # the list's own error is shown in the banner, with its Japanese name
    assert f"効果: 効果は{EFFECT_LIMIT}件以内にしてください。" in response.get_data(as_text=True)
    with Session(get_engine(accounts)) as session:
        assert session.exec(select(Case).where(Case.slug == "rpa-pilot")).first() is None
    add_case(**many(PARTICIPANT_LIMIT, EFFECT_LIMIT, slug="at-the-limits", status="draft"))
    page = editor.get("/curate/cases/at-the-limits/edit")
    assert page.status_code == 200 and f"効果 <span data-row-number>{EFFECT_LIMIT}</span></legend>" in page.get_data(as_text=True)
    # 行を追加 on a full list: a message, no new row, no 500
    for action, words in (("add_effect", f"効果は{EFFECT_LIMIT}件までです"),
                          ("add_participant", f"参加団体は{PARTICIPANT_LIMIT}件までです")):
        full = {k: v for k, v in form.items() if not k.startswith(f"effects-{EFFECT_LIMIT}-")}  # 50 effects
        full.update({"slug": "at-the-limits", "action": action,
                     "csrf_token": token(editor, "/curate/cases/at-the-limits/edit")})
        for i in range(PARTICIPANT_LIMIT):
            full.update({f"participants-{i}-position": str(i + 1), f"participants-{i}-name": f"団体{i}",
                         f"participants-{i}-kind": "town"})
        answer = editor.post("/curate/cases/at-the-limits/edit", data=full)
        text = answer.get_data(as_text=True)
        assert answer.status_code == 200 and words in text
        assert f"効果 <span data-row-number>{EFFECT_LIMIT + 1}</span></legend>" not in text \
            and f"参加団体 <span data-row-number>{PARTICIPANT_LIMIT + 1}</span></legend>" not in text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_of_a_case_at_the_limits_round_trips(loaded_app, tmp_path, add_case, fmt):
    add_case(**many(PARTICIPANT_LIMIT, EFFECT_LIMIT, slug="at-the-limits", title="=上限の事例"))
    from .conftest import make_app
    with Session(get_engine(loaded_app)) as session:
        first = bulk.export(bulk.records_for(session, ["at-the-limits"]), fmt)
    response = loaded_app.test_client().get(f"/cases/export.{fmt}", query_string={"q": "上限の事例"})
    assert response.status_code == 200
    other = make_app(f"sqlite:///{tmp_path / 'other.sqlite'}", tmp_path / "other")
    try:
        with Session(get_engine(other)) as empty:
            from casebook import search
            plan = writes.commit_import(empty, search.get_index(other), first, f"limits.{fmt}", None, "file")
            assert plan.count("create") == 1
            assert bulk.export(bulk.records_for(empty), fmt) == first
    finally:
        get_engine(other).dispose()
