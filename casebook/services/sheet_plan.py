"""The page plan of a printable sheet: A4 in millimetres, text widths in ems, and the estimates.

Every block of a sheet that can grow gets an estimated height from the metrics of
casebook/static/sheet.css (keep the constants in step with it); services/sheets.py lays a case
out against these estimates. See that module's docstring for why the page is planned here.
"""
from __future__ import annotations

import math
import unicodedata
from typing import Any, Protocol


class Sheet(Protocol):
    """What the estimates read of a sheet (services/sheets.Sheet has it; this module needs no import of it)."""

    title: str
    url: str
    outline: bool
    themes: list[str]
    start_year: str
    participants: list[Any]        # .name, .kind
    more_participants: int
    texts: list[Any]               # .text
    effects: list[Any]             # .label, .amount
    more_effects: int
    contact: str
    source: str
    event: str
    shortened: list[str]
    reference: str                 # the chosen government, '' when none
    reference_note: str

    @property
    def scaled(self) -> list[Any]: ...  # .label, .per_capita, .estimate

    @property
    def not_scaled(self) -> int: ...

    @property
    def credit(self) -> str: ...

    @property
    def note(self) -> str: ...

SHORTENED_MARK = "…（続きは掲載ページ）"

# --- the page plan, in millimetres (mirrors sheet.css) ----------------------------------
PAGE_MM = 297 - 2 * 12 - 3      # A4 height less the @page margins and 3mm of slack (.sheet's height)
SAFETY_MM = 5                   # kept free for rounding and for other fonts in a browser's print
MM_PER_PT = 25.4 / 72
CELL_PAD_MM = 2 * 0.7 + 0.3     # a table cell's vertical padding and its border
TABLE_LINE_MM = 8.5 * 1.4 * MM_PER_PT   # table text: 8.5pt, line-height 1.4
TEXT_LINE_MM = 9 * 1.5 * MM_PER_PT      # the long texts: 9pt, line-height 1.5
TITLE_LINE_MM = 14 * 1.3 * MM_PER_PT    # the title: 14pt, line-height 1.3
HEAD_MM = 7.5                   # the document label above the title, with its rule
TITLE_GAP_MM = 3.5              # the title's margins
QR_BOX_MM = 34                  # the QR code with its caption (measured 33.5)
OVERVIEW_GAP_MM = 1             # below the facts and QR code
HEADING_MM = 9.0                # one section heading with its margins
NOTE_MM = 4.6                   # one 7.5pt note line (no effects, more participants…)
FOOTER_LINE_MM = 7 * 1.4 * MM_PER_PT   # the footer: 7pt, line-height 1.4
FOOTER_PAD_MM = 1.3

# What one line of each column holds, in em, one character less than its width allows.
TITLE_EM = 35                   # 182mm at 14pt
TEXT_EM = 48                    # the text column (182mm less the 22mm label column) at 9pt
FACT_EM = 37                    # the facts column beside the QR code, at 8.5pt
NAME_EM = 19                    # participant name column
KIND_EM = 7                     # participant kind column
EFFECT_EM = 24                  # effect label column
AMOUNT_EM = 9                   # effect amount column
WIDE_EM = 51                    # contact and source column
SCALED_LABEL_EM = 28            # the 試算 table's label column (182mm less two 46mm columns)
SCALED_FIGURE_EM = 13           # its 住民あたり and 試算 columns
NOTE_EM = 66                    # a 7.5pt note across the page
FOOTER_EM = 72                  # the footer at 7pt
TITLE_LINES = 3                 # longer parts are shortened with a mark
NAME_LINES = 1
EFFECT_LINES = 2
CONTACT_LINES = 2
SOURCE_LINES = 2
EVENT_LINES = 1
MAX_PARTICIPANTS = 8            # rows at most; the rest is summarised as「ほかN団体」
MAX_EFFECTS = 8
MIN_ROWS = 3                    # rows kept of each list when the texts need room (fewer only if
                                # the texts would not get MIN_TEXT_LINES each)
MIN_TEXT_ROOM = 10              # lines the long texts get before list rows are dropped for them
MIN_TEXT_LINES = 2              # each long text keeps at least this many lines
NARROW = frozenset(" .,:;'|!()[]/-ijlftr")   # at most 0.35 em in the sheet's fonts


# --- measuring and shortening text ---------------------------------------------------

def _char_em(ch: str) -> float:
    if unicodedata.east_asian_width(ch) in "WFA" or ch in "MWmw@%":
        return 1.0
    if ch.isupper():
        return 0.75
    return 0.4 if ch in NARROW else 0.62


def text_em(text: str) -> float:
    """Estimated width of `text` in em: full-width characters (and M, W, @, %) 1, capitals 0.75,
    narrow letters and punctuation 0.4, the rest 0.62 — each a little over Noto Sans CJK's own."""
    return sum(_char_em(ch) for ch in text)


def line_count(text: str, per_line: float) -> int:
    """Estimated lines `text` takes in a column `per_line` em wide (a newline starts a line)."""
    if not text:
        return 0
    return sum(max(1, math.ceil(text_em(part) / per_line)) for part in text.split("\n"))


def shorten(text: str, max_lines: int, per_line: float, mark: str = SHORTENED_MARK) -> tuple[str, bool]:
    """Cut `text` to at most `max_lines` lines, ending with `mark`; return (text, shortened)."""
    text = text.strip()
    if line_count(text, per_line) <= max_lines:
        return text, False

    def cut(n: int) -> str:
        return text[:n].rstrip(" 　\n、。，．・,.") + mark

    low, high = 0, len(text)        # the longest prefix whose cut fits (lines grow with n)
    while low < high:
        middle = (low + high + 1) // 2
        if line_count(cut(middle), per_line) <= max_lines:
            low = middle
        else:
            high = middle - 1
    return cut(low), True


def share_lines(needs: list[int], budget: int, minimum: int = MIN_TEXT_LINES) -> list[int]:
    """Share `budget` lines among texts needing `needs`: short ones whole, long ones alike."""
    if sum(needs) <= budget:
        return list(needs)
    cap = minimum
    while sum(min(n, cap + 1) for n in needs) <= budget and cap < max(needs):
        cap += 1
    given = [min(n, cap) for n in needs]
    spare = budget - sum(given)
    for i, n in enumerate(needs):           # lines left over go to the first long texts
        if spare > 0 and n > given[i]:
            given[i] += 1
            spare -= 1
    return given


def _row_mm(*cells: tuple[str, float]) -> float:
    """Height of a table row: its tallest cell's lines."""
    return max(1, *(line_count(text, em) for text, em in cells)) * TABLE_LINE_MM + CELL_PAD_MM


def fixed_height(sheet: Sheet, texts: int) -> float:
    """Estimated height in millimetres of everything but the lines of the `texts` long texts."""
    height = HEAD_MM + TITLE_GAP_MM + line_count(sheet.title, TITLE_EM) * TITLE_LINE_MM
    facts = ["、".join(sheet.themes) or "—", sheet.start_year, "人口", "更新", sheet.url]
    if sheet.outline:
        facts.append("概要のみ")
    overview = sum(_row_mm((text, FACT_EM)) for text in facts)
    height += max(overview, QR_BOX_MM) + OVERVIEW_GAP_MM
    height += HEADING_MM + _row_mm(("団体名", NAME_EM))
    height += sum(_row_mm((p.name, NAME_EM), (p.kind, KIND_EM)) for p in sheet.participants)
    height += NOTE_MM if sheet.more_participants else 0
    height += (HEADING_MM + texts * CELL_PAD_MM) if texts else 0
    height += HEADING_MM
    if sheet.effects:
        height += _row_mm(("項目", EFFECT_EM)) + sum(
            _row_mm((e.label, EFFECT_EM), (e.amount, AMOUNT_EM)) for e in sheet.effects)
        height += NOTE_MM if sheet.more_effects else 0
    else:
        height += NOTE_MM
    height += scaled_height(sheet)
    height += HEADING_MM + sum(_row_mm((text or "—", WIDE_EM)) for text in (sheet.contact, sheet.source))
    height += _row_mm((sheet.event, WIDE_EM)) if sheet.event else 0
    return height + footer_height(sheet)


def scaled_height(sheet: Sheet) -> float:
    """Estimated height of the 試算 block (a chosen government only): heading, table and notes, or one note."""
    if not sheet.reference:
        return 0
    if not sheet.scaled:
        return NOTE_MM
    height = HEADING_MM + line_count(sheet.reference_note, NOTE_EM) * NOTE_MM + _row_mm(("項目", SCALED_LABEL_EM))
    height += sum(_row_mm((e.label, SCALED_LABEL_EM), (e.per_capita, SCALED_FIGURE_EM), (e.estimate, SCALED_FIGURE_EM))
                  for e in sheet.scaled)
    return height + (NOTE_MM if sheet.not_scaled else 0)


def footer_height(sheet: Sheet) -> float:
    """Estimated height of the footer: the shortening note, the census credit, the output date."""
    lines = 1 + line_count(sheet.note, FOOTER_EM) + line_count(sheet.credit, FOOTER_EM)
    return FOOTER_PAD_MM + lines * FOOTER_LINE_MM


def planned_height(sheet: Sheet) -> float:
    """Estimated height of the whole sheet in millimetres."""
    lines = sum(max(1, line_count(t.text, TEXT_EM)) for t in sheet.texts)
    return fixed_height(sheet, len(sheet.texts)) + lines * TEXT_LINE_MM
