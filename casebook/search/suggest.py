""""Did you mean": corrections of a word towards the index's own vocabulary (engine.lexicon).

A word that finds nothing is corrected one edit at a time, in this order of likelihood:
confusable characters (ロ/口, カ/力, エ/工, ー/一, …), a dropped or added dakuten/handakuten
(クラウト → クラウド), then any one substitution, deletion or insertion of a character (窓口業無 →
窓口業務, a missing long-vowel mark) — kept only when every term of the corrected word is in the
lexicon. A compound that finds nothing is cut where its terms are not in the lexicon (or, all
there, at its rarest term), so that its parts are searched (保育園入所 → 保育園 入所). The engine
then counts each candidate; only corrections that find something are offered.

Letter words (rpa, ocr) are corrected against the lexicon's letter terms by edit distance one.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from . import analysis

CONFUSABLE = [
    "ロ口", "カ力", "エ工", "ー一ｰ－", "ニ二", "ハ八", "タ夕", "ト卜", "チ千", "ヘへ", "ミ三", "オ才", "メ×",
    "ソン", "シツ", "ク久", "ヒ匕", "ナ十", "干千于", "末未", "土士", "日曰", "己已巳", "人入", "刀力",
]
_CONFUSED = {c: {o for o in group if o != c} for group in CONFUSABLE for c in group}
MAX_CANDIDATES = 8  # corrections counted by the engine, per word


@dataclass
class _Lexicon:
    """The lexicon with what corrections look up: which characters follow and precede each character."""

    counts: Mapping[str, int]
    after: dict[str, set[str]]
    before: dict[str, set[str]]
    words: dict[int, list[str]]  # letter/digit terms by length


_LEXICONS: dict[int, _Lexicon] = {}


def lexicon(counts: Mapping[str, int]) -> _Lexicon:
    """The look-ups of a lexicon (kept while the lexicon object lives: one per index generation)."""
    key = id(counts)
    found = _LEXICONS.get(key)
    if found is not None and found.counts is counts:
        return found
    after: dict[str, set[str]] = {}
    before: dict[str, set[str]] = {}
    words: dict[int, list[str]] = {}
    for term in counts:
        if len(term) == 2 and not term.isascii() and term[1] != analysis.SENTINEL:
            after.setdefault(term[0], set()).add(term[1])
            before.setdefault(term[1], set()).add(term[0])
        elif term.isascii() and term.isalnum():
            words.setdefault(len(term), []).append(term)
    _LEXICONS.clear()  # only the live generation's
    _LEXICONS[key] = found = _Lexicon(counts, after, before, words)
    return found


def _voicing(c: str) -> set[str]:
    # ト ↔ ド, ハ ↔ バ ↔ パ: the same base character with another (or no) voicing mark.
    base = unicodedata.normalize("NFD", c)[0]
    out = {unicodedata.normalize("NFC", base + mark) for mark in ("", "\u3099", "\u309a")}
    return {o for o in out if len(o) == 1 and o != c}


def _known(word: str, lex: _Lexicon) -> bool:
    # Every bigram of the (normalised) word is an indexed term.
    if len(word) == 1:
        return word in lex.after or word in lex.before or word + analysis.SENTINEL in lex.counts
    return all(word[i:i + 2] in lex.counts for i in range(len(word) - 1))


def _rarity(word: str, lex: _Lexicon) -> int:
    return min((lex.counts.get(word[i:i + 2], 0) for i in range(len(word) - 1)), default=0)


def corrections(text: str, counts: Mapping[str, int]) -> list[str]:
    """Likely intended words for `text` (one word, as typed), most likely first, all in the lexicon."""
    word = analysis.normalize(text)[0]
    lex = lexicon(counts)
    runs = list(analysis._RUNS.finditer(word))
    if len(runs) != 1 or runs[0].group() != word:
        return []
    if runs[0].lastgroup == "word":
        return _letter_corrections(word, lex)
    found: dict[str, tuple] = {}
    for rank, candidate in _edits(word, lex):
        if candidate != word and candidate not in found and _known(candidate, lex):
            found[candidate] = (rank, -_rarity(candidate, lex))
    return sorted(found, key=found.__getitem__)[:MAX_CANDIDATES]


def _edits(word: str, lex: _Lexicon) -> Iterator[tuple[int, str]]:
    n = len(word)
    for i, c in enumerate(word):  # confusable characters, then voicing marks
        for other in _CONFUSED.get(c, ()):
            yield 0, word[:i] + other + word[i + 1:]
        for other in _voicing(c):
            yield 1, word[:i] + other + word[i + 1:]
    for i in range(n):  # any substitution that joins its neighbours in the lexicon
        left, right = word[i - 1] if i else None, word[i + 1] if i + 1 < n else None
        options = (lex.after.get(left, set()) if left else None)
        if right is not None:
            before = lex.before.get(right, set())
            options = before if options is None else options & before
        for other in options or ():
            yield 2, word[:i] + other + word[i + 1:]
    for i in range(n):  # a character too many
        if n > 2:
            yield 3, word[:i] + word[i + 1:]
    for i in range(n + 1):  # a character missing (a long-vowel mark, a kana)
        left, right = word[i - 1] if i else None, word[i] if i < n else None
        options = lex.after.get(left, set()) if left else None
        if right is not None:
            before = lex.before.get(right, set())
            options = before if options is None else options & before
        for other in options or ():
            yield 2, word[:i] + other + word[i:]


def _letter_corrections(word: str, lex: _Lexicon) -> list[str]:
    if len(word) < 3 or word in lex.counts:
        return []
    found = []
    for length in (len(word), len(word) - 1, len(word) + 1):
        for term in lex.words.get(length, ()):
            if _one_edit(word, term):
                found.append(term)
    return sorted(found, key=lambda t: -lex.counts.get(t, 0))[:MAX_CANDIDATES]


def _one_edit(a: str, b: str) -> bool:
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])
    if len(a) > len(b):
        a, b = b, a
    return any(b[:i] + b[i + 1:] == a for i in range(len(b)))


def parts(text: str, counts: Mapping[str, int]) -> list[str]:
    """A compound's parts: `text` cut where a term is not in the lexicon, else at its rarest term.

    Parts of one character are dropped (they would find almost everything); [] if it cannot be cut.
    """
    word = analysis.normalize(text)[0]
    if len(word) != len(text) or len(word) < 4 or not analysis._RUNS.fullmatch(word) \
            or analysis._RUNS.fullmatch(word).lastgroup != "cjk":
        return []
    pairs = [word[i:i + 2] for i in range(len(word) - 1)]
    cuts = [i for i, pair in enumerate(pairs) if pair not in counts]
    if not cuts:
        inner = range(1, len(pairs) - 1)  # never cut off a single first or last character
        if not inner:
            return []
        cuts = [min(inner, key=lambda i: (counts.get(pairs[i], 0), i))]
    out, start = [], 0
    for i in cuts:
        out.append(text[start:i + 1])
        start = i + 1
    out.append(text[start:])
    return [p for p in out if len(p) >= 2]
