"""Cases as rows: the CSV/Excel column layout, reading and writing CSV, XLSX, JSON and YAML.

One row per case. Participants and effects sit in numbered, repeatable columns
(p1_name, p2_name…, e1_label…) — the easiest layout to type in Excel. Headers are written
as 「日本語の名前 (key)」 and read by the key, by the Japanese name, or by both.
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

from .. import domain
from ..errors import InvalidInput
from ..schemas import MAX_EFFECTS, MAX_PARTICIPANTS
from . import cells, safe_files
from .cases import EFFECT_FIELDS, PARTICIPANT_FIELDS

CASE_COLUMNS = {
    "slug": "事例ID", "title": "題名", "status": "状態", "detail": "掲載の詳しさ", "themes": "テーマ", "tags": "タグ",
    "start_fiscal_year": "開始年度", "summary": "概要", "background": "背景", "approach": "取組内容",
    "outcome": "成果", "contact": "問い合わせ先", "source_title": "出典", "source_publisher": "出典の発行者",
    "source_date": "出典の日付", "source_url": "出典のURL", "event_name": "発表の場", "event_date": "発表日",
}
PARTICIPANT_COLUMNS = {"role": "役割", "code": "団体コード", "name": "団体名", "prefecture": "都道府県", "kind": "種類",
                       "population": "人口", "population_year": "人口の年", "population_source": "人口の出典"}
EFFECT_COLUMNS = {"kind": "種類", "direction": "増減", "label": "項目", "amount": "数値", "period": "期間",
                  "status": "区分", "wording": "表示する文"}
MIN_PARTICIPANTS, MIN_EFFECTS = 6, 4
# Values may be typed as codes (city) or as their Japanese labels (市).
VOCABULARIES = {
    "status": domain.CASE_STATUSES, "detail": domain.DETAIL_LEVELS,
    "p.role": domain.ROLES, "p.kind": domain.PARTICIPANT_KINDS,
    "e.kind": domain.EFFECT_KINDS, "e.direction": domain.EFFECT_DIRECTIONS,
    "e.period": domain.EFFECT_PERIODS, "e.status": domain.EFFECT_STATUSES,
}
_KEY_IN_HEADER = re.compile(r"\(([a-z0-9_]+)\)\s*$")
_SEP = re.compile(r"[,、，;；\n]+")


def decode(data: bytes) -> str:
    """Decode text written as UTF-8 (with or without BOM) or as CP932 (Japanese Excel)."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("文字コードを判別できません。", [("（ファイル）", "UTF-8 または Shift_JIS（CP932）で保存してください")])


def headers(participants: int, effects: int) -> list[tuple[str, str]]:
    """(key, header text) of every column for the given numbers of participant and effect columns."""
    out = [(k, f"{label} ({k})") for k, label in CASE_COLUMNS.items()]
    for i in range(1, participants + 1):
        out += [(f"p{i}_{k}", f"参加団体{i} {label} (p{i}_{k})") for k, label in PARTICIPANT_COLUMNS.items()]
    for i in range(1, effects + 1):
        out += [(f"e{i}_{k}", f"効果{i} {label} (e{i}_{k})") for k, label in EFFECT_COLUMNS.items()]
    return out


MAX_COLUMNS = len(headers(MAX_PARTICIPANTS, MAX_EFFECTS))  # the widest row a case can fill


def _known(key: str) -> bool:
    m = re.fullmatch(r"([pe])\d+_(\w+)", key)
    if m:
        return m.group(2) in (PARTICIPANT_COLUMNS if m.group(1) == "p" else EFFECT_COLUMNS)
    return key in CASE_COLUMNS


def _header_key(text: str) -> str | None:
    """The column key of a header cell, or None when it names no known column."""
    text = unicodedata.normalize("NFKC", str(text or "")).strip()
    m = _KEY_IN_HEADER.search(text)
    if m:
        return m.group(1) if _known(m.group(1)) else None
    if re.fullmatch(r"[a-z0-9_]+", text):
        return text if _known(text) else None
    for key, label in CASE_COLUMNS.items():
        if text == label:
            return key
    m = re.fullmatch(r"(参加団体|効果)(\d+)\s*(.+)", text)
    if m:
        columns, prefix = (PARTICIPANT_COLUMNS, "p") if m.group(1) == "参加団体" else (EFFECT_COLUMNS, "e")
        for key, label in columns.items():
            if m.group(3) == label:
                return f"{prefix}{m.group(2)}_{key}"
    return None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def _vocab(kind: str, value: str) -> str:
    words = VOCABULARIES[kind]
    reverse = {label: code for code, label in words.items()}
    return reverse.get(value, value)


def _number(value: str) -> Any:
    text = unicodedata.normalize("NFKC", value).replace(",", "").strip()
    if text == "":
        return None
    return int(text) if text.isdigit() else value


def row_to_case(row: dict[str, str], theme_codes: dict[str, str]) -> dict[str, Any]:
    """One table row (key → text) into the raw case-file shape (validated later by the schema)."""
    themes = [theme_codes.get(t.strip(), t.strip()) for t in _SEP.split(row.get("themes", "")) if t.strip()]
    case: dict[str, Any] = {
        "slug": row.get("slug", ""), "title": row.get("title", ""),
        "status": _vocab("status", row.get("status", "")) or "draft",
        "detail": _vocab("detail", row.get("detail", "")) or "full",
        "themes": themes, "tags": [t.strip() for t in _SEP.split(row.get("tags", "")) if t.strip()],
        "start_fiscal_year": row.get("start_fiscal_year") or None,
        **{k: row.get(k, "") for k in ("summary", "background", "approach", "outcome", "contact")},
        "source": {"title": row.get("source_title", ""), "publisher": row.get("source_publisher", ""),
                   "date": row.get("source_date") or None, "url": row.get("source_url", "")},
        "event": {"name": row.get("event_name", ""), "date": row.get("event_date") or None},
        "participants": [], "effects": [],
    }
    numbers = sorted({int(m.group(1)) for k in row for m in [re.match(r"p(\d+)_", k)] if m})
    for i in numbers:
        p = {k: row.get(f"p{i}_{k}", "") for k in PARTICIPANT_FIELDS}
        if not (p["name"] or p["code"]):
            continue
        case["participants"].append({
            "role": _vocab("p.role", p["role"]) or "member", "code": p["code"] or None, "name": p["name"],
            "prefecture": p["prefecture"] or None, "kind": _vocab("p.kind", p["kind"]),
            "population": _number(p["population"]), "population_year": _number(p["population_year"]),
            "population_source": p["population_source"],
        })
    numbers = sorted({int(m.group(1)) for k in row for m in [re.match(r"e(\d+)_", k)] if m})
    for i in numbers:
        e = {k: row.get(f"e{i}_{k}", "") for k in EFFECT_FIELDS}
        if not (e["label"] or e["amount"] or e["wording"]):
            continue
        case["effects"].append({
            "kind": _vocab("e.kind", e["kind"]), "direction": _vocab("e.direction", e["direction"]) or "reduction",
            "label": e["label"], "amount": e["amount"], "period": _vocab("e.period", e["period"]) or "total",
            "status": _vocab("e.status", e["status"]) or "achieved", "wording": e["wording"],
        })
    return case


def case_to_row(data: dict[str, Any]) -> dict[str, str]:
    """A case (file shape, validated) into one table row of text cells."""
    row = {k: "" for k in CASE_COLUMNS}
    row.update({
        "slug": data["slug"], "title": data["title"], "status": data["status"], "detail": data["detail"],
        "themes": ",".join(data["themes"]), "tags": ",".join(data["tags"]),
        "start_fiscal_year": str(data["start_fiscal_year"] or ""),
        **{k: data[k] for k in ("summary", "background", "approach", "outcome", "contact")},
        "source_title": data["source"]["title"], "source_publisher": data["source"]["publisher"],
        "source_date": _cell(data["source"]["date"]), "source_url": data["source"]["url"],
        "event_name": data["event"]["name"], "event_date": _cell(data["event"]["date"]),
    })
    for i, p in enumerate(data["participants"], 1):
        row.update({f"p{i}_{k}": _cell(p[k]) for k in PARTICIPANT_FIELDS})
    for i, e in enumerate(data["effects"], 1):
        row.update({f"e{i}_{k}": _cell(e[k]) for k in EFFECT_FIELDS})
    return row


def _table(records: list[dict[str, Any]]) -> tuple[list[tuple[str, str]], list[dict[str, str]]]:
    participants = max([MIN_PARTICIPANTS, *(len(r["participants"]) for r in records)])
    effects = max([MIN_EFFECTS, *(len(r["effects"]) for r in records)])
    return headers(participants, effects), [case_to_row(r) for r in records]


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
    """One case file, in the format of cases/."""
    return yaml.dump(record, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
