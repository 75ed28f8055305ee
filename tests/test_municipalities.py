"""Issue 3: the municipality master, my government, similar-size search, per-resident and scaled effects."""
import configparser
import re
import time
from importlib import resources
from pathlib import Path

import pytest
from sqlmodel import Session, select

import casebook
from casebook import create_app, domain
from casebook.db import get_engine
from casebook.errors import InvalidInput
from casebook.models import MasterInfo, Municipality
from casebook.services import municipalities

from .conftest import CASES_DIR, ROOT, SHARED_DATA, participant

# The master packaged with casebook (issue 18): found through the package, not beside the checkout.
MASTER = municipalities.packaged_master()
CREDIT = municipalities.credit_from_note(MASTER)
# What `make run` runs before serving (Makefile, target run; MASTER unset).
MAKE_RUN = (["init-db"], ["load", str(CASES_DIR)], ["municipalities", "import", "--if-needed"], ["reindex"])


@pytest.fixture
def master(loaded_app, session):
    assert MASTER.is_file(), f"reference data missing: {MASTER}"
    report = municipalities.import_master(session, MASTER.read_bytes(), CREDIT, MASTER.name)
    assert report.created == 1788
    return loaded_app


def test_reference_file_credit_is_the_e_stat_line():
    assert CREDIT.startswith("出典：政府統計の総合窓口(e-Stat)") and "令和2年国勢調査" in CREDIT


# --- the packaged master (issue 18) --------------------------------------------------------

def test_packaged_master_is_found_through_the_package():
    assert MASTER == resources.files("casebook.data") / "municipalities.csv"
    assert MASTER == Path(casebook.__file__).parent / "data" / "municipalities.csv" == SHARED_DATA / "municipalities.csv"
    assert MASTER.with_name("municipalities.SOURCE.md").is_file()
    lines = MASTER.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(municipalities.COLUMNS) and len(lines) == 1 + 1788
    assert len(municipalities.read_master(MASTER.read_bytes())) == 1788


def test_packaged_master_is_declared_as_package_data():
    # the wheel and sdist take them from here (`pip wheel .` lists casebook/data/municipalities.*)
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    declared = [name.strip() for name in config["options.package_data"]["casebook.data"].split(",")]
    assert declared == ["municipalities.csv", "municipalities.SOURCE.md", "thesaurus.tsv"]
    assert all((MASTER.parent / name).is_file() for name in declared)


def test_cli_import_without_a_file_loads_the_packaged_master(app, session):
    result = app.test_cli_runner().invoke(args=["municipalities", "import"])
    assert result.exit_code == 0, result.output
    assert result.output == f"市区町村マスタ: 新規 1788 件、更新 0 件、変更なし 0 件\n{CREDIT}\n"
    assert len(session.exec(select(Municipality)).all()) == 1788
    assert municipalities.master_credit(session) == CREDIT
    assert session.get(MasterInfo, "file").value == municipalities.PACKAGED_NAME == "casebook/data/municipalities.csv"


def test_cli_import_without_a_file_takes_credit_option(app, session):
    result = app.test_cli_runner().invoke(args=["municipalities", "import", "--credit", "出典：テスト"])
    assert result.exit_code == 0 and "新規 1788 件" in result.output
    assert municipalities.master_credit(session) == "出典：テスト"


def _fresh_app(database_url, tmp_path):
    """An app over an empty database (no tables), as a fresh clone has before `make run`."""
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database_url,
                       "SEARCH_INDEX_DIR": str(tmp_path / "index")})


def test_make_run_on_a_fresh_database_imports_the_packaged_master(database_url, tmp_path):
    app = _fresh_app(database_url, tmp_path)
    runner = app.test_cli_runner()
    try:
        for args in MAKE_RUN:
            result = runner.invoke(args=args)
            assert result.exit_code == 0, (args, result.output)
            if args[0] == "municipalities":
                assert result.output == f"市区町村マスタ: 新規 1788 件、更新 0 件、変更なし 0 件\n{CREDIT}\n"
        client = app.test_client()
        page = client.get("/mygov", query_string={"q": "大鰐"}).get_data(as_text=True)
        assert '<th scope="row">大鰐町</th>' in page and 'name="code" value="023621"' in page and CREDIT in page
        # the second `make run` finds the same master and skips it (no file read, no row written)
        started = time.perf_counter()
        result = runner.invoke(args=["municipalities", "import", "--if-needed"])
        assert time.perf_counter() - started < 1
        assert result.output == f"市区町村マスタ: {municipalities.PACKAGED_NAME} を取り込み済みです（変更なし）。\n{CREDIT}\n"
        with Session(get_engine(app)) as session:
            assert len(session.exec(select(Municipality)).all()) == 1788
    finally:
        get_engine(app).dispose()


def test_if_needed_keeps_a_master_from_another_file(app, session, tmp_path):
    newer = tmp_path / "newer.csv"
    text = MASTER.read_text(encoding="utf-8").replace("おおわにまち,8671,", "おおわにまち,8000,")
    newer.write_text(text, encoding="utf-8")
    runner = app.test_cli_runner()
    assert "新規 1788 件" in runner.invoke(args=["municipalities", "import", "--if-needed"]).output
    assert "更新 1 件" in runner.invoke(args=["municipalities", "import", str(newer), "--credit", CREDIT]).output
    result = runner.invoke(args=["municipalities", "import", "--if-needed"])
    assert result.exit_code == 0 and "別のファイルから取り込んだマスタをそのまま使います" in result.output
    session.expire_all()
    assert session.get(Municipality, "023621").population == 8000
    # without --if-needed the packaged master replaces it
    assert "更新 1 件" in runner.invoke(args=["municipalities", "import"]).output
    session.expire_all()
    assert session.get(Municipality, "023621").population == 8671


def test_if_needed_upgrades_an_older_packaged_master(session):
    older = MASTER.read_text(encoding="utf-8").replace("おおわにまち,8671,", "おおわにまち,8000,").encode()
    municipalities.import_master(session, older, CREDIT, municipalities.PACKAGED_NAME)
    report = municipalities.import_master(session, MASTER.read_bytes(), CREDIT, municipalities.PACKAGED_NAME,
                                          if_needed=True)
    assert (report.skipped, report.created, report.updated, report.unchanged) == ("", 0, 1, 1787)
    again = municipalities.import_master(session, MASTER.read_bytes(), CREDIT, municipalities.PACKAGED_NAME,
                                         if_needed=True)
    assert (again.skipped, again.credit) == ("same", CREDIT)
    # another credit line is a change too
    other = municipalities.import_master(session, MASTER.read_bytes(), "出典：別", municipalities.PACKAGED_NAME,
                                         if_needed=True)
    assert (other.skipped, other.unchanged, municipalities.master_credit(session)) == ("", 1788, "出典：別")


def test_import_is_an_upsert(master, session):
    again = municipalities.import_master(session, MASTER.read_bytes(), CREDIT)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1788)
    owani = session.get(Municipality, "023621")
    assert (owani.name, owani.kana, owani.population, owani.region, owani.kind) == (
        "大鰐町", "おおわにまち", 8671, "東北", "town")


@pytest.mark.parametrize(("q", "first"), [
    ("大鰐", "大鰐町"), ("おおわに", "大鰐町"), ("オオワニ", "大鰐町"), ("ｵｵﾜﾆ", "大鰐町"), ("023621", "大鰐町"),
    ("田舎", "田舎館村"), ("高知市", "高知市"), ("ながとろ", "長瀞町"),
])
def test_lookup(master, session, q, first):
    assert municipalities.find_municipalities(session, q)[0].name == first


def test_lookup_by_reading_finds_kochi_city(master, session):
    assert "高知市" in [m.name for m in municipalities.find_municipalities(session, "こうち")]


@pytest.mark.parametrize("q", ["", "%", "_", "\\", "'; DROP TABLE municipality; --", "ん" * 500])
def test_lookup_of_odd_input_finds_nothing_or_little(master, session, q):
    assert len(municipalities.find_municipalities(session, q)) <= 10


HEADER = "code,prefecture,name,kana,population,population_year,source,kind\n"


@pytest.mark.parametrize(("rows", "where", "reason"), [
    ("023622,青森県,大鰐町,おおわにまち,8671,2020,x,town\n", "2行目 code", "検査数字"),
    ("023621,青森県,大鰐町,おおわにまち,たくさん,2020,x,town\n", "2行目 population", "整数"),
    ("023621,青森県,大鰐町,おおわにまち,8671,2020,x,hamlet\n", "2行目 kind", "種類"),
    ("023621,岩手県,大鰐町,おおわにまち,8671,2020,x,town\n", "2行目 prefecture", "一致しません"),
    ("023621,青森県,大鰐町,Owani,8671,2020,x,town\n", "2行目 kana", "ひらがな"),
    ("392014,高知県,高知市,こうちし,326814,2020,x,city\n392014,高知県,高知市,こうちし,1,2020,x,city\n",
     "3行目 code", "重複"),
    ("392014,高知県,高知市,こうちし,326814,2020,x,city,extra\n", "2行目 （行）", "列の数"),
])
def test_malformed_file_is_rejected_by_line_and_changes_nothing(master, session, rows, where, reason):
    good = "392014,高知県,高知市,こうちし,1,2020,x,city\n"  # a valid row that would change 高知市
    with pytest.raises(InvalidInput) as caught:
        municipalities.import_master(session, (HEADER + good + rows).encode(), CREDIT)
    where = where.replace("2行目", "3行目") if where.startswith("2行目") else where.replace("3行目", "4行目")
    assert any(w == where and reason in r for w, r in caught.value.errors), caught.value.errors
    session.expire_all()
    assert session.get(Municipality, "392014").population == 326814
    assert len(session.exec(select(Municipality)).all()) == 1788


def test_missing_columns_and_bad_encoding(session):
    with pytest.raises(InvalidInput, match="列が足りません"):
        municipalities.import_master(session, b"code,name\n392014,x\n", CREDIT)
    with pytest.raises(InvalidInput, match="文字コード"):
        municipalities.import_master(session, HEADER.encode() + b"\xff\xfe\xfd\x80\x81", CREDIT)
    with pytest.raises(InvalidInput, match="出典"):
        municipalities.import_master(session, MASTER.read_bytes(), "  ")
    assert session.exec(select(Municipality)).all() == []


def test_cp932_file_is_accepted(session):
    data = (HEADER + "023621,青森県,大鰐町,おおわにまち,8671,2020,国勢調査,town\n").encode("cp932")
    assert municipalities.import_master(session, data, CREDIT).created == 1


def test_cli_import_and_check(loaded_app, session):
    from sqlalchemy import text

    from casebook.db import get_engine

    runner = loaded_app.test_cli_runner()
    result = runner.invoke(args=["municipalities", "import", str(MASTER)])
    assert result.exit_code == 0 and "新規 1788 件" in result.output and CREDIT in result.output
    assert runner.invoke(args=["municipalities", "check"]).exit_code == 0
    with get_engine(loaded_app).begin() as conn:
        conn.execute(text("UPDATE participant SET population = 9000 WHERE code = '023621'"))
    result = runner.invoke(args=["municipalities", "check"])
    assert result.exit_code == 1 and "hirosaki-jichitai-cloud\t023621\t大鰐町\t事例: 9000" in result.output


def test_cli_import_of_a_bad_file_reports_lines(app, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "023622,青森県,大鰐町,おおわにまち,8671,2020,x,town\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["municipalities", "import", str(bad), "--credit", "出典：テスト"])
    assert result.exit_code == 1 and "2行目 code" in result.output


# --- choosing my government through the pages ----------------------------------------

def csrf(client, url="/mygov"):
    return re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def choose(client, **data):
    return client.post("/mygov", data={"csrf_token": csrf(client), "next": "/cases?sort=similar", **data})


def result_slugs(html):
    return re.findall(r'<h3><a href="/cases/([a-z0-9-]+)[?"]', html)


def test_choosing_owani_ranks_the_hirosaki_case_first(master):
    client = master.test_client()
    response = choose(client, code="023621")
    assert response.status_code == 302 and response.headers["Location"] == "/cases?sort=similar"
    page = client.get("/cases?sort=similar").get_data(as_text=True)
    assert result_slugs(page)[0] == "hirosaki-jichitai-cloud"
    first_card = page.split('<article class="case-card">')[1]
    assert "<strong>大鰐町</strong>（8,671人）、<strong>田舎館村</strong>（7,328人）" in first_card
    assert CREDIT in page


def test_choosing_kochi_ranks_the_kochi_case_first(master):
    client = master.test_client()
    choose(client, code="392014")
    assert result_slugs(client.get("/cases?sort=similar").get_data(as_text=True))[0] == "kochi-madoguchi-itaku"


def test_lookup_page_without_javascript(master):
    client = master.test_client()
    page = client.get("/mygov", query_string={"q": "こうち"}).get_data(as_text=True)
    assert '<th scope="row">高知市</th>' in page and 'name="code" value="392014"' in page
    assert CREDIT in page


def test_population_choice_and_clearing(master):
    client = master.test_client()
    choose(client, population="9000")
    assert "人口 9,000人" in client.get("/").get_data(as_text=True)
    response = client.post("/mygov/clear", data={"csrf_token": csrf(client), "next": "/"})
    assert response.status_code == 302 and "casebook_ref=;" in response.headers["Set-Cookie"]
    assert "人口 9,000人" not in client.get("/").get_data(as_text=True)


def test_choice_without_csrf_is_refused(master):
    client = master.test_client()
    response = client.post("/mygov", data={"code": "023621"})
    assert response.status_code == 400 and "Set-Cookie" not in response.headers


@pytest.mark.parametrize("data", [{"code": "999999"}, {"population": "-5"}, {"population": "many"}, {}])
def test_bad_choice_is_explained(master, data):
    client = master.test_client()
    response = choose(client, **data)
    assert response.status_code == 400 and "選択できませんでした" in response.get_data(as_text=True)


def test_redirect_stays_on_site(master):
    client = master.test_client()
    response = client.post("/mygov", data={"csrf_token": csrf(client), "code": "023621", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("cookie", ["m:999999", "garbage", "p:-1", "p:99999999999", "m:", "\x00"])
def test_forged_cookie_is_ignored(master, cookie):
    client = master.test_client()
    client.set_cookie("casebook_ref", cookie)
    for url in ("/", "/cases?sort=similar", "/cases/kochi-madoguchi-itaku"):
        assert client.get(url).status_code == 200


def test_similar_sort_without_a_reference_explains(client):
    page = client.get("/cases?sort=similar").get_data(as_text=True)
    assert "団体を選ぶか人口を入力してください" in page


def test_similar_size_uses_ratio_and_optional_boosts(master, add_case):
    add_case(slug="aomori-town", participants=[participant("青森の町", 12_000, prefecture="青森県", role="lead")])
    add_case(slug="kochi-town", participants=[participant("高知の町", 9_500, prefecture="高知県", role="lead")])
    client = master.test_client()
    plain = [r["slug"] for r in client.get("/api/v1/cases?municipality=023621&sort=similar&size=100").get_json()["results"]]
    assert plain.index("kochi-town") < plain.index("aomori-town")
    boosted = [r["slug"] for r in client.get(
        "/api/v1/cases?municipality=023621&sort=similar&boost=pref&size=100").get_json()["results"]]
    assert boosted.index("aomori-town") < boosted.index("kochi-town")
    assert domain.size_distance(9_000, 5_000) < domain.size_distance(9_000, 20_000)


def test_api_matched_participants_and_unknown_municipality(master):
    client = master.test_client()
    body = client.get("/api/v1/cases?municipality=023621&sort=similar").get_json()
    assert body["reference"]["name"] == "大鰐町"
    assert body["results"][0]["matched_participants"] == [
        {"name": "大鰐町", "population": 8671}, {"name": "田舎館村", "population": 7328}]
    bad = client.get("/api/v1/cases?municipality=999999")
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"


def test_api_municipalities(master):
    body = master.test_client().get("/api/v1/municipalities?q=こうち").get_json()
    assert "高知市" in [m["name"] for m in body["results"]] and body["credit"] == CREDIT
    one = master.test_client().get("/api/v1/municipalities/023621").get_json()
    assert one["population"] == 8671 and [c["slug"] for c in one["cases"]] == ["hirosaki-jichitai-cloud"]


# --- per-resident and scaled effects --------------------------------------------------

def test_scaled_estimate_for_a_yen_effect(master):
    body = master.test_client().get("/api/v1/cases/chichibu-suido-kouikika?municipality=023621").get_json()
    cost = next(e for e in body["effects"] if e["yen"] == 23_200_000_000)
    assert cost["per_capita"]["min"] == pytest.approx(23_200_000_000 / 94_691)
    assert cost["estimate"]["min"] == pytest.approx(23_200_000_000 / 94_691 * 8_671)
    assert cost["estimate"]["label"] == "試算" and "94,691人" in cost["estimate"]["formula"]


def test_no_scaled_estimate_for_a_percentage(master):
    client = master.test_client()
    body = client.get("/api/v1/cases/hirosaki-jichitai-cloud?municipality=392014").get_json()
    pct = next(e for e in body["effects"] if e["unit"] == "%")
    assert pct["per_capita"] is None and pct["estimate"] is None
    choose(client, code="392014")
    page = client.get("/cases/hirosaki-jichitai-cloud").get_data(as_text=True)
    row = next(r for r in re.split(r"<tr[ >]", page) if 'class="num">約10〜15%' in r)
    assert "試算 約" not in row and "人口に比例しない効果のため試算しません" in row
    assert "対象外<small>（割合（%）は人口に比例しないため）</small>" in row


def test_case_page_shows_the_estimate_with_its_formula(master):
    client = master.test_client()
    choose(client, code="023621")
    page = client.get("/cases/chichibu-suido-kouikika").get_data(as_text=True)
    assert "試算 約21.2億円" in page and "232億円 ÷ 参加団体の人口合計94,691人 × 大鰐町の人口8,671人" in page
    assert '<a href="/municipalities/113611">横瀬町</a>' in page


def test_municipality_page_shows_the_credit(master):
    page = master.test_client().get("/municipalities/023621").get_data(as_text=True)
    assert "8,671人（2020年）" in page and CREDIT in page and "/cases/hirosaki-jichitai-cloud" in page
    assert master.test_client().get("/municipalities/000000").status_code == 404
