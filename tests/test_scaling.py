"""Issue 17 item 9: 試算 only where it scales with population (domain/scaling.py), and the curator's choice.

The reported faults: 三宅村's 約0.67人 became 7.1人 for 那須町, a per-task 3日 became 0.28日, 臨時職員8名
became 「約0.22人」, and sheets printed neither 住民あたり nor 試算.
"""
import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from casebook import case_fields, domain, search
from casebook.api_case_schemas import CaseInSchema
from casebook.db import get_engine
from casebook.domain import scaling
from casebook.schemas import CaseFileSchema
from casebook.services import bulk, cases, editor, municipalities, tabular

from . import writes
from .conftest import case_data, effect, login, participant
from .test_curate import edit_form

NASU = domain.Reference(24_021, "那須町", "094072", "栃木県", 2020)
KOCHI = "kochi-madoguchi-itaku"   # 臨時職員 8名 (年間), 高知市 326,814人


def miyake(**effect_changes) -> dict:
    """三宅村 (2,274人) with 職員2/3人程度, a per-task 3日, a yearly cost and a percentage."""
    village = {**participant("三宅村", 2274, kind="village", code="133817", prefecture="東京都", role="lead")}
    return case_data(slug="miyake", participants=[village], effects=[
        effect("水道料金納付消込に要する職員工数", "職員2/3人程度", kind="staff", period="total", **effect_changes),
        effect("保護者への結果通知の早期化", "3日程度", kind="service", period="annual", direction="increase"),
        effect("委託料", "年間2,400万円", period="annual"),
        effect("経費の削減率", "約10〜15%"),
    ])


def figures_of(session, index, data, reference=NASU):
    writes.save(session, index, data)
    return {f.effect.label: f for f in cases.effect_figures(cases.get_case(session, data["slug"]), reference)}


# --- the rule -------------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "unit", "period", "value", "label", "scales"), [
    ("cost", "円", "annual", 24_000_000, "委託料", True),
    ("cost", "円", "total", 23_200_000_000, "更新費用", True),
    ("cost", "円", "one_off", 8_000_000, "AI導入経費", False),
    ("staff", "人", "annual", 8, "臨時職員", True),
    ("staff", "人", "total", 0.67, "職員工数", False),
    ("time", "時間", "annual", 1200, "入力作業時間", True),
    ("time", "時間", "annual", 30, "職員1人当たりの時間外勤務", False),
    ("service", "日", "annual", 3, "結果通知の早期化", False),
    ("time", "分", "total", 8, "手続き時間", False),
    ("cost", "%", "total", 10, "経費", False),
    ("facilities", "件", "total", 44, "浄水場", False),
    ("other", "施設", "total", 17, "対象施設", False),
    ("service", "件", "annual", 226, "相談件数", True),
])
def test_the_automatic_rule(kind, unit, period, value, label, scales):
    decided, why = scaling.automatic(kind, unit, period, value, value, label)
    assert decided is scales and why.endswith("ため")


def test_the_curators_choice_wins_and_a_figureless_effect_never_scales():
    assert scaling.effective(True, "staff", "人", "total", 0.67, 0.67) == scaling.Scaling(
        True, False, "人口に比例する効果として登録されているため")
    assert not scaling.effective(False, "cost", "円", "annual", 100, 100).scales
    assert not scaling.effective(True, "cost", "", "unknown", None, None).scales


@pytest.mark.parametrize(("typed", "read"), [
    ("はい", True), ("する", True), ("○", True), ("true", True), (True, True), ("ＹＥＳ", True), ("比例する", True),
    ("いいえ", False), ("しない", False), ("×", False), ("false", False), (False, False),
    ("", None), ("  ", None), (None, None), ("自動", None)])
def test_the_choice_is_read_leniently(typed, read):
    assert scaling.read_choice(typed) is read


def test_an_unreadable_choice_is_explained():
    with pytest.raises(ValueError, match="人口に比例するかどうかとして読めません"):
        scaling.read_choice("たぶん")
    messages = CaseFileSchema().validate(case_data(effects=[effect("委託料", "100万円", scales="たぶん")]))
    assert "人口に比例するかどうか" in str(messages["effects"][0]["scales"])


def test_estimates_below_one_person_read_1人未満():
    assert scaling.estimate_text(0.22, 0.22, "人") == "1人未満"
    assert scaling.estimate_text(0.5, 1.5, "人") == "1人未満〜約1.5人"
    assert scaling.estimate_text(2.12e9, 2.12e9, "円") == "約21.2億円"
    assert scaling.estimate_text(0.28, 0.28, "日") == "約0.28日"   # only 人 has a floor


# --- the reported faults, through the service ----------------------------------------------

def test_a_sub_one_person_figure_and_a_per_task_time_are_not_scaled(app, session, index):
    found = figures_of(session, index, miyake())
    staff, days = found["水道料金納付消込に要する職員工数"], found["保護者への結果通知の早期化"]
    for f in (staff, days):
        assert (f.per_capita, f.estimate, f.formula) == (None, None, None) and not f.scaling.scales
    assert staff.not_scaled == "1人に満たない人員は人口に比例しないため"
    assert days.not_scaled == "1件・1回ごとの時間や日数は人口に比例しないため"
    assert found["経費の削減率"].not_scaled == "割合（%）は人口に比例しないため"


def test_a_yearly_cost_is_scaled_with_its_formula_in_words(app, session, index):
    cost = figures_of(session, index, miyake())["委託料"]
    assert cost.scaling == scaling.Scaling(True, True, "経費は人口に比例するとみなすため")
    assert cost.estimate == "約2.54億円"
    assert cost.formula == "年間2,400万円 ÷ 三宅村の人口2,274人 × 那須町の人口24,021人"
    assert cost.per_capita == "1.06万円" and cost.not_scaled == ""


def test_eight_staff_for_a_small_town_is_1人未満(app, session, index):
    writes.save(session, index, case_data(slug="kochi-like", effects=[
        effect("臨時職員", "8名", kind="staff", period="annual")]))
    [f] = cases.effect_figures(cases.get_case(session, "kochi-like"), domain.Reference(8_900))
    assert f.scaling.scales and f.estimate == "1人未満"
    assert f.formula == "8人 ÷ 高知市の人口326,814人 × 入力した人口8,900人"


def test_the_curators_choice_overrides_the_rule(app, session, index):
    found = figures_of(session, index, miyake(scales=True))
    staff = found["水道料金納付消込に要する職員工数"]
    assert staff.scaling.label == "比例する（登録者の指定）" and staff.estimate == "約7.08人"
    data = miyake()
    data["effects"][2]["scales"] = False
    assert figures_of(session, index, data)["委託料"].estimate is None


# --- the case page, the API and the sheets -------------------------------------------------

def with_population(client, population: int):
    client.set_cookie("casebook_ref", f"p:{population}")
    return client


def effect_row(page: str, text: str) -> str:
    """The table row whose figure cell shows `text` (a case page or a sheet)."""
    return next(r for r in re.split(r"<tr[ >]", page) if f'class="num">{text}' in r or f"<th scope=\"row\">{text}" in r)


def test_case_page_says_why_an_effect_is_not_scaled_and_shows_the_formula(app, add_case):
    add_case(**{k: v for k, v in miyake().items() if k != "status"}, status="published")
    client = with_population(app.test_client(), 24_021)
    page = client.get("/cases/miyake").get_data(as_text=True)
    staff = effect_row(page, "職員2/3人程度")
    assert "試算 約" not in staff and "人口に比例しない効果のため試算しません" in staff
    assert "対象外<small>（1人に満たない人員は人口に比例しないため）</small>" in staff
    assert "試算 約" not in effect_row(page, "3日程度") and "試算 約" not in effect_row(page, "約10〜15%")
    cost = effect_row(page, "年間2,400万円")
    assert "試算 約2.54億円" in cost and 'href="#formula-3"' in cost
    assert ('<li id="formula-3">委託料: 年間2,400万円 ÷ 三宅村の人口2,274人 × 入力した人口24,021人 ≒ 約2.54億円</li>'
            in page)
    assert "7.08人" not in page and "0.28日" not in page


def test_case_page_without_a_government_still_says_which_effects_do_not_scale(app, add_case):
    add_case(**miyake())
    page = app.test_client().get("/cases/miyake").get_data(as_text=True)
    assert "対象外" in effect_row(page, "約10〜15%") and "住民1人あたり 1.06万円" in effect_row(page, "年間2,400万円")
    assert "formula-" not in page


def test_api_shows_the_scaling_and_the_formula(client):
    body = client.get(f"/api/v1/cases/{KOCHI}?population=8900").get_json()
    staff = next(e for e in body["effects"] if e["label"] == "臨時職員")
    assert staff["scales"] is None
    assert staff["scaling"] == {"scales": True, "automatic": True, "reason": "人数は人口に比例するとみなすため"}
    assert staff["estimate"]["text"] == "1人未満" and staff["estimate"]["min"] == pytest.approx(8 * 8900 / 326814)
    assert staff["estimate"]["formula"] == "8人 ÷ 高知市の人口326,814人 × 入力した人口8,900人"


def test_api_input_takes_the_choice_leniently():
    body = {k: v for k, v in case_data(effects=[effect("委託料", "100万円", scales="しない"),
                                                 effect("人員", "3人", kind="staff", scales=True)]).items() if k != "status"}
    assert [e["scales"] for e in CaseInSchema().load(body)["effects"]] == [False, True]


def test_sheet_with_a_chosen_government_shows_per_resident_and_estimate(client):
    plain = client.get(f"/cases/{KOCHI}/sheet").get_data(as_text=True)
    assert "住民あたり・試算" not in plain
    page = with_population(client, 8_900).get(f"/cases/{KOCHI}/sheet").get_data(as_text=True)
    assert "<h2>住民あたり・試算（人口8,900人）</h2>" in page
    row = effect_row(page.split("住民あたり・試算（")[1], "臨時職員")
    assert "住民1万人あたり 0.245人" in row and "試算 1人未満" in row
    assert "※ 試算は「効果の数値 ÷ 高知市の人口 × 入力した人口（8,900人）」" in page and "国勢調査" in page
    none = client.get("/cases/hirosaki-jichitai-cloud/sheet").get_data(as_text=True)
    assert "人口8,900人での試算: 人口に比例する効果がないため" in none and "<h2>住民あたり・試算" not in none


@pytest.fixture
def master(loaded_app, session):
    municipalities.import_master(session, municipalities.packaged_master().read_bytes(),
                                 municipalities.credit_from_note(municipalities.packaged_master()))
    return loaded_app


def test_sheet_takes_the_municipality_argument_and_refuses_a_bad_one(master):
    client = master.test_client()
    page = client.get(f"/cases/{KOCHI}/sheet?municipality=094072").get_data(as_text=True)
    assert "住民あたり・試算（那須町（人口24,021人））" in page and "那須町の人口（24,021人）" in page
    assert f'href="/cases/{KOCHI}/sheet.pdf?municipality=094072"' in page
    for bad in ("municipality=12", "municipality=999999", "population=abc", "population=0"):
        response = client.get(f"/cases/{KOCHI}/sheet?{bad}")
        assert response.status_code == 400 and "<html" in response.get_data(as_text=True), bad


def test_batch_sheets_use_the_chosen_government(client):
    page = with_population(client, 8_900).get("/cases/sheets?q=窓口").get_data(as_text=True)
    assert "住民あたり・試算（人口8,900人）" in page


# --- the curator's choice through the editor and the import --------------------------------

def test_editor_offers_the_automatic_decision_and_saves_the_choice(accounts):
    curator = login(accounts, "editor@example.jp")
    page = curator.get(f"/curate/cases/{KOCHI}/edit").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="effects-0-scales"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert '<option selected value="">自動（判定: 比例する）</option>' in select
    assert '<option value="false">比例しない</option>' in select
    assert "自動の判定: 比例する（人数は人口に比例するとみなすため）" in page
    response = curator.post(f"/curate/cases/{KOCHI}/edit", data=edit_form(curator, KOCHI, **{"effects-0-scales": "false"}))
    assert response.status_code == 302, response.get_data(as_text=True)
    with Session(get_engine(accounts)) as db:
        assert cases.get_case(db, KOCHI).effects[0].scales is False
    page = curator.get(f"/curate/cases/{KOCHI}/edit").get_data(as_text=True)
    assert '<option selected value="false">比例しない</option>' in page


def test_the_editors_data_keeps_the_choice(loaded_app, session):
    values = editor.form_data(cases.get_case(session, KOCHI))
    assert values["effects"][0]["scales"] == ""
    assert editor.raw_case({**values, "effects": [{**values["effects"][0], "scales": "true"}]})["effects"][0][
        "scales"] == "true"


def _csv_with(data: bytes, column: str, value: str) -> bytes:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    at = next(i for i, h in enumerate(rows[0]) if h.endswith(f"({column})"))
    rows[1][at] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def test_import_sets_and_clears_the_choice(loaded_app, session, index):
    exported = bulk.export(bulk.records_for(session, [KOCHI]), "csv")
    assert "効果1 人口に比例 (e1_scales)" in exported.decode("utf-8-sig")
    plan = writes.commit_import(session, index, _csv_with(exported, "e1_scales", "しない"), "x.csv", None, "file")
    assert plan.ok, plan.rows[0].errors
    session.expire_all()
    assert cases.get_case(session, KOCHI).effects[0].scales is False
    again = bulk.export(bulk.records_for(session, [KOCHI]), "csv")
    assert tabular.read_table(again, "x.csv")[0][1]["e1_scales"] == "しない"
    writes.commit_import(session, index, _csv_with(again, "e1_scales", ""), "x.csv", None, "file")
    session.expire_all()
    assert cases.get_case(session, KOCHI).effects[0].scales is None


def test_xlsx_round_trips_the_choice(loaded_app, session, index):
    record = bulk.records_for(session, [KOCHI])[0]
    record["effects"][0]["scales"] = True
    book = load_workbook(io.BytesIO(bulk.export([record], "xlsx"))).active
    head = [c.value for c in book[1]]
    assert book.cell(2, head.index("効果1 人口に比例 (e1_scales)") + 1).value == "する"
    [(_n, row)] = tabular.read_table(bulk.export([record], "xlsx"), "x.xlsx")
    assert row["e1_scales"] == "する" and row["e2_scales"] == ""


def test_case_files_leave_an_automatic_choice_out(loaded_app, session):
    record = bulk.records_for(session, [KOCHI])[0]
    assert "scales" not in tabular.to_yaml(record)
    record["effects"][0]["scales"] = False
    text = tabular.to_yaml(record)
    assert text.count("scales: false") == 1
    from casebook.services import loader, safe_files
    loaded = CaseFileSchema().load(loader.dates_as_text(safe_files.read_yaml(text)))
    assert [e["scales"] for e in loaded["effects"]] == [False, None, None]


def test_the_registry_declares_the_field_once():
    f = case_fields.EFFECTS.field("scales")
    assert (f.label, f.default, f.kind.name) == ("人口に比例", None, "switch")


def test_long_sheets_with_a_chosen_government_still_fit_one_page(client, add_case, loaded_app):
    from casebook.db import get_session
    from casebook.services import sheet_plan, sheets

    from .test_sheets import SLUGS, long_cases, page_text, read_pdf

    slugs = long_cases(add_case) + SLUGS
    with loaded_app.test_request_context():
        for slug in slugs:
            sheet = sheets.case_sheet(get_session(), slug, lambda s: f"http://localhost/cases/{s}",
                                      search.get_index().bands, domain.Reference(8_900))
            assert sheet_plan.planned_height(sheet) <= sheet_plan.PAGE_MM - sheet_plan.SAFETY_MM, slug
    with_population(client, 8_900)
    for slug in ("long-everything", "many-lines", "chichibu-suido-kouikika"):
        reader = read_pdf(client.get(f"/cases/{slug}/sheet.pdf"))
        assert len(reader.pages) == 1 and "試算" in page_text(reader.pages[0]), slug
