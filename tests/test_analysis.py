"""Japanese analysis: terms, normalisation, query words and highlighting."""
from casebook.search import analysis


def term_set(text, index=True):
    return {t for t, _s, _e in analysis.terms(text, index=index)}


def test_bigrams_and_sentinel_per_run():
    assert [t for t, _s, _e in analysis.terms("窓口業務")] == ["窓口", "口業", "業務", "務" + analysis.SENTINEL]


def test_runs_break_at_punctuation_and_script_changes():
    terms = term_set("水道、AI-OCR導入")
    assert {"ai", "ocr", "導入"} <= terms
    assert "道a" not in terms and "道、" not in terms


def test_width_and_kana_variants_fold_together():
    assert term_set("ＡＩ") == term_set("AI") == {"ai"}
    assert term_set("ｶﾀｶﾅ") == term_set("カタカナ") == term_set("かたかな")
    assert term_set("ﾏｲﾅﾝﾊﾞｰ") == term_set("マイナンバー")


def test_offsets_point_into_the_original_text():
    text = "ｶﾞｲﾄﾞと２３２億円"
    for term, start, end in analysis.terms(text):
        original = text[start:end]
        assert analysis.normalize(original)[0].startswith(term.rstrip(analysis.SENTINEL)[:1])


def test_query_words_mark_single_characters_as_prefixes():
    words = analysis.query_words("水 水道 AI")
    assert words == [[("水", True)], [("水道", False)], [("ai", False)]]


def test_clean_query_strips_control_characters_and_caps_length():
    text, notes = analysis.clean_query("窓口\x00\x1b委託" + "あ" * 500)
    assert "\x00" not in text and len(text) <= analysis.MAX_QUERY_CHARS
    assert notes and "長すぎる" in notes[0]


def test_highlight_marks_terms_and_escapes_html():
    html = str(analysis.highlight("<b>窓口</b>業務の委託", analysis.query_words("窓口")))
    assert html == "&lt;b&gt;<mark>窓口</mark>&lt;/b&gt;業務の委託"


def test_highlight_single_character_and_no_match():
    assert "<mark>水</mark>" in str(analysis.highlight("上水道の水", analysis.query_words("水")))
    assert str(analysis.highlight("a<b", analysis.query_words("水"))) == "a&lt;b"


def test_highlight_marks_synonyms_apart_from_the_typed_words():
    html = str(analysis.highlight("民間委託とアウトソーシング", analysis.query_words("民間委託"),
                                  synonyms=analysis.query_words("アウトソーシング")))
    assert html == '<mark>民間委託</mark>と<mark class="synonym">アウトソーシング</mark>'
    overlapping = analysis.highlight("保育園", analysis.query_words("保育園"), synonyms=analysis.query_words("保育"))
    assert str(overlapping) == "<mark>保育園</mark>"


def _marks_by_terms(text, words):
    """What the index's own terms of `text` say a query marks (the definition highlighting keeps to
    without tokenising): every term equal to a wanted one, and the first character of every term
    starting with a one-character (prefix) word — as merged spans of the original text."""
    wanted = {t for word in words for t, p in word if not p}
    prefixes = {t for word in words for t, p in word if p}
    found = []
    for term, start, end in analysis.terms(text, index=True):
        if term in wanted:
            span = [start, end]
        elif term[0] in prefixes:
            span = [start, end if len(term) == 1 else start + 1]
        else:
            continue
        if found and span[0] <= found[-1][1]:
            found[-1][1] = max(found[-1][1], span[1])
        else:
            found.append(span)
    return found


def test_highlighting_marks_exactly_what_the_index_terms_match():
    import random
    from pathlib import Path

    import yaml
    texts = ["ｶﾞｲﾄﾞとＡＩ-OCR、rpaとRPA（ＲＰＡ）。①窓口 水水水 a水b 12,000人 Ⅳ期 ㈱の委託"]
    for path in sorted(Path(__file__).resolve().parent.parent.joinpath("cases").glob("*.yaml"))[:60]:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts.append("\n".join(str(data.get(k) or "") for k in ("title", "summary", "approach", "outcome")))
    rnd = random.Random(7)
    for text in texts:
        queries = ["窓口", "水", "rpa", "ＡＩ", "ocr", "000", "ｶﾞｲﾄﾞ", "の", "委託 窓口"]
        queries += [text[i:i + rnd.choice((1, 2, 3))].strip() or "町" for i in rnd.sample(range(len(text)), 8)]
        for query in queries:
            words = analysis.query_words(analysis.clean_query(query)[0])
            norm, origin = analysis.normalize(text)
            assert analysis._marked(norm, origin, words) == _marks_by_terms(text, words), (query, text[:40])
