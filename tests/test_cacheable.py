"""Cacheable public reads (issue 21, item 4): anonymous pages set no cookie unless they hold a form
that posts; public pages and API reads carry an ETag and Cache-Control and answer 304 to If-None-Match;
the ETag changes when what is shown changes; nothing personal is ever marked public."""
import re

import pytest

from .conftest import PASSWORD
from .test_municipalities import csrf

PUBLIC = ["/", "/cases", "/cases?q=窓口&theme=outsourcing", "/cases/kochi-madoguchi-itaku", "/coverage", "/about",
          "/accessibility", "/api/v1/cases?q=窓口", "/api/v1/cases/kochi-madoguchi-itaku", "/api/v1/facets",
          "/cases/kochi-madoguchi-itaku/sheet"]


@pytest.mark.parametrize("url", PUBLIC)
def test_an_anonymous_read_sets_no_cookie_and_revalidates(loaded_app, url):
    client = loaded_app.test_client()
    first = client.get(url)
    assert first.status_code == 200 and "Set-Cookie" not in first.headers, url
    assert first.headers["Cache-Control"] == "public, no-cache" and first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.parametrize("url", ["/mygov", "/login"])
def test_pages_with_a_form_that_posts_may_set_the_session(loaded_app, url):
    response = loaded_app.test_client().get(url)
    assert "session=" in response.headers.get("Set-Cookie", "") and "ETag" not in response.headers


def test_the_etag_changes_when_the_case_changes(client, add_case):
    url = "/cases/kochi-madoguchi-itaku"
    before = client.get(url).headers["ETag"]
    search_before = client.get("/cases?q=窓口").headers["ETag"]
    add_case(slug="new-madoguchi", title="新しい窓口の委託", summary="窓口業務を委託した")
    assert client.get("/cases?q=窓口").headers["ETag"] != search_before      # the index generation moved
    assert client.get(url, headers={"If-None-Match": before}).status_code in (200, 304)
    assert client.get("/cases/new-madoguchi").headers["ETag"] != before


def test_the_population_box_goes_through_the_page_that_posts(loaded_app):
    client = loaded_app.test_client()
    home = client.get("/").get_data(as_text=True)
    form = re.search(r'<form action="(/mygov[^"]*)" method="get">\s*<input type="hidden" name="next"', home)
    assert form and 'name="population"' in home
    page = client.get("/mygov?population=9000&next=/cases")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "人口 9,000人を基準にするには" in html and 'value="9000"' in html
    chosen = client.post("/mygov", data={"csrf_token": csrf(client, "/mygov"), "population": "9000", "next": "/cases"})
    assert chosen.status_code == 302 and any(c.startswith("casebook_ref=p:9000") for c in chosen.headers.getlist("Set-Cookie"))
    for typed in ("たくさん", "0", "60000000"):
        bad = client.get("/mygov", query_string={"population": typed})
        assert bad.status_code == 400 and "人口は1〜5,000万の整数で" in bad.get_data(as_text=True), typed


def test_a_reader_with_a_chosen_government_gets_private_answers(loaded_app):
    client = loaded_app.test_client()
    client.post("/mygov", data={"csrf_token": csrf(client, "/mygov"), "population": "9000", "next": "/"})
    response = client.get("/cases/kochi-madoguchi-itaku")
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "選択を解除" in client.get("/").get_data(as_text=True)          # the box can still clear it


def test_signed_in_pages_are_never_marked_cacheable(accounts):
    client = accounts.test_client()
    client.post("/login", data={"csrf_token": csrf(client, "/login"), "email": "editor@example.jp",
                                "password": PASSWORD})
    for url in ("/cases", "/cases/kochi-madoguchi-itaku", "/curate/"):
        response = client.get(url)
        assert "public" not in response.headers.get("Cache-Control", ""), url
        assert "ETag" not in response.headers, url
