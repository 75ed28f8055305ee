"""Issue 7: bulk import and export, completeness and the review queue, coverage by population size."""
import io
import json
import re

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from casebook import search
from casebook.db import get_engine
from casebook.errors import Forbidden, InvalidInput
from casebook.models import Case, Revision, User
from casebook.services import bulk, cases, quality, tabular

from . import writes
from .conftest import CASES_DIR, login, token


def snapshot(session):
    """Everything an import could change."""
    session.expire_all()
    return (bulk.records_for(session), session.exec(select(func.count()).select_from(Revision)).one())


def table(rows: list[dict], participants=1, effects=1) -> list[list[str]]:
    cols = tabular.headers(participants, effects)
    return [[h for _k, h in cols], *[[r.get(k, "") for k, _h in cols] for r in rows]]


def as_csv(grid, encoding="utf-8-sig") -> bytes:
    import csv
    out = io.StringIO(newline="")
    csv.writer(out).writerows(grid)
    return out.getvalue().encode(encoding)


def as_xlsx(grid) -> bytes:
    from openpyxl import Workbook
    wb = Workbook()
    for row in grid:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


GOOD_ROWS = [
    {"slug": "ocr-town", "title": "AI-OCRで申請書を読み取る", "themes": "AI・ICTを活用した業務改革", "tags": "AI-OCR、RPA",
     "start_fiscal_year": "令和2年度", "summary": "紙の申請書をAI-OCRで読み取り、入力作業を減らした。",
     "p1_role": "代表", "p1_code": "023621", "p1_name": "大鰐町", "p1_prefecture": "青森県", "p1_kind": "町",
     "p1_population": "8,671", "p1_population_year": "2020", "e1_kind": "time", "e1_label": "入力作業",
     "e1_amount": "300時間", "e1_period": "年間", "e1_status": "実績"},
    {"slug": "shared-counter", "title": "窓口の共同委託", "themes": "outsourcing", "p1_code": "392014",
     "p1_name": "高知市", "p1_prefecture": "高知県", "p1_kind": "city", "p1_population": "326814",
     "e1_kind": "cost", "e1_label": "委託料", "e1_amount": "1億2,300万円"},
]


@pytest.fixture
def db(loaded_app):
    with Session(get_engine(loaded_app), expire_on_commit=False) as session:
        yield session


def index_of(app):
    from casebook import search
    return search.get_index(app)


@pytest.mark.parametrize("fmt", ["utf-8", "utf-8-sig", "cp932", "xlsx"])
def test_clean_file_imports_in_every_encoding(loaded_app, db, fmt):
    grid = table(GOOD_ROWS)
    data, name = (as_xlsx(grid), "cases.xlsx") if fmt == "xlsx" else (as_csv(grid, fmt), "cases.csv")
    plan = bulk.plan_import(db, data, name, None)
    assert plan.ok and (plan.count("create"), plan.count("update")) == (2, 0)
    assert db.exec(select(Case).where(Case.slug == "ocr-town")).first() is None  # the dry run wrote nothing
    writes.commit_import(db, index_of(loaded_app), data, name, None)
    case = cases.get_case(db, "ocr-town", public=False)
    assert (case.status, case.themes, case.tags, case.start_fiscal_year) == ("draft", ["ai-ict"], ["AI-OCR", "RPA"], 2020)
    assert (case.participants[0].kind, case.participants[0].role, case.participants[0].population) == ("town", "lead", 8671)
    assert (case.effects[0].period, case.effects[0].status, case.effects[0].value_low) == ("annual", "achieved", 300)
    assert cases.get_case(db, "shared-counter", public=False).effects[0].yen == 123_000_000
    revision = db.exec(select(Revision).where(Revision.case_id == case.id)).one()
    assert (revision.action, revision.comment) == ("import", f"取込: {name}")
    assert search.check_index(db, index_of(loaded_app)).clean


BAD = [
    ({"themes": "ふるさと納税"}, "テーマ (themes)", "「ふるさと納税」は登録されたテーマではありません"),
    ({"p1_code": "023622"}, "参加団体1 団体コード (p1_code)", "検査数字"),
    ({"p1_population": "八千"}, "参加団体1 人口 (p1_population)", "整数"),
    ({"title": ""}, "題名 (title)", "必須"),
    ({"e1_amount": "たくさん"}, "効果1 数値 (e1_amount)", "「たくさん」は数値として読めません"),
]


@pytest.mark.parametrize(("change", "column", "reason"), BAD)
def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(loaded_app, db, change, column, reason):
    rows = [GOOD_ROWS[1], {**GOOD_ROWS[0], **change}]
    data = as_csv(table(rows))
    before = snapshot(db)
    plan = bulk.plan_import(db, data, "cases.csv", None)
    bad = [r for r in plan.rows if r.errors]
    assert [r.row for r in bad] == [3] and any(c == column and reason in m for c, m in bad[0].errors), bad
    with pytest.raises(InvalidInput) as caught:
        writes.commit_import(db, index_of(loaded_app), data, "cases.csv", None)
    assert any(w == f"3行目 {column}" for w, _m in caught.value.errors)
    assert snapshot(db) == before


def test_duplicate_slug_within_the_file(loaded_app, db):
    plan = bulk.plan_import(db, as_csv(table([GOOD_ROWS[0], GOOD_ROWS[1], GOOD_ROWS[0]])), "x.csv", None)
    assert [(r.row, r.errors) for r in plan.rows if r.errors] == [(4, [("事例ID (slug)", "2行目と同じ事例IDです")])]


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"\x82\xa0\xff\xfe\x00\x81", "x.csv", "文字コード"),
    (b"not a zip", "x.xlsx", "Excel"),
    (b"{", "x.json", "JSON"),
    (b"slug: [", "x.yaml", "YAML"),
    (b"a,b\n1,2\n", "x.csv", "見出し"),
    (b"", "x.csv", "空"),
    (b"x", "x.docx", "対応していない"),
])
def test_broken_files_get_a_clear_message(loaded_app, db, data, name, message):
    before = snapshot(db)
    with pytest.raises(InvalidInput) as caught:
        bulk.plan_import(db, data, name, None)
    assert message in caught.value.message + " ".join(m for _w, m in caught.value.errors)
    assert snapshot(db) == before


def test_web_dry_run_then_commit(accounts):
    editor = login(accounts, "editor@example.jp")
    data = as_csv(table(GOOD_ROWS), "cp932")
    response = editor.post("/curate/import", data={"csrf_token": token(editor, "/curate/import"), "mode": "published",
                                                   "file": (io.BytesIO(data), "cases.csv")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "新規 2 件" in page
    pending = re.search(r'name="pending" type="hidden" value="([^"]+)"', page).group(1)
    assert accounts.test_client().get("/cases/ocr-town").status_code == 404
    response = editor.post("/curate/import/commit", data={"csrf_token": token(editor, "/curate/import"),
                                                          "pending": pending, "mode": "published"})
    assert response.status_code == 302
    assert accounts.test_client().get("/cases/ocr-town").status_code == 200  # published and indexed
    assert accounts.test_client().get("/api/v1/cases", query_string={"q": "AI-OCR"}).get_json()["total"] == 1
    again = editor.post("/curate/import/commit", data={"csrf_token": token(editor, "/curate/import"),
                                                       "pending": pending, "mode": "published"})
    assert again.status_code == 404  # a checked upload is applied once


def test_web_bad_rows_are_listed(accounts):
    editor = login(accounts, "editor@example.jp")
    data = as_csv(table([{**GOOD_ROWS[0], "p1_code": "023622"}]))
    response = editor.post("/curate/import", data={"csrf_token": token(editor, "/curate/import"), "mode": "draft",
                                                   "file": (io.BytesIO(data), "cases.csv")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "参加団体1 団体コード (p1_code): 「023622」: 団体コードの検査数字" in page
    assert 'name="pending"' not in page


def test_huge_upload_is_refused_with_a_message(accounts):
    editor = login(accounts, "editor@example.jp")
    with Session(get_engine(accounts)) as db:
        before = snapshot(db)
    response = editor.post("/curate/import", data={"csrf_token": token(editor, "/curate/import"), "mode": "draft",
                                                   "file": (io.BytesIO(b"a" * (20 * 1024 * 1024)), "big.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 413 and "大きすぎます" in response.get_data(as_text=True)
    with Session(get_engine(accounts)) as db:
        assert snapshot(db) == before
    # The test client spools a body this big into a temporary file; the app refuses it unread
    # (by its Content-Length), so the test closes that file itself.
    response.request.environ["wsgi.input"].close()


def test_curators_import_drafts_only(accounts):
    with Session(get_engine(accounts)) as db:
        curator = db.exec(select(User).where(User.email == "curator@example.jp")).one()
        with pytest.raises(Forbidden):
            bulk.plan_import(db, as_csv(table(GOOD_ROWS)), "x.csv", curator, "published")
        published = bulk.export(bulk.records_for(db, ["kochi-madoguchi-itaku"]), "csv")
        plan = bulk.plan_import(db, published.replace("住民票".encode(), "住民票等".encode()), "x.csv", curator)
        assert not plan.ok and "編集責任者だけが更新できます" in plan.rows[0].errors[0][1]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_import_export_is_identical(loaded_app, db, tmp_path, fmt):
    first = bulk.export(bulk.records_for(db), fmt)
    from .conftest import make_app
    other = make_app(f"sqlite:///{tmp_path / 'other.sqlite'}", tmp_path / "other")
    try:
        with Session(get_engine(other)) as empty:
            plan = writes.commit_import(empty, index_of(other), first, f"all.{fmt}", None, "file")
            assert plan.count("create") == len(list(CASES_DIR.glob("*.yaml")))
            assert bulk.export(bulk.records_for(empty), fmt) == first
    finally:
        get_engine(other).dispose()


def test_yaml_export_matches_the_loaded_files_and_round_trips(loaded_app, db, tmp_path):
    bulk.export_yaml(bulk.records_for(db), tmp_path / "one")
    from .conftest import make_app
    other = make_app(f"sqlite:///{tmp_path / 'other.sqlite'}", tmp_path / "other")
    try:
        with Session(get_engine(other)) as empty:
            assert writes.load(empty, index_of(other), [tmp_path / "one"]).created == 12
            bulk.export_yaml(bulk.records_for(empty), tmp_path / "two")
    finally:
        get_engine(other).dispose()
    for path in (tmp_path / "one").iterdir():
        assert path.read_bytes() == (tmp_path / "two" / path.name).read_bytes(), path.name
    assert bulk.records_for(db, ["kochi-madoguchi-itaku"]) == bulk.records_for(db, ["kochi-madoguchi-itaku"])


def test_cli_export_and_import(loaded_app, tmp_path):
    runner = loaded_app.test_cli_runner()
    result = runner.invoke(args=["export", "--format", "yaml", str(tmp_path / "yaml")])
    assert result.exit_code == 0 and len(list((tmp_path / "yaml").glob("*.yaml"))) == 12
    assert runner.invoke(args=["export", "--format", "csv", str(tmp_path / "all.csv")]).exit_code == 0
    bad = tmp_path / "bad.csv"
    bad.write_bytes(as_csv(table([{**GOOD_ROWS[0], "themes": "unknown"}])))
    result = runner.invoke(args=["import", str(bad)])
    assert result.exit_code == 1 and "2行目: テーマ (themes): 「" in result.output and "登録されたテーマではありません" in result.output
    good = tmp_path / "good.csv"
    good.write_bytes(as_csv(table(GOOD_ROWS)))
    assert "新規 2 件" in runner.invoke(args=["import", "--dry-run", str(good)]).output
    assert runner.invoke(args=["import", str(good)]).exit_code == 0


def test_exported_csv_has_a_bom_and_japanese_intact(client):
    response = client.get("/cases/export.csv", query_string={"theme": "cloud"})
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith(b"\xef\xbb\xbf")
    text = response.data.decode("utf-8-sig")
    assert text.startswith("事例ID (slug),題名 (title)") and "弘前地区" in text and "\r\n" in text
    rows = tabular.read_table(response.data, "x.csv")
    assert sorted(r["slug"] for _n, r in rows) == ["hirosaki-jichitai-cloud", "nankoku-jichitai-cloud"]


def test_search_exports_follow_the_filters(client):
    body = json.loads(client.get("/cases/export.json", query_string={"band": "5000-10000"}).data)
    assert sorted(r["slug"] for r in body) == ["chichibu-suido-kouikika", "hirosaki-jichitai-cloud"]
    assert client.get("/cases/export.pdfx").status_code == 400
    assert client.get("/cases/export.csv?page=abc").status_code == 400


def test_template_parses_back(accounts):
    editor = login(accounts, "editor@example.jp")
    for fmt in ("csv", "xlsx"):
        data = editor.get(f"/curate/import/template.{fmt}").data
        with Session(get_engine(accounts)) as db:
            plan = bulk.plan_import(db, data, f"t.{fmt}", None)
        # Only the example's own ID is refused (so it is never imported by mistake): every value reads.
        assert [r.errors for r in plan.rows] == [[("事例ID (slug)", "テンプレートの記入例の行です。削除してから取り込んでください")]]
        assert plan.records and plan.rows[0].action == "create"


# --- completeness, queue, coverage ---------------------------------------------------------

def test_completeness_lists_what_is_missing(db):
    kochi = cases.get_case(db, "kochi-madoguchi-itaku")
    score = quality.completeness(kochi, None)
    assert "数値のある効果が1つ以上ある" in score.met
    assert {"問い合わせ先がない", "開始年度がない", "3年以上確認（公開または差し戻し）されていない"} <= set(score.missing)
    assert score.score == round(100 * len(score.met) / 10)


def test_review_queue(db):
    items = {i.case.slug: i for i in quality.review_queue(db)}
    assert "概要のみ" in items["miyagi-kouikika"].reasons
    assert "確認（公開・差し戻し）の記録がない" in items["kochi-madoguchi-itaku"].reasons
    later = quality.utcnow() + quality.EXPECTED_STALE * 1.1
    stale = {i.case.slug: i for i in quality.review_queue(db, now=later)}
    assert "2年以上前の「見込み」の効果がある" in stale["chichibu-suido-kouikika"].reasons
    assert "2年以上前の「見込み」の効果がある" not in stale["hirosaki-jichitai-cloud"].reasons


def test_coverage_counts_equal_search_counts(client):
    page = client.get("/coverage").get_data(as_text=True)
    cells = re.findall(r'<a href="(/cases\?theme=[^"]+&amp;band=[^"]+)" aria-label="[^"]+: (\d+)件">', page)
    assert len(cells) >= 8
    for href, count in cells:
        href = href.replace("&amp;", "&")
        assert client.get("/api/v1" + href).get_json()["total"] == int(count), href
    assert 'class="num cell-empty"' in page and "<svg" in page and "人口規模別の事例数" in page
    assert client.get("/").get_data(as_text=True).count('href="/coverage"') >= 1
