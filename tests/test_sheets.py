"""Printable case sheets: one A4 page per case in the PDF and in Chromium's print, QR code, batches."""
from __future__ import annotations

import io
import re
import threading
import unicodedata

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader
from werkzeug.serving import make_server

from casebook.services import sheet_plan, sheets

from .conftest import CASES_DIR, chromium_path, effect, participant

SLUGS = sorted(p.stem for p in CASES_DIR.glob("*.yaml"))
A4_POINTS = (595.28, 841.89)


def read_pdf(response) -> PdfReader:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    return PdfReader(io.BytesIO(response.data))


def flat(text: str) -> str:
    """Text without spaces and line breaks, NFKC-normalised (Chromium's PDFs map some kanji to radicals)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def page_text(page) -> str:
    """A page's text without the spaces and line breaks the layout put in."""
    return flat(page.extract_text())


def fonts(reader: PdfReader) -> dict[str, bool]:
    """{font name: embedded?} for every font the pages use (Type0 fonts via their descendants)."""
    found = {}
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            for part in [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]:
                descriptor = part["/FontDescriptor"].get_object()
                found[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def qr_codes(pdf: bytes, page: int = 0) -> list[str]:
    """Decode the QR codes printed on a page (rendered at 216 dpi)."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[page].render(scale=3).to_pil()
    finally:
        document.close()
    return [code.text for code in zxingcpp.read_barcodes(image) if code.format == zxingcpp.BarcodeFormat.QRCode]


def assert_a4(reader: PdfReader) -> None:
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - A4_POINTS[0]) < 1.5 and abs(height - A4_POINTS[1]) < 1.5, (width, height)


# --- the service's measures -------------------------------------------------------------

def test_text_measures_count_full_width_as_one_em():
    assert sheet_plan.text_em("窓口ab") == pytest.approx(2 + 2 * 0.62)
    assert sheet_plan.text_em("AW") == pytest.approx(0.75 + 1)
    assert sheet_plan.line_count("", 10) == 0
    assert sheet_plan.line_count("あ" * 10, 10) == 1
    assert sheet_plan.line_count("あ" * 11 + "\n" + "い", 10) == 3


def test_shorten_keeps_short_texts_and_marks_cut_ones():
    assert sheet_plan.shorten("  短い文。\n", 2, 10) == ("短い文。", False)
    text, cut = sheet_plan.shorten("あ" * 100, 2, 10)
    assert cut and text.endswith(sheet_plan.SHORTENED_MARK) and sheet_plan.line_count(text, 10) <= 2
    text, cut = sheet_plan.shorten("\n".join(["行"] * 30), 5, 10)
    assert cut and sheet_plan.line_count(text, 10) <= 5 and text.startswith("行\n行\n")


def test_share_lines_keeps_short_texts_whole_and_cuts_long_ones_alike():
    assert sheet_plan.share_lines([3, 2], 10) == [3, 2]
    assert sheet_plan.share_lines([30, 2, 30, 4], 20) == [7, 2, 7, 4]
    assert sheet_plan.share_lines([30, 30], 3) == [2, 2]   # never below the minimum


# --- HTML -----------------------------------------------------------------------------------

def test_sheet_page_has_everything_a_meeting_needs(client):
    response = client.get("/cases/chichibu-suido-kouikika/sheet")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in ("秩父地域5市町の4水道事業の統合による広域化", "秩父広域市町村圏組合", "代表", "構成団体",
                 "6,809人（2020年）", "5千〜1万", "広域化・共同化", "不明", "232億円", "見込み", "累計・総額",
                 "未登録", "内閣府、2018年10月2日", "第1版", "令和2年国勢調査 速報集計",
                 "http://localhost/cases/chichibu-suido-kouikika", 'src="data:image/svg+xml',
                 'href="/cases/chichibu-suido-kouikika/sheet.pdf"', 'src="/static/print.js"', "印刷する"):
        assert text in page, text
    assert "<script>" not in page and "style=" not in page    # the CSP allows no inline script or style
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_start_year_is_shown_in_both_calendars(client, add_case):
    add_case(slug="with-year", start_fiscal_year=2017)
    assert "平成29年度（2017年度）" in client.get("/cases/with-year/sheet").get_data(as_text=True)


def test_sheet_escapes_html(client, add_case):
    script = '<script>alert("x")</script>'
    add_case(slug="xss", title=f"窓口{script}", summary=script, effects=[effect(script, "1億円")])
    page = client.get("/cases/xss/sheet").get_data(as_text=True)
    assert script not in page and "&lt;script&gt;" in page


def test_case_and_search_pages_link_to_sheets(client):
    assert 'href="/cases/kochi-madoguchi-itaku/sheet"' in client.get("/cases/kochi-madoguchi-itaku").get_data(as_text=True)
    page = client.get("/cases?q=窓口&theme=outsourcing").get_data(as_text=True)
    assert re.search(r'href="/cases/sheets\?[^"]*theme=outsourcing', page)
    assert re.search(r'href="/cases/sheets\?[^"]*q=%E7%AA%93%E5%8F%A3', page)


@pytest.mark.parametrize("url", ["/cases/no-such-case/sheet", "/cases/no-such-case/sheet.pdf", "/cases/draft/sheet",
                                 "/cases/draft/sheet.pdf"])
def test_unknown_or_unpublished_case_is_a_japanese_404(client, add_case, url):
    add_case(slug="draft", status="draft")
    response = client.get(url)
    assert response.status_code == 404 and "見つかりません" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/cases/sheets?band=1-2", "/cases/sheets?sort=nope", "/cases/sheets.pdf?size=1000",
                                 "/cases/sheets.pdf?page=x"])
def test_bad_search_arguments_get_the_search_page_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "検索条件に誤りがあります" in page and 'href="/cases">条件をすべて解除する' in page


def test_batch_page_lists_the_search_and_shows_each_result(client):
    page = client.get("/cases/sheets?theme=cloud&sort=population").get_data(as_text=True)
    assert "先進事例シート（2件）" in page and "テーマ" in page and "自治体クラウド" in page and "人口の少ない順" in page
    assert page.count('<article class="sheet"') == 2
    assert page.index("南国市の自治体クラウド") < page.index("弘前地区4市町村")   # the search's order
    assert 'href="/cases/sheets.pdf?theme=cloud&amp;sort=population"' in page
    assert 'href="/cases?theme=cloud&amp;sort=population"' in page


def test_batch_is_capped_with_a_note(client, monkeypatch):
    monkeypatch.setattr(sheets, "MAX_BATCH", 5)
    page = client.get("/cases/sheets").get_data(as_text=True)
    assert page.count('<article class="sheet"') == 5
    assert "検索結果は12件ありますが、一度に印刷できるのは先頭の5件までです。" in page


def test_missing_pdf_renderer_is_a_503_not_a_500(client, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "weasyprint", None)   # import fails as without Pango
    response = client.get("/cases/kochi-madoguchi-itaku/sheet.pdf")
    assert response.status_code == 503 and "PDFを作成できません" in response.get_data(as_text=True)


# --- PDF (WeasyPrint) -----------------------------------------------------------------------

@pytest.mark.parametrize("slug", SLUGS)
def test_every_bundled_case_is_one_a4_page_with_embedded_japanese_fonts(client, slug):
    response = client.get(f"/cases/{slug}/sheet.pdf")
    reader = read_pdf(response)
    assert len(reader.pages) == 1
    assert_a4(reader)
    assert f'filename=casebook-{slug}.pdf' in response.headers["Content-Disposition"]
    text = page_text(reader.pages[0])
    case = client.get(f"/api/v1/cases/{slug}").get_json()
    assert flat(case["title"]) in text
    for e in case["effects"]:
        if e["amount"]:
            assert flat(e["amount"]) in text, e["amount"]
    embedded = fonts(reader)
    assert embedded and all(embedded.values()), embedded
    assert any("CJK" in name or "IPA" in name for name in embedded), embedded


def test_effect_figures_and_permanent_url_are_text_in_the_pdf(client):
    text = page_text(read_pdf(client.get("/cases/chichibu-suido-kouikika/sheet.pdf")).pages[0])
    for figure in ("232億円", "119億円", "15箇所", "59,706人（2020年）", "http://localhost/cases/chichibu-suido-kouikika"):
        assert flat(figure) in text, figure


@pytest.mark.parametrize("slug", ["chichibu-suido-kouikika", "kochi-madoguchi-itaku"])
def test_qr_code_decodes_to_the_case_url(client, slug):
    response = client.get(f"/cases/{slug}/sheet.pdf")
    assert qr_codes(response.data) == [f"http://localhost/cases/{slug}"]


def test_batch_pdf_is_the_list_then_one_page_per_case(client):
    reader = read_pdf(client.get("/cases/sheets.pdf"))
    assert len(reader.pages) == 1 + len(SLUGS)
    assert_a4(reader)
    listing = page_text(reader.pages[0])
    assert flat("先進事例シート（12件）") in listing
    titles = re.findall(r"<h1 id=\"title-[^\"]+\">([^<]+)</h1>", client.get("/cases/sheets").get_data(as_text=True))
    assert len(titles) == len(SLUGS)
    for number, (page, title) in enumerate(zip(reader.pages[1:], titles, strict=True), start=1):
        assert flat(title) in page_text(page)
        assert flat(title)[:10] in listing and str(number) in listing
    assert all(fonts(reader).values())


def test_batch_pdf_of_a_filtered_search(client):
    response = client.get("/cases/sheets.pdf?q=水道")
    reader = read_pdf(response)
    assert len(reader.pages) == 1 + 2 and flat("キーワード水道") in page_text(reader.pages[0])
    assert response.headers["Content-Disposition"].endswith("filename=casebook-sheets.pdf")


def test_empty_batch_is_a_list_page_only(client):
    reader = read_pdf(client.get("/cases/sheets.pdf?q=存在しない語句ぞ"))
    assert len(reader.pages) == 1 and "条件に合う事例はありません" in page_text(reader.pages[0])


LONG = "長い説明文がここに続きます。" * 120


def long_cases(add_case) -> list[str]:
    """Cases that would run over a page: long everything, many short lines, unbreakable Latin."""
    many = [participant(f"とても長い名前の一部事務組合{'構成団体' * 8}{i}", None if i == 0 else 1000 * (i + 1),
                        kind="association" if i == 0 else "town", role="lead" if i == 0 else "member")
            for i in range(20)]
    add_case(slug="long-everything", title="長い事例名" * 40, summary=LONG, background=LONG, approach=LONG, outcome=LONG,
             contact="問い合わせ先" * 80, participants=many, start_fiscal_year=2019,
             effects=[effect(f"効果の項目{'名前' * 30}{i}", f"{i + 1},234億5,678万円以上") for i in range(15)],
             source={"title": "出典の題名" * 60, "publisher": "内閣府", "date": None, "url": ""},
             event={"name": "発表の場の名前" * 30, "date": None})
    lines = "\n".join(f"{i}行目。" for i in range(200))
    add_case(slug="many-lines", summary=lines, background=lines, approach=lines, outcome=lines,
             effects=[effect(f"項目{i}", "8名") for i in range(8)])
    latin = "https://example.jp/" + "a" * 900
    add_case(slug="unbreakable", title="W" * 200, summary=latin, background="x" * 2000, approach="M" * 3000,
             contact="contact@example.jp " * 40)
    return ["long-everything", "many-lines", "unbreakable"]


def test_very_long_cases_still_fit_one_page_with_a_note(client, add_case):
    for slug in long_cases(add_case):
        response = client.get(f"/cases/{slug}/sheet.pdf")
        reader = read_pdf(response)
        assert len(reader.pages) == 1, slug
        text = page_text(reader.pages[0])
        assert flat("紙面の都合で") in text and flat("続きは掲載ページ") in text, slug
        assert qr_codes(response.data) == [f"http://localhost/cases/{slug}"], slug
    text = page_text(read_pdf(client.get("/cases/long-everything/sheet.pdf")).pages[0])
    more_towns, more_effects = re.search(r"ほか(\d+)団体", text), re.search(r"ほか(\d+)件の効果", text)
    assert more_towns and int(more_towns[1]) >= 20 - sheet_plan.MAX_PARTICIPANTS
    assert more_effects and int(more_effects[1]) >= 15 - sheet_plan.MAX_EFFECTS
    assert flat("令和元年度（2019年度）") in text


def test_long_lists_keep_eight_rows_when_the_texts_are_short(client, add_case):
    towns = [participant(f"町{i}", 5000 + i, role="lead" if i == 0 else "member") for i in range(12)]
    add_case(slug="many-towns", summary="短い概要。", participants=towns,
             effects=[effect(f"効果{i}", f"{i + 1}億円") for i in range(10)])
    reader = read_pdf(client.get("/cases/many-towns/sheet.pdf"))
    text = page_text(reader.pages[0])
    assert len(reader.pages) == 1 and "町7" in text and "町8" not in text and flat("ほか4団体") in text
    assert "8億円" in text and "9億円" not in text and flat("ほか2件の効果") in text
    assert "紙面の都合で" not in text


def test_planned_height_stays_on_the_page(client, add_case, loaded_app):
    from casebook import search
    from casebook.db import get_session

    slugs = long_cases(add_case) + SLUGS
    with loaded_app.test_request_context():
        for slug in slugs:
            sheet = sheets.case_sheet(get_session(), slug, lambda s: f"http://localhost/cases/{s}", search.get_index().bands)
            assert sheet_plan.planned_height(sheet) <= sheet_plan.PAGE_MM - sheet_plan.SAFETY_MM, slug


# --- the browser's own print path (headless Chromium) -----------------------------------

@pytest.fixture
def live_server(loaded_app):
    """The test app served on a free loopback port."""
    server = make_server("127.0.0.1", 0, loaded_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def test_chromium_prints_one_a4_page_per_sheet(live_server, add_case):
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    long_slugs = long_cases(add_case)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"])
        try:
            page = browser.new_page()
            blocked = []
            page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)

            def printed(path: str) -> bytes:
                response = page.goto(live_server + path)
                assert response is not None and response.status == 200, path
                return page.pdf(format="A4", prefer_css_page_size=True, print_background=True)

            pdf = printed("/cases/chichibu-suido-kouikika/sheet")
            assert page.is_visible("button[data-print]")       # print.js ran under the CSP
            reader = PdfReader(io.BytesIO(pdf))
            assert len(reader.pages) == 1
            assert_a4(reader)
            text = page_text(reader.pages[0])
            assert flat("秩父地域5市町の4水道事業の統合による広域化") in text and "232億円" in text
            assert "印刷する" not in text and "ブラウザの印刷" not in text   # the toolbar is not printed
            assert qr_codes(pdf) == [f"{live_server}/cases/chichibu-suido-kouikika"]
            for slug in long_slugs:
                assert len(PdfReader(io.BytesIO(printed(f"/cases/{slug}/sheet"))).pages) == 1, slug
            reader = PdfReader(io.BytesIO(printed("/cases/sheets")))
            assert len(reader.pages) == 1 + len(SLUGS) + len(long_slugs)
            assert flat("先進事例シート（15件）") in page_text(reader.pages[0])
            assert blocked == []
        finally:
            browser.close()
