"""What every search engine must do (casebook/search/engine.py), run against each engine in ENGINES.

A second engine is one new module under casebook/search/ and one entry here; it is done when
these pass. The documents are made here (no database), in the shape documents.case_document gives.
"""
from __future__ import annotations

import pytest

from casebook import domain, search
from casebook.search import analysis, documents
from casebook.search.tantivy.engine import TantivyEngine
from casebook.search.whoosh.engine import WhooshEngine

ENGINES = {
    "whoosh": lambda directory, bands: WhooshEngine(directory, bands, lock_timeout=2.0),
    "tantivy": lambda directory, bands: TantivyEngine(directory, bands, lock_timeout=2.0),
}


def make(name: str, directory, bands: domain.Bands | None = None) -> search.Engine:
    return ENGINES[name](directory, bands or domain.Bands())


@pytest.fixture(params=sorted(ENGINES))
def engine_name(request):
    return request.param


@pytest.fixture
def engine(engine_name, tmp_path):
    return make(engine_name, tmp_path / "index")


def doc(slug, title="", summary="", text="", status="published", updated=0, population=None, effect=0,
        people=(), keywords="", detailed=1, **values) -> dict:
    """A document as case_document makes one: facet values by facet name, the rest of the text in `text`."""
    out = {
        "slug": slug, "status": status, "title": title, "keywords": keywords, "summary": summary,
        "all": "\n".join((title, keywords, summary, text)),
        "facets": {name: sorted(values.get(name, [])) for name in search.facet_names()},
        "sort": {"population": population or 0,
                 "population_asc": population if population is not None else documents.UNKNOWN_LAST,
                 "effect_yen": effect, "updated": updated, "detailed": detailed},
        "people": [list(p) for p in people],
        "words": documents.kanji_words("\n".join((title, keywords, summary, text))),  # of its text, as case_document
    }
    out["fingerprint"] = documents.document_fingerprint(out)
    return out


DOCS = [
    doc("kochi", "高知市の窓口業務の委託", "窓口業務を民間に委託した", "住民票の交付", updated=3, population=326814,
        effect=1000, people=[("高知市", 326814, "高知県")], theme=["outsourcing"], region=["四国"], pref=["高知県"],
        band=["200000-500000"]),
    doc("hirosaki", "自治体クラウドの共同利用", "運用保守経費を削減", updated=1, population=168466, effect=5000,
        people=[("弘前市", 168466, "青森県")], theme=["cloud"], region=["東北"], pref=["青森県"], band=["100000-200000"]),
    doc("chichibu", "水道事業の広域化", "浄水場を統合した", "窓口の一元化も", updated=2, population=94691,
        effect=23_200_000_000, people=[("秩父市", 59706, "埼玉県"), ("長瀞町", 6809, "埼玉県")], theme=["wide-area"],
        region=["関東"], pref=["埼玉県"], band=["50000-100000", "5000-10000"]),
    doc("nankoku", "南国市の自治体クラウド", updated=4, population=46702, people=[("南国市", 46702, "高知県")],
        theme=["cloud"], region=["四国"], pref=["高知県"], band=["20000-50000"]),
    doc("unknown", "組合の窓口", updated=0, theme=["outsourcing"]),
    doc("draft", "下書きの窓口事例", status="draft", updated=9, theme=["outsourcing"]),
]
PUBLISHED = {d["slug"] for d in DOCS if d["status"] == "published"}


def query(q: str = "", sort: str = "relevance", page: int = 1, size: int = 20, reference=None, boosts=(),
          **filters) -> search.Query:
    text, _notes = analysis.clean_query(q)
    return search.Query(words=tuple(tuple(w) for w in analysis.query_words(text)),
                        filters=tuple((f, tuple(sorted(v))) for f, v in filters.items() if v),
                        sort=sort, page=page, size=size, reference=reference, boosts=tuple(boosts))


@pytest.fixture
def built(engine):
    assert engine.rebuild(DOCS, applied=7) == len(DOCS)
    return engine


def found(engine, **kw) -> set[str]:
    return set(engine.search(query(size=100, **kw)).slugs)


def test_without_an_index_nothing_is_there_and_searches_say_so(engine):
    assert not engine.exists() and engine.applied() is None and engine.fingerprint() is None
    assert not engine.outdated()
    with pytest.raises(search.IndexMissing):
        engine.search(query())


def test_a_rebuild_holds_the_documents_and_the_change_number(built):
    assert built.exists() and built.applied() == 7 and built.problem() is None
    assert built.stored() == {d["slug"]: d["fingerprint"] for d in DOCS}  # drafts too: check-index compares all


@pytest.mark.parametrize(("q", "expected"), [
    ("", PUBLISHED),
    ("窓口", {"kochi", "chichibu", "unknown"}),       # the draft is never found
    ("窓口 委託", {"kochi"}),                          # words are ANDed
    ("水", {"chichibu"}),                             # one character: a prefix of terms
    ("くらうど", {"hirosaki", "nankoku"}),              # hiragana folds to katakana
    ("ｸﾗｳﾄﾞ", {"hirosaki", "nankoku"}),               # half-width folds too
    ("存在しない語", set()),
])
def test_words_find_published_documents(built, q, expected):
    hits = built.search(query(q, size=100))
    assert set(hits.slugs) == expected and hits.total == len(expected)


def test_relevance_puts_title_matches_first_with_scores(built):
    hits = built.search(query("窓口"))
    assert hits.slugs[0] == "kochi" and hits.slugs[-1] == "chichibu"  # in the title (and summary) > in the text
    assert set(hits.scores) == set(hits.slugs)
    assert [hits.scores[s] for s in hits.slugs] == sorted(hits.scores.values(), reverse=True)


def test_facets_or_within_and_across(built):
    assert found(built, theme=["cloud", "outsourcing"]) == {"kochi", "hirosaki", "nankoku", "unknown"}
    assert found(built, theme=["cloud", "outsourcing"], region=["四国"]) == {"kochi", "nankoku"}
    assert found(built, q="窓口", band=["5000-10000"]) == {"chichibu"}
    assert found(built, theme=["nothing-like-it"]) == set()


def test_a_count_is_what_selecting_only_that_value_would_give(built):
    for base in ({}, {"q": "窓口"}, {"theme": ["cloud"]}, {"theme": ["cloud"], "region": ["四国"]}):
        hits = built.search(query(**base))
        assert hits.counts.keys() == set(search.facet_names())
        for facet, counts in hits.counts.items():
            for value, count in counts.items():
                toggled = {**base, facet: [value]}
                assert count > 0 and built.search(query(**toggled)).total == count, (base, facet, value)


def test_counts_keep_the_other_facets_and_the_words(built):
    hits = built.search(query(theme=["cloud"]))
    assert hits.counts["theme"] == {"cloud": 2, "outsourcing": 2, "wide-area": 1}  # its own facet: OR
    assert hits.counts["region"] == {"東北": 1, "四国": 1}
    assert built.search(query("窓口")).counts["theme"] == {"outsourcing": 2, "wide-area": 1}


@pytest.mark.parametrize(("sort", "order"), [
    ("newest", ["nankoku", "kochi", "chichibu", "hirosaki", "unknown"]),
    ("relevance", ["nankoku", "kochi", "chichibu", "hirosaki", "unknown"]),  # without words: newest
    ("population", ["nankoku", "chichibu", "hirosaki", "kochi", "unknown"]),  # unknown population last
    ("population_desc", ["kochi", "hirosaki", "chichibu", "nankoku", "unknown"]),
    ("effect", ["chichibu", "hirosaki", "kochi"]),
])
def test_sort_orders(built, sort, order):
    assert built.search(query(sort=sort)).slugs[:len(order)] == order


def test_similar_size_order_and_its_boosts(built):
    near_9000 = built.search(query(sort="similar", reference=domain.Reference(9000))).slugs
    assert near_9000[0] == "chichibu" and near_9000[-1] == "unknown"  # 長瀞町 6,809; no population: last
    kochi = domain.Reference(50_000, prefecture="埼玉県")
    assert built.search(query(sort="similar", reference=kochi)).slugs[0] == "nankoku"  # 46,702
    assert built.search(query(sort="similar", reference=kochi, boosts=["pref"])).slugs[0] == "chichibu"


def test_paging(built):
    everything = built.search(query(sort="newest")).slugs
    pages = [built.search(query(sort="newest", size=2, page=n)) for n in (1, 2, 3, 4)]
    assert [s for p in pages for s in p.slugs] == everything
    assert all(p.total == len(everything) for p in pages) and pages[3].slugs == []


def test_the_highlighter_marks_what_the_engine_matched(built):
    for q in ("窓口", "くらうど", "水", "運用保守経費"):
        words = analysis.query_words(analysis.clean_query(q)[0])
        hits = built.search(query(q))
        texts = {d["slug"]: d["all"] for d in DOCS}
        assert hits.slugs
        for slug in hits.slugs:
            assert "<mark>" in str(analysis.highlight(texts[slug], words)), (q, slug)


def test_updates_replace_and_delete_documents(built):
    changed = doc("hirosaki", "上下水道の窓口の統合", updated=5, theme=["wide-area"], region=["東北"])
    built.update([changed], delete=["kochi"])
    assert found(built, q="窓口") == {"hirosaki", "chichibu", "unknown"}
    assert found(built, q="クラウド") == {"nankoku"}
    assert built.search(query()).counts["theme"]["wide-area"] == 2
    stored = built.stored()
    assert "kochi" not in stored and stored["hirosaki"] == changed["fingerprint"]


def test_apply_gives_the_plan_the_change_number_and_records_the_new_one(built):
    seen = []

    def plan(applied):
        seen.append(applied)
        return [doc("new", "新しい窓口", theme=["outsourcing"])], ["unknown"], 9

    assert built.apply(plan)
    assert seen == [7] and built.applied() == 9
    assert found(built, q="窓口") == {"kochi", "chichibu", "new"}
    assert built.apply(lambda applied: ([], [], applied)) and built.applied() == 9


def test_a_rebuild_swaps_in_a_new_generation_whole(built):
    live = built.current_name()
    assert built.rebuild([doc("only", "ただ一つの事例")], applied=8) == 1
    assert built.current_name() != live and built.applied() == 8
    assert built.search(query()).slugs == ["only"] and built.stored().keys() == {"only"}


def test_a_failed_rebuild_leaves_the_live_generation(built):
    live = built.current_name()

    def broken():
        yield DOCS[0]
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        built.rebuild(broken())
    assert built.current_name() == live and found(built) == PUBLISHED


def test_one_rebuild_at_a_time(built, engine_name):
    other = make(engine_name, built.directory)  # another process's view of the same index
    with built.rebuilding() as mine:
        assert mine and other.is_rebuilding()
        with other.rebuilding(wait=False) as theirs:
            assert theirs is False
    assert not other.is_rebuilding()


def test_the_index_records_its_fingerprint(built, engine_name):
    assert built.fingerprint() == built.expected_fingerprint() and not built.outdated()
    same = make(engine_name, built.directory)
    assert same.expected_fingerprint() == built.expected_fingerprint() and not same.outdated()
    other_bands = make(engine_name, built.directory, domain.Bands((1000, 10_000)))  # other band facet values
    assert other_bands.expected_fingerprint() != built.fingerprint() and other_bands.outdated()
    other_bands.rebuild(DOCS)
    assert not other_bands.outdated() and built.outdated()


def test_a_discarded_index_is_missing(built):
    built.discard()
    assert not built.exists()
    with pytest.raises(search.IndexMissing):
        built.search(query())


# --- words as people type them (issue 17): alternatives, exclusions, most words, tiers, lexicon -------------

def terms(word: str) -> tuple:
    return tuple(analysis.query_words(word)[0])


def test_an_alternative_matches_the_word_and_ranks_after_the_word_itself(built):
    # 経費 in hirosaki's summary; 委託 (weight 0.5: a synonym) in kochi's title and summary.
    q = search.Query(words=(terms("経費"),), alternatives=(((terms("委託"), 0.5),),))
    hits = built.search(q)
    assert set(hits.slugs) == {"hirosaki", "kochi"} and hits.slugs[0] == "hirosaki"
    assert hits.word_counts == (2,)
    either = search.Query(words=(terms("経費"),), alternatives=(((terms("委託"), 1.0),),))  # an OR: equal tier
    assert set(built.search(either).slugs) == {"hirosaki", "kochi"}


def test_excluded_words_leave_documents_out(built):
    q = search.Query(words=(terms("窓口"),), exclude=(terms("委託"),))
    assert set(built.search(q).slugs) == {"chichibu", "unknown"}
    assert built.search(search.Query(exclude=(terms("窓口"),))).total == len(PUBLISHED)  # exclusions need words


def test_required_words_and_the_documents_matching_all_first(built):
    words = (terms("窓口"), terms("委託"), terms("住民票"))
    every = built.search(search.Query(words=words))
    assert every.slugs == ["kochi"] and every.word_counts == (3, 1, 1)
    most = built.search(search.Query(words=(terms("窓口"), terms("統合"), terms("浄水場")), required=2))
    assert most.slugs == ["chichibu"]
    loose = built.search(search.Query(words=(terms("窓口"), terms("委託"), terms("一元化")), required=1))
    assert loose.slugs[0] == "kochi" and set(loose.slugs) == {"kochi", "chichibu", "unknown"}
    assert [loose.scores[s] for s in loose.slugs] == sorted(loose.scores.values(), reverse=True)


def test_a_word_nobody_has_counts_zero(built):
    hits = built.search(search.Query(words=(terms("窓口"), terms("存在しない")), required=1))
    assert hits.word_counts == (3, 0) and hits.total == 3


def test_detailed_documents_rank_above_outlines_at_equal_match(engine):
    engine.rebuild([doc("stub", "窓口の委託", detailed=0), doc("full", "窓口業務の見直し", "窓口の委託を進めた" + "経過。" * 40)])
    hits = engine.search(query("窓口 委託"))
    assert hits.slugs == ["full", "stub"]


def test_keywords_outweigh_the_body(engine):
    engine.rebuild([doc("body", "事務の見直し", text="一部でRPAも使った。" + "他の取組。" * 10),
                    doc("tagged", "事務の見直し", keywords="RPA", text="他の取組。" * 10)])
    assert engine.search(query("RPA")).slugs == ["tagged", "body"]


def test_the_vocabulary_holds_the_kanji_words_with_their_documents(built):
    vocabulary = built.vocabulary()
    assert vocabulary["窓口業務"] == 1 and vocabulary["自治体"] == 2 and vocabulary["浄水場"] == 1
    assert vocabulary["窓口"] == 2 and vocabulary["窓口事例"] == 1   # a draft counts too
    assert all(len(w) >= 2 for w in vocabulary) and "クラウド" not in vocabulary


def test_the_lexicon_holds_the_indexed_terms(built):
    lexicon = built.lexicon()
    assert lexicon["窓口"] >= 3 and "浄水" in lexicon and "ai" not in lexicon and "水道" in lexicon
    assert "存在" not in lexicon
