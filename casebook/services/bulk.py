"""Bulk import (dry run, then all rows or none) and export of cases in CSV, XLSX, JSON and YAML."""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import ValidationError
from sqlmodel import Session, select

from .. import case_fields, domain
from ..errors import Forbidden, InvalidInput, NotFound
from ..models import Case, PendingImport, User, utcnow
from ..schemas import CaseFileSchema, flatten_errors
from . import participants, preview, safe_files, tabular, workbook
from .cases import all_cases, case_data, check_rules, get_cases, same_content, save_case, theme_labels
from .loader import dates_as_text
from .workflow import may

FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "json": "application/json"}
IMPORT_SUFFIXES = (".csv", ".xlsx", ".json", ".yaml", ".yml")
STATUS_MODES = {"draft": "下書きとして取り込む", "published": "公開する（編集責任者）",
                "file": "ファイルの「状態」列に従う（編集責任者）"}
MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_ROWS = safe_files.MAX_ROWS


@dataclass
class RowReport:
    """One row (or record) of an import: what would happen to it, or why it cannot."""

    row: int
    slug: str
    action: str = ""                                   # create | update | unchanged
    errors: list[tuple[str, str]] = field(default_factory=list)   # (column, reason)
    notes: list[tuple[str, str]] = field(default_factory=list)    # (column, what was read or differs): no refusal
    stored: list[str] = field(default_factory=list)    # what will be stored, in words (a valid row)


@dataclass
class ImportPlan:
    filename: str
    rows: list[RowReport]
    records: list[dict[str, Any]]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not any(r.errors for r in self.rows)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action and not r.errors)


GROUPS = "_groups"  # see read_upload


@dataclass
class Columns:
    """Names the column a person typed a value in, from a schema path (participants[2].code)."""

    tabular_file: bool
    groups: dict[str, list[int]] = field(default_factory=dict)   # rows name -> group number of each item
    origins: dict[tuple[str, int], str] = field(default_factory=dict)  # (rows name, group) -> long-sheet row

    def __call__(self, path: str) -> str:
        place = case_fields.locate(path) if self.tabular_file else None
        if place is None:
            return path
        if place.rows is None:
            return tabular.header(place.field.attr, place.field.label)
        if place.index is None:
            return f"{place.rows.label} ({place.rows.prefix}N_… の列)"
        numbers = self.groups.get(place.rows.name, [])
        n = numbers[place.index] if place.index < len(numbers) else place.index + 1
        name = place.field.name if place.field else path.rsplit(".", 1)[1]
        label = place.field.label if place.field else name
        where = self.origins.get((place.rows.name, n))
        if where:
            return f"{where} {tabular.header(name, label)}"
        return tabular.header(tabular.column(place.rows, n, name), f"{place.rows.label}{n} {label}")


def _yaml_case(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    raw = safe_files.read_yaml(tabular.decode(data))
    records = raw if isinstance(raw, list) else [raw]
    if not all(isinstance(r, dict) for r in records):
        raise InvalidInput("事例ファイルの形式ではありません。", [("（ファイル）", "項目の集まり（マッピング）で書いてください")])
    return [(i, r) for i, r in enumerate(records, 1)]


def read_upload(session: Session, data: bytes, filename: str,
                origins: dict[tuple[int, str, int], str] | None = None) -> list[tuple[int, dict[str, Any]]]:
    """Read an uploaded file into (row number, raw case) pairs (`origins`: see workbook.merge_long_rows).

    For a CSV or XLSX, each raw case carries `_groups`: rows name -> the column group number of
    each of its items, so that problems name the columns (or long-sheet rows) they were typed in.
    """
    name = (filename or "").lower()
    if not name.endswith(IMPORT_SUFFIXES):
        raise InvalidInput("対応していないファイル形式です。", [("（ファイル）", "CSV・Excel（.xlsx）・JSON・YAML を選んでください")])
    if len(data) > MAX_IMPORT_BYTES:
        raise InvalidInput("ファイルが大きすぎます。", [("（ファイル）", f"{MAX_IMPORT_BYTES // 1024 // 1024}MB以下にしてください")])
    if name.endswith((".csv", ".xlsx")):
        labels = {label: code for code, label in theme_labels(session).items()}
        table = tabular.read_table(data, filename)
        if name.endswith(".xlsx"):
            table = workbook.merge_long_rows(table, data, origins)  # the 出典・参加団体・効果 sheets, when present
        rows = [(n, {**tabular.row_to_case(r, labels), GROUPS: {name: tabular.group_numbers(r, rows)
                                                                   for name, rows in case_fields.ROWS.items()}})
                for n, r in table]
    elif name.endswith(".json"):
        rows = tabular.from_json(data)
    else:
        rows = _yaml_case(data)
    if len(rows) > MAX_ROWS:
        raise InvalidInput("行が多すぎます。", [("（ファイル）", f"{MAX_ROWS}行以下に分けてください")])
    return [(n, dates_as_text(r)) for n, r in rows]


def _resolved(session: Session, raw: dict[str, Any], report: RowReport, _column: Columns) -> dict[str, Any]:
    """The raw record with its participants resolved against the master; notes of what was read on `report`."""
    resolved = participants.resolve(session, raw.get("participants"))
    for i, name, note in resolved.notes:
        report.notes.append((_column(f"participants[{i}].{name}"), note))
    for i, name, refusal in resolved.errors:  # said instead of the schema's own refusal of that cell
        report.errors.append((_column(f"participants[{i}].{name}"), refusal))
    year = raw.get("start_fiscal_year")
    if year not in (None, ""):
        try:
            note = domain.read_fiscal_year(year)[1]
        except ValueError:
            note = None  # the schema refuses it
        if note:
            report.notes.append((_column("start_fiscal_year"), note))
    out = {**raw, "participants": resolved.rows} if "participants" in raw else dict(raw)
    if "themes" in raw:
        out["themes"] = participants.theme_codes(session, raw["themes"])
    return out


def plan_import(session: Session, data: bytes, filename: str, user: User | None, mode: str = "draft") -> ImportPlan:
    """The dry run: check every row and say what would be created or updated; write nothing."""
    if mode not in STATUS_MODES:
        raise InvalidInput("取込の方法が正しくありません。", [("mode", "、".join(STATUS_MODES))])
    if mode != "draft" and user is not None and not may(user, "editor"):
        raise Forbidden("公開やファイルの状態に従う取込は編集責任者だけが行えます。")
    tabular_file = filename.lower().endswith((".csv", ".xlsx"))
    rows, records, seen, origins = [], [], {}, {}
    for number, raw in read_upload(session, data, filename, origins):
        report = RowReport(number, str(raw.get("slug", "")))
        _column = Columns(tabular_file, raw.pop(GROUPS, {}),
                          {(name, n): where for (row, name, n), where in origins.items() if row == number})
        raw = _resolved(session, raw, report, _column)
        if raw.get("slug") == workbook.EXAMPLE["slug"]:
            report.errors.append((_column("slug"), "テンプレートの記入例の行です。削除してから取り込んでください"))
        try:
            record = CaseFileSchema().load(raw)
        except ValidationError as exc:
            said = {column for column, _m in report.errors}
            report.errors += [(c, m) for c, m in ((_column(p), m) for p, m in flatten_errors(exc.messages))
                              if c not in said]
            rows.append(report)
            continue
        try:
            check_rules(session, record)
        except InvalidInput as exc:
            report.errors += [(_column(p), m) for p, m in exc.errors]
        if record["slug"] in seen:
            report.errors.append((_column("slug"), f"{seen[record['slug']]}行目と同じ事例IDです"))
        seen.setdefault(record["slug"], number)
        current = session.exec(select(Case).where(Case.slug == record["slug"])).first()
        if mode == "draft":
            record["status"] = "draft"
        elif mode == "published":
            record["status"] = "published"
        if current is not None and user is not None and not may(user, "editor") and current.status != "draft":
            report.errors.append((_column("slug"), "公開中・確認待ちの事例は編集責任者だけが更新できます"))
        report.action = "create" if current is None else ("unchanged" if same_content(current, record) else "update")
        report.stored = preview.describe(record, theme_labels(session))
        rows.append(report)
        records.append(record)
    if not rows:
        raise InvalidInput("取り込む事例がありません。", [("（ファイル）", "データ行がありません")])
    return ImportPlan(filename, rows, records)


def commit_import(session: Session, data: bytes, filename: str, user: User | None, mode: str = "draft") -> ImportPlan:
    """Check again, then write every row — or none when any row has a problem (the caller's unit of work commits)."""
    plan = plan_import(session, data, filename, user, mode)
    if not plan.ok:
        raise InvalidInput("問題のある行があるため、何も取り込んでいません。",
                           [(f"{r.row}行目 {c}", m) for r in plan.rows for c, m in r.errors])
    for record in plan.records:
        save_case(session, record, author=user, action="import", comment=f"取込: {filename}")
    return plan


def stash_upload(session: Session, user: User, data: bytes, filename: str) -> str:
    """Keep an upload between its dry run and its commit; returns its id (old ones are dropped)."""
    for old in session.exec(select(PendingImport).where(PendingImport.created_at < utcnow() - dt.timedelta(days=1))):
        session.delete(old)
    token = secrets.token_urlsafe(24)
    session.add(PendingImport(id=token, user_id=user.id, filename=Path(filename).name[:255], data=data))
    session.commit()
    return token


def take_upload(session: Session, user: User, token: str) -> PendingImport:
    pending = session.get(PendingImport, token or "")
    if pending is None or pending.user_id != user.id:
        raise NotFound("取込の確認内容が見つかりません。もう一度ファイルを選んでください。")
    return pending


def drop_upload(session: Session, pending: PendingImport) -> None:
    session.delete(pending)
    session.commit()


# --- export ------------------------------------------------------------------------

def records_for(session: Session, slugs: list[str] | None = None) -> list[dict[str, Any]]:
    """Cases in the file shape, in the order of `slugs` (or every case by slug)."""
    found = get_cases(session, slugs) if slugs is not None else sorted(all_cases(session), key=lambda c: c.slug)
    return [case_data(c) for c in found]


def export(records: list[dict[str, Any]], fmt: str) -> bytes:
    """Serialise records as csv, xlsx or json."""
    if fmt == "csv":
        return tabular.write_csv(records)
    if fmt == "xlsx":
        return tabular.write_xlsx(records)
    if fmt == "json":
        return tabular.to_json(records)
    raise InvalidInput("出力形式が正しくありません。", [("format", "csv, xlsx, json のいずれかです")])


def export_yaml(records: list[dict[str, Any]], directory: Path) -> int:
    """Write one case file per record into `directory` (the format of cases/); returns the count."""
    directory.mkdir(parents=True, exist_ok=True)
    for record in records:
        (directory / f"{record['slug']}.yaml").write_text(tabular.to_yaml(record), encoding="utf-8")
    return len(records)
