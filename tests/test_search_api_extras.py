"""The search API says which synonyms it included and what it suggests, as the search page does."""


def test_the_api_names_the_synonyms_it_searched(client):
    body = client.get("/api/v1/cases", query_string={"q": "アウトソーシング"}).get_json()
    assert body["total"] >= 1 and body["synonyms"], body.get("synonyms")
    assert "民間委託" in str(body["synonyms"])


def test_the_api_suggests_a_correction_for_a_typo(client):
    body = client.get("/api/v1/cases", query_string={"q": "クラウト"}).get_json()
    assert "クラウド" in str(body["suggestions"])
