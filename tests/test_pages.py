"""Public pages: home, case page, about, errors, escaping and security headers."""
import pytest

from .conftest import effect, participant


def test_home_shows_counts_bands_and_themes(client):
    page = client.get("/").get_data(as_text=True)
    assert "<strong>12</strong> 件の事例" in page
    assert 'href="/cases?band=5000-10000">5千〜1万<span class="count">（2件）' in page
    assert 'href="/cases?theme=cloud">自治体クラウド<span class="count">（2件）' in page
    assert 'lang="ja"' in page and "e-Stat" in page


def test_case_page_shows_participants_effects_and_source(client):
    page = client.get("/cases/hirosaki-jichitai-cloud").get_data(as_text=True)
    for text in ("大鰐町", "8,671人（2020年）", "田舎館村", "西目屋村", "約10〜15%", "運用保守",
                 "公共サービスイノベーション・プラットフォーム in 東北", "2017年7月7日", "内閣府",
                 "令和2年国勢調査 速報集計", "構成団体の合計"):
        assert text in page, text
    assert '<a href="/cases?band=5000-10000">5千〜1万</a>' in page


def test_outline_case_is_labelled(client):
    assert "概要のみの掲載です" in client.get("/cases/miyagi-kouikika").get_data(as_text=True)


def test_unknown_case_is_a_japanese_404(client):
    response = client.get("/cases/no-such-case")
    assert response.status_code == 404 and "見つかりません" in response.get_data(as_text=True)


def test_wrong_method_is_405_not_500(client):
    assert client.post("/cases").status_code in (400, 405)
    assert client.delete("/cases/kochi-madoguchi-itaku").status_code == 405


SCRIPT = '<script>alert("x")</script>'


def test_html_in_fields_is_shown_as_text(client, add_case):
    add_case(slug="xss", title=f"窓口{SCRIPT}", summary=f"要約{SCRIPT}", tags=[SCRIPT],
             participants=[participant(f"町{SCRIPT}", 9000, role="lead")],
             effects=[effect(f"経費{SCRIPT}", "1億円", wording=SCRIPT)])
    for url in ("/cases/xss", "/cases?q=窓口", "/"):
        page = client.get(url).get_data(as_text=True)
        assert SCRIPT not in page and "&lt;script&gt;" in page, url
    body = client.get("/api/v1/cases/xss").get_json()
    assert body["title"] == f"窓口{SCRIPT}"


@pytest.mark.parametrize("url", ["/", "/cases?q=窓口", "/cases/kochi-madoguchi-itaku", "/api/v1/cases", "/nope"])
def test_security_headers(client, url):
    headers = client.get(url).headers
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


def test_pages_load_nothing_from_outside(client):
    for url in ("/", "/cases", "/cases/kochi-madoguchi-itaku", "/about"):
        page = client.get(url).get_data(as_text=True)
        assert 'src="http' not in page and 'href="http' not in page.replace('href="https://www.e-stat', "")


def test_the_footer_has_a_sign_in_link(client):
    page = client.get("/").get_data(as_text=True)
    footer = page.split('<footer class="site-footer">', 1)[1]
    assert 'href="/login"' in footer and "ログイン" in footer
