"""The editors' changes over the shipped thesaurus file: the lines in effect, and the file written with them.

A change (models.ThesaurusEntry) adds a line, or changes or removes a shipped line named by its ref
(thesaurus.Line.ref). `compose` writes the file with the changes in place (a shipped line changed or
dropped where it stands, the added lines at the end), so the export is the file a reviewer compares
and ships; `families` lists the same for the curator page. Once a release ships an export, its
changes are in the file: a change whose line the file now has, or that removes a line the file no
longer has, changes nothing (`inert`) and is left out.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

from .thesaurus import Line, lines, read_line


class Change(Protocol):
    """An editor's change as stored (models.ThesaurusEntry): `words` tab-separated, `replaces` a shipped ref."""

    id: int | None
    kind: str
    words: str
    replaces: str | None


@dataclass(frozen=True)
class Family:
    """A line of the thesaurus in effect, for the curator page.

    `origin`: "shipped" (as the file has it), "changed" (a shipped line the editors changed),
    "removed" (a shipped line the editors dropped: `kind` and `words` are the file's) or "added"
    (by editors). `shipped` is the line in the file, None for an added one.
    """

    ref: str  # a shipped line's ref, or "e" and the change's id for an added line
    kind: str
    words: tuple[str, ...]
    origin: str
    shipped: Line | None = None

    def text(self) -> str:
        """The line as the file writes it."""
        return "\t".join((self.kind, *self.words))

    @property
    def stamp(self) -> str:
        """A digest of the line as it is now (its origin too): a form sends it back to refuse a lost update."""
        return stamp(self.origin, self.text())


def stamp(origin: str, text: str) -> str:
    """The stamp of a line with this origin and text (Family.stamp)."""
    return hashlib.sha1(f"{origin}\n{text}".encode()).hexdigest()[:16]


def split_words(words: str) -> tuple[str, ...]:
    """A stored change's words."""
    return tuple(w for w in words.split("\t") if w)


def inert(text: str, changes: list[Change]) -> list[Change]:
    """The changes that change nothing since the file was updated: their line is shipped now, or they remove a
    line that is no longer shipped."""
    shipped = {line.ref for line in lines(text)}
    return [c for c in changes if c.replaces not in shipped
            and (not split_words(c.words) or Line(c.kind, split_words(c.words)).ref in shipped)]


def _live(text: str, changes: list[Change]) -> list[Change]:
    idle = {id(c) for c in inert(text, changes)}
    return [c for c in changes if id(c) not in idle]


def families(text: str, changes: list[Change]) -> list[Family]:
    """The lines of the thesaurus in effect and the shipped lines removed, in the file's order, added lines last.

    A change to a line that is no longer shipped (the file was updated since) counts as an added line.
    """
    changes = _live(text, changes)
    by_ref = {c.replaces: c for c in changes if c.replaces}
    out, seen = [], set()
    for line in lines(text):
        change = by_ref.get(line.ref)
        if line.ref in seen:
            continue
        seen.add(line.ref)
        if change is None:
            out.append(Family(line.ref, line.kind, line.words, "shipped", line))
        elif split_words(change.words):
            out.append(Family(line.ref, change.kind, split_words(change.words), "changed", line))
        else:
            out.append(Family(line.ref, line.kind, line.words, "removed", line))
    out += [Family(f"e{c.id}", c.kind, split_words(c.words), "added") for c in changes
            if (not c.replaces or c.replaces not in seen) and split_words(c.words)]
    return out


ADDED_HEADING = "# --- added by editors on the curator page (/curate/thesaurus) ---"


def compose(text: str, changes: list[Change]) -> str:
    """The file `text` with the editors' changes: changed lines where they stand, removed ones left out,
    added ones at the end. Comments and blank lines stay, so the difference to the file is the changes."""
    changes = _live(text, changes)
    by_ref = {c.replaces: c for c in changes if c.replaces}
    out, seen = [], set()
    for number, raw in enumerate(text.splitlines(), 1):
        line = read_line(raw, number)
        if line is None or line.ref not in by_ref:
            out.append(raw)
            continue
        seen.add(line.ref)
        words = split_words(by_ref[line.ref].words)
        if words:
            out.append(Line(by_ref[line.ref].kind, words).text())
    added = [Line(c.kind, split_words(c.words)).text() for c in changes
             if (not c.replaces or c.replaces not in seen) and split_words(c.words)]
    if added:
        out += ["", ADDED_HEADING, *added]
    return "\n".join(out) + "\n" if out else ""
