"""Japanese text analysis for the search index: normalisation, bigram terms, highlighting.

Design (measured in shared/search-analysis.md): NFKC with a map back to the original
offsets, hiragana folded to katakana, text split into runs of kanji/kana or of
letters/digits. Kanji/kana runs become overlapping bigrams; at index time every run also
yields its last character followed by SENTINEL, so that every character starts some term
and a one-character query can be a prefix query. Letter/digit runs are one lower-cased term.

Nothing here knows the engine: an engine's own tokenizer yields `spans` (for the Whoosh
engine: whoosh/analyzer.py). Bump ANALYSIS_VERSION whenever the terms of a text change: the
index fingerprint includes it, so every server then rebuilds its index by itself.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from markupsafe import Markup, escape

ANALYSIS_VERSION = 1  # part of the index fingerprint (documents.py)
SENTINEL = "\ue000"  # private-use character: "the run ends here"
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 12

_KANA_FOLD = {c: c + 0x60 for c in range(0x3041, 0x3097)} | {0x309D: 0x30FD, 0x309E: 0x30FE}
_RUNS = re.compile(
    r"(?P<cjk>[\u3005\u3006\u30a1-\u30fa\u30fc-\u30fe\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    r"\U00020000-\U0002fa1f]+)"
    r"|(?P<word>[0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]+)"
)
_VOICING = {"\u3099", "\u309a"}


def normalize(text: str) -> tuple[str, list[int] | None]:
    """Return `text` NFKC-normalised, kana-folded and lower-cased, with a map to the original.

    The map gives, for each normalised character, the offset of the original character it
    came from (plus one final entry for the end); it is None when offsets are unchanged.
    """
    if unicodedata.is_normalized("NFKC", text):
        lowered = text.translate(_KANA_FOLD).lower()
        if len(lowered) == len(text):
            return lowered, None
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        norm = unicodedata.normalize("NFKC", ch)
        if norm in _VOICING and out:
            # Half-width ｶﾞ arrives as two characters; compose them into one.
            composed = unicodedata.normalize("NFC", out[-1] + norm)
            if len(composed) == 1:
                out[-1] = composed
                continue
        for c in norm:
            out.append(c)
            origin.append(i)
    origin.append(len(text))
    folded = "".join(out).translate(_KANA_FOLD)
    lowered = folded.lower()
    if len(lowered) != len(folded):  # a rare letter whose lower case is longer
        lowered = "".join(c.lower()[:1] or c for c in folded)
    return lowered, origin


def spans(text: str, index: bool) -> Iterator[tuple[str, int, int]]:
    """Yield (term, start, end) over normalised `text`; see the module docstring."""
    for m in _RUNS.finditer(text):
        start, run = m.start(), m.group()
        if m.lastgroup == "word":
            yield run, start, m.end()
            continue
        if len(run) == 1:
            yield run, start, start + 1
            continue
        for i in range(len(run) - 1):
            yield run[i:i + 2], start + i, start + i + 2
        if index:
            yield run[-1] + SENTINEL, m.end() - 1, m.end()


def terms(text: str, index: bool = True) -> Iterator[tuple[str, int, int]]:
    """Yield (term, start, end) for `text`, with offsets into the original text."""
    norm, origin = normalize(text)
    for term, start, end in spans(norm, index):
        if origin is None:
            yield term, start, end
        else:
            yield term, origin[start], origin[end - 1] + 1


def clean_query(raw: str) -> tuple[str, list[str]]:
    """Return the query text safe to analyse, and notes (in Japanese) on what was changed."""
    notes = []
    text = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in raw or "")
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notes.append(f"検索語が長すぎるため、先頭の{MAX_QUERY_CHARS}文字で検索しました。")
    words = unicodedata.normalize("NFKC", text).split()
    if len(words) > MAX_QUERY_WORDS:
        words = words[:MAX_QUERY_WORDS]
        notes.append(f"検索語が多すぎるため、最初の{MAX_QUERY_WORDS}語で検索しました。")
    return " ".join(words), notes


def query_words(text: str) -> list[list[tuple[str, bool]]]:
    """Split a cleaned query into words, each a list of (term, is_prefix).

    Words are ANDed and so are the terms of one word. A lone kanji/kana character is a
    prefix term: it matches every term that starts with it.
    """
    words = []
    for word in text.split():
        found = []
        for term, _start, _end in spans(normalize(word)[0], index=False):
            is_prefix = len(term) == 1 and not _RUNS.fullmatch(term).lastgroup == "word"
            found.append((term, is_prefix))
        if found:
            words.append(found)
    return words


_WORD_CHAR = re.compile(r"[0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]")


def _occurrences(norm: str, term: str) -> Iterator[int]:
    # Every start of `term` in `norm`, overlapping ones included.
    at = norm.find(term)
    while at >= 0:
        yield at
        at = norm.find(term, at + 1)


def _marked(norm: str, origin: list[int] | None, words: list[list[tuple[str, bool]]]) -> list[list[int]]:
    """The merged [start, end] spans of the original text (normalised as `norm`, `origin`) that
    the terms of `words` match: what indexing `norm` would give, found without tokenising it.

    A kanji/kana bigram lies inside one run wherever it occurs, so each occurrence is a term; a
    prefix character marks itself wherever it occurs; a letter/digit term must be a whole run.
    """
    found: list[tuple[int, int]] = []
    for word in words:
        for term, prefix in word:
            if prefix:
                found.extend((at, at + 1) for at in _occurrences(norm, term))
            elif _WORD_CHAR.match(term):
                size = len(term)
                found.extend((at, at + size) for at in _occurrences(norm, term)
                             if not (at and _WORD_CHAR.match(norm, at - 1)) and not _WORD_CHAR.match(norm, at + size))
            else:
                found.extend((at, at + len(term)) for at in _occurrences(norm, term))
    merged: list[list[int]] = []
    for start, end in sorted(set(found)):
        if origin is not None:
            start, end = origin[start], origin[end - 1] + 1
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


@lru_cache(maxsize=2048)  # ~10 MB at most
def _normalized(text: str) -> tuple[str, list[int] | None]:
    # A result page highlights the same cases' texts again and again: normalise each once.
    return normalize(text)


def highlight(text: str, words: list[list[tuple[str, bool]]], width: int = 120,
              synonyms: list[list[tuple[str, bool]]] | None = None) -> Markup:
    """Return an escaped excerpt of `text` about `width` long with query terms in <mark>.

    Terms of `synonyms` (the thesaurus words searched besides the typed ones) are marked
    `<mark class="synonym">` where no typed term is.
    """
    norm, origin = _normalized(text)
    spans = [[s, e, False] for s, e in _marked(norm, origin, words)]
    if synonyms:
        exact = [(s, e) for s, e, _x in spans]
        for s, e in _marked(norm, origin, synonyms):
            if not any(a < e and s < b for a, b in exact):
                spans.append([s, e, True])
        spans.sort()
    if not spans:
        excerpt = text[:width]
        return escape(excerpt) + (Markup("…") if len(text) > width else Markup(""))
    # The window that holds the most highlighted spans, starting a little before one.
    best_start, best_count = 0, -1
    for s, _e, _x in spans:
        begin = max(0, s - width // 6)
        count = sum(1 for a, b, _x in spans if a >= begin and b <= begin + width)
        if count > best_count:
            best_start, best_count = begin, count
    begin, finish = best_start, min(len(text), best_start + width)
    parts: list[Markup] = [Markup("…")] if begin > 0 else []
    cursor = begin
    for s, e, synonym in spans:
        if e <= begin or s >= finish or e <= cursor:
            continue
        s, e = max(s, begin, cursor), min(e, finish)
        parts.append(escape(text[cursor:s]))
        tag = Markup('<mark class="synonym">') if synonym else Markup("<mark>")
        parts.append(tag + escape(text[s:e]) + Markup("</mark>"))
        cursor = e
    parts.append(escape(text[cursor:finish]))
    if finish < len(text):
        parts.append(Markup("…"))
    return Markup("").join(parts)
