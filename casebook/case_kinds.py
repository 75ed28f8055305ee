"""How each kind of case field is read and shown: in the editor's form and in a spreadsheet cell.

A kind turns what a person typed into the raw case-file value that the schema then checks
(`from_form`, `from_cell`), and a case-file value back into what the form or the cell shows
(`to_form`, `to_cell`). Reading never refuses anything: a value it cannot read is passed on as
typed, and the schema explains what is wrong with it. The editor and a spreadsheet differ where
people type differently: tags are split at blanks in the editor only (a cell may hold "AI OCR"),
the editor reads full-width digits in dates, and cells may name a choice or a theme by its label.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

_TAG_SPLIT = re.compile(r"[,、，\s]+")    # the editor's tag field
CELL_SPLIT = re.compile(r"[,、，;；\n]+")  # a list in one cell


def text(value: Any) -> str:
    """A typed value as text without surrounding blanks ('' for None)."""
    return "" if value is None else str(value).strip()


def number(value: Any) -> Any:
    """'8,671' -> 8671; blank -> None; anything else as typed, so the schema reports it."""
    typed = text(value)
    digits = unicodedata.normalize("NFKC", typed).replace(",", "").strip()
    if digits == "":
        return None
    return int(digits) if digits.isdigit() else typed


def _blank_none(value: Any) -> Any:
    return "" if value is None else value


class Kind:
    """A plain one-line text; the other kinds change what differs."""

    name = "text"
    widget = "line"        # the editor's input: line, text (several lines), select, checkboxes
    output = "string"      # the API's output type: string, date, integer, strings
    nullable = False       # the API may answer null

    def from_form(self, f, value: Any) -> Any:
        return text(value)

    def to_form(self, f, value: Any) -> Any:
        return value

    def from_cell(self, f, value: str, themes: dict[str, str]) -> Any:
        return value

    def to_cell(self, f, value: Any) -> str:
        return value

    def from_model(self, value: Any) -> Any:
        """A stored value as case data (the same, for most kinds)."""
        return value

    def to_model(self, value: Any) -> Any:
        """Case data as it is stored."""
        return value


class Prose(Kind):
    name, widget = "prose", "text"


class Optional(Kind):
    """A text that is None when blank (a participant's code)."""

    name, nullable = "optional", True

    def from_form(self, f, value):
        return text(value) or None

    def to_form(self, f, value):
        return _blank_none(value)

    def from_cell(self, f, value, themes):
        return value or None

    def to_cell(self, f, value):
        return _blank_none(value)


class Choice(Kind):
    """One code of the field's vocabulary, typed as its code, its label or a short form (the schema reads it)."""

    name, widget = "choice", "select"

    def from_form(self, f, value):
        return text(value)

    def to_form(self, f, value):
        return _blank_none(value)

    def from_cell(self, f, value, themes):
        return value

    def to_cell(self, f, value):
        return _blank_none(value)


class Date(Kind):
    """A date known to the day, month or year: 2018-10-02, 2018年10月, 平成30年 (the schema reads it); None when blank.

    In case data a day is a datetime.date and a month or year its ISO text ("2018-10", "2018"); it is
    stored as ISO text.
    """

    name, output, nullable = "date", "date", True

    def from_model(self, value):
        if isinstance(value, str) and len(value) == 10:
            return dt.date.fromisoformat(value)
        return value

    def to_model(self, value):
        return value.isoformat() if isinstance(value, dt.date) else value

    def from_form(self, f, value):
        return unicodedata.normalize("NFKC", text(value)) or None

    def to_form(self, f, value):
        return value.isoformat() if isinstance(value, dt.date) else (value or "")

    def from_cell(self, f, value, themes):
        return value or None

    def to_cell(self, f, value):
        return value.strftime("%Y-%m-%d") if isinstance(value, (dt.date, dt.datetime)) else (value or "")


class Year(Kind):
    """A fiscal year, typed as 2017 or 平成29年度 (the schema reads it); None when blank."""

    name, output, nullable = "year", "integer", True

    def from_form(self, f, value):
        return text(value) or None

    def to_form(self, f, value):
        return "" if value is None else str(value)

    def from_cell(self, f, value, themes):
        return value or None

    def to_cell(self, f, value):
        return str(value or "")


class Count(Kind):
    """A whole number, typed with or without thousands separators; None when blank."""

    name, output, nullable = "count", "integer", True

    def from_form(self, f, value):
        return number(value)

    def to_form(self, f, value):
        return _blank_none(value)

    def from_cell(self, f, value, themes):
        return number(value)

    def to_cell(self, f, value):
        return "" if value is None else str(value)


class Tags(Kind):
    """Words: one field of the editor split at commas, 、 and blanks; a cell split at commas, 、 and ;."""

    name, output = "tags", "strings"

    def from_form(self, f, value):
        return [t for t in _TAG_SPLIT.split(text(value)) if t]

    def to_form(self, f, value):
        return "、".join(value)

    def from_cell(self, f, value, themes):
        return [t.strip() for t in CELL_SPLIT.split(value) if t.strip()]

    def to_cell(self, f, value):
        return ",".join(value)


class Themes(Tags):
    """Theme codes: checkboxes in the editor; in a cell, codes or theme names."""

    name, widget = "themes", "checkboxes"

    def from_form(self, f, value):
        return list(value or [])

    def to_form(self, f, value):
        return list(value)

    def from_cell(self, f, value, themes):
        return [themes.get(t.strip(), t.strip()) for t in CELL_SPLIT.split(value) if t.strip()]


TEXT, PROSE, OPTIONAL, CHOICE, DATE, YEAR, COUNT, TAGS, THEMES = (
    Kind(), Prose(), Optional(), Choice(), Date(), Year(), Count(), Tags(), Themes())
