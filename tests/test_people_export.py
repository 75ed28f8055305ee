"""Issue 19, item 6: the search export for people — one readable row per case, Japanese headers,
its page address, participants with populations, effects in words; CSV (BOM) and Excel."""
import csv
import io

from openpyxl import load_workbook

from casebook.services import people_export

from .conftest import effect, participant


def read_csv(response):
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")                                    # UTF-8 with BOM, for Excel
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_table_has_japanese_headers_and_one_row_per_case(client):
    response = client.get("/cases/export-table.csv", query_string={"q": "窓口"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert 'filename="casebook-cases-table.csv"' in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == people_export.HEADERS and rows[0][:3] == ["事例ID", "題名", "事例のページ"]
    searched = client.get("/api/v1/cases", query_string={"q": "窓口", "size": 100}).get_json()
    assert len(rows) - 1 == searched["total"] > 1
    assert [r[0] for r in rows[1:]] == [c["slug"] for c in searched["results"]]  # the search's cases, in its order
    assert all(r[2] == f"http://localhost/cases/{r[0]}" for r in rows[1:])


def test_participants_populations_and_effects_are_words(client):
    rows = read_csv(client.get("/cases/export-table.csv", query_string={"case": "hirosaki-jichitai-cloud"}))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert "大鰐町（青森県" in row["参加団体（人口）"] and "8,671人・2020年" in row["参加団体（人口）"]
    assert row["参加団体の数"] == str(row["参加団体（人口）"].count("\n") + 1)
    assert row["人口の合計"].replace(",", "").isdigit() and row["人口規模"]
    assert "約10〜15%" in row["効果"] and "削減" in row["効果"]
    assert row["テーマ"] and "cloud" not in row["テーマ"]                     # labels, not codes
    assert row["最終更新"][:2] == "20"


def test_the_same_table_as_excel(client):
    response = client.get("/cases/export-table.xlsx", query_string={"q": "窓口"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data()))[people_export.SHEET]
    values = [[c.value or "" for c in r] for r in sheet.iter_rows()]
    assert values[0] == people_export.HEADERS
    assert values[1:] == read_csv(client.get("/cases/export-table.csv", query_string={"q": "窓口"}))[1:]
    assert sheet.freeze_panes == "C2"


def test_cells_never_run_as_formulas(client, add_case):
    add_case(slug="formula", title="=HYPERLINK(\"http://x\")", summary="+1 の要約",
             participants=[participant("＝町", 9000, role="lead")],
             effects=[effect("-経費", "1億円")])
    rows = read_csv(client.get("/cases/export-table.csv", query_string={"case": "formula"}))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["題名"] == "'=HYPERLINK(\"http://x\")" and row["概要"] == "'+1 の要約"
    assert row["参加団体（人口）"].startswith("'＝町") and row["効果"].startswith("'-経費")
    sheet = load_workbook(io.BytesIO(client.get("/cases/export-table.xlsx?case=formula").get_data())).active
    assert sheet["B2"].data_type == "s" and sheet["B2"].quotePrefix


def test_unpublished_or_unknown_cases_and_bad_formats_are_refused(client):
    assert client.get("/cases/export-table.csv", query_string={"case": "no-such-case"}).status_code == 404
    assert client.get("/cases/export-table.json").status_code == 400
    assert client.get("/cases/export-table.csv", query_string={"band": "bogus"}).status_code == 400


def test_the_import_format_export_stays(client):
    header = client.get("/cases/export.csv").get_data().decode("utf-8-sig").split("\r\n", 1)[0].split(",")
    assert header[0] == "事例ID (slug)" and len(header) > len(people_export.HEADERS)   # the import format


def test_the_case_page_links_its_table(client):
    page = client.get("/cases/hirosaki-jichitai-cloud").get_data(as_text=True)
    assert 'href="/cases/export-table.xlsx?case=hirosaki-jichitai-cloud"' in page
    assert 'href="/cases/export-table.csv?case=hirosaki-jichitai-cloud"' in page
