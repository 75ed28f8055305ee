"""Reading queries as people type them, the thesaurus and "did you mean" (pure: no index, no database)."""
import pytest

from casebook.search import query, suggest, thesaurus


@pytest.fixture(scope="module")
def th():
    return thesaurus.shipped()


def words(q, th=None):
    return [w.text for w in query.parse(q, th).words]


def test_the_packaged_thesaurus_covers_the_fields_families(th):
    for word, also in [("民間委託", "アウトソーシング"), ("アウトソーシング", "業務委託"), ("外部委託", "民間委託"),
                       ("保育園", "保育所"), ("入園", "入所"), ("ロボット", "RPA"), ("自動応答", "チャットボット"),
                       ("節減", "削減"), ("自治体クラウド", "共同利用"), ("包括管理", "包括委託"),
                       ("ごみ", "廃棄物"), ("救急", "救急搬送"), ("電子申請", "オンライン申請"), ("経費", "コスト")]:
        assert also in th.synonyms(word), (word, also)
    assert "証明書" in th.synonyms("住民票") and "住民票" not in th.synonyms("証明書")  # one way
    assert th.synonyms("ｒｐａ") == th.synonyms("RPA") and th.synonyms("ほいくえん") == ()


def test_compounds_get_their_parts_replaced(th):
    forms = [form for form, _via in th.variants("保育園入所")]
    assert {"保育所入所", "保育園入園", "保育所入園"} <= set(forms)
    assert [f for f, _v in th.variants("人件費削減")][:1] and any(f == "人件費節減" for f, _v in th.variants("人件費削減"))


def test_a_bad_line_is_refused():
    with pytest.raises(thesaurus.ThesaurusError, match="line 2"):
        thesaurus.parse("# ok\n=\tひとつだけ\n")
    assert thesaurus.parse("=\t甲\t乙\n>\t丙\t丁\n").synonyms("丁") == ()


@pytest.mark.parametrize(("q", "expected"), [
    ("窓口業務を民間に委託した例", ["窓口業務", "民間", "委託"]),
    ("水道事業の広域化", ["水道事業", "広域化"]),
    ("住民票の写しのコンビニ交付", ["住民票", "写し", "コンビニ交付"]),
    ("ごみ処理施設を共同で設置した事例", ["ごみ処理施設", "共同", "設置"]),
    ("取り組み", ["取り組み"]),          # nothing else: the content-poor word is searched rather than everything
    ("問い合わせ", ["問い合わせ"]),      # okurigana stay
    ("くらうど", ["くらうど"]),          # a word in hiragana alone is kept (a reading)
    ("窓口、委託・ＲＰＡ", ["窓口", "委託", "ＲＰＡ"]),
    ("民間委託 AND 窓口", ["民間委託", "窓口"]),
])
def test_phrases_lose_their_function_words(q, expected):
    assert words(q) == expected


def test_operators():
    parsed = query.parse("窓口 -委託 NOT 郵送")
    assert [w.text for w in parsed.words] == ["窓口"] and [w.text for w in parsed.excluded] == ["委託", "郵送"]
    either = query.parse("民間委託 OR 水道 窓口")
    assert len(either.words) == 2 and [f.text for f in either.words[0].forms] == ["民間委託", "水道"]
    assert either.text() == "民間委託 OR 水道 窓口"
    assert query.parse('"保育園"', thesaurus.shipped()).words[0].forms[0].text == "保育園"
    assert len(query.parse('"保育園"', thesaurus.shipped()).words[0].forms) == 1  # quotes: no synonyms
    assert len(query.parse("保育園", thesaurus.shipped()).words[0].forms) == 2


@pytest.mark.parametrize("q", ["-", "OR", "AND", "NOT", '"', '""', "- -", "OR OR 窓口", "窓口 OR", "-\"窓口\"", "+", "の"])
def test_operators_alone_never_break(q):
    parsed = query.parse(q, thesaurus.shipped())
    parsed.query()
    parsed.text()


def test_most_words_are_required():
    assert [query.REQUIRED(n) for n in (1, 2, 3, 4, 5, 8, 12)] == [1, 2, 2, 3, 4, 6, 9]


LEXICON = {t: 1 for t in ["窓口", "口業", "業務", "務\ue000", "クラ", "ラウ", "ウド", "ド\ue000", "保育", "育園", "園\ue000",
                          "入所", "所\ue000", "水道", "道\ue000", "rpa", "cloud"]}


@pytest.mark.parametrize(("typed", "meant"), [
    ("窓ロ", "窓口"),         # katakana ロ for 口
    ("窓口業無", "窓口業務"),  # a wrong kanji
    ("クラウト", "クラウド"),  # a dropped dakuten
    ("クラウ", None),          # every term known: nothing to correct towards here
    ("rap", "rpa"), ("clowd", "cloud"),
])
def test_corrections_come_from_the_lexicon(typed, meant):
    found = suggest.corrections(typed, LEXICON)
    assert (found[0] if found else None) == meant or meant is None


def test_a_compound_is_cut_where_its_terms_are_unknown():
    assert suggest.parts("保育園入所", LEXICON) == ["保育園", "入所"]
    assert suggest.parts("水道", LEXICON) == []
