"""Issue 16: values typed the way Japanese offices write them, alike in the import (CSV in CP932, XLSX),
the editor and the API; before→after figures, several sources, joint-body types, prefecture-wide
participants, and a dry run that shows what will be stored."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import Session, select

import casebook
from casebook import search
from casebook.db import get_engine
from casebook.models import Case, CaseSource
from casebook.services import bulk, cases, municipalities, tabular

from . import writes
from .conftest import PASSWORD, login, token

MASTER = Path(casebook.__file__).parent / "data" / "municipalities.csv"
CREDIT = "出典：政府統計の総合窓口(e-Stat)「令和2年国勢調査 速報集計」（総務省統計局）"


@pytest.fixture
def master(loaded_app, session):
    municipalities.import_master(session, MASTER.read_bytes(), CREDIT, MASTER.name)
    return loaded_app


# One realistic sheet: each row types its values as an office would (headers are the template's).
HEADERS = {
    "slug": "事例ID (slug)", "title": "題名 (title)", "themes": "テーマ (themes)", "detail": "掲載の詳しさ (detail)",
    "start_fiscal_year": "開始年度 (start_fiscal_year)", "summary": "概要 (summary)",
    "event_name": "発表の場 (event_name)", "event_date": "発表日 (event_date)",
}
ROWS = [
    {"slug": "yubari-rpa", "title": "RPAで税の入力を自動化", "themes": "AI・ICTを活用した業務改革", "detail": "詳細",
     "start_fiscal_year": "H30", "summary": "入力を自動化した。", "event_date": "2019年",
     "s1_title": "夕張市の報告", "s1_publisher": "夕張市", "s1_date": "2018/6/28", "s1_url": "https://example.jp/a",
     "s2_title": "新聞記事", "s2_publisher": "北海道新聞", "s2_date": "2018年7月",
     "p1_role": "代表", "p1_code": "12084", "p1_name": "北見市", "p1_prefecture": "北海道", "p1_kind": "市",
     "e1_kind": "人員", "e1_label": "入力担当", "e1_amount": "7人→4人", "e1_status": "実績",
     "e2_kind": "経費", "e2_label": "委託料", "e2_amount": "年間200万円", "e2_status": "見込",
     "e3_kind": "時間", "e3_label": "作業時間", "e3_amount": "22,654時間（11.8人分）", "e3_status": "試算"},
    {"slug": "kochi-shoubou", "title": "消防指令の共同運用", "themes": "広域化・共同化", "detail": "概要",
     "start_fiscal_year": "平成26年1月", "summary": "指令センターを共同で運用した。",
     "s1_title": "消防庁の事例集", "s1_publisher": "消防庁", "s1_date": "平成28年11月10日",
     "p1_role": "代表", "p1_name": "○○地区消防組合", "p1_prefecture": "高知県", "p1_kind": "一部事務組合",
     "p2_role": "構成団体", "p2_code": "39201",
     "p3_role": "構成", "p3_code": "392031", "p3_population": "8,800",
     "e1_kind": "施設", "e1_label": "指令台", "e1_amount": "71→38か所", "e1_period": "累計", "e1_status": "実績",
     "e2_kind": "経費", "e2_label": "整備費", "e2_amount": "約3割", "e2_status": "予定",
     "e3_kind": "経費", "e3_label": "維持費", "e3_amount": "▲200万円", "e3_status": "実績",
     "e4_kind": "経費", "e4_label": "総事業費", "e4_amount": "約20.1億円", "e4_status": "実績"},
    {"slug": "kagawa-gomi", "title": "県全域のごみ処理計画", "themes": "広域化・共同化", "start_fiscal_year": "R2",
     "summary": "県が全市町の計画をまとめた。", "event_name": "説明会", "event_date": "R2.4.1",
     "p1_role": "代表", "p1_name": "香川県", "p1_kind": "県", "p1_covers": "県内の全市町村", "p1_population_year": "令和2年",
     "e1_kind": "サービス", "e1_label": "処理量", "e1_amount": "年約7,800トン", "e1_status": "実績",
     "e2_kind": "リスク", "e2_label": "処理単価", "e2_amount": "5,000円/トン", "e2_period": "月間", "e2_status": "見込み",
     "e3_kind": "時間", "e3_label": "手続", "e3_amount": "3日→5分", "e3_status": "実績",
     "e4_kind": "その他", "e4_label": "割合", "e4_amount": "19.9%→36.3%", "e4_status": "実績",
     "e5_kind": "経費", "e5_label": "費用", "e5_amount": "7千万円程度", "e5_status": "実績",
     "e6_kind": "経費", "e6_label": "累計額", "e6_amount": "26億円余り", "e6_status": "実績",
     "e7_kind": "時間", "e7_label": "待ち時間", "e7_amount": "半分以下", "e7_status": "実績",
     "e8_kind": "その他", "e8_label": "施設", "e8_amount": "約1/10", "e8_status": "実績"},
]


def _keys() -> list[str]:
    keys = list(HEADERS)
    for row in ROWS:
        keys += [k for k in row if k not in keys]
    return keys


def _header(key: str) -> str:
    if key in HEADERS:
        return HEADERS[key]
    m = tabular.row_column(key)
    rows = {r.prefix: r for r in bulk.case_fields.ROWS.values()}[m.group(1)]
    return tabular.header(key, f"{rows.label}{m.group(2)} {rows.field(m.group(3)).label}")


def cp932_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    keys = _keys()
    writer.writerow([_header(k) for k in keys])
    for row in ROWS:
        writer.writerow([row.get(k, "") for k in keys])
    return out.getvalue().encode("cp932")


def plan_of(app, data: bytes, name: str):
    with Session(get_engine(app)) as db:
        return bulk.plan_import(db, data, name, None, "published")


def test_a_first_try_sheet_in_cp932_passes_its_dry_run_and_shows_what_it_will_store(master):
    plan = plan_of(master, cp932_csv(), "first-try.csv")
    assert [(r.slug, r.errors) for r in plan.rows] == [(r["slug"], []) for r in ROWS]
    yubari, shoubou, kagawa = plan.rows
    assert ("団体コード 012084（北海道北見市）" in " ".join(n for _c, n in yubari.notes))
    assert any("平成25年度" in n for _c, n in shoubou.notes)  # 平成26年1月 is in fiscal 平成25年度
    assert any("8,800" in n and "異なります" in n for _c, n in shoubou.notes)  # typed population differs from the master
    stored = "\n".join(yubari.stored)
    assert "開始年度: 平成30年度（2018年度）" in stored
    assert "2018年6月28日（日）" in stored and "2018年7月（月まで）" in stored
    assert "前 7人、後 4人、変化 -3人" in stored
    assert "北見市（北海道・市） 012084 人口" in stored


def test_the_dry_run_page_shows_notes_and_stored_values(master):
    master_client = master.test_client()
    with Session(get_engine(master)) as db:
        from casebook.services import users

        users.create_user(db, "editor@example.jp", PASSWORD, "editor")
    client = login(master, "editor@example.jp")
    page = client.post("/curate/import", data={
        "csrf_token": token(client, "/curate/import"), "mode": "draft",
        "file": (io.BytesIO(cp932_csv()), "first-try.csv")}, content_type="multipart/form-data")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "問題はありません" in html
    assert "確認: " in html and "012084" in html and "保存される内容" in html
    assert master_client.get("/").status_code == 200


def commit(app, data: bytes, name: str):
    with Session(get_engine(app)) as db:
        return writes.commit_import(db, search.get_index(app), data, name, None, "published")


def test_what_is_stored_means_what_was_typed(master):
    commit(master, cp932_csv(), "first-try.csv")
    with Session(get_engine(master)) as db:
        yubari = cases.get_case(db, "yubari-rpa")
        assert yubari.start_fiscal_year == 2018 and yubari.detail == "full" and yubari.themes == ["ai-ict"]
        assert yubari.event_date == "2019"
        assert [(s.title, s.publisher, s.date) for s in yubari.sources] == [
            ("夕張市の報告", "夕張市", "2018-06-28"), ("新聞記事", "北海道新聞", "2018-07")]
        p = yubari.participants[0]
        assert (p.code, p.name, p.kind, p.role, p.population_year) == ("012084", "北見市", "city", "lead", 2020)
        staff, fee, hours = yubari.effects
        assert (staff.direction, staff.value_low, staff.unit, staff.status) == ("reduction", Decimal("3"), "人", "achieved")
        assert (fee.period, fee.yen, fee.status) == ("annual", 2_000_000, "expected")
        assert (hours.value_low, hours.unit, hours.status) == (Decimal("22654"), "時間", "expected")

        shoubou = cases.get_case(db, "kochi-shoubou")
        assert shoubou.start_fiscal_year == 2013 and shoubou.detail == "outline"
        kinds = [(p.kind, p.code, p.role) for p in shoubou.participants]
        assert kinds == [("partial_union", None, "lead"), ("city", "392014", "member"), ("city", "392031", "member")]
        assert shoubou.participants[1].name == "高知市" and shoubou.participants[2].population == 8800
        sites, share, upkeep, total = shoubou.effects
        assert (sites.value_low, sites.unit, sites.period) == (Decimal("33"), "箇所", "total")
        assert (share.value_low, share.unit, share.status) == (Decimal("30"), "%", "expected")
        assert (upkeep.direction, upkeep.yen) == ("reduction", 2_000_000)
        assert total.yen == 2_010_000_000 and total.value_low == Decimal("2010000000") and total.qualifier == "約"

        kagawa = cases.get_case(db, "kagawa-gomi")
        lead = kagawa.participants[0]
        assert (lead.kind, lead.covers, lead.code, lead.population_year) == ("prefecture", "all_municipalities", "370002", 2020)
        assert kagawa.event_date == "2020-04-01"
        amounts = {e.label: e for e in kagawa.effects}
        assert (amounts["処理量"].period, amounts["処理量"].unit) == ("annual", "トン")
        assert (amounts["処理単価"].unit, amounts["処理単価"].period, amounts["処理単価"].kind) == ("円/トン", "monthly", "risk")
        assert amounts["割合"].direction == "increase" and amounts["割合"].value_low == Decimal("16.4")
        assert amounts["費用"].yen == 70_000_000 and amounts["累計額"].qualifier == "余り"
        assert (amounts["待ち時間"].value_low, amounts["待ち時間"].qualifier) == (Decimal("50"), "以下")
        assert amounts["施設"].unit == "%" and amounts["施設"].value_low == Decimal("10")
        assert amounts["手続"].unit == "分"  # 3日→5分: no change across units, the result is kept


def test_exact_amounts_in_the_api_and_every_export(master):
    commit(master, cp932_csv(), "first-try.csv")
    client = master.test_client()
    body = client.get("/api/v1/cases/kochi-shoubou").get_json()
    total = next(e for e in body["effects"] if e["label"] == "総事業費")
    assert total["yen"] == 2_010_000_000 and total["value_min"] == 2_010_000_000
    staff = client.get("/api/v1/cases/yubari-rpa").get_json()["effects"][0]
    assert staff["baseline"] == {"min": 7, "max": 7, "unit": "人"} and staff["result"]["min"] == 4
    assert staff["change"] == {"min": -3, "max": -3, "unit": "人"}
    assert client.get("/api/v1/cases/yubari-rpa").get_json()["effects"][2]["note"] == "11.8人分"
    with Session(get_engine(master)) as db:
        records = bulk.records_for(db, ["kochi-shoubou"])
        for fmt in ("csv", "json"):
            text = bulk.export(records, fmt).decode("utf-8-sig")
            assert "約20.1億円" in text and "2010000000.0000002" not in text


def test_the_case_page_shows_the_change_and_every_source(master):
    commit(master, cp932_csv(), "first-try.csv")
    html = master.test_client().get("/cases/yubari-rpa").get_data(as_text=True)
    assert "7人→4人（3人減）" in html
    assert "夕張市の報告" in html and "新聞記事" in html and "2018年7月" in html and "2018年6月28日" in html


def test_a_town_finds_a_prefecture_wide_plan_by_its_own_size(master):
    commit(master, cp932_csv(), "first-try.csv")
    client = master.test_client()
    small = client.get("/api/v1/cases", query_string={"band": "5000-10000", "q": "ごみ処理"}).get_json()
    assert [r["slug"] for r in small["results"]] == ["kagawa-gomi"]  # 直島町 etc. are in that band


def xlsx_workbook() -> bytes:
    """The same kind of input as an .xlsx: date cells, serial numbers, numbers, percent cells, long sheets."""
    wb = Workbook()
    sheet = wb.active
    sheet.title = "事例"
    sheet.append(["事例ID (slug)", "題名 (title)", "テーマ (themes)", "開始年度 (start_fiscal_year)", "発表日 (event_date)",
                  "出典1 名称 (s1_title)", "出典1 日付 (s1_date)", "効果1 項目 (e1_label)", "効果1 数値 (e1_amount)",
                  "効果1 種類 (e1_kind)"])
    sheet.append(["fire-kumiai", "消防の広域化", "広域化・共同化", 2017, dt.datetime(2018, 6, 28),
                  "県の資料", 43279, "出動時間", 0.792, "時間"])
    sheet["I2"].number_format = "0.0%"
    members = wb.create_sheet("参加団体")
    members.append(["事例ID (slug)", "役割", "団体名 (name)", "団体コード (code)", "種類 (kind)", "都道府県 (prefecture)"])
    members.append(["fire-kumiai", "代表", "○○広域消防組合", None, "一部事務組合", "北海道"])
    for code in ("12025", "12033", "12041", "12050", "12068"):  # 北海道's cities, leading zeros lost
        members.append(["fire-kumiai", "構成団体", None, int(code), None, "北海道"])
    sources = wb.create_sheet("出典")
    sources.append(["事例ID (slug)", "名称 (title)", "発行者 (publisher)", "日付 (date)", "URL (url)"])
    sources.append(["fire-kumiai", "消防庁の資料", "消防庁", "令和元年5月1日", "https://example.jp/fdma"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_an_xlsx_with_cells_excel_makes_and_long_sheets(master):
    data = xlsx_workbook()
    plan = plan_of(master, data, "first-try.xlsx")
    assert [r.errors for r in plan.rows] == [[]]
    commit(master, data, "first-try.xlsx")
    with Session(get_engine(master)) as db:
        case = cases.get_case(db, "fire-kumiai")
        assert case.event_date == "2018-06-28"
        assert [(s.title, s.date) for s in case.sources] == [("県の資料", "2018-06-28"), ("消防庁の資料", "2019-05-01")]
        assert case.effects[0].amount == "79.2%" and case.effects[0].value_low == Decimal("79.2")
        people = case.participants
        assert people[0].kind == "partial_union" and len(people) == 6
        assert [p.code for p in people[1:]] == ["012025", "012033", "012041", "012050", "012068"]
        assert all(p.population and p.name for p in people[1:])


def test_the_template_workbook_imports_as_it_comes(master):
    client = login_editor(master)
    data = client.get("/curate/import/template.xlsx").data
    plan = plan_of(master, data, "template.xlsx")
    # Everything in it reads; only its example row is refused, so that it is never imported by mistake.
    assert [r.errors for r in plan.rows] == [[("事例ID (slug)", "テンプレートの記入例の行です。削除してから取り込んでください")]]
    stored = "\n".join(plan.rows[0].stored)
    assert "高知市" in stored and "前 3人、後 1人" in stored and "2020年3月（月まで）" in stored
    guide = list(tabular.safe_files.xlsx_rows(data, "説明", tabular.MAX_COLUMNS, strict=True))
    assert any("一部事務組合" in (row[1] or "") for row in guide)  # allowed values in Japanese
    csv_template = client.get("/curate/import/template.csv").data
    assert [[c for c, _m in r.errors] for r in plan_of(master, csv_template, "template.csv").rows] == [["事例ID (slug)"]]


def login_editor(app):
    with Session(get_engine(app)) as db:
        from casebook.services import users

        users.create_user(db, "editor@example.jp", PASSWORD, "editor")
    return login(app, "editor@example.jp")


@pytest.mark.parametrize(("column", "value", "quoted"), [
    ("開始年度 (start_fiscal_year)", "来年度", "「来年度」"),
    ("出典1 日付 (s1_date)", "2018/2/30", "「2018/2/30」"),
    ("参加団体1 種類 (p1_kind)", "財団", "「財団」"),
    ("効果1 数値 (e1_amount)", "たくさん", "「たくさん」"),
    ("参加団体1 団体コード (p1_code)", "12084", "012084（北海道北見市）"),  # a repair that does not fit the name
    ("参加団体1 団体コード (p1_code)", "99999", "「99999」"),
])
def test_a_refusal_names_the_column_quotes_the_value_and_says_what_is_accepted(master, column, value, quoted):
    base = {"事例ID (slug)": "bad-row", "題名 (title)": "誤りのある行", "テーマ (themes)": "cloud",
            "参加団体1 団体名 (p1_name)": "某町", "参加団体1 種類 (p1_kind)": "町", "効果1 項目 (e1_label)": "項目",
            "効果1 種類 (e1_kind)": "経費"}
    row = {**base, column: value}
    data = ("\r\n".join([",".join(row), ",".join(row.values())]) + "\r\n").encode("cp932")
    plan = plan_of(master, data, "bad.csv")
    errors = plan.rows[0].errors
    assert [c for c, _m in errors] == [column] and quoted in errors[0][1], errors
    with Session(get_engine(master)) as db:
        assert db.exec(select(Case).where(Case.slug == "bad-row")).first() is None


def test_the_api_takes_the_same_values(master):
    with Session(get_engine(master)) as db:
        from casebook.services import tokens, users

        editor = users.create_user(db, "editor@example.jp", PASSWORD, "editor")
        _token, plain = tokens.create_token(db, editor, "test")
    client = master.test_client()
    headers = {"Authorization": f"Bearer {plain}"}
    body = {"slug": "api-typed", "title": "APIで和暦", "themes": ["AI・ICTを活用した業務改革"], "start_fiscal_year": "R元",
            "sources": [{"title": "報告", "date": "平成31年3月"}],
            "participants": [{"role": "代表", "code": "12084", "prefecture": "北海道"}],
            "effects": [{"kind": "時間", "label": "窓口", "amount": "3日→5分", "status": "見込"}]}
    created = client.post("/api/v1/cases", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    record = created.get_json()
    assert record["start_fiscal_year"] == 2019 and record["sources"][0]["date"] == "2019-03"
    assert record["participants"][0]["code"] == "012084" and record["participants"][0]["name"] == "北見市"
    assert record["effects"][0]["status"] == "expected"


def test_the_editor_takes_the_same_values(master):
    client = login_editor(master)
    form = {"csrf_token": token(client, "/curate/cases/new"), "slug": "editor-typed", "title": "編集画面で和暦",
            "detail": "full", "themes": ["cloud"], "tags": "", "start_fiscal_year": "H29", "summary": "", "background": "",
            "approach": "", "outcome": "", "contact": "", "event_name": "", "event_date": "平成30年",
            "sources-0-position": "1", "sources-0-title": "報告書", "sources-0-publisher": "", "sources-0-date": "H30.3.1",
            "sources-0-url": "", "version": "0", "comment": "", "action": "save",
            "participants-0-position": "1", "participants-0-role": "lead", "participants-0-code": "12084",
            "participants-0-name": "", "participants-0-prefecture": "北海道", "participants-0-kind": "",
            "participants-0-population": "", "participants-0-population_year": "", "participants-0-population_source": "",
            "participants-0-covers": "",
            "effects-0-position": "1", "effects-0-kind": "cost", "effects-0-direction": "", "effects-0-label": "経費",
            "effects-0-amount": "19.9%→36.3%", "effects-0-period": "", "effects-0-status": "achieved", "effects-0-wording": ""}
    response = client.post("/curate/cases/new", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with Session(get_engine(master)) as db:
        case = cases.get_case(db, "editor-typed", public=False)
        assert (case.start_fiscal_year, case.event_date, case.sources[0].date) == (2017, "2018", "2018-03-01")
        assert case.participants[0].name == "北見市" and case.effects[0].direction == "increase"


def test_export_import_export_is_byte_identical_with_the_new_fields(master):
    commit(master, cp932_csv(), "first-try.csv")
    with Session(get_engine(master)) as db:
        assert db.exec(select(CaseSource)).first() is not None
        records = bulk.records_for(db)
        for fmt in ("csv", "xlsx", "json"):
            first = bulk.export(records, fmt)
            plan = bulk.plan_import(db, first, f"all.{fmt}", None, "file")
            assert plan.ok, [(r.slug, r.errors) for r in plan.rows if r.errors]
            again = bulk.export(plan.records, fmt)
            assert again == first, (fmt, first[max(0, _diff(first, again) - 200):_diff(first, again) + 100].decode("utf-8", "replace"))


def _diff(a: bytes, b: bytes) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def test_a_joint_case_without_a_lead_is_shown_as_equal_partners(master):
    record = {"slug": "equal-partners", "title": "対等な共同調達", "themes": ["cloud"], "status": "published",
              "participants": [{"role": "構成団体", "code": "392014"}, {"role": "構成団体", "code": "392031"}]}

    commit(master, json.dumps([record], ensure_ascii=False).encode(), "equal.json")
    html = master.test_client().get("/cases/equal-partners").get_data(as_text=True)
    assert "代表団体のない、対等な共同の取組です。" in html
    assert "高知市" in html and "安芸市" in html  # names filled from the master by code alone


def test_a_problem_in_a_long_sheet_names_that_sheet_and_row(master):
    wb = Workbook()
    wb.active.title = "事例"
    wb.active.append(["事例ID (slug)", "題名 (title)", "テーマ (themes)", "効果1 項目 (e1_label)", "効果1 数値 (e1_amount)",
                      "効果1 種類 (e1_kind)"])
    wb.active.append(["two-sheets", "別シートの誤り", "cloud", "費用", "100万円", "経費"])
    members = wb.create_sheet("参加団体")
    members.append(["事例ID", "団体名", "種類"])
    members.append(["two-sheets", "某町", "町"])
    effects = wb.create_sheet("効果")
    effects.append(["事例ID", "項目", "数値", "種類"])
    effects.append(["two-sheets", "時間", "3時間", "時間"])
    effects.append(["two-sheets", "件数", "たくさん", "その他"])
    effects.append(["nobody", "件数", "3件", "その他"])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(bulk.InvalidInput) as refused:
        plan_of(master, out.getvalue(), "two.xlsx")
    assert refused.value.errors == [("効果シート 4行目", "事例ID「nobody」の行が「事例」シートにありません")]
    effects.delete_rows(4)
    out = io.BytesIO()
    wb.save(out)
    errors = plan_of(master, out.getvalue(), "two.xlsx").rows[0].errors
    assert [c for c, _m in errors] == ["「効果」シート 3行目 数値 (amount)"] and "「たくさん」" in errors[0][1]


def test_a_result_without_digits_keeps_the_baseline_and_the_words(master):
    record = {"slug": "suubyou", "title": "照合の自動化", "themes": ["ai-ict"],
              "participants": [{"role": "代表", "code": "392014"}],
              "effects": [{"kind": "時間", "label": "照合", "amount": "約230時間→数秒", "status": "実績"}]}
    plan = plan_of(master, json.dumps([record], ensure_ascii=False).encode(), "s.json")
    assert plan.rows[0].errors == [] and "前 約230時間、後 数秒" in "\n".join(plan.rows[0].stored)
