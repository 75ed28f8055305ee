"""Search data is cached per segment: after edits, searches answer exactly as with nothing cached,
and only the new segments are read from disk."""
from casebook import domain, search
from casebook.search.whoosh.cache import ReadCache
from casebook.services import cases

SEARCHES = [
    search.SearchArgs(q="窓口"),
    search.SearchArgs(q="クラウド 経費", size=5),
    search.SearchArgs(q="水"),  # one character: a prefix query over several terms
    search.SearchArgs(q="共同", filters={"theme": ["wide-area", "cloud"]}),
    search.SearchArgs(sort="population"),
    search.SearchArgs(sort="newest", filters={"theme": ["outsourcing"]}),
    search.SearchArgs(sort="effect", page=2, size=3),
    search.SearchArgs(sort="similar", reference=domain.Reference(population=9000)),
]


def label(_facet, value):
    return value


def answers(index):
    out = []
    for args in SEARCHES:
        result = search.search(index, args, index.bands, label)
        facets = {f: [(v.value, v.count) for v in values] for f, values in result.facets.items()}
        out.append((result.total, result.slugs, {s: round(x, 9) for s, x in result.scores.items()}, facets))
    return out


def edit(session, index):
    """Three edits as the app makes them: a changed text and theme, a changed population, a deletion."""
    labels = cases.theme_labels(session)
    kochi = search.case_document(cases.get_case(session, "kochi-madoguchi-itaku"), labels, index.bands)
    kochi.update(title="窓口と水道の共同化", all=kochi["all"] + " 窓口と水道の共同化")
    kochi["facets"]["theme"] = ["wide-area"]
    index.update([kochi])
    hirosaki = cases.get_case(session, "hirosaki-jichitai-cloud")
    hirosaki.participants[0].population = 123
    index.update([search.case_document(hirosaki, labels, index.bands)])
    session.rollback()
    index.update(delete=["chichibu-suido-kouikika"])


def test_searches_after_edits_equal_searches_with_a_cold_cache(loaded_app, session, index):
    before = answers(index)  # fills the caches
    edit(session, index)
    warm = answers(index)
    index.cache = ReadCache()
    cold = answers(index)
    assert warm == cold
    assert warm != before  # the edits changed what is found
    assert all("chichibu-suido-kouikika" not in slugs for _t, slugs, _s, _f in warm)
    assert "kochi-madoguchi-itaku" in warm[3][1]  # found by its new title and theme


def test_facet_counts_after_edits_equal_a_fresh_build(loaded_app, session, index, tmp_path):
    answers(index)
    edit(session, index)
    fresh = search.SearchIndex(tmp_path / "fresh", index.bands)
    fresh.rebuild(_documents(session, index))
    assert [(t, f) for t, _s, _x, f in answers(index)] == [(t, f) for t, _s, _x, f in answers(fresh)]


def _documents(session, index):
    # The documents the edited index holds, rebuilt the way `edit` made them.
    labels = cases.theme_labels(session)
    docs = {c.slug: search.case_document(c, labels, index.bands) for c in cases.all_cases(session)}
    kochi = docs["kochi-madoguchi-itaku"]
    kochi.update(title="窓口と水道の共同化", all=kochi["all"] + " 窓口と水道の共同化")
    kochi["facets"]["theme"] = ["wide-area"]
    hirosaki = cases.get_case(session, "hirosaki-jichitai-cloud")
    hirosaki.participants[0].population = 123
    docs["hirosaki-jichitai-cloud"] = search.case_document(hirosaki, labels, index.bands)
    session.rollback()
    del docs["chichibu-suido-kouikika"]
    return docs.values()


def test_an_edit_reads_only_its_own_segment(loaded_app, session, index, monkeypatch):
    answers(index)
    with index.searcher() as searcher:
        old = {r.segment().segment_id() for r, _o in searcher.ixreader.leaf_readers()}
    read = []
    real = index.cache._postings

    def spy(reader, seg, fieldname, text):
        if (seg, fieldname, text) not in index.cache._raw:
            read.append(seg[1])
        return real(reader, seg, fieldname, text)

    monkeypatch.setattr(index.cache, "_postings", spy)
    edit(session, index)
    answers(index)
    assert read, "the new segments' postings are read"
    assert not set(read) & old, "postings of segments that were already read are not read again"


def test_a_read_survives_a_merge_that_removes_files_it_had_not_opened(loaded_app, session, index):
    labels = cases.theme_labels(session)
    for slug in ("kochi-madoguchi-itaku", "hirosaki-jichitai-cloud"):  # two more segments
        index.update([search.case_document(cases.get_case(session, slug), labels, index.bands)])
    expected = sorted(c.slug for c in cases.all_cases(session))
    attempts = []

    def work(searcher):
        attempts.append(searcher)
        if len(attempts) == 1:
            # Another process merges every segment into one, deleting the old segments' files,
            # before this searcher has opened their stored fields.
            index._open(index.current_name()).optimize()
        return sorted(fields["slug"] for fields in searcher.all_stored_fields())

    assert index.read(work) == expected
    assert len(attempts) == 2
    assert search.search(index, search.SearchArgs(q="窓口"), index.bands, label).total >= 1
