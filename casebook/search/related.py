"""Related cases: the few published cases nearest one case, each with why (the case page's 「関連する事例」).

Cheap at any number of cases: nothing here reads every case. The index is asked, through the
engine interface (its lexicon and ordinary queries, kept per index generation):
1. how many cases may hold each of the case's words: at most as many as hold its rarest term (the
   lexicon's document frequencies, kept in memory; no query);
2. which cases hold two (else one) of its rarest shared words or rare tags (an OR query with
   required words; the best WORD_CANDIDATES);
3. which cases share one of its themes and one of its population bands (two facet filters; the
   newest ones).
Only those few candidates are read from the database, published ones only (an index that lags
behind never shows a withdrawn case), and scored here: each shared rare word by its rarity, each
shared theme and tag, and closeness in population. A candidate must share a word, a theme or a
tag; size alone relates nothing. Ties go by slug, so the order is stable.
"""
from __future__ import annotations

import logging
import math
import re
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from .. import domain
from ..models import Case
from . import facets, sync
from . import query as reading
from .engine import Engine, IndexBusy, IndexMissing, Query, Terms
from .rows import theme_labels

log = logging.getLogger(__name__)

MAX_RELATED = 5
ASKED_WORDS = 40  # the case's words looked up in the lexicon (its most prominent ones)
RARE_WORDS = 8  # the rarest ones that another case may hold, searched as OR-words
RARE_SHARE = 0.01  # a word held by more than this share of published cases is not rare (at least RARE_FLOOR)
RARE_FLOOR = 10
WORD_CANDIDATES = 12  # cases read back from the word search
THEME_CANDIDATES = 6  # cases read back from the same-theme, same-size search
SHOWN_WORDS = 4  # shared words named in a reason
NEAR_SIZE = math.log(2.0)  # populations within 2× of each other are "close in size"
THEME_WEIGHT, TAG_WEIGHT, SIZE_WEIGHT = 3.0, 2.0, 2.0
FIELD_WEIGHTS = (("title", 3), ("summary", 2), ("background", 1), ("approach", 1), ("outcome", 1))
MAX_WORD_CHARS = 12
_TOKENS = re.compile(r"\w+")
_NOT_HIRAGANA = re.compile(r"[^\u3041-\u309f]+")  # a word's parts between its hiragana (定めたうえ → 定)
_DIGIT = re.compile(r"\d")


@dataclass
class Related:
    """A related case, its score and why it is related (Japanese sentences)."""

    case: Case
    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Word:
    text: str
    terms: Terms
    weight: int
    position: int


def related_cases(session: Session, index: Engine, case: Case, limit: int = MAX_RELATED) -> list[Related]:
    """Up to `limit` published cases related to `case`, best first; [] when the index cannot answer."""
    try:
        sync.keep_fresh(session, index)
        return _related(session, index, case, limit)
    except (IndexMissing, IndexBusy) as exc:  # the case page is still shown, without the section
        log.warning("related cases of %s not available: %s", case.slug, exc)
        return []


def _related(session: Session, index: Engine, case: Case, limit: int) -> list[Related]:
    labels = theme_labels(session)
    own = {case.slug}
    words = case_words(case, exclude=set(case.tags) | {labels.get(t, t) for t in case.themes})
    published = index.search(Query(size=1)).total
    lexicon = index.lexicon()
    rare = _rare_words(lexicon, words, published)
    tags = [_Word(t, terms, 0, 0) for t in case.tags if (terms := reading.terms_of(t))]
    searched = tuple(dict.fromkeys([*(w.terms for w, _n in rare),
                                    *(w.terms for w, _n in _rare_words(lexicon, tags, published))]))
    slugs: list[str] = []
    # Cases sharing two of the words first (few, so cheap to rank); one word only if that finds too few.
    for required in ((2, 1) if len(searched) > 2 else (1,)):
        slugs = index.search(Query(words=searched, required=required, size=WORD_CANDIDATES + 1)).slugs
        if len(slugs) > WORD_CANDIDATES // 2:
            break
    if case.themes and "theme" in facets.names():
        bands = tuple(sorted(facets.get("band").values(case, index.bands))) if "band" in facets.names() else ()
        filters = (("theme", tuple(sorted(set(case.themes)))), *((("band", bands),) if bands else ()))
        slugs += index.search(Query(filters=filters, sort="newest", size=THEME_CANDIDATES + 1)).slugs
    slugs = list(dict.fromkeys(s for s in slugs if s not in own))
    found = []
    for other in _published(session, slugs):
        related = _score(case, other, rare, labels, published)
        if related is not None:
            found.append(related)
    found.sort(key=lambda r: (-r.score, r.case.slug))
    return found[:limit]


def case_words(case: Case, exclude: set[str] = frozenset()) -> list[_Word]:
    """The case's content words (particles and content-poor words dropped), most prominent first.

    A word is a stretch of kanji, katakana or letters (a verb's hiragana ending splits it off:
    定めたうえ gives 定); it counts more in the title and the summary and for each time it is
    written. Words of one character, with digits, too long, or in one of `exclude` (its theme
    labels and tags, which count by themselves) are left out.
    """
    weights: dict[str, int] = {}
    first: dict[str, int] = {}
    position = 0
    for name, weight in FIELD_WEIGHTS:
        for token in _TOKENS.findall(getattr(case, name) or ""):
            kept, _dropped = reading.content_chunks(token)
            for word in (part for chunk in kept for part in _NOT_HIRAGANA.findall(chunk)):
                position += 1
                if (len(word) < 2 or len(word) > MAX_WORD_CHARS or _DIGIT.search(word)
                        or any(word in label for label in exclude)):
                    continue
                weights[word] = weights.get(word, 0) + weight
                first.setdefault(word, position)
    out, seen = [], set()
    for word in sorted(weights, key=lambda w: (-weights[w], first[w])):
        terms = reading.terms_of(word)
        if terms and terms not in seen:
            seen.add(terms)
            out.append(_Word(word, terms, weights[word], first[word]))
            if len(out) == ASKED_WORDS:
                break
    return out


def _rare_words(lexicon: dict[str, int], words: list[_Word], published: int) -> list[tuple[_Word, int]]:
    """The RARE_WORDS rarest of `words` that another case may hold, with that many cases at most.

    A word is in no more cases than its rarest term (drafts count in the lexicon: an upper bound).
    """
    ceiling = max(RARE_FLOOR, int(published * RARE_SHARE))
    shared = []
    for word in words:
        n = min(lexicon.get(term, 0) for term, _prefix in word.terms)
        if 2 <= n <= ceiling:
            shared.append((word, n))
    shared.sort(key=lambda pair: (pair[1], -pair[0].weight, pair[0].position))
    return shared[:RARE_WORDS]


def _published(session: Session, slugs: list[str]) -> list[Case]:
    """The published cases among `slugs`, with their participants (all that scoring reads)."""
    if not slugs:
        return []
    stmt = (select(Case).where(Case.slug.in_(slugs), Case.status == "published")
            .options(selectinload(Case.participants)))
    return list(session.exec(stmt))


def _folded(text: str) -> str:
    # Width and case folded (ＬＩＮＥ finds line), as the index compares text; no offsets needed here.
    return unicodedata.normalize("NFKC", text).lower()


def _text(case: Case) -> str:
    """What a case's shared words are looked for in: its texts and tags (themes count by themselves), folded."""
    parts = [case.title, case.summary, case.background, case.approach, case.outcome, *case.tags]
    return _folded("\n".join(p for p in parts if p))


def _score(case: Case, other: Case, rare: list[tuple[_Word, int]], labels: dict[str, str],
           published: int) -> Related | None:
    text = _text(other)
    words = [(w, n) for w, n in rare if _folded(w.text) in text]
    themes = [t for t in case.themes if t in set(other.themes)]
    tags = [t for t in case.tags if t in set(other.tags)]
    if not (words or themes or tags):
        return None
    score = sum(math.log((published + 1) / n) for _w, n in words)
    score += THEME_WEIGHT * len(themes) + TAG_WEIGHT * len(tags)
    reasons = []
    if themes:
        reasons.append("共通のテーマ: " + "、".join(labels.get(t, t) for t in themes))
    if tags:
        reasons.append("共通のタグ: " + "、".join(tags))
    if words:
        reasons.append("共通の語: " + "、".join(_distinct([w.text for w, _n in words])[:SHOWN_WORDS]))
    pair = _nearest_sizes(case, other)
    if pair is not None:
        distance = domain.size_distance(*pair)
        score += SIZE_WEIGHT * max(0.0, 1.0 - distance / math.log(10.0))
        if distance <= NEAR_SIZE:
            reasons.append(f"人口規模が近い（{population_text(pair[0])}と{population_text(pair[1])}）")
    return Related(other, round(score, 6), reasons)


def _distinct(words: list[str]) -> list[str]:
    """Words not contained in another of them (証明書 goes when 証明書交付 is there), in order."""
    return [w for w in words if not any(w != o and w in o for o in words)]


def _nearest_sizes(case: Case, other: Case) -> tuple[int, int] | None:
    """The closest pair of populations of the two cases (each government's, or the total), or None."""
    mine = domain.similarity_candidates(case.participants)
    theirs = domain.similarity_candidates(other.participants)
    if not mine or not theirs:
        return None
    pairs = ((a[1], b[1]) for a in mine for b in theirs)
    return min(pairs, key=lambda p: (domain.size_distance(*p), p))


def population_text(population: int) -> str:
    """A population in short Japanese: 21000 -> 2.1万人, 326814 -> 32.7万人, 8500 -> 8,500人."""
    if population >= 1_000_000:
        return f"{round(population / 10_000):,}万人"
    if population >= 10_000:
        return f"{population / 10_000:.3g}万人"
    return f"{population:,}人"
