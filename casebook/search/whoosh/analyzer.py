"""The Whoosh tokenizer of every text field: the terms of analysis.py, as Whoosh tokens.

Whoosh pickles analyzers into the index, so `JapaneseTokenizer` stays small and stateless at
this module path (an index written with another path cannot be opened, and is rebuilt).
"""
from __future__ import annotations

from whoosh.analysis import Token, Tokenizer

from .. import analysis


class JapaneseTokenizer(Tokenizer):
    """Whoosh tokenizer producing the bigram terms described in analysis.py."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True,
                 mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if chars:
            spans = analysis.terms(value, index=mode != "query")
        else:
            spans = analysis.spans(analysis.normalize(value)[0], mode != "query")
        for pos, (text, start, end) in enumerate(spans):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


def analyzer() -> JapaneseTokenizer:
    """Return the analyzer used by every text field of the index."""
    return JapaneseTokenizer()

