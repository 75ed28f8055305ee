"""Issue 14: exports neutralise formulas (OWASP) and the CSV/XLSX round trip keeps every text exactly."""
import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from casebook import search
from casebook.db import get_engine
from casebook.errors import InvalidInput
from casebook.services import bulk, cells

from . import writes
from .conftest import case_data, effect, login, make_app, participant, token
from .test_bulk import GOOD_ROWS, as_xlsx, snapshot, table

# Texts a spreadsheet would run, and look-alikes that must come back exactly as they were.
TRICKY = ['=HYPERLINK("http://evil.example/","見る")', "+81-88-000-0000", "-5%の削減", "@SUM(A1)",
          "'引用符で始まる", "'=引用符と等号", "''-引用符二つ", "▲200万円の削減", "＝全角の等号", "普通の文"]
# Cells are trimmed on export and import alike, so these start no cell; escaped all the same.
LEADING_SPACE = ["\tタブで始まる", "\r改行で始まる"]


def tricky_case(texts=TRICKY) -> dict:
    return case_data(
        slug="formula-case", title="=1+1 題名", summary="-5%の削減を見込む", contact="+81 88 000 0000",
        tags=["=タグ", "@タグ"],
        participants=[{**participant("@町", 1000, role="lead"), "population_source": "=出典"}],
        effects=[effect(text, "1万円", wording=text) for text in texts])


@pytest.mark.parametrize("text", [*TRICKY, *LEADING_SPACE, "", "'", "''", "=", "-"])
def test_escaping_is_reversible(text):
    escaped = cells.escape_cell(text)
    assert cells.unescape_cell(escaped) == text
    starts = text.lstrip("'")[:1]
    assert escaped == ("'" + text if starts and starts in "=+-@\t\r＝＋－＠" else text)


def test_ordinary_texts_are_not_touched():
    for text in ["▲200万円", "'引用符", "5%", "普通の文", "２０２０", "'"]:
        assert cells.escape_cell(text) == text and cells.unescape_cell(text) == text


def test_csv_export_quotes_cells_that_start_a_formula():
    data = bulk.export([tricky_case()], "csv")
    header, row = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    cells = dict(zip(header, row, strict=True))
    assert cells["題名 (title)"] == "'=1+1 題名" and cells["概要 (summary)"] == "'-5%の削減を見込む"
    assert cells["タグ (tags)"] == "'=タグ,@タグ" and cells["参加団体1 団体名 (p1_name)"] == "'@町"
    labels = [cells[f"効果{i} 項目 (e{i}_label)"] for i in range(1, len(TRICKY) + 1)]
    assert labels == ["'" + TRICKY[0], "'+81-88-000-0000", "'-5%の削減", "'@SUM(A1)", "'引用符で始まる",
                      "''=引用符と等号", "'''-引用符二つ", "▲200万円の削減", "'＝全角の等号", "普通の文"]
    assert [c for c in row if c and c[0] in "=+-@\t\r"] == []


def test_xlsx_export_writes_text_never_formulas():
    data = bulk.export([tricky_case()], "xlsx")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert all(b"<f>" not in z.read(n) and b"<f " not in z.read(n) for n in z.namelist() if n.endswith(".xml"))
    sheet = load_workbook(io.BytesIO(data))["事例"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert {c.data_type for c in cells} == {"s"}
    assert sheet["B2"].value == "=1+1 題名" and sheet["B2"].quotePrefix
    assert [c.value for c in cells if c.value in TRICKY] == [t for t in TRICKY for _ in (0, 1)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_import_export_keeps_every_text(loaded_app, db, tmp_path, fmt):
    first = bulk.export([tricky_case()], fmt)
    other = make_app(f"sqlite:///{tmp_path / 'other.sqlite'}", tmp_path / "other")
    try:
        with Session(get_engine(other)) as empty:
            plan = writes.commit_import(empty, search.get_index(other), first, f"tricky.{fmt}", None, "file")
            assert plan.ok and plan.count("create") == 1, plan.rows
            records = bulk.records_for(empty)
            assert records == [tricky_case()] and bulk.export(records, fmt) == first
    finally:
        get_engine(other).dispose()


@pytest.fixture
def db(loaded_app):
    with Session(get_engine(loaded_app), expire_on_commit=False) as session:
        yield session


def with_formula(cell: str = "H3", formula: str = "=1+1") -> bytes:
    """The two good rows as a workbook, with a formula in `cell` (H is the summary column)."""
    from openpyxl import load_workbook as load
    book = load(io.BytesIO(as_xlsx(table(GOOD_ROWS))))
    book.active[cell] = formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("cell", "formula"), [("H3", "=1+1"), ("A2", '="ocr-"&"town"'), ("P2", "=SUM(1,2)")])
def test_uploaded_formula_cell_is_refused_naming_the_cell(db, cell, formula):
    before = snapshot(db)
    with pytest.raises(InvalidInput) as caught:
        bulk.plan_import(db, with_formula(cell, formula), "cases.xlsx", None)
    assert caught.value.message == f"{cell} のセルに数式があります。値として貼り付けてから取り込んでください。"
    assert snapshot(db) == before


def test_formula_with_a_cached_value_is_refused_too(db):
    data = with_formula("H3", "=1+1")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b"<f>1+1</f><v></v>", b"<f>1+1</f><v>2</v>").replace(
        b"<f>1+1</f><v />", b"<f>1+1</f><v>2</v>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in parts.items():
            z.writestr(name, body)
    with pytest.raises(InvalidInput) as caught:
        bulk.plan_import(db, out.getvalue(), "cases.xlsx", None)
    assert caught.value.message.startswith("H3 のセルに数式があります。")


def test_web_upload_with_a_formula_answers_400(accounts):
    editor = login(accounts, "editor@example.jp")
    with Session(get_engine(accounts)) as session:
        before = snapshot(session)
    response = editor.post("/curate/import", data={
        "csrf_token": token(editor, "/curate/import"), "mode": "draft",
        "file": (io.BytesIO(with_formula()), "cases.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "H3 のセルに数式があります。値として貼り付けてから取り込んでください。" in response.get_data(as_text=True)
    assert 'name="pending"' not in response.get_data(as_text=True)
    with Session(get_engine(accounts)) as session:
        assert snapshot(session) == before
