"""「検索結果に戻る」 keeps the query and facets (issue 19, item 5): a result links to its case with the
search's arguments, which the case page validates and rebuilds; anything else gives no link, never an error."""
import html
import re


def first_result(client, url):
    page = client.get(url).get_data(as_text=True)
    return html.unescape(re.search(r'<h3><a href="([^"]+)"', page).group(1))


def breadcrumb(client, url):
    return re.search(r'<p class="breadcrumb">.*?</p>', client.get(url).get_data(as_text=True)).group(0)


def test_a_result_leads_back_to_its_search(client):
    link = first_result(client, "/cases?q=窓口&theme=outsourcing&band=200000-500000")
    crumb = html.unescape(breadcrumb(client, link))
    back = re.search(r'<a href="([^"]+)">検索結果に戻る</a>', crumb).group(1)
    assert back.startswith("/cases?") and "theme=outsourcing" in back and "band=200000-500000" in back
    assert "q=%E7%AA%93%E5%8F%A3" in back and back.endswith("#result-count")
    assert client.get(back.split("#")[0]).status_code == 200


def test_the_case_page_names_one_address_for_itself(client):
    link = first_result(client, "/cases?q=窓口")
    page = client.get(link).get_data(as_text=True)
    assert re.search(r'<link rel="canonical" href="/cases/[a-z0-9-]+">', page)


def test_without_a_search_or_with_a_forged_one_there_is_no_back_link(client):
    assert "検索結果に戻る" not in breadcrumb(client, "/cases/kochi-madoguchi-itaku")
    for back in ["band=bad", "q=%3Cscript%3E&sort=nonsense", "%ff%fe", "https://evil.example/", "x" * 5000]:
        response = client.get("/cases/kochi-madoguchi-itaku", query_string={"back": back})
        assert response.status_code == 200, back
        crumb = breadcrumb(client, "/cases/kochi-madoguchi-itaku?" + f"back={back}")
        assert "evil.example" not in crumb and "<script" not in crumb
