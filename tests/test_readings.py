"""Readings and corrections searched (issue 17, items 3 and 4): a word typed in kana finds the kanji
words read so; a search that finds nothing searches its first correction and offers the words as typed.

Through HTTP and the service on the twelve seed cases (tests/cases/) and a few added ones.
"""
import pytest

from casebook.search import readings

from .test_search import api, slugs
from .test_search_understanding import page, result


@pytest.mark.parametrize("typed, meant", [("まどぐち", "窓口"), ("すいどう", "水道"), ("ひろさき", "弘前"),
                                          ("じちたい", "自治体"), ("スイドウ", "水道")])
def test_a_reading_finds_the_words_read_so(client, app, typed, meant):
    found = result(app, typed)
    assert found.total > 0 and found.total == result(app, meant).total, typed
    assert any(f"「{typed}」を「{meant}" in note for note in found.notes), found.notes
    assert found.suggestions and found.suggestions[0].q == meant and found.suggestions[0].count == found.total


def test_a_place_name_read_in_kana(client, add_case):
    add_case(slug="yasuoka", title="泰阜村の窓口", summary="泰阜村で窓口の受付時間を見直した")
    assert slugs(api(client, q="やすおか")) == ["yasuoka"]
    assert "yasuoka" in slugs(api(client, q="やすおか まどぐち"))


def test_a_reading_is_highlighted_as_its_word(client):
    html = page(client, "すいどう")
    assert "<mark>水道</mark>" in html and "読みから「すいどう」を「水道」" in html


def test_kana_in_the_text_is_searched_as_typed(client, add_case):
    add_case(slug="gomi", title="ごみの収集", summary="ごみの収集を委託した")
    found = api(client, q="ごみ")
    assert "gomi" in slugs(found) and not any("読みから" in n for n in found["notes"])


def test_a_word_that_finds_nothing_is_searched_corrected(client, app):
    for typed, meant in [("窓口業無", "窓口業務"), ("クラウト", "クラウド"), ("窓ロ", "窓口")]:
        found = result(app, typed)
        assert found.total == result(app, meant).total > 0, typed
        assert f"「{typed}」では見つからなかったため、「{meant}」で検索しました。" in found.notes
        assert found.instead is not None and found.instead.q == f'"{typed}"'
    body = api(client, q="クラウト")
    assert body["instead"]["q"] == '"クラウト"' and body["instead"]["url"].startswith("/api/v1/cases?q=")  # relative
    assert api(client, q="クラウト", urls="absolute")["instead"]["url"].startswith("http://localhost/api/v1/cases?")
    html = page(client, "クラウト")
    assert "入力どおり「クラウト」で検索する" in html


def test_words_in_quotes_are_never_corrected(client, app):
    found = result(app, '"窓口業無"')
    assert found.total == 0 and found.instead is None
    assert found.suggestions and found.suggestions[0].q == '"窓口業務"'            # still offered, in quotes


def test_nothing_read_nothing_corrected_when_results_exist(client, app):
    found = result(app, "窓口")
    assert found.instead is None and not any("読みから" in n or "見つからなかった" in n for n in found.notes)
    assert api(client, q="窓口")["instead"] is None


def test_readings_are_read_by_units():
    vocabulary = {"青森県弘前市": 1, "窓口業務": 2, "広域水道事業": 1}
    assert readings.words_read("ひろさき", vocabulary) == ["弘前"]
    assert readings.words_read("まどぐちぎょうむ", vocabulary) == ["窓口業務"]
    assert readings.words_read("すいどうじぎょう", vocabulary) == ["水道事業"]
    assert readings.words_read("窓口", vocabulary) == [] and readings.words_read("あ", vocabulary) == []
    assert readings.words_read("ぎょうむ", {"業務": 5, "漁夢": 1})[0] == "業務"     # the more frequent first
