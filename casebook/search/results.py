"""What a search found, as one object the search page and the API both render.

The query is read as people type it (query.py: function words dropped, `-word`, `OR`, thesaurus
synonyms). A word that finds nothing and is a compound is searched by its parts instead; words
that find nothing get "did you mean" corrections from the index's vocabulary (suggest.py), each
with its count; a search without results also offers the query without each word and the themes
and population bands with their counts.

The engine gives slugs, scores and counts (engine.Hits); here they become a SearchResult with
facet result objects in the registry's order: each facet with its label, each value with its
label, count, whether it is selected, and its toggle: the search's URL parameters with this
value selected or not (OR within a facet, AND across facets). `linked` adds the toggle URL of
every value, built once for the page or the API that shows the result.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .. import domain
from . import analysis, facets, fallbacks, suggest, thesaurus_live
from . import query as reading
from .args import SearchArgs
from .engine import Engine, Hits, Query
from .thesaurus import Thesaurus


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet, as shown: {value, label, count, selected, toggle_url}."""

    value: str
    label: str
    count: int
    selected: bool
    params: dict[str, object]  # the search's URL parameters with this value toggled
    toggle_url: str = ""  # set by `linked`


@dataclass(frozen=True)
class FacetResult:
    """One facet of a result: its name, label and values (iterating it gives the values)."""

    name: str
    label: str
    values: list[FacetValue]

    def __iter__(self) -> Iterator[FacetValue]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


@dataclass(frozen=True)
class Suggestion:
    """Another search worth offering: its query, what it changes, how many it finds, and its link."""

    q: str
    label: str
    count: int
    params: dict[str, object]
    url: str = ""  # set by `linked`


@dataclass(frozen=True)
class Synonyms:
    """A word of the query and the synonyms it was also searched with; `alone` searches the word only."""

    word: str
    synonyms: tuple[str, ...]
    alone: Suggestion


@dataclass
class SearchResult:
    """What one search found: one page of slugs, the total, and facets with counts.

    `words` are the terms to highlight as typed and `synonym_words` those of the synonyms searched;
    `synonyms` says which synonyms were included, `suggestions` "did you mean", and a search without
    results has `without` (the query minus one word, each with its count) and `browse` (the themes
    and bands of all published cases, with counts).
    """

    args: SearchArgs
    total: int
    slugs: list[str]
    scores: dict[str, float]
    facets: dict[str, FacetResult]
    words: list[list[tuple[str, bool]]]
    notes: list[str]
    synonym_words: list[list[tuple[str, bool]]] = dataclasses.field(default_factory=list)
    synonyms: list[Synonyms] = dataclasses.field(default_factory=list)
    suggestions: list[Suggestion] = dataclasses.field(default_factory=list)
    without: list[Suggestion] = dataclasses.field(default_factory=list)
    browse: dict[str, FacetResult] = dataclasses.field(default_factory=dict)
    instead: Suggestion | None = None  # the words as typed, when a correction was searched instead

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.args.size))


def query_of(args: SearchArgs, words: list[list[tuple[str, bool]]]) -> Query:
    """The engine's query for these arguments and analysed words (all needed, no synonyms)."""
    return Query(words=tuple(tuple(word) for word in words), **_engine_args(args))


def _engine_args(args: SearchArgs) -> dict:
    return dict(filters=tuple((f, tuple(sorted(set(args.filters[f])))) for f in facets.names() if args.filters.get(f)),
                sort=args.sort, page=args.page, size=args.size, reference=args.reference, boosts=args.boosts)


def search(index: Engine, args: SearchArgs, bands: domain.Bands, label: Callable[[str, str], str],
           thesaurus: Thesaurus | None = None) -> SearchResult:
    """Run a search on the index alone (no database): text AND facet filters, with facet counts.

    A facet value's count is the number of results that selecting only that value in its facet
    would give, keeping the query and the other facets' selections. See the module docstring for
    what is done with the words.
    """
    thesaurus = thesaurus_live.current() if thesaurus is None else thesaurus
    text, notes = analysis.clean_query(args.q)
    parsed = reading.parse(text, thesaurus)
    if text and not parsed.words and not parsed.excluded:
        notes.append("検索語に検索できる文字（漢字・かな・英数字）が含まれていないため、すべての事例を表示しています。")
    hits = index.search(parsed.query(**_engine_args(args)))
    lexicon: dict[str, int] | None = None
    read: list[str] = []
    if parsed.words and 0 in hits.word_counts:
        lexicon = index.lexicon()
        split = fallbacks.split_compounds(parsed, hits.word_counts, lexicon, thesaurus)
        if split is not None:
            split_hits = index.search(split[0].query(**_engine_args(args)))
            if split_hits.total:
                parsed, hits = split[0], split_hits
                notes.append(split[1])
    if parsed.words and 0 in hits.word_counts:
        kanji = fallbacks.read_as_kanji(parsed, hits.word_counts, index, thesaurus)
        if kanji is not None:
            read_hits = index.search(kanji[0].query(**_engine_args(args)))
            if read_hits.total:
                parsed, hits, read = kanji[0], read_hits, kanji[2]
                notes.append(kanji[1])
    typed = parsed
    suggestions: list[Suggestion] = []
    if parsed.words and (not hits.total or 0 in hits.word_counts):
        lexicon = index.lexicon() if lexicon is None else lexicon
        suggestions = _did_you_mean(index, args, parsed, hits.word_counts, lexicon, thesaurus)
    instead = None
    if not hits.total and suggestions and not any(w.exact for w in parsed.words):
        corrected = reading.parse(suggestions[0].q, thesaurus)
        corrected_hits = index.search(corrected.query(**_engine_args(args)))
        if corrected_hits.total:
            q = fallbacks.as_typed(typed)
            instead = Suggestion(q, text, -1, args.params(q=q))
            notes.append(f"「{text}」では見つからなかったため、「{suggestions[0].q}」で検索しました。")
            parsed, hits = corrected, corrected_hits
    exact, synonym_words = parsed.highlighted()
    result = SearchResult(args, hits.total, hits.slugs, hits.scores, facet_results(args, hits, bands, label), exact,
                          notes, synonym_words=synonym_words, synonyms=_synonyms(args, parsed),
                          suggestions=_reading_suggestions(index, args, parsed, read) + suggestions, instead=instead)
    if not hits.total and text:
        result.without = _without_each(index, args, parsed, thesaurus)
        everything = index.search(Query(size=1))
        result.browse = {name: facet for name, facet in facet_results(
            SearchArgs(size=args.size), everything, bands, label).items() if name in ("theme", "band")}
    return result


def _synonyms(args: SearchArgs, parsed: reading.Parsed) -> list[Synonyms]:
    out = []
    for word in parsed.words:
        included = tuple(dict.fromkeys(via for form in word.synonyms for via in form.via))
        if included:
            alone = reading.Parsed([reading.Word(w.text, w.forms, exact=w is word or w.exact) for w in parsed.words],
                                   parsed.excluded)
            q = alone.text()
            out.append(Synonyms(word.text, included, Suggestion(q, word.text, -1, args.params(q=q))))
    return out


def _reading_suggestions(index: Engine, args: SearchArgs, parsed: reading.Parsed, read: list[str]) -> list[Suggestion]:
    # Each kana word searched by its reading, offered as the kanji word alone (まどぐち → 窓口).
    out = []
    for first in read:
        words = [reading.word(first, None) if w.text.split(" OR ")[0] == first else w for w in parsed.words]
        fixed = reading.Parsed([w for w in words if w is not None], parsed.excluded, required=parsed.required)
        q = fixed.text()
        out.append(Suggestion(q, first, _count(index, args, fixed), args.params(q=q)))
    return [s for s in out if s.count]


def _count(index: Engine, args: SearchArgs, parsed: reading.Parsed) -> int:
    return index.search(parsed.query(**{**_engine_args(args), "page": 1, "size": 1})).total


def _did_you_mean(index: Engine, args: SearchArgs, parsed: reading.Parsed, counts: tuple[int, ...],
                  lexicon: dict[str, int], thesaurus: Thesaurus) -> list[Suggestion]:
    out: list[Suggestion] = []
    for i, word in enumerate(parsed.words):
        if i < len(counts) and counts[i] > 0 or " OR " in word.text:
            continue
        for candidate in suggest.corrections(word.text, lexicon):
            fixed = reading.word(candidate, thesaurus, exact=word.exact)
            if fixed is None:
                continue
            words = [*parsed.words[:i], fixed, *parsed.words[i + 1:]]
            corrected = reading.Parsed(words, parsed.excluded, required=parsed.required)
            count = _count(index, args, corrected)
            if count:
                q = corrected.text()
                out.append(Suggestion(q, candidate, count, args.params(q=q)))
                break
    return out[:3]


def _without_each(index: Engine, args: SearchArgs, parsed: reading.Parsed, thesaurus: Thesaurus) -> list[Suggestion]:
    if len(parsed.words) + len(parsed.excluded) < 2:
        return []
    out = []
    for i, word in enumerate(parsed.words):
        rest = reading.Parsed(parsed.words[:i] + parsed.words[i + 1:], parsed.excluded)
        rest.required = reading.REQUIRED(len(rest.words))
        q = rest.text()
        out.append(Suggestion(q, word.text, _count(index, args, rest), args.params(q=q)))
    return [s for s in out if s.count][:5]


def facet_results(args: SearchArgs, hits: Hits, bands: domain.Bands,
                  label: Callable[[str, str], str]) -> dict[str, FacetResult]:
    """Every registered facet with its values: those with results, and those selected."""
    out = {}
    names = facets.names()
    head = args.params(filters={}, sort="relevance")  # what comes before the facets; page 1 after a toggle
    tail = {"sort": args.sort} if args.sort != "relevance" else {}

    def toggled_params(name: str, toggled: list[str]) -> dict[str, object]:
        # args.params(filters={**args.filters, name: toggled}), a few hundred times a page, made cheaply
        found = dict(head)
        for other in names:
            values = toggled if other == name else args.filters.get(other)
            if values:
                found[other] = list(values)
        found.update(tail)
        return found

    for facet in facets.registered():
        counts = hits.counts.get(facet.name, {})
        selected = set(args.filters.get(facet.name, []))
        keys = {value: facet.order(value, bands) for value in set(counts) | selected}
        values = []
        for value in sorted(keys, key=keys.__getitem__):
            toggled = sorted(selected ^ {value}, key=keys.__getitem__)
            values.append(FacetValue(value, label(facet.name, value), counts.get(value, 0), value in selected,
                                     toggled_params(facet.name, toggled)))
        out[facet.name] = FacetResult(facet.name, facet.label, values)
    return out


def linked(result: SearchResult, url: Callable[[dict], str]) -> SearchResult:
    """The result with every facet value's toggle URL and every suggestion's URL, `url(params)`."""
    def facets_of(found: dict[str, FacetResult]) -> dict[str, FacetResult]:
        return {name: dataclasses.replace(facet, values=[dataclasses.replace(v, toggle_url=url(v.params)) for v in facet])
                for name, facet in found.items()}

    def link(s: Suggestion) -> Suggestion:
        return dataclasses.replace(s, url=url(s.params))

    return dataclasses.replace(
        result, facets=facets_of(result.facets), browse=facets_of(result.browse),
        suggestions=[link(s) for s in result.suggestions], without=[link(s) for s in result.without],
        instead=link(result.instead) if result.instead else None,
        synonyms=[dataclasses.replace(s, alone=link(s.alone)) for s in result.synonyms])


def api_extras(result: SearchResult) -> dict:
    """What the API adds to a linked result (api_search_schemas.SearchResultSchema: synonyms, suggestions)."""
    return {"synonyms": [{"word": s.word, "synonyms": list(s.synonyms), "alone_url": s.alone.url} for s in result.synonyms],
            "suggestions": [{"q": s.q, "count": s.count, "url": s.url} for s in result.suggestions],
            "instead": {"q": result.instead.q, "url": result.instead.url} if result.instead else None}
