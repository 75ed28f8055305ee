"""A yes / no / automatic case field (an effect's `scales`): its kind (case_kinds.py) and its check.

Kept beside case_kinds.py, whose kinds it follows: blank is None (decided automatically), and
what a person types is read by domain/scaling.read_choice (はい/いいえ, する/しない, ○/×, true/false).
"""
from __future__ import annotations

from .case_kinds import Kind, text
from .domain import scaling
from .schema_base import _Lenient


class Switch(Kind):
    """Yes, no or blank (automatic): a select in the editor; a cell says する/しない (or はい/いいえ, ○/×)."""

    name, widget, output, nullable = "switch", "select", "boolean", True
    FORM = {True: "true", False: "false", None: ""}

    def from_form(self, f, value):
        return text(value) or None

    def to_form(self, f, value):
        return self.FORM[value] if value is None or isinstance(value, bool) else value

    def from_cell(self, f, value, themes):
        return value or None

    def to_cell(self, f, value):
        return {True: "する", False: "しない", None: ""}[value] if value is None or isinstance(value, bool) else value


SWITCH = Switch()


class YesNo(_Lenient):
    """True, False or None (blank: decided automatically), typed as はい/いいえ, する/しない, ○/×, true/false."""

    json_types = ("boolean", "string")

    def read(self, value):
        return scaling.read_choice(value)
