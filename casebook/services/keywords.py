"""Keyword suggestions for the search box: published case titles, tags, themes and government names.

The vocabulary is built from the database once and kept in a cache the caller owns (the app keeps
one in app.extensions). It is rebuilt when the change sequence (search.changes) moves, so a case
published, changed or withdrawn shows in the suggestions at the next request, and at the latest after
REFRESH_SECONDS for what the sequence does not number (theme labels, a new municipality master).

Matching folds width, case and kana (NFKC, katakana → hiragana), so こうち, コウチ and ｺｳﾁ all find
高知市 through its reading in the municipality master. Every word typed must occur in the text or
its reading; a suggestion that starts with the first word ranks above one that only contains it.
The same text is suggested once (a tag named like a theme: as the one ranked first).
"""
from __future__ import annotations

import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import MutableMapping
from dataclasses import dataclass

from sqlmodel import Session, select

from ..models import Case, Municipality, Participant
from ..search import changes
from .cases import theme_labels

# kind code -> what the search box shows beside a suggestion; also the order among equal matches
KINDS = {"theme": "テーマ", "tag": "タグ", "government": "団体", "case": "事例"}
DEFAULT_LIMIT = 8
MAX_LIMIT = 20
MAX_QUERY_CHARS = 400  # the search box's maxlength
REFRESH_SECONDS = 300.0
CACHE_KEY = "casebook.keywords"  # where an app keeps its vocabulary (app.extensions)
_KATA_TO_HIRA = {c: c - 0x60 for c in range(0x30A1, 0x30F7)} | {0x30FD: 0x309D, 0x30FE: 0x309E}
_KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}


def fold(text: str) -> str:
    """`text` as matching compares it: NFKC, lower case, katakana as hiragana, no spaces."""
    return "".join(unicodedata.normalize("NFKC", text).lower().translate(_KATA_TO_HIRA).split())


@dataclass(frozen=True)
class Keyword:
    """One suggestion: its text, kind (a key of KINDS), how many published cases have it (None for a
    case title), and the folded forms it is matched on (the text, and a government's readings)."""

    text: str
    kind: str
    count: int | None
    keys: tuple[str, ...]

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


@dataclass(frozen=True)
class Vocabulary:
    """Every keyword, and the change number and time it was built at."""

    sequence: int
    built: float
    words: tuple[Keyword, ...]


def build_vocabulary(session: Session) -> Vocabulary:
    """Read the keywords of the published cases from the database."""
    sequence = changes.latest(session)
    words: list[Keyword] = []
    published = list(session.exec(select(Case.title, Case.tags, Case.themes).where(Case.status == "published")))
    titles = Counter(title.strip() for title, _, _ in published if title and title.strip())
    words += [Keyword(title, "case", None, (fold(title),)) for title in titles]
    tags: Counter[str] = Counter()
    themes: Counter[str] = Counter()
    for _, case_tags, case_themes in published:
        tags.update({t.strip() for t in case_tags or [] if isinstance(t, str) and t.strip()})
        themes.update({t for t in case_themes or [] if isinstance(t, str)})
    words += [Keyword(tag, "tag", n, (fold(tag),)) for tag, n in tags.items()]
    words += [Keyword(label, "theme", themes[code], (fold(label),))
              for code, label in theme_labels(session).items() if themes[code]]
    words += _governments(session)
    return Vocabulary(sequence, time.monotonic(), tuple(words))


def _governments(session: Session) -> list[Keyword]:
    """The governments taking part in published cases, with their readings from the master."""
    rows = list(session.exec(select(Participant.case_id, Participant.name, Participant.code)
                             .join(Case, Case.id == Participant.case_id).where(Case.status == "published")))
    cases_of: defaultdict[str, set[int]] = defaultdict(set)
    codes_of: defaultdict[str, set[str]] = defaultdict(set)
    for case_id, name, code in rows:
        if name and name.strip():
            cases_of[name.strip()].add(case_id)
            if code:
                codes_of[name.strip()].add(code)
    readings: defaultdict[str, set[str]] = defaultdict(set)
    wanted_codes = {c for codes in codes_of.values() for c in codes}
    if cases_of:
        # By code where the case names one, else by name (a joint body has no reading: it is not in the master).
        master = select(Municipality.code, Municipality.name, Municipality.kana).where(
            Municipality.code.in_(sorted(wanted_codes)) | Municipality.name.in_(list(cases_of)))
        by_code, by_name = {}, defaultdict(set)
        for code, name, kana in session.exec(master):
            by_code[code] = kana
            by_name[name].add(kana)
        for name in cases_of:
            found = {by_code[c] for c in codes_of[name] if c in by_code} or by_name.get(name, set())
            readings[name] = {fold(k) for k in found if k}
    return [Keyword(name, "government", len(ids), (fold(name), *sorted(readings[name])))
            for name, ids in cases_of.items()]


def vocabulary(session: Session, cache: MutableMapping) -> Vocabulary:
    """The cached vocabulary, rebuilt when the change sequence moved or it is REFRESH_SECONDS old."""
    current: Vocabulary | None = cache.get("vocabulary")
    if (current is None or time.monotonic() - current.built > REFRESH_SECONDS
            or changes.latest(session) != current.sequence):
        current = build_vocabulary(session)
        cache["vocabulary"] = current  # one assignment: a concurrent request sees the old or the new one
    return current


def _rank(word: Keyword, first: str) -> tuple:
    exact = any(key == first for key in word.keys)
    prefix = any(key.startswith(first) for key in word.keys)
    return (0 if exact else 1 if prefix else 2, -(word.count or 0), _KIND_ORDER[word.kind], len(word.text), word.text)


def match(words: tuple[Keyword, ...], q: str, limit: int = DEFAULT_LIMIT) -> list[Keyword]:
    """The keywords of `words` that contain every word of `q`, best first, at most `limit`."""
    terms = [fold(part) for part in unicodedata.normalize("NFKC", q or "")[:MAX_QUERY_CHARS].split()]
    terms = [t for t in terms if t]
    if not terms or limit < 1:
        return []
    found = [w for w in words if all(any(t in key for key in w.keys) for t in terms)]
    found.sort(key=lambda w: _rank(w, terms[0]))
    # A tag named like a theme searches for the same words: show the text once, as its best kind.
    unique: dict[str, Keyword] = {}
    for word in found:
        unique.setdefault(word.keys[0], word)
        if len(unique) == limit:
            break
    return list(unique.values())


def suggest_keywords(session: Session, q: str, limit: int, cache: MutableMapping) -> list[Keyword]:
    """Up to `limit` suggestions for what was typed so far (none for an empty `q`)."""
    if not fold(q or ""):
        return []
    return match(vocabulary(session, cache).words, q, min(limit, MAX_LIMIT))
