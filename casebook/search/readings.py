"""Readings: a word typed in kana (まどぐち, すいどう, ひろさき) → the indexed kanji words read so.

The index keeps each document's kanji words (documents.kanji_words; engine.vocabulary). Their
readings come from SudachiPy with its core dictionary: each word is cut into its shortest units
(mode A: 青森県弘前市 → 青森 / 県 / 弘前 / 市) and every run of up to four units that holds a
kanji is read (弘前 ひろさき, 弘前市 ひろさきし, 窓口業務 まどぐちぎょうむ). A typed kana word
that the text does not hold is looked up among those readings; the words read so, most frequent
first, are what it is searched as (results.py) and offered as "did you mean".

Cost (measured on the 202 bundled cases, 2,800 distinct words): the dictionary opens in 0.05 s
and is memory-mapped (shared by every process on the machine); reading the words takes 0.05 s
once per process — readings are kept per word, so a new index generation reads only new words.
Nothing is loaded until a kana word finds nothing.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Mapping

from . import analysis

MAX_UNITS = 4        # units of a word read together
MAX_CANDIDATES = 3   # words a reading is searched as
_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]")
_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc]{2,}")

_lock = threading.Lock()
_tokenizer = None
_read: dict[str, list[tuple[str, str]]] = {}          # word -> [(surface, reading)] of its unit runs
_maps: dict[int, tuple[Mapping[str, int], dict[str, dict[str, int]]]] = {}  # id(vocabulary) -> map


def _tokenize(word: str):
    global _tokenizer
    if _tokenizer is None:
        from sudachipy import Dictionary, SplitMode  # loaded on first need only
        _tokenizer = (Dictionary(dict="core").tokenizer(mode=SplitMode.A), SplitMode.A)
    tokenizer, mode = _tokenizer
    return tokenizer.tokenize(word, mode)


def fold(text: str) -> str:
    """The form readings are compared in: the search analysis's normalisation (kana folded)."""
    return analysis.normalize(text)[0]


def is_reading(word: str) -> bool:
    """Whether a typed word could be a reading: kana only, two characters or more."""
    return bool(_KANA.fullmatch(word))


def units_read(word: str) -> list[tuple[str, str]]:
    """(surface, reading) of every run of up to MAX_UNITS units of `word` that holds a kanji."""
    found = _read.get(word)
    if found is None:
        units = [(m.surface(), m.reading_form()) for m in _tokenize(word)]
        found = []
        for i in range(len(units)):
            for j in range(i + 1, min(len(units), i + MAX_UNITS) + 1):
                surface = "".join(u[0] for u in units[i:j])
                said = "".join(u[1] for u in units[i:j])
                if _KANJI.search(surface) and said and not _KANJI.search(said):
                    found.append((surface, fold(said)))
        _read[word] = found
    return found


def reading_map(vocabulary: Mapping[str, int]) -> dict[str, dict[str, int]]:
    """{folded reading: {surface: documents}} of a vocabulary (kept while the vocabulary lives)."""
    with _lock:
        kept = _maps.get(id(vocabulary))
        if kept is not None and kept[0] is vocabulary:
            return kept[1]
        out: dict[str, dict[str, int]] = {}
        for word, count in vocabulary.items():
            for surface, said in units_read(word):
                surfaces = out.setdefault(said, {})
                surfaces[surface] = surfaces.get(surface, 0) + count
        _maps.clear()  # only the live generation's
        _maps[id(vocabulary)] = (vocabulary, out)
        return out


def words_read(typed: str, vocabulary: Mapping[str, int]) -> list[str]:
    """The indexed words read as `typed` (kana), most frequent first: まどぐち → [窓口]."""
    if not is_reading(typed):
        return []
    surfaces = reading_map(vocabulary).get(fold(typed), {})
    ranked = sorted(surfaces, key=lambda s: (-surfaces[s], len(s), s))
    return ranked[:MAX_CANDIDATES]
