"""The import workbook that grows: long-form sheets for sources, participants and effects, the template and its guide.

Besides the 事例 sheet (one row per case; numbered columns s1_…, p1_…, e1_… still work), a
workbook may hold a sheet per list of rows — 出典, 参加団体, 効果 — with one row per source,
participant or effect, keyed by the case's 事例ID, so any number of them fits without new
headers. Their rows are added after the case's numbered ones, in sheet order.
"""
from __future__ import annotations

from contextlib import closing
from typing import Any

from .. import case_fields, domain
from ..case_fields import EFFECTS, PARTICIPANTS, ROWS, SOURCES, Rows
from ..domain import scaling
from ..errors import InvalidInput
from . import cells, safe_files, tabular

SLUG_HEADERS = ("slug", "事例ID", "事例ID (slug)")


def _long_key(rows: Rows, text: Any) -> str | None:
    """The row field a long sheet's header names: 団体名 (name), 団体名 or name; slug for the case's ID."""
    header = tabular.normalise_header(text)
    if header in SLUG_HEADERS or header.endswith("(slug)"):
        return "slug"
    for f in rows.fields:
        if header in (f.name, f.label, f.form_label, tabular.header(f.name, f.label)) or header.endswith(f"({f.name})"):
            return f.name
    return None


def long_rows(data: bytes) -> dict[str, list[tuple[int, str, dict[str, str]]]]:
    """Each long sheet present: rows name -> [(row number, slug, field -> text)]; blank rows skipped."""
    found: dict[str, list[tuple[int, str, dict[str, str]]]] = {}
    for rows in ROWS.values():
        with closing(safe_files.xlsx_rows(data, rows.label, tabular.MAX_COLUMNS, strict=True)) as grid:
            head = next(grid, None)
            if head is None:
                continue
            keys = [_long_key(rows, h) for h in head]
            unknown = [f"{i + 1}列目「{h}」" for i, (h, k) in enumerate(zip(head, keys, strict=True)) if h and k is None]
            if unknown:
                raise InvalidInput(f"「{rows.label}」シートに読み取れない見出しがあります。",
                                   [(f"{rows.label}シート 1行目", "、".join(unknown[:10]))])
            if "slug" not in keys:
                raise InvalidInput(f"「{rows.label}」シートに事例IDの列がありません。",
                                   [(f"{rows.label}シート 1行目", "事例ID (slug) の列が必要です")])
            out = []
            for number, values in enumerate(grid, start=2):
                texts = {k: tabular.cell_text(v) for k, v in zip(keys, values, strict=False) if k}
                if not any(texts.values()):
                    continue
                out.append((number, texts.pop("slug", ""), texts))
            found[rows.name] = out
    return found


def merge_long_rows(table: list[tuple[int, dict[str, str]]], data: bytes,
                    origins: dict[tuple[int, str, int], str] | None = None) -> list[tuple[int, dict[str, str]]]:
    """Add the long sheets' rows to the 事例 sheet's rows as further numbered columns of their case.

    `origins` gets, for each added group, (事例 row number, rows name, group number) -> where it was
    typed (「効果」シート 5行目), so that a problem is reported where the curator typed the value.
    """
    sheets = long_rows(data)
    if not sheets:
        return table
    row_numbers = {row.get("slug", ""): number for number, row in table}
    by_slug = {row.get("slug", ""): row for _n, row in table}
    errors = []
    for name, entries in sheets.items():
        rows = ROWS[name]
        for number, slug, texts in entries:
            case = by_slug.get(slug)
            if case is None:
                errors.append((f"{rows.label}シート {number}行目", f"事例ID「{slug}」の行が「事例」シートにありません"))
                continue
            n = 1 + max([0, *(int(m.group(2)) for k in case for m in [tabular.row_column(k)]
                              if m and m.group(1) == rows.prefix)])
            case.update({tabular.column(rows, n, field): text for field, text in texts.items()})
            if origins is not None:
                origins[(row_numbers[slug], rows.name, n)] = f"「{rows.label}」シート {number}行目"
    if errors:
        raise InvalidInput("別シートの行を事例に結び付けられません。", errors[:50])
    return table


# --- the template ---------------------------------------------------------------------------------

EXAMPLE = {
    "slug": "example-rpa", "title": "（記入例）RPAによる申請書入力の自動化", "status": "下書き", "detail": "詳細",
    "themes": "AI・ICTを活用した業務改革", "tags": "RPA、AI-OCR", "start_fiscal_year": "令和元年度",
    "summary": "申請書の入力作業をRPAで自動化した例です。", "background": "", "approach": "", "outcome": "",
    "contact": "○○市 情報政策課", "event_name": "", "event_date": "",
}
EXAMPLE_ROWS = {
    "sources": [{"title": "○○市 業務改革報告書", "publisher": "○○市", "date": "令和2年3月", "url": "https://www.example.jp/"}],
    "participants": [{"role": "代表", "code": "392014", "name": "高知市", "prefecture": "高知県", "kind": "市",
                      "population": "326,814", "population_year": "2020", "population_source": "令和2年国勢調査",
                      "covers": ""},
                     {"role": "構成団体", "code": "", "name": "○○町", "prefecture": "高知県", "kind": "町",
                      "population": "", "population_year": "", "population_source": "", "covers": ""}],
    "effects": [{"kind": "時間", "direction": "削減", "label": "入力作業時間", "amount": "年間約1,200時間",
                 "period": "", "status": "実績", "wording": "入力作業を年間約1,200時間削減"},
                {"kind": "人員", "direction": "", "label": "入力担当の職員", "amount": "3人→1人", "period": "",
                 "status": "見込み", "wording": "入力担当を3人から1人に"}],
}


def _allowed(f: case_fields.CaseField) -> str:
    """What a column takes, in Japanese."""
    if f.kind.name == "switch":
        return scaling.CHOICE_WORDS + "（自動: 割合・施設数・一時的な費用・1件あたりの時間・1人未満の人員は比例しない）"
    if f.choices and f.name == "prefecture":
        return "都道府県名（千葉県、東京都、北海道。千葉 のように県を省いても可）"
    if f.choices:
        return "、".join(f.choices.values()) + "（略した書き方も可。空欄: " + (
            "数値から読み取るか既定値" if f.name in ("period", "direction") else f"{f.choices.get(f.default, 'なし')}") + "）"
    if f.name == "amount":
        return domain.figures.FIGURE_EXAMPLES + " など。単位は自由（施設、基、トン、円/トン …）"
    if f.kind.name == "date":
        return domain.dates.DATE_EXAMPLES + "（わかる細かさで）"
    if f.kind.name == "year":
        return domain.years.FISCAL_YEAR_EXAMPLES + "、または開始した年月（平成26年1月 → 平成25年度）"
    if f.name == "code":
        return "6桁の団体コード（5桁・先頭の0が落ちた値も、団体名・都道府県と合えば読みます）。コードだけで団体名・人口を補います"
    if f.name == "population_year":
        return domain.years.CENSUS_YEAR_EXAMPLES
    if f.kind.name == "count":
        return "整数（8,671 のようにカンマ可）"
    if f.kind.name == "themes":
        return "テーマ名またはコード。複数はカンマか読点で区切る"
    if f.kind.name == "tags":
        return "複数はカンマか読点で区切る"
    return f"文字（{f.form_max}文字まで）" if f.form_max else "文字"


def guide() -> list[list[str]]:
    """The 説明 sheet: every column with what it takes, and how the sheets fit together."""
    out = [["列・シート", "入力できる値"],
           ["「事例」シート", "1行が1事例。事例IDが既にあれば更新、なければ新規作成"],
           ["「出典」「参加団体」「効果」シート", "1行が1件。事例ID の列で事例に結び付けます（何件でも可）。"
            "「事例」シートの「参加団体1 …」のような番号付きの列でも入力できます"]]
    out += [[tabular.header(f.attr, f.label), _allowed(f)] for f in case_fields.CASE]
    for rows in (SOURCES, PARTICIPANTS, EFFECTS):
        out += [[f"{rows.label}シート: {tabular.header(f.name, f.label)}（番号付きの列: {rows.prefix}N_{f.name}）", _allowed(f)]
                for f in rows.fields]
    return out


def template_xlsx(themes: dict[str, str]) -> bytes:
    """The import template: the 事例 sheet with an example row, the long sheets with theirs, the guide."""
    case_columns = [(f.attr, tabular.header(f.attr, f.label)) for f in case_fields.CASE]
    example = {**EXAMPLE, "themes": themes.get("ai-ict", EXAMPLE["themes"])}
    sheets = {"事例": [[h for _k, h in case_columns], [example.get(k, "") for k, _h in case_columns]]}
    for rows in (SOURCES, PARTICIPANTS, EFFECTS):
        head = ["事例ID (slug)", *(tabular.header(f.name, f.label) for f in rows.fields)]
        sheets[rows.label] = [head, *([EXAMPLE["slug"], *(r.get(f.name, "") for f in rows.fields)]
                                      for r in EXAMPLE_ROWS[rows.name])]
    sheets["説明"] = guide()
    return cells.xlsx_bytes(sheets, freeze={"事例": "C2"})


def template_csv() -> bytes:
    """The CSV template: one example row with numbered columns (a CSV has one sheet)."""
    row = {k: v for k, v in EXAMPLE.items()}
    for rows in (SOURCES, PARTICIPANTS, EFFECTS):
        for i, r in enumerate(EXAMPLE_ROWS[rows.name], 1):
            row.update({tabular.column(rows, i, f): v for f, v in r.items()})
    cols = tabular.headers(max(tabular.MIN_PARTICIPANTS, 2), max(tabular.MIN_EFFECTS, 2))
    return cells.csv_bytes([[h for _k, h in cols], [row.get(k, "") for k, _h in cols]])
