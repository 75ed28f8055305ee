"""Reading a query as people type it into a search box, into the engine's words (engine.Query).

- Words are separated by spaces and by punctuation (、。・「」 …).
- A natural phrase loses its particles and function words: a hiragana run between content
  characters that is made only of function words (STOP_RUNS: の, で, を, に, した, による, …) splits
  the phrase, and content-poor words (STOP_WORDS: 例, 事例, 取組, …) are dropped. A word written in
  hiragana alone is kept (it may be a reading: くらうど finds クラウド).
- `-word` (or `NOT word`) excludes; `OR` (or `|`) between words matches either; `AND` and `+`
  are accepted and mean what spaces mean.
- Each word also finds its thesaurus synonyms (thesaurus.py), a compound the forms with a part
  replaced (保育園入所 → 保育所入所); a word in double quotes finds only itself.
- With three or more words, most of them are required (REQUIRED), and cases matching all of them
  rank first (the engine ranks by how many words a case matches).
Nothing here reads the index; results.py adds what needs it (a compound falling back to its parts,
"did you mean").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from . import analysis
from .engine import Query, Terms
from .thesaurus import Thesaurus

SYNONYM_WEIGHT = 0.6  # a synonym's text score, relative to the word typed (it also ranks after exact matches)

# Function words and endings, as hiragana runs: a run made only of these splits a phrase.
# Measured on the phrases of issue 17 (「…で…した例」, 「…の…」): every particle and ending of them.
STOP_RUNS = frozenset("""
の を に で が は と へ や も か な
から まで より など だけ ほど ながら
した して する します しました している しています された される され させた させる させ
ている ています ていた ました ます です である だった
について による により によって における にかかる に関する 関する ための ため として にて での への との
ような よう という といった こと もの ところ
""".split())
_STOP_MAX = max(map(len, STOP_RUNS))
# Words that carry no subject of their own in a search for cases.
STOP_WORDS = frozenset("""
例 事例 実例 先進事例 好事例 成功例 取組 取組み 取り組み 方法 やり方 ケース 場合 内容 参考 紹介 知りたい 教えて
""".split())
_SEPARATORS = re.compile(r"[、。，．,.;；:：!！?？「」『』（）()\[\]【】〈〉《》<>・/／～〜]+")
_HIRAGANA = re.compile(r"[\u3041-\u309f]+")
_OR = frozenset({"OR", "|", "｜", "または"})
_AND = frozenset({"AND", "&", "＆", "かつ"})
_NOT = frozenset({"NOT"})


def REQUIRED(words: int) -> int:
    """How many of `words` words a case must match: all of one or two, then all but about a quarter."""
    return words if words <= 2 else words - max(1, words // 4)


@dataclass
class Form:
    """One form a word is searched in: its text, terms and whether it comes from the thesaurus."""

    text: str
    terms: Terms
    synonym: bool = False
    via: tuple[str, ...] = ()  # the thesaurus words used to make it


@dataclass
class Word:
    """One word of the query with every form it is searched in (forms[0] is the word itself)."""

    text: str
    forms: list[Form]
    exact: bool = False  # in quotes: without synonyms

    @property
    def synonyms(self) -> list[Form]:
        return [f for f in self.forms if f.synonym]


@dataclass
class Parsed:
    """A query read: its words (ANDed, `required` of them), the excluded ones, and what was dropped."""

    words: list[Word] = field(default_factory=list)
    excluded: list[Word] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    required: int = 0

    def query(self, **kw) -> Query:
        """The engine's query for these words (`kw`: filters, order and page)."""
        return Query(words=tuple(w.forms[0].terms for w in self.words),
                     alternatives=tuple(tuple((f.terms, SYNONYM_WEIGHT if f.synonym else 1.0) for f in w.forms[1:])
                                        for w in self.words),
                     exclude=tuple(f.terms for w in self.excluded for f in w.forms if not f.synonym),
                     required=self.required if self.required < len(self.words) else 0, **kw)

    def highlighted(self) -> tuple[list[list[tuple[str, bool]]], list[list[tuple[str, bool]]]]:
        """The terms to mark: of the words as typed (and OR alternatives), and of their synonyms."""
        exact = [list(f.terms) for w in self.words for f in w.forms if not f.synonym]
        synonyms = [list(f.terms) for w in self.words for f in w.forms if f.synonym]
        return exact, synonyms

    def text(self, words: list[Word] | None = None) -> str:
        """The query written back (for links): the words, `OR` between alternatives, `-` before excluded ones."""
        parts = []
        for w in self.words if words is None else words:
            forms = [f.text for f in w.forms if not f.synonym]
            written = " OR ".join(forms)
            parts.append(f'"{written}"' if w.exact and len(forms) == 1 else written)
        parts += [f"-{w.text}" for w in self.excluded]
        return " ".join(parts)


def terms_of(text: str) -> Terms:
    """The (term, is_prefix) parts of one word: a lone kanji/kana character is a prefix."""
    return tuple(term for part in analysis.query_words(text) for term in part)


@lru_cache(maxsize=4096)
def _function_run(run: str) -> bool:
    # Whether a hiragana run is made only of STOP_RUNS (a small dynamic programme over its ends).
    ok = [True] + [False] * len(run)
    for end in range(1, len(run) + 1):
        ok[end] = any(ok[start] and run[start:end] in STOP_RUNS for start in range(max(0, end - _STOP_MAX), end))
    return ok[-1]


def content_chunks(token: str) -> tuple[list[str], list[str]]:
    """Split one space-free token at its function words; return (content words, dropped words)."""
    if _HIRAGANA.fullmatch(token):
        return ([], [token]) if _function_run(token) or token in STOP_WORDS else ([token], [])
    chunks, dropped, start = [], [], 0
    for m in _HIRAGANA.finditer(token):
        run = m.group()
        # The run's function words may follow an ending of the word before (写しの, 見直しを).
        cut = next((k for k in range(len(run)) if _function_run(run[k:])), None)
        if cut is not None:
            chunks.append(token[start:m.start() + cut])
            dropped.append(run[cut:])
            start = m.end()
    chunks.append(token[start:])
    kept = []
    for chunk in chunks:
        if not chunk:
            continue
        if chunk in STOP_WORDS:
            dropped.append(chunk)
        else:
            kept.append(chunk)
    return kept, dropped


def _tokens(text: str) -> list[str]:
    # Spaces and punctuation separate words; a quoted stretch stays one word (marked by its quotes).
    out: list[str] = []
    for i, part in enumerate(text.split('"')):
        if i % 2 == 1:
            if part.strip():
                out.append('"' + "".join(part.split()) + '"')
            continue
        for token in part.split():
            if token in _OR or token in _AND or token in _NOT:
                out.append(token)
                continue
            prefix = ""
            if token[:1] in "-+" and len(token) > 1:
                prefix, token = token[0], token[1:]
            pieces = [p for p in _SEPARATORS.split(token) if p]
            if prefix and pieces:
                pieces[0] = prefix + pieces[0]
            out.extend(pieces)
    return out


def word(text: str, thesaurus: Thesaurus | None, exact: bool = False) -> Word | None:
    """A word with its forms (the word, then its thesaurus variants unless `exact`); None if unsearchable."""
    terms = terms_of(text)
    if not terms:
        return None
    forms = [Form(text, terms)]
    if thesaurus is not None and not exact:
        for variant, via in thesaurus.variants(text):
            found = terms_of(variant)
            if found and found != terms:
                forms.append(Form(variant, found, synonym=True, via=via))
    return Word(text, forms, exact)


def parse(text: str, thesaurus: Thesaurus | None = None, max_words: int = analysis.MAX_QUERY_WORDS) -> Parsed:
    """Read a cleaned query (analysis.clean_query) into words (see the module docstring)."""
    parsed = Parsed()
    pending_or = negate = False
    for token in _tokens(text):
        if token in _OR:
            pending_or = bool(parsed.words)
            continue
        if token in _AND:
            continue
        if token in _NOT:
            negate = True
            continue
        exact = token.startswith('"') and token.endswith('"') and len(token) > 1
        if exact:
            token, pieces, dropped = token[1:-1], [token[1:-1]], []
        else:
            if token.startswith("-") and len(token) > 1:
                negate, token = True, token[1:]
            elif token.startswith("+"):
                token = token[1:]
            pieces, dropped = content_chunks(token) if not negate else ([token], [])
        parsed.dropped += dropped
        for piece in pieces:
            found = word(piece, thesaurus, exact or negate)
            if found is None:
                continue
            if negate:
                parsed.excluded.append(found)
            elif pending_or and parsed.words:
                parsed.words[-1].forms[1:1] = [f for f in found.forms if not f.synonym]
                parsed.words[-1].forms += found.synonyms
                parsed.words[-1].text += f" OR {found.text}"
            elif len(parsed.words) < max_words:
                parsed.words.append(found)
            pending_or = False
        negate = False
    if not parsed.words and not parsed.excluded and parsed.dropped:
        # Nothing but function and content-poor words (取り組み): search those rather than everything.
        for piece in [d for d in parsed.dropped if d in STOP_WORDS][:max_words]:
            found = word(piece, thesaurus)
            if found is not None:
                parsed.words.append(found)
    parsed.required = REQUIRED(len(parsed.words))
    return parsed
