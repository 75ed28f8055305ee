"""Cases as rows: the CSV/Excel column layout, reading and writing CSV, XLSX, JSON and YAML.

One row per case. Sources, participants and effects sit in numbered, repeatable columns
(s1_title…, p1_name, p2_name…, e1_label…) — the easiest layout to type in Excel. Headers are
written as 「日本語の名前 (key)」 and read by the key, by the Japanese name, or by both. The
earlier single-source columns (source_title…, 「出典」) are read as the first source's.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import yaml

from .. import case_fields
from ..case_fields import EFFECTS, MAX_EFFECTS, MAX_PARTICIPANTS, MAX_SOURCES, PARTICIPANTS, ROWS, SOURCES, Rows
from ..errors import InvalidInput
from . import cells, safe_files

# The columns, from the registry (case_fields.py): a case's own fields by their attribute
# (event_name), then each row's fields numbered (s1_title, p1_name…); a choice may be typed as
# its code (city), its Japanese label (市) or a short form (domain/labels.py), a theme as its code or its name.
CASE_COLUMNS = {f.attr: f.label for f in case_fields.CASE}
PARTICIPANT_COLUMNS = {f.name: f.label for f in PARTICIPANTS.fields}
EFFECT_COLUMNS = {f.name: f.label for f in EFFECTS.fields}
MIN_ROWS = {SOURCES.name: 2, PARTICIPANTS.name: 6, EFFECTS.name: 4}  # column groups a table always has
MIN_PARTICIPANTS, MIN_EFFECTS = MIN_ROWS[PARTICIPANTS.name], MIN_ROWS[EFFECTS.name]
# The columns of the earlier single source, read as the first source's.
LEGACY_COLUMNS = {"source_title": "s1_title", "source_publisher": "s1_publisher", "source_date": "s1_date",
                  "source_url": "s1_url"}
LEGACY_LABELS = {"出典": "s1_title", "出典の名称": "s1_title", "出典の発行者": "s1_publisher", "出典の日付": "s1_date",
                 "出典のURL": "s1_url"}
_KEY_IN_HEADER = re.compile(r"\(([a-z0-9_]+)\)\s*$")


def decode(data: bytes) -> str:
    """Decode text written as UTF-8 (with or without BOM) or as CP932 (Japanese Excel)."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("文字コードを判別できません。", [("（ファイル）", "UTF-8 または Shift_JIS（CP932）で保存してください")])


def header(key: str, label: str) -> str:
    """A column's header text: 「日本語の名前 (key)」."""
    return f"{label} ({key})"


def column(rows: Rows, number: int, name: str) -> str:
    """The key of a row field's column: p1_name, e2_amount (rows are numbered from 1)."""
    return f"{rows.prefix}{number}_{name}"


def headers(participants: int, effects: int, sources: int = MIN_ROWS[SOURCES.name]) -> list[tuple[str, str]]:
    """(key, header text) of every column for the given numbers of source, participant and effect columns."""
    out = [(k, header(k, label)) for k, label in CASE_COLUMNS.items()]
    for rows, count in ((SOURCES, sources), (PARTICIPANTS, participants), (EFFECTS, effects)):
        for i in range(1, count + 1):
            out += [(column(rows, i, f.name), header(column(rows, i, f.name), f"{rows.label}{i} {f.label}"))
                    for f in rows.fields]
    return out


MAX_COLUMNS = len(headers(MAX_PARTICIPANTS, MAX_EFFECTS, MAX_SOURCES))  # the widest row a case can fill


_BY_PREFIX = {rows.prefix: rows for rows in ROWS.values()}
_ROW_COLUMN = re.compile(rf"([{''.join(_BY_PREFIX)}])(\d+)_(\w+)")
_BY_LABEL = {rows.label: rows for rows in ROWS.values()}
_ROW_LABEL = re.compile(rf"({'|'.join(_BY_LABEL)})\s*(\d+)\s*(.+)")


def _known(key: str) -> bool:
    m = _ROW_COLUMN.fullmatch(key)
    if m:
        return _BY_PREFIX[m.group(1)].field(m.group(3)) is not None
    return key in CASE_COLUMNS


def normalise_header(text: Any) -> str:
    """A header cell as compared: NFKC, without surrounding blanks."""
    return unicodedata.normalize("NFKC", str(text or "")).strip()


def row_column(key: str) -> re.Match | None:
    """p3_name -> (p, 3, name); None for a case's own column."""
    return _ROW_COLUMN.fullmatch(key)


def _header_key(text: str) -> str | None:
    """The column key of a header cell, or None when it names no known column."""
    text = normalise_header(text)
    m = _KEY_IN_HEADER.search(text)
    key = m.group(1) if m else (text if re.fullmatch(r"[a-z0-9_]+", text) else None)
    if key is not None:
        key = LEGACY_COLUMNS.get(key, key)
        return key if _known(key) else None
    for key, label in CASE_COLUMNS.items():
        if text == label:
            return key
    if text in LEGACY_LABELS:
        return LEGACY_LABELS[text]
    m = _ROW_LABEL.fullmatch(text)
    if m:
        rows = _BY_LABEL[m.group(1)]
        for f in rows.fields:
            if m.group(3).strip() in (f.label, f.form_label):
                return column(rows, int(m.group(2)), f.name)
    return None


def cell_text(value: Any) -> str:
    """A cell's value as text: whole floats without .0, dates as 2018-10-02."""
    return _cell(value)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def row_to_case(row: dict[str, str], theme_codes: dict[str, str]) -> dict[str, Any]:
    """One table row (key → text) into the raw case-file shape (validated later by the schema)."""
    case = case_fields.nest({f: f.kind.from_cell(f, row.get(f.attr, ""), theme_codes) for f in case_fields.CASE})
    for rows in ROWS.values():
        texts = ({f.name: row.get(column(rows, i, f.name), "") for f in rows.fields} for i in group_numbers(row, rows))
        case[rows.name] = [{f.name: f.kind.from_cell(f, r[f.name], theme_codes) for f in rows.fields} for r in texts]
    return case


def group_numbers(row: dict[str, str], rows: Rows) -> list[int]:
    """The numbers of a row's non-blank column groups of `rows` (p1_…, p3_…), in order: item i is number [i]."""
    numbers = sorted({int(m.group(2)) for k in row for m in [_ROW_COLUMN.match(k)] if m and m.group(1) == rows.prefix})
    return [i for i in numbers if any(row.get(column(rows, i, k), "") for k in rows.keys)]


def case_to_row(data: dict[str, Any]) -> dict[str, str]:
    """A case (file shape, validated) into one table row of text cells."""
    row = {f.attr: f.kind.to_cell(f, case_fields.value(data, f)) for f in case_fields.CASE}
    for rows in ROWS.values():
        for i, r in enumerate(data[rows.name], 1):
            # A row's texts are trimmed (the schema keeps a row's blanks, the cells never did).
            row.update({column(rows, i, f.name): _cell(f.kind.to_cell(f, r.get(f.name, f.default))) for f in rows.fields})
    return row


def _table(records: list[dict[str, Any]]) -> tuple[list[tuple[str, str]], list[dict[str, str]]]:
    count = {name: max([least, *(len(r[name]) for r in records)]) for name, least in MIN_ROWS.items()}
    return (headers(count["participants"], count["effects"], count["sources"]), [case_to_row(r) for r in records])


def write_csv(records: list[dict[str, Any]]) -> bytes:
    """UTF-8 with BOM (so Excel opens Japanese correctly), CRLF line ends; no cell starts a formula."""
    cols, rows = _table(records)
    return cells.csv_bytes([[h for _k, h in cols], *([row.get(k, "") for k, _h in cols] for row in rows)])


def write_xlsx(records: list[dict[str, Any]]) -> bytes:
    """One sheet 事例 (the same columns as the CSV) and a sheet 説明 with the column guide; text cells only."""
    cols, rows = _table(records)
    if len(cols) > cells.EXCEL_COLUMNS:  # only a case stored before the schema's limits could be this wide
        raise InvalidInput("Excelの列数を超えるため出力できません。", [(
            "（出力）", f"参加団体は{MAX_PARTICIPANTS}件、効果は{MAX_EFFECTS}件までにするか、CSVかJSONで出力してください")])
    table = [[h for _k, h in cols], *([row.get(k, "") for k, _h in cols] for row in rows)]
    return cells.xlsx_bytes({"事例": table, "説明": [["列", "内容"], *(list(line) for line in COLUMN_GUIDE)]},
                            freeze={"事例": "C2"})


COLUMN_GUIDE = (
    ("事例ID (slug)", "英小文字・数字・ハイフン。既にある事例IDなら更新、なければ新規作成"),
    ("状態 (status)", "ファイルの状態に従う取込のときだけ使います（draft / review / published / archived）"),
    ("テーマ (themes)", "outsourcing, cloud, wide-area, ai-ict またはテーマ名。複数はカンマか読点で区切る"),
    ("開始年度 (start_fiscal_year)", "2017 または 平成29年度"),
    ("出典の日付・発表日", "2018-10-02 の形"),
    ("参加団体N …", "N = 1, 2, 3 … 必要なだけ列を増やせます。団体コードは6桁（検査数字つき）"),
    ("参加団体N 種類 (pN_kind)", "prefecture, designated_city, city, special_ward, town, village, association または 市・町 など"),
    ("効果N 数値 (eN_amount)", "232億円、約10〜15%、8名 など"),
    ("効果N 区分 (eN_status)", "expected（見込み）または achieved（実績）"),
)


def read_table(data: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """Read a CSV or XLSX upload into (row number, key → text) pairs; unknown headers are refused.

    Reading stops at the first data row over safe_files.MAX_ROWS; an XLSX is checked and streamed
    by safe_files (no formulas). CSV cells lose the quote cells.escape_cell gave them.
    """
    xlsx = filename.lower().endswith(".xlsx")
    with closing(safe_files.xlsx_rows(data, "事例", MAX_COLUMNS) if xlsx else _csv_grid(data)) as grid:
        head = next(grid, None)
        if head is None:
            raise InvalidInput("ファイルが空です。", [("（ファイル）", "見出し行と1行以上のデータが必要です")])
        keys = [_header_key(h) for h in head]
        unknown = [f"{i + 1}列目「{h}」" for i, (h, k) in enumerate(zip(head, keys, strict=True)) if h and k is None]
        if unknown:
            raise InvalidInput("見出しが読み取れない列があります。", [("1行目", "、".join(unknown[:10]))])
        if "slug" not in keys:
            raise InvalidInput("必要な列がありません。", [("1行目", "事例ID (slug) の列が必要です")])
        out = []
        for number, values in enumerate(grid, start=2):
            texts = [_cell(v) for v in values]
            if not any(texts):
                continue
            if len(out) == safe_files.MAX_ROWS:
                raise InvalidInput("行が多すぎます。", [("（ファイル）", f"{safe_files.MAX_ROWS}行以下に分けてください")])
            if not xlsx:
                texts = [cells.unescape_cell(t) for t in texts]
            out.append((number, {k: t for k, t in zip(keys, texts, strict=False) if k}))
    return out


def _csv_grid(data: bytes) -> Iterator[list[str]]:
    try:
        yield from csv.reader(io.StringIO(decode(data), newline=""))
    except csv.Error as exc:
        raise InvalidInput("CSVとして読めません。", [("（ファイル）", str(exc))]) from exc


def to_json(records: list[dict[str, Any]]) -> bytes:
    """The records as a JSON array in the case-file shape (dates as ISO text)."""
    return json.dumps(records, ensure_ascii=False, indent=2, default=_cell).encode("utf-8") + b"\n"


def from_json(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    """Read a JSON upload (one case or an array of them) into (number, raw case) pairs."""
    records = safe_files.read_json(decode(data))
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise InvalidInput("JSONの形式が違います。", [("（ファイル）", "事例のオブジェクトの配列にしてください")])
    return [(i, r) for i, r in enumerate(records, 1)]


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True  # the same value twice is written twice: the readers refuse aliases


def _str_representer(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def to_yaml(record: dict[str, Any]) -> str:
    """One case file, in the format of cases/; a row field declared `file_omits_blank` is left out when blank."""
    record = dict(record)
    for rows in ROWS.values():
        omitted = [f.name for f in rows.fields if f.file_omits_blank]
        if omitted and record.get(rows.name):
            record[rows.name] = [{k: v for k, v in r.items() if not (k in omitted and v in (None, ""))}
                                 for r in record[rows.name]]
    return yaml.dump(record, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
