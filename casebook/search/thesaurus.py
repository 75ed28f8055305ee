"""The thesaurus: families of the field's paraphrases, applied when a query is read (query.py).

The words live in a reviewed data file, casebook/data/thesaurus.tsv (its header says the format):
a family (`=`) links words that each find the others; a one-way line (`>`) lets its first word
also find broader ones (住民票 → 証明書) and not the reverse. Words are compared as the analysis
reads them (NFKC, hiragana folded to katakana, lower case), so ほいくえん, 保育園 and width variants
of RPA meet. Nothing in the index depends on the thesaurus: editing it changes searches at once,
without a rebuild.

Editors adjust it on the curator page (services/thesaurus_edits.py): their changes are rows of the
database over the shipped file, never the file itself, which stays the reviewed default
(thesaurus_changes.py applies them; each shipped line is known by its `Line.ref`). Searches use
`thesaurus_live.current()`: inside an app, the thesaurus in effect for its database (reloaded
when the change counter moves); outside one, the shipped file alone (`shipped()`).
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from . import analysis

log = logging.getLogger(__name__)

FILE = "thesaurus.tsv"
MAX_FORMS = 12  # forms of one word (the word and its variants) searched at most


class ThesaurusError(ValueError):
    """A line of the thesaurus file that cannot be read (with its line number)."""


@dataclass(frozen=True)
class Thesaurus:
    """{word: the words it also finds}, all in the analysis's normal form, with each word as written."""

    related: dict[str, tuple[str, ...]] = field(default_factory=dict)
    written: dict[str, str] = field(default_factory=dict)
    digest: str = ""

    def synonyms(self, word: str) -> tuple[str, ...]:
        """The words `word` (as typed) also finds, as written in the file."""
        return tuple(self.written[w] for w in self.related.get(key(word), ()))

    def variants(self, word: str) -> list[tuple[str, tuple[str, ...]]]:
        """Other forms of `word`: each thesaurus word inside it replaced by one it also finds.

        Returns [(form, the synonyms used)], the whole word's synonyms first, at most MAX_FORMS - 1.
        A compound such as 保育園入所 gives 保育所入所, 保育園入園 and 保育所入園.
        """
        text = key(word)
        if not text or len(text) != len(word):  # offsets must agree to rebuild the written form
            base = text
        else:
            base = word
        found: list[tuple[int, int, tuple[str, ...]]] = []  # (start, end, replacements), no overlaps
        taken = [False] * len(text)
        for term in sorted(self.related, key=len, reverse=True):
            start = text.find(term)
            while start >= 0:
                end = start + len(term)
                if not any(taken[start:end]):
                    found.append((start, end, self.related[term]))
                    for i in range(start, end):
                        taken[i] = True
                start = text.find(term, start + 1)
        found.sort()
        out: list[tuple[str, tuple[str, ...]]] = [(base, ())]
        for start, end, replacements in found:
            grown = []
            for form, used in out:
                shift = len(form) - len(base)  # earlier replacements changed the length
                for other in replacements:
                    grown.append((form[:start + shift] + self.written[other] + form[end + shift:], (*used, self.written[other])))
            out = out + grown
            if len(out) >= MAX_FORMS:
                break
        seen = {key(base)}
        variants = []
        for form, used in sorted(out[1:], key=lambda pair: len(pair[1])):
            if key(form) not in seen:
                seen.add(key(form))
                variants.append((form, used))
        return variants[:MAX_FORMS - 1]


def key(word: str) -> str:
    """A word as the thesaurus compares it."""
    return analysis.normalize(word.strip())[0]


@dataclass(frozen=True)
class Line:
    """A line of a thesaurus file that links words: its kind ("=" or ">"), its words as written, its number."""

    kind: str
    words: tuple[str, ...]
    number: int = 0

    @property
    def ref(self) -> str:
        """The line's name in the editors' changes: a digest of its kind and its words as compared."""
        return "s" + line_digest(self.kind, self.words)

    def text(self) -> str:
        """The line as the file writes it."""
        return "\t".join((self.kind, *self.words))


def line_digest(kind: str, words: tuple[str, ...] | list[str]) -> str:
    """A short digest of a line's kind and words, as the thesaurus compares them."""
    return hashlib.sha1("\t".join((kind, *map(key, words))).encode("utf-8")).hexdigest()[:16]


def searchable(word: str) -> bool:
    """Whether a word has anything a search can find (kanji, kana, letters or digits)."""
    return bool(list(analysis.spans(key(word), index=False)))


def read_line(line: str, number: int = 0) -> Line | None:
    """The Line of one line of a file; None for a blank line or a comment; ThesaurusError when unreadable."""
    if not line.strip() or line.lstrip().startswith("#"):
        return None
    kind, *words = [part.strip() for part in line.split("\t")]
    words = [w for w in words if w]
    if kind not in ("=", ">") or len(words) < 2:
        raise ThesaurusError(f"{FILE} line {number}: expected '=' or '>' and at least two words, tab-separated")
    for word in words:
        if not searchable(word):
            raise ThesaurusError(f"{FILE} line {number}: {word!r} has nothing searchable")
    return Line(kind, tuple(words), number)


def lines(text: str) -> list[Line]:
    """The lines of a thesaurus file's text that link words; ThesaurusError on a bad line."""
    return [found for number, line in enumerate(text.splitlines(), 1) if (found := read_line(line, number))]


def parse(text: str) -> Thesaurus:
    """Read a thesaurus file's text (see the module docstring); ThesaurusError on a bad line."""
    related: dict[str, list[str]] = {}
    written: dict[str, str] = {}

    def link(a: str, b: str) -> None:
        if a != b and b not in related.setdefault(a, []):
            related[a].append(b)

    for line in lines(text):
        keys = []
        for word in line.words:
            k = key(word)
            written.setdefault(k, word)
            keys.append(k)
        if line.kind == "=":
            for a in keys:
                for b in keys:
                    link(a, b)
        else:
            for b in keys[1:]:
                link(keys[0], b)
    return Thesaurus({k: tuple(v) for k, v in related.items()}, written,
                     hashlib.sha1(text.encode("utf-8")).hexdigest()[:12])


def load(path: Path | None = None) -> Thesaurus:
    """The thesaurus of `path`, or the shipped one."""
    if path is not None:
        return parse(Path(path).read_text(encoding="utf-8"))
    return shipped()


@lru_cache(maxsize=1)
def shipped_text() -> str:
    """The text of the thesaurus file shipped with casebook (casebook/data/thesaurus.tsv), read once; "" when missing."""
    try:
        return (resources.files("casebook.data") / FILE).read_text(encoding="utf-8")
    except OSError as exc:
        log.error("the thesaurus file cannot be read (%s); searching without its synonyms", exc)
        return ""


@lru_cache(maxsize=1)
def shipped() -> Thesaurus:
    """The shipped thesaurus alone. Unreadable (an install without the data file), searches go on without synonyms."""
    try:
        return parse(shipped_text())
    except ThesaurusError as exc:
        log.error("the thesaurus cannot be read (%s); searching without synonyms", exc)
        return Thesaurus()
