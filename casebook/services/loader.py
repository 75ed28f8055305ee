"""Loading case files (YAML, one case per file) into the database."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from marshmallow import ValidationError

from ..errors import InvalidInput
from ..schemas import CaseFileSchema, flatten_errors
from .cases import save_case
from .safe_files import read_yaml
from .unit import UnitOfWork

MAX_FILE_BYTES = 1024 * 1024


@dataclass
class LoadReport:
    """What a load did: counts by outcome and errors as (file, field, reason)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)


def dates_as_text(value):
    """YAML turns 2018-10-02 into a date; the schema reads text, so turn it back."""
    if isinstance(value, dict):
        return {k: dates_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [dates_as_text(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def read_case_file(path: Path) -> dict:
    """Read and validate one case file; raise InvalidInput with (field, reason) pairs."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InvalidInput("ファイルが大きすぎます。", [("（ファイル）", "1MB以下にしてください")])
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("文字コードが正しくありません。", [
            ("（ファイル）", f"UTF-8で保存してください（{exc.start}バイト目で読めない文字があります）")]) from exc
    raw = read_yaml(text)  # no aliases, bounded nesting
    if not isinstance(raw, dict):
        raise InvalidInput("事例ファイルの形式ではありません。", [("（ファイル）", "項目の集まり（マッピング）で書いてください")])
    try:
        data = CaseFileSchema().load(dates_as_text(raw))
    except ValidationError as exc:
        raise InvalidInput("事例ファイルに誤りがあります。", flatten_errors(exc.messages)) from exc
    if data["slug"] != path.stem:
        raise InvalidInput("事例ファイルに誤りがあります。", [("slug", f"ファイル名（{path.stem}）と一致させてください")])
    return data


def case_files(paths: list[Path]) -> list[Path]:
    """Expand folders into their .yaml/.yml files, sorted by name."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
        else:
            found.append(path)
    return found


def load_cases(work: UnitOfWork, paths: list[Path]) -> LoadReport:
    """Upsert every case file under `paths`; a bad file is reported and nothing of it written.

    Each file is committed on its own (`work.commit()`); the unit of work's block indexes the
    changed cases together when it ends.
    """
    report = LoadReport()
    for path in case_files(paths):
        try:
            data = read_case_file(path)
            _case, outcome = save_case(work.session, data, action="import")
            work.commit()
        except InvalidInput as exc:
            work.rollback()
            report.errors.extend((str(path), f, reason) for f, reason in exc.errors or [("（ファイル）", exc.message)])
            continue
        except OSError as exc:
            report.errors.append((str(path), "（ファイル）", f"読み込めません: {exc.strerror or exc}"))
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report
