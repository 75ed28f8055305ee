"""Reading uploaded YAML, JSON and XLSX within bounds, so that no file can exhaust time or memory.

Every refusal is an InvalidInput with a Japanese reason, raised before anything is written.
- YAML: aliases (*name) are refused — expanding them is how 400 bytes become gigabytes
  ("billion laughs") — and nesting is limited to MAX_DEPTH; both are checked on the parser's
  events, before any object is built. Values that cannot be built (2018-13-01) are YAML errors.
- JSON: nesting limited to MAX_DEPTH (and the decoder's RecursionError caught).
- XLSX: the zip is inspected before openpyxl opens it — each part's declared size, its
  compression ratio, no DTDs (entity expansion); each sheet's declared range, rows and cells —
  then the sheet is streamed (read_only) and the caller stops at its row limit. Formula cells
  are refused by name (their values would be lost or stale).
"""
from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import yaml

from ..errors import InvalidInput

MAX_ROWS = 5000                        # data rows (cases) in one import, whatever the format
MAX_DEPTH = 10                         # nesting of lists and mappings (a case file needs 4)
XLSX_MAX_SHEET_ROWS = 2 * MAX_ROWS + 1 # rows a sheet may span, blank ones included
XLSX_MAX_CELLS = 300_000               # cells in a sheet (openpyxl reads about 40,000 a second)
XLSX_MAX_PART_BYTES = 64 * 1024 * 1024 # a sheet or the shared strings, uncompressed
XLSX_MAX_OTHER_BYTES = 8 * 1024 * 1024 # any other part (styles, workbook, theme …), uncompressed
XLSX_MAX_TOTAL_BYTES = 160 * 1024 * 1024
XLSX_MAX_RATIO = 100                   # uncompressed / compressed, for parts over 1 MiB
XLSX_MAX_PARTS = 1000
_CHUNK = 1024 * 1024
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, or an xlsx encrypted with a password
_FILE = "（ファイル）"
_XLSX = "Excelファイル（.xlsx）として読めません。"


def _deep(where: str) -> str:
    return f"{where}入れ子が深すぎます（リストや項目の集まりの入れ子は{MAX_DEPTH}段までです）"


# --- YAML ------------------------------------------------------------------------------------

_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BASE_LOADER):  # type: ignore[misc, valid-type]
    """The safe loader, where a value that cannot be built is a YAML error at its line."""

    def construct_object(self, node, deep=False):
        """Build one node; a ValueError (an impossible date, a 5,000-digit number) becomes a ConstructorError."""
        try:
            return super().construct_object(node, deep=deep)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, "値を読み取れません（日付は実在する日を 2018-10-02 の形で、数は4,300桁以内で書いてください）",
                node.start_mark) from exc


def read_yaml(text: str) -> Any:
    """Parse YAML with no aliases and at most MAX_DEPTH levels of nesting, or raise InvalidInput."""
    try:
        depth = 0
        for event in yaml.parse(text, Loader=_BASE_LOADER):
            line = f"{event.start_mark.line + 1}行目: "
            if isinstance(event, yaml.AliasEvent):
                raise InvalidInput("YAMLとして読めません。", [(_FILE, f"{line}別名（*{event.anchor}）は使えません。"
                                                               "同じ値をそのまま書いてください")])
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise InvalidInput("YAMLとして読めません。", [(_FILE, _deep(line))])
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{mark.line + 1}行目" if mark else "不明な位置"
        problem = getattr(exc, "problem", None) or str(exc)
        if "maximum nesting depth" in problem:  # libyaml's own limit, met before the events are read
            raise InvalidInput("YAMLとして読めません。", [(_FILE, _deep(f"{where}: "))]) from exc
        raise InvalidInput("YAMLとして読めません。", [(_FILE, f"YAMLとして読めません（{where}）: {problem}")]) from exc


# --- JSON ------------------------------------------------------------------------------------

def _too_deep(value: Any) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > MAX_DEPTH:
                return True
            stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return False


def read_json(text: str) -> Any:
    """Parse JSON with at most MAX_DEPTH levels of nesting, or raise InvalidInput."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput("JSONとして読めません。", [(_FILE, f"{exc.lineno}行目: {exc.msg}")]) from exc
    except RecursionError as exc:
        raise InvalidInput("JSONとして読めません。", [(_FILE, _deep(""))]) from exc
    except ValueError as exc:  # a number of more than 4,300 digits
        raise InvalidInput("JSONとして読めません。", [(_FILE, "読み取れない値があります（数は4,300桁以内にしてください）")]) from exc
    if _too_deep(value):
        raise InvalidInput("JSONとして読めません。", [(_FILE, _deep(""))])
    return value


# --- XLSX ------------------------------------------------------------------------------------

_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb"\br=\"(\d+)\"")
_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_STRING = re.compile(rb"<(?:\w+:)?si[\s>/]")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*\bref=\"([^\"]*)\"")
_RANGE = re.compile(r"([A-Z]{1,3})?(\d+)?")


def _pieces(book: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A part's bytes in pieces that each end before a '<', so that no tag is cut in two."""
    carry = b""
    with book.open(info) as part:
        while chunk := part.read(_CHUNK):
            data = carry + chunk
            cut = data.rfind(b"<")
            if cut == -1:
                yield data
                carry = b""
            else:
                if cut:
                    yield data[:cut]
                carry = data[cut:]
    if carry:
        yield carry


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _check_dimension(name: str, ref: str, max_columns: int) -> None:
    columns, rows = 0, 0
    for corner in ref.split(":"):
        m = _RANGE.fullmatch(corner.replace("$", ""))
        if m is None:
            continue
        columns = max(columns, _column_number(m.group(1) or ""))
        rows = max(rows, int(m.group(2) or 0))
    if rows > XLSX_MAX_SHEET_ROWS or columns > max_columns:
        raise InvalidInput("シートの範囲が大きすぎます。", [(name, (
            f"範囲が {ref} と記録されています（{XLSX_MAX_SHEET_ROWS:,}行・{max_columns:,}列まで）。"
            "余分な行や列を削除して保存し直してください"))])


def _scan_part(book: zipfile.ZipFile, info: zipfile.ZipInfo, max_columns: int) -> None:
    """Refuse a DTD anywhere, and a sheet (or shared strings) with more rows or cells than can be read."""
    sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
    strings = info.filename == "xl/sharedStrings.xml"
    rows = cells = 0
    dimension_seen = False
    for piece in _pieces(book, info):
        if b"<!DOCTYPE" in piece or b"<!ENTITY" in piece:
            raise InvalidInput(_XLSX, [(info.filename, "DOCTYPE（実体の宣言）を含むファイルは読み込めません。Excelで保存し直してください")])
        if strings:
            cells += len(_STRING.findall(piece))
        elif sheet:
            if not dimension_seen and (m := _DIMENSION.search(piece)):
                dimension_seen = True
                _check_dimension(info.filename, m.group(1).decode("ascii", "replace"), max_columns)
            for m in _ROW.finditer(piece):
                rows += 1
                number = _ROW_NUMBER.search(m.group(1))
                if rows > XLSX_MAX_SHEET_ROWS or (number and int(number.group(1)) > XLSX_MAX_SHEET_ROWS):
                    raise InvalidInput("行が多すぎます。", [(info.filename, (
                        f"シートは{XLSX_MAX_SHEET_ROWS:,}行目までにしてください（取り込めるのは{MAX_ROWS}行までです。"
                        f"{MAX_ROWS}行以下に分けてください）"))])
            cells += len(_CELL.findall(piece))
        if cells > XLSX_MAX_CELLS:
            what = "文字列" if strings else "セル"
            raise InvalidInput(f"Excelファイルの{what}が多すぎます。", [(info.filename, (
                f"1つのシートの{what}は{XLSX_MAX_CELLS:,}個までです。ファイルを分けるか、CSVで取り込んでください"))])


def check_xlsx(data: bytes, max_columns: int) -> None:
    """Inspect an xlsx (a zip of XML parts) before any of it is parsed; raise InvalidInput if it is over a limit."""
    if data.startswith(_OLE):
        raise InvalidInput(_XLSX, [(_FILE, "パスワード付きのファイルか、古い形式（.xls）です。"
                                           "パスワードを外し、xlsx形式で保存してください")])
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise InvalidInput(_XLSX, [(_FILE, "xlsx形式で保存してください")]) from exc
    with book:
        parts = book.infolist()
        if len(parts) > XLSX_MAX_PARTS:
            raise InvalidInput(_XLSX, [(_FILE, f"部品（zipの中のファイル）が{len(parts):,}個あります")])
        for part in parts:
            big = part.filename.startswith("xl/worksheets/") or part.filename == "xl/sharedStrings.xml"
            most = XLSX_MAX_PART_BYTES if big else XLSX_MAX_OTHER_BYTES
            if part.file_size > most:
                raise InvalidInput("Excelファイルを展開すると大きすぎます。", [(part.filename, (
                    f"展開すると{part.file_size / 1024 / 1024:,.0f}MBになります（{most // 1024 // 1024}MBまで）。"
                    "ファイルを分けてください"))])
            if part.file_size > 1024 * 1024 and part.file_size > XLSX_MAX_RATIO * max(part.compress_size, 1):
                raise InvalidInput(_XLSX, [(part.filename, (
                    f"圧縮率が高すぎます（{part.file_size // max(part.compress_size, 1):,}倍。{XLSX_MAX_RATIO}倍まで）。"
                    "Excelで保存し直してください"))])
        if sum(p.file_size for p in parts) > XLSX_MAX_TOTAL_BYTES:
            raise InvalidInput("Excelファイルを展開すると大きすぎます。", [(_FILE, (
                f"展開後{XLSX_MAX_TOTAL_BYTES // 1024 // 1024}MBまでです。ファイルを分けてください"))])
        try:
            for part in parts:
                if part.filename.endswith((".xml", ".rels", ".vml")):
                    _scan_part(book, part, max_columns)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as exc:
            raise InvalidInput(_XLSX, [(_FILE, "xlsx形式で保存してください")]) from exc


def _percent(cell) -> Any:
    value = cell.value
    if isinstance(value, int | float) and not isinstance(value, bool) and "%" in (cell.number_format or ""):
        shown = format((Decimal(str(value)) * 100).normalize(), "f")
        return f"{shown}%"
    return value


def formula_error(coordinate: str) -> InvalidInput:
    """The refusal of a workbook whose cell `coordinate` holds a formula."""
    return InvalidInput(f"{coordinate} のセルに数式があります。値として貼り付けてから取り込んでください。",
                        [(coordinate, "数式をコピーし、「値の貼り付け」で値に置き換えてください")])


def xlsx_rows(data: bytes, sheet_name: str, max_columns: int, strict: bool = False) -> Iterator[list[Any]]:
    """The rows (cell values) of sheet `sheet_name` or the first one (`strict`: none without it), after
    check_xlsx; streamed, at most `max_columns` wide; a formula cell is refused. A number in a
    percent-formatted cell comes as its text with % (0.792 -> "79.2%"). Close the iterator when
    stopping early."""
    from openpyxl import load_workbook

    check_xlsx(data, max_columns)
    wb = None
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
        if not wb.worksheets:
            raise InvalidInput(_XLSX, [(_FILE, "ワークシートがありません")])
        if strict and sheet_name not in wb.sheetnames:
            return
        sheet = wb[sheet_name] if sheet_name in wb.sheetnames else wb.worksheets[0]
        # Checked above; without it openpyxl pads every row to the declared width and height.
        sheet.reset_dimensions()
        for row in sheet.iter_rows(max_row=XLSX_MAX_SHEET_ROWS):
            cells = row[:max_columns]
            for cell in cells:
                if cell.data_type == "f":
                    raise formula_error(cell.coordinate)
            beyond = next((c for c in row[max_columns:] if c.value not in (None, "")), None)
            if beyond is not None:  # a sheet that does not declare its range truthfully
                raise InvalidInput("列が多すぎます。", [(beyond.coordinate, f"{max_columns:,}列目までにしてください")])
            yield [_percent(cell) for cell in cells]
    except InvalidInput:
        raise
    except Exception as exc:  # a malformed part: openpyxl raises many kinds (KeyError, SyntaxError, …)
        raise InvalidInput(_XLSX, [(_FILE, "xlsx形式で保存し直してください")]) from exc
    finally:
        if wb is not None:
            wb.close()
