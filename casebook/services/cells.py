"""Spreadsheet cells that no spreadsheet runs: CSV and XLSX bytes from rows of text.

A text that starts with = + - @ (or tab, CR, or a full-width ＝＋－＠) would be run as a
formula by Excel or LibreOffice when the file is opened (CSV/formula injection, OWASP). So:
- CSV: such a cell gets one leading quote ' — and so does a text that only looks escaped
  (quotes followed by one of those characters), so that unescape_cell undoes it exactly and
  export → import → export gives the same bytes. "-5%" → "'-5%", "'=x" → "''=x"; "'ok",
  "▲200万円" and every other text are written as they are.
- XLSX: every cell is written as text (never a formula), with Excel's quote prefix on those
  texts so that they stay text when edited; nothing is added to the text itself.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
EXCEL_COLUMNS = 16_384
FIXED_TIME = dt.datetime(2000, 1, 1)


def starts_formula(text: str) -> bool:
    """Whether `text`, once its leading quotes are set aside, starts with a formula character."""
    first = text.lstrip("'")[:1]
    return first != "" and first in FORMULA_STARTS


def escape_cell(text: str) -> str:
    """The CSV form of a cell text: one more leading quote when it (after its quotes) starts a formula."""
    return "'" + text if starts_formula(text) else text


def unescape_cell(text: str) -> str:
    """Undo escape_cell: drop the one quote it added, and nothing else."""
    return text[1:] if text.startswith("'") and starts_formula(text[1:]) else text


def csv_bytes(rows: list[list[str]]) -> bytes:
    """UTF-8 with BOM (so Excel opens Japanese correctly), CRLF line ends, every cell escaped."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([escape_cell(text) for text in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(sheets: dict[str, list[list[str]]], freeze: dict[str, str] | None = None) -> bytes:
    """A workbook of text cells, one sheet per entry; the same rows always give the same bytes."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        sheet = wb.create_sheet(title)
        for row in rows:
            _append_text(sheet, row)
        if freeze and title in freeze:
            sheet.freeze_panes = freeze[title]
    # Fixed document times, so that the same data always gives the same file.
    wb.properties.created = wb.properties.modified = FIXED_TIME
    out = io.BytesIO()
    wb.save(out)
    return _fixed_zip_times(out.getvalue())


def _append_text(sheet, texts: list[str]) -> None:
    """Append a row of text cells; an empty text writes no cell at all."""
    from openpyxl.cell import Cell

    row: list[Cell | None] = []
    for text in texts:
        if not text:
            row.append(None)
            continue
        cell = Cell(sheet, value=text)
        cell.data_type = "s"  # openpyxl makes a text starting with = a formula
        if starts_formula(text):
            cell.quotePrefix = True
        row.append(cell)
    sheet.append(row)


def _fixed_zip_times(data: bytes) -> bytes:
    """Rewrite the xlsx zip with fixed times, so the same data always gives the same bytes."""
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" when saving
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>2000-01-01T00:00:00Z\g<2>", body)
            out.writestr(fixed, body)
    return target.getvalue()
