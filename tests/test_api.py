"""The JSON twin of the search page and the case record."""


def test_json_twin_matches_the_html_page(client):
    body = client.get("/api/v1/cases", query_string={"q": "委託", "region": "東北"}).get_json()
    html = client.get("/cases", query_string={"q": "委託", "region": "東北"}).get_data(as_text=True)
    assert f"{body['total']}件の事例" in html
    for result in body["results"]:
        assert f'href="/cases/{result["slug"]}?back=' in html                       # each result, back link to this search
    assert body["query"] == {"q": "委託", "region": ["東北"], "sort": "relevance", "page": 1, "size": 20}


def test_case_record(client):
    body = client.get("/api/v1/cases/chichibu-suido-kouikika").get_json()
    assert body["population"] == 59706 + 7981 + 9305 + 6809 + 10890
    assert body["population_band"] == "50000-100000"
    assert body["themes"] == [{"code": "wide-area", "label": "広域化・共同化"}]
    cost = next(e for e in body["effects"] if e["yen"] == 23_200_000_000)
    assert cost | {"wording": "", "label": ""} == {
        "kind": "cost", "direction": "reduction", "label": "", "amount": "232億円", "value_min": 23_200_000_000,
        "value_max": 23_200_000_000, "unit": "円", "qualifier": None, "yen": 23_200_000_000, "period": "total",
        "status": "expected", "wording": "", "estimate": None, "baseline": None, "result": None, "change": None,
        "note": None, "per_capita": {"min": 23_200_000_000 / 94691, "max": 23_200_000_000 / 94691, "unit": "円", "population": 94691},
        "scales": None, "scaling": {"scales": True, "automatic": True, "reason": "経費は人口に比例するとみなすため"}}
    assert body["participants"][2] == {
        "role": "member", "code": "113611", "name": "横瀬町", "prefecture": "埼玉県", "region": "関東",
        "kind": "town", "population": 7981, "population_year": 2020,
        "population_source": "令和2年国勢調査 速報集計（総務省統計局）", "covers": None}
    assert body["url"] == "http://localhost/cases/chichibu-suido-kouikika"


def test_unknown_case_is_problem_json(client):
    response = client.get("/api/v1/cases/nope")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 404


def test_unknown_api_route_is_problem_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
