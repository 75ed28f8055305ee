"""The municipality master: import from CSV, lookup by name or reading, checks against cases."""
from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from sqlalchemy import or_
from sqlmodel import Session, select

from .. import domain
from ..errors import InvalidInput, NotFound
from ..models import Case, MasterInfo, Municipality, Participant
from .tabular import decode

COLUMNS = ("code", "prefecture", "name", "kana", "population", "population_year", "source", "kind")
MASTER_KINDS = tuple(k for k in domain.PARTICIPANT_KINDS if not domain.is_joint(k))
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
_HIRAGANA = re.compile(r"^[\u3041-\u309f\u30fc]+$")
_KATA_TO_HIRA = {c: c - 0x60 for c in range(0x30A1, 0x30F7)}
# The name stored as the master's file when it is the packaged copy (a FILE is stored by its own name).
PACKAGED_NAME = "casebook/data/municipalities.csv"


@dataclass
class ImportReport:
    """What an import did, or (with errors) why it did nothing: errors are (line, column, reason)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    credit: str = ""
    skipped: str = ""  # with if_needed: "same" (this file is the master already) or "other" (kept)


def packaged_master() -> Path:
    """The master CSV that ships with casebook (casebook/data/municipalities.csv, its .SOURCE.md beside it)."""
    resource = resources.files("casebook.data") / "municipalities.csv"
    if not isinstance(resource, Path) or not resource.is_file():
        raise FileNotFoundError(f"the packaged municipality master is not a file on disk: {resource}")
    return resource


def _check_row(row: dict[str, str]) -> tuple[dict, list[tuple[str, str]]]:
    errors: list[tuple[str, str]] = []
    code = (row.get("code") or "").strip()
    if error := domain.code_error(code):
        errors.append(("code", error))
    prefecture = (row.get("prefecture") or "").strip()
    if prefecture not in domain.PREFECTURES:
        errors.append(("prefecture", f"都道府県名が正しくありません: {prefecture}"))
    elif not errors and domain.PREFECTURES[int(code[:2]) - 1] != prefecture:
        errors.append(("prefecture", f"団体コード {code} の都道府県と一致しません"))
    name = (row.get("name") or "").strip()
    if not 1 <= len(name) <= 100:
        errors.append(("name", "団体名は1〜100文字で入力してください"))
    kana = unicodedata.normalize("NFKC", row.get("kana") or "").strip().translate(_KATA_TO_HIRA)
    if not _HIRAGANA.match(kana):
        errors.append(("kana", "読みはひらがなで入力してください"))
    numbers = {}
    for column, low, high in (("population", 0, 50_000_000), ("population_year", 1920, 2100)):
        text = unicodedata.normalize("NFKC", row.get(column) or "").replace(",", "").strip()
        if not text.isdigit() or not low <= int(text) <= high:
            errors.append((column, f"{low}〜{high}の整数で入力してください: {row.get(column) or '（空欄）'}"))
        else:
            numbers[column] = int(text)
    kind = (row.get("kind") or "").strip()
    if kind not in MASTER_KINDS:
        errors.append(("kind", f"種類は次のいずれかです: {', '.join(MASTER_KINDS)}"))
    elif not errors and (kind == "prefecture") != (code[2:5] == "000"):
        errors.append(("kind", "都道府県のコード（下4桁目まで000）と種類が一致しません"))
    data = {"code": code, "prefecture": prefecture, "name": name, "kana": kana, "kind": kind,
            "source": (row.get("source") or "").strip()[:300], **numbers}
    if not errors:
        data["region"] = domain.region_of(prefecture)
    return data, errors


def read_master(data: bytes) -> list[dict]:
    """Parse and check a master CSV; raise InvalidInput listing every bad line."""
    if len(data) > MAX_BYTES:
        raise InvalidInput("ファイルが大きすぎます。", [("（ファイル）", f"{MAX_BYTES // 1024 // 1024}MB以下にしてください")])
    reader = csv.DictReader(io.StringIO(decode(data), newline=""))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput("列が足りません。", [("1行目", f"必要な列がありません: {', '.join(missing)}")])
    rows, errors, seen = [], [], {}
    try:
        for row in reader:
            line = reader.line_num
            if len(rows) + len(errors) >= MAX_ROWS:
                errors.append((f"{line}行目", "（ファイル）", f"{MAX_ROWS}行を超えています"))
                break
            if None in row:
                errors.append((f"{line}行目", "（行）", "列の数が見出しより多くなっています"))
                continue
            item, row_errors = _check_row(row)
            if item["code"] in seen and not row_errors:
                row_errors.append(("code", f"団体コードが{seen[item['code']]}行目と重複しています"))
            seen.setdefault(item["code"], line)
            errors.extend((f"{line}行目", col, reason) for col, reason in row_errors)
            if not row_errors:
                rows.append(item)
    except csv.Error as exc:
        errors.append((f"{reader.line_num}行目", "（行）", f"CSVとして読めません: {exc}"))
    if errors:
        raise InvalidInput("市区町村マスタに誤りがあります。何も取り込んでいません。",
                           [(f"{line} {col}", reason) for line, col, reason in errors])
    if not rows:
        raise InvalidInput("市区町村マスタに行がありません。", [("（ファイル）", "データ行がありません")])
    return rows


def credit_from_note(csv_path: Path) -> str | None:
    """Find the credit line (出典：…) in the `.SOURCE.md` note beside a master CSV, if any."""
    note = csv_path.with_name(csv_path.name.removesuffix(".csv") + ".SOURCE.md")
    if not note.is_file():
        return None
    for line in note.read_text(encoding="utf-8").splitlines():
        text = line.strip().lstrip(">").strip()
        if text.startswith("出典："):
            return text
    return None


def _skip_reason(session: Session, digest: str, credit: str, filename: str) -> str:
    if not has_master(session):
        return ""
    info = {row.key: row.value for row in session.exec(select(MasterInfo))}
    if info.get("sha256") == digest and info.get("credit") == credit:
        return "same"
    return "other" if info.get("file") != filename else ""


def import_master(session: Session, data: bytes, credit: str, filename: str = "",
                  if_needed: bool = False) -> ImportReport:
    """Upsert every row by code in one transaction; a bad file changes nothing.

    With `if_needed` (what `make run` asks for) no row is parsed or written when the master already is
    this file (same SHA-256) with this credit, or was imported from a file of another name (a newer master
    stays); the report's `skipped` says which.
    """
    if not credit.strip():
        raise InvalidInput("出典の表示（クレジット）が必要です。", [("credit", "データの出典を指定してください")])
    digest = hashlib.sha256(data).hexdigest()
    if if_needed and (skipped := _skip_reason(session, digest, credit.strip(), filename)):
        return ImportReport(credit=master_credit(session) or "", skipped=skipped)
    rows = read_master(data)
    existing = {m.code: m for m in session.exec(select(Municipality))}
    report = ImportReport(credit=credit.strip())
    for row in rows:
        current = existing.get(row["code"])
        if current is None:
            session.add(Municipality(**row))
            report.created += 1
        elif any(getattr(current, k) != v for k, v in row.items()):
            for k, v in row.items():
                setattr(current, k, v)
            report.updated += 1
        else:
            report.unchanged += 1
    for key, value in (("credit", report.credit), ("file", filename), ("rows", str(len(rows))), ("sha256", digest)):
        session.merge(MasterInfo(key=key, value=value))
    session.commit()
    return report


def master_credit(session: Session) -> str | None:
    """Return the credit line stored with the master, or None when there is no master."""
    info = session.get(MasterInfo, "credit")
    return info.value if info and info.value else None


def get_municipality(session: Session, code: str) -> Municipality:
    """Return the master row for `code`."""
    row = session.get(Municipality, code) if re.fullmatch(r"[0-9]{6}", code or "") else None
    if row is None:
        raise NotFound("指定された団体は市区町村マスタにありません。")
    return row


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_municipalities(session: Session, q: str, limit: int = 10) -> list[Municipality]:
    """Find governments by name (大鰐), reading (こうち / コウチ) or code; best matches first."""
    text = unicodedata.normalize("NFKC", q or "").strip()[:50]
    if not text:
        return []
    kana = text.translate(_KATA_TO_HIRA)
    like = _like(text)
    conditions = [Municipality.name.like(f"%{like}%", escape="\\"),
                  Municipality.kana.like(f"{_like(kana)}%", escape="\\")]
    if text.isdigit():
        conditions.append(Municipality.code.like(f"{like}%", escape="\\"))
    found = list(session.exec(select(Municipality).where(or_(*conditions)).limit(500)))

    def rank(m: Municipality) -> tuple:
        exact = m.name == text or m.kana == kana or m.code == text
        prefix = m.name.startswith(text) or m.kana.startswith(kana)
        return (not exact, not prefix, m.kind == "prefecture", -m.population, m.code)

    return sorted(found, key=rank)[:limit]


@dataclass
class Mismatch:
    """A case participant whose stored population differs from the master."""

    slug: str
    name: str
    code: str
    stored: int | None
    stored_year: int | None
    master: int
    master_year: int


def population_mismatches(session: Session) -> list[Mismatch]:
    """List participants with a code whose population or year differs from the master's."""
    stmt = (select(Case.slug, Participant, Municipality)
            .join(Participant, Participant.case_id == Case.id)
            .join(Municipality, Municipality.code == Participant.code)
            .order_by(Case.slug, Participant.position))
    out = []
    for slug, p, m in session.exec(stmt):
        if p.population != m.population or p.population_year != m.population_year:
            out.append(Mismatch(slug, p.name, p.code, p.population, p.population_year, m.population, m.population_year))
    return out


def has_master(session: Session) -> bool:
    """True once a master has been imported."""
    return session.exec(select(Municipality.code).limit(1)).first() is not None


def known_codes(session: Session, codes) -> set[str]:
    """Return those of `codes` that are in the master."""
    codes = {c for c in codes if c}
    if not codes:
        return set()
    return set(session.exec(select(Municipality.code).where(Municipality.code.in_(codes))))
