"""What a search does with words that find nothing, before it gives up (results.py calls these).

In turn, each only for words that find nothing and are not in double quotes:
1. a compound is searched by its parts (保育園入所 → 保育園 入所; suggest.parts), unless it is
   kana alone (ちゃとぼっと is a misspelling, not ちゃ + とぼっと);
2. a word typed in kana is searched as the indexed kanji words read so (まどぐち → 窓口,
   ひろさき → 弘前; readings.py), up to three of them as alternatives;
3. when the whole search still finds nothing, the first "did you mean" correction is searched
   instead (窓口業無 → 窓口業務), and the page offers the words as typed, in quotes, which are
   never corrected.
Each says what it did in a note, so a result is never silently about other words.
"""
from __future__ import annotations

from . import query as reading
from . import readings, suggest
from .engine import Engine
from .thesaurus import Thesaurus


def split_compounds(parsed: reading.Parsed, counts: tuple[int, ...], lexicon: dict[str, int],
                    thesaurus: Thesaurus) -> tuple[reading.Parsed, str] | None:
    """The query with each compound that finds nothing cut into its parts, and a note; None if none."""
    words, cut = [], []
    for word, count in zip(parsed.words, counts, strict=False):
        cuttable = count == 0 and not word.exact and not readings.is_reading(word.text)  # kana alone: not cut
        pieces = suggest.parts(word.text, lexicon) if cuttable else []
        found = [w for w in (reading.word(p, thesaurus) for p in pieces) if w is not None]
        if len(found) > 1:
            words.extend(found)
            cut.append((word.text, [w.text for w in found]))
        else:
            words.append(word)
    if not cut:
        return None
    split = reading.Parsed(words, parsed.excluded, parsed.dropped, reading.REQUIRED(len(words)))
    said = "、".join(f"「{whole}」を「{'」「'.join(parts)}」" for whole, parts in cut)
    return split, f"{said}に分けて検索しました。"


def read_as_kanji(parsed: reading.Parsed, counts: tuple[int, ...], index: Engine,
                  thesaurus: Thesaurus) -> tuple[reading.Parsed, str, list[str]] | None:
    """The query with each kana word that finds nothing searched as the kanji words read so.

    Returns (the query, a note, the first word of each reading) or None when no word was read.
    """
    words, read, firsts = [], [], []
    vocabulary = None
    for word, count in zip(parsed.words, counts, strict=False):
        found: list[str] = []
        if count == 0 and not word.exact and readings.is_reading(word.text):
            vocabulary = index.vocabulary() if vocabulary is None else vocabulary
            found = readings.words_read(word.text, vocabulary)
        if not found:
            words.append(word)
            continue
        first = reading.word(found[0], thesaurus)
        forms = [f for f in (reading.word(w, None) for w in found) if f is not None]
        if first is None or not forms:
            words.append(word)
            continue
        alternatives = [f.forms[0] for f in forms] + first.synonyms
        words.append(reading.Word(" OR ".join(found), alternatives))
        read.append((word.text, found))
        firsts.append(found[0])
    if not read:
        return None
    said = "、".join(f"「{typed}」を「{'」「'.join(found)}」" for typed, found in read)
    return reading.Parsed(words, parsed.excluded, parsed.dropped, parsed.required), f"読みから{said}として検索しました。", firsts


def as_typed(parsed: reading.Parsed) -> str:
    """The query with every word in double quotes: searched as typed, never corrected or cut."""
    quoted = [reading.Word(w.text, w.forms, exact=True) for w in parsed.words]
    return parsed.text(quoted)
