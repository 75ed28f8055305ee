"""The Atom feed of a search (/cases.atom): read by a real feed parser, checked against Atom's structure."""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

import feedparser
import pytest
from sqlmodel import Session, select

from casebook import search
from casebook.db import get_engine
from casebook.models import User
from casebook.services import cases

from . import writes

NS = {"a": "http://www.w3.org/2005/Atom"}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def feed(client, **args):
    response = client.get("/cases.atom", query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed, ET.fromstring(response.data), response


def slugs(parsed) -> list[str]:
    return [entry.link.rsplit("/", 1)[1] for entry in parsed.entries]


def api_slugs(client, **args) -> set[str]:
    body = client.get("/api/v1/cases", query_string={**args, "size": 100}).get_json()
    assert body["total"] <= 100
    return {result["slug"] for result in body["results"]}


def edit(app, slug: str, **changes):
    with app.app_context(), Session(get_engine(app), expire_on_commit=False) as session:
        case = cases.get_case(session, slug)
        return writes.save(session, search.get_index(app), cases.case_data(case) | changes)[0]


def test_the_feed_has_atoms_structure(client):
    parsed, root, _ = feed(client, q="窓口")
    assert root.tag == "{http://www.w3.org/2005/Atom}feed" and root.get("{http://www.w3.org/XML/1998/namespace}lang") == "ja"
    for name in ("id", "title", "updated", "author/a:name"):
        assert len(root.findall(f"a:{name}", NS)) == 1, name
    assert RFC3339.match(root.findtext("a:updated", namespaces=NS))
    links = {link.get("rel"): link for link in root.findall("a:link", NS)}
    assert links["self"].get("href") == "http://localhost/cases.atom?q=%E7%AA%93%E5%8F%A3"
    assert links["self"].get("type") == "application/atom+xml"
    assert links["alternate"].get("href") == "http://localhost/cases?q=%E7%AA%93%E5%8F%A3&sort=newest"
    assert root.findtext("a:id", namespaces=NS) == "http://localhost/cases?q=%E7%AA%93%E5%8F%A3"
    assert "令和2年国勢調査" in root.findtext("a:rights", namespaces=NS)
    entries = root.findall("a:entry", NS)
    assert entries and len(entries) == len(parsed.entries)
    for entry in entries:
        for name in ("id", "title", "updated", "summary"):
            assert len(entry.findall(f"a:{name}", NS)) == 1, name
        assert RFC3339.match(entry.findtext("a:updated", namespaces=NS))
        (alternate,) = [link for link in entry.findall("a:link", NS) if link.get("rel") == "alternate"]
        assert alternate.get("href").startswith("http://localhost/cases/")
        assert entry.findall("a:category", NS) and all(c.get("term") and c.get("label") for c in entry.findall("a:category", NS))
    # The newest entry's time is the feed's; entries come newest first.
    times = [entry.findtext("a:updated", namespaces=NS) for entry in entries]
    assert times == sorted(times, reverse=True) and root.findtext("a:updated", namespaces=NS) == times[0]


def test_an_entry_as_a_feed_reader_sees_it(client):
    parsed, _, _ = feed(client, q="秩父")
    assert parsed.feed.title == "casebook 事例検索: 秩父"
    assert parsed.feed.author == "内閣府（先進事例データベース casebook）"
    entry = next(e for e in parsed.entries if e.link == "http://localhost/cases/chichibu-suido-kouikika")
    assert entry.id == "tag:localhost,2018:case/chichibu-suido-kouikika"
    assert entry.title == "秩父地域5市町の4水道事業の統合による広域化"
    assert "人口計 94,691人" in entry.summary and "横瀬町" in entry.summary
    # The band as the search page labels it, and the theme; the scheme and term make its search.
    assert {(t.term, t.label) for t in entry.tags} == {("50000-100000", "5万〜10万"), ("wide-area", "広域化・共同化")}
    band = next(t for t in entry.tags if t.term == "50000-100000")
    assert band.scheme + band.term == "http://localhost/cases?band=50000-100000"


@pytest.mark.parametrize("args", [{}, {"theme": "outsourcing"}, {"q": "窓口"}, {"q": "委託", "region": "東北"},
                                  {"band": ["20000-50000", "50000-100000"], "theme": "outsourcing"}, {"q": "存在しない語句ｘｙｚ"}])
def test_the_feed_narrows_as_the_search_does(client, args):
    parsed, _, _ = feed(client, **args)
    assert set(slugs(parsed)) == api_slugs(client, **args)


def test_sort_and_page_change_neither_the_feed_nor_its_id(client):
    one, root, _ = feed(client, q="窓口", theme="outsourcing")
    other, other_root, _ = feed(client, theme="outsourcing", q="窓口", sort="population", page=2, size=5)
    assert slugs(one) == slugs(other) and len(slugs(one)) > 5
    assert root.findtext("a:id", namespaces=NS) == other_root.findtext("a:id", namespaces=NS)
    assert one.feed.title == "casebook 事例検索: 窓口 ／ 窓口業務の民間委託"


def test_a_draft_never_appears(client, add_case, accounts):
    add_case(slug="secret-draft", title="下書きの窓口事例", status="draft")
    parsed, _, _ = feed(client)
    assert "secret-draft" not in slugs(parsed) and len(parsed.entries) == 12
    with Session(get_engine(accounts), expire_on_commit=False) as session:
        editor = session.exec(select(User).where(User.email == "editor@example.jp")).one()
        with accounts.app_context():
            writes.transition(session, search.get_index(accounts), "kochi-madoguchi-itaku", "unpublish", editor)
    parsed, _, _ = feed(client)
    assert "kochi-madoguchi-itaku" not in slugs(parsed) and len(parsed.entries) == 11


def test_an_edited_case_comes_first_and_keeps_its_id(client, loaded_app):
    before, _, _ = feed(client)
    last = before.entries[-1]
    slug = last.link.rsplit("/", 1)[1]
    edit(loaded_app, slug, summary="要約を書き直しました。")
    after, root, _ = feed(client)
    assert after.entries[0].id == last.id == f"tag:localhost,2018:case/{slug}"
    assert after.entries[0].summary.startswith("要約を書き直しました。")
    assert root.findtext("a:updated", namespaces=NS) == root.find("a:entry", NS).findtext("a:updated", namespaces=NS)
    assert len(after.entries) == len(before.entries)


def test_xml_special_characters_are_escaped(client, add_case):
    add_case(slug="amp-case", title="窓口 & <委託> \"試行\"", summary="A&B <b>太字ではない</b>\x01")
    parsed, root, response = feed(client, q="試行")
    raw = response.get_data(as_text=True)
    assert "&amp; &lt;委託&gt;" in raw and "<b>" not in raw and "\x01" not in raw
    (entry,) = parsed.entries
    assert entry.title == '窓口 & <委託> "試行"'
    assert root.find("a:entry/a:summary", NS).text.startswith("A&B <b>太字ではない</b>")


@pytest.mark.parametrize("q", ["\x00", "\x1b[31m", "<script>alert(1)</script>", "a&b", "]]>", "🙂", "窓口 " * 300])
def test_hostile_words_give_a_well_formed_feed(client, q):
    parsed, root, response = feed(client, q=q)
    assert "<script>" not in response.get_data(as_text=True)
    assert root.findtext("a:title", namespaces=NS).startswith("casebook 事例検索: ")


@pytest.mark.parametrize("query, field", [("band=bogus", "人口規模"), ("page=0", "page"), ("year=20xx", "開始年度"),
                                          ("municipality=999999", "municipality"), ("theme=" + "x" * 41, "テーマ")])
def test_wrong_arguments_get_the_search_pages_message(client, query, field):
    response = client.get(f"/cases.atom?{query}")
    assert response.status_code == 400 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert text.startswith(("検索条件に誤りがあります。", "基準の団体が見つかりません。")) and f"{field}: " in text
    assert client.get(f"/cases?{query}").status_code == 400


def test_an_unchanged_feed_answers_304(client, loaded_app):
    _, _, first = feed(client, theme="cloud")
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    again = client.get("/cases.atom?theme=cloud", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    edit(loaded_app, "hirosaki-jichitai-cloud", summary="書き直した要約")
    changed = client.get("/cases.atom?theme=cloud", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_the_search_page_links_its_feed(client):
    page = client.get("/cases", query_string={"q": "窓口", "theme": "outsourcing", "sort": "population"})
    body = page.get_data(as_text=True)
    head = body.split("</head>")[0]
    (link,) = re.findall(r'<link rel="alternate" type="application/atom\+xml" title="([^"]*)" href="([^"]*)">', head)
    title, href = html.unescape(link[0]), html.unescape(link[1])
    assert href == "/cases.atom?q=%E7%AA%93%E5%8F%A3&theme=outsourcing"
    parsed, _, _ = feed(client, q="窓口", theme="outsourcing")
    assert parsed.feed.title == title
    assert f'<a href="{link[1]}" type="application/atom+xml">この検索の新着をフィードで受け取る（Atom）</a>' in body
    assert client.get(href).status_code == 200
    assert 'type="application/atom+xml"' not in client.get("/cases?band=bogus").get_data(as_text=True)
