"""The one declaration of a case: every field, once, and every path a case takes derives from it.

A case has top-level fields, a group stored flat on the Case row (`event.name` in a case file is
`Case.event_name`, the form field `event_name` and the column `event_name`), and three lists of
rows (sources, participants, effects; columns s1_title…, p1_name…, e1_label…). Each field is declared
here once: its place, its Japanese label, its kind (case_kinds.py: how it is read from the
editor and from a spreadsheet cell, and shown there) and its case-file check (a marshmallow
field). From this list come the case-file schema (schemas.py), database row ↔ file-shaped data
(services/cases.py), the editor's form and its data (forms.py, services/editor.py), the CSV/XLSX
columns (services/tabular.py), the API's bodies (api_case_schemas.py), and the labels of diffs
and error messages. tests/test_case_fields.py walks every field through every path.

Adding an ordinary field: the model column, a migration, one entry below, the templates that show it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from marshmallow import fields, validate

from . import domain
from .case_kinds import CHOICE, COUNT, DATE, OPTIONAL, PROSE, TAGS, TEXT, THEMES, YEAR, Kind
from .case_switch import SWITCH, YesNo
from .schema_base import (
    REQUIRED,
    CensusYear,
    Code,
    Count,
    FiscalYear,
    PartialDay,
    Prefecture,
    Vocabulary,
    _list,
    _max,
    _str,
)

# Rows per case, for every path that validates with CaseFileSchema (import, cases/, API, editor).
# What must hold them: the editor's form (forms.CaseForm holds one row more, so the schema explains the limit),
# and a CSV/XLSX row: 18 + 8 × 50 + 7 × 50 = 768 columns (Excel has 16,384).
MAX_PARTICIPANTS = 50
MAX_EFFECTS = 50
MAX_SOURCES = 20
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,98}[a-z0-9]\Z")
NESTED = ("event",)  # groups of a case file stored flat on the Case row


@dataclass(frozen=True, eq=False)
class CaseField:
    """One field of a case, of its event group, or of a source, participant or effect row."""

    group: str                 # "" (top level), "event", "sources", "participants" or "effects"
    name: str                  # its key within the group
    label: str                 # Japanese name: diffs, error messages, column headers
    kind: Kind                 # how it is read and shown (case_kinds.py)
    schema: fields.Field       # its check in a case file
    form_label: str = ""       # the editor's label when it says more than `label`
    form_max: int | None = None  # the editor's input length (the schema checks the content)
    choices: dict[str, str] | None = None  # vocabulary of a choice (cells may give the labels)
    default: Any = ""          # the value of a blank, as the schema fills it in
    form_default: Any = None   # the editor's preselected choice, when not `default`
    blank_choice: bool = False  # the editor offers （未選択）
    trim: bool = False         # stored without surrounding blank space
    in_form: bool = True       # false for status: the workflow changes it
    summary: bool = False      # part of the API's case summary (search results), not only the record
    blank_label: str = ""      # the editor's label of the blank choice, when not （未選択）
    file_omits_blank: bool = False  # a case file leaves it out when blank (added after the bundled files)

    @property
    def path(self) -> str:
        """Its path in a case file: title, event.name (a row's field: its name in the row)."""
        return f"{self.group}.{self.name}" if self.group in NESTED else self.name

    @property
    def attr(self) -> str:
        """Its attribute on the model, which is also its form field and (for a case) its column key."""
        return self.path.replace(".", "_")


@dataclass(frozen=True)
class Rows:
    """A list of rows of a case: sources, participants or effects."""

    name: str
    label: str
    prefix: str                 # of its columns: s1_title, p1_name, e1_label
    fields: tuple[CaseField, ...]
    keys: tuple[str, ...]       # a row without any of these is blank and dropped
    least: int
    most: int

    def field(self, name: str) -> CaseField | None:
        return next((f for f in self.fields if f.name == name), None)


def _text(group: str, name: str, label: str, most: int, *, required: bool = False, check=(), kind: Kind = TEXT,
          **kw) -> CaseField:
    """A text of at most `most` characters: '' when absent, unless required."""
    if required:
        schema = _str(required=True, validate=[
            validate.Length(min=1, max=most, error=f"必須項目です（{most}文字以内）。"), *check])
    else:
        schema = _str(load_default="", validate=[_max(most), *check])
    return CaseField(group, name, label, kind, schema, form_max=most, **kw)


def _choice(group: str, name: str, label: str, choices: dict[str, str], default: Any = "", *,
            vocabulary: str | None = None, derived: bool = False, **kw) -> CaseField:
    """One of `choices`, typed as its code, its label or a short form (domain/labels.py `vocabulary`).

    A blank is `default` ('' for a required choice, which the schema refuses); a `derived` choice
    loads a blank as None, for the schema to derive (an effect's period from its figure).
    """
    blank = REQUIRED if default == "" else (None if derived else default)
    check = {"load_default": None if blank is REQUIRED else blank, "required": blank is REQUIRED}
    if check["required"]:
        del check["load_default"]
    schema = Vocabulary(vocabulary, blank=blank, **check) if vocabulary else Prefecture(blank=blank, **check)
    return CaseField(group, name, label, CHOICE, schema, choices=dict(choices), default=default, **kw)


def _date_field(group: str, name: str, label: str, **kw) -> CaseField:
    return CaseField(group, name, label, DATE, PartialDay(load_default=None), default=None, form_max=20, **kw)


_PREFECTURES = {p: p for p in domain.PREFECTURES}

CASE: tuple[CaseField, ...] = (
    CaseField("", "slug", "事例ID", TEXT, _str(required=True, validate=validate.Regexp(
        SLUG_RE, error="英小文字・数字・ハイフンで2〜100文字にしてください（先頭と末尾は英数字）。")),
        form_label="事例ID（URLに使う英小文字・数字・ハイフン）", form_max=100, summary=True),
    CaseField("", "title", "題名", TEXT, _str(required=True, validate=validate.Length(
        min=1, max=200, error="必須項目です（200文字以内）。")), form_max=200, trim=True, summary=True),
    _choice("", "status", "状態", domain.CASE_STATUSES, "draft", vocabulary="case_status", in_form=False),
    _choice("", "detail", "掲載の詳しさ", domain.DETAIL_LEVELS, "full", vocabulary="detail", summary=True),
    CaseField("", "themes", "テーマ", THEMES, _list(_str(), required=True, validate=validate.Length(
        min=1, error="テーマを1つ以上指定してください。")), default=[], summary=True),
    CaseField("", "tags", "タグ", TAGS, _list(_str(validate=validate.Regexp(
        r"^[^,]{1,50}\Z", error="タグは50文字以内で、カンマを含めないでください。")), load_default=list),
        default=[], form_label="タグ（読点・カンマ区切り）", form_max=500, summary=True),
    CaseField("", "start_fiscal_year", "開始年度", YEAR, FiscalYear(load_default=None), default=None,
              form_label="開始年度（例: 2017、平成29年度、H29、R元）", form_max=20, summary=True),
    _text("", "summary", "概要", 2000, kind=PROSE, trim=True, summary=True),
    _text("", "background", "背景", 20000, kind=PROSE, trim=True),
    _text("", "approach", "取組内容", 20000, kind=PROSE, trim=True),
    _text("", "outcome", "成果", 20000, kind=PROSE, trim=True),
    _text("", "contact", "問い合わせ先", 1000, kind=PROSE, trim=True),
    _text("event", "name", "発表の場", 300, form_label="発表の場（イベント名）"),
    _date_field("event", "date", "発表日", form_label="発表日（例: 2017-10-02、2017年10月）"),
)

SOURCES = Rows("sources", "出典", "s", (
    _text("sources", "title", "名称", 300),
    _text("sources", "publisher", "発行者", 200),
    _date_field("sources", "date", "日付", form_label="日付（例: 2018-10-02、平成30年10月、2018年）"),
    _text("sources", "url", "URL", 500, check=[validate.Regexp(
        r"^(https?://\S+)?\Z", error="URLは http:// または https:// で始めてください。")]),
), keys=("title", "publisher", "date", "url"), least=0, most=MAX_SOURCES)

PARTICIPANTS = Rows("participants", "参加団体", "p", (
    _choice("participants", "role", "役割", domain.ROLES, "member", vocabulary="role"),
    CaseField("participants", "code", "団体コード", OPTIONAL, Code(load_default=None), default=None, form_max=6),
    _text("participants", "name", "団体名", 100, required=True),
    _choice("participants", "prefecture", "都道府県", _PREFECTURES, None, blank_choice=True),
    _choice("participants", "kind", "種類", domain.PARTICIPANT_KINDS, vocabulary="participant_kind", blank_choice=True),
    CaseField("participants", "population", "人口", COUNT, Count(50_000_000, "人口", load_default=None), default=None,
              form_max=12),
    CaseField("participants", "population_year", "人口の年", COUNT, CensusYear(load_default=None), default=None,
              form_max=10),
    _text("participants", "population_source", "人口の出典", 300),
    _choice("participants", "covers", "範囲", domain.COVERS, None, vocabulary="covers", blank_choice=True,
            form_label="範囲（県内の全市町村を代表するとき）"),
), keys=("code", "name"), least=1, most=MAX_PARTICIPANTS)

EFFECTS = Rows("effects", "効果", "e", (
    _choice("effects", "kind", "種類", domain.EFFECT_KINDS, vocabulary="effect_kind", form_default="cost"),
    _choice("effects", "direction", "増減", domain.EFFECT_DIRECTIONS, "reduction", vocabulary="effect_direction",
            derived=True, blank_choice=True),
    _text("effects", "label", "項目", 200, required=True),
    _text("effects", "amount", "数値", 100, form_label="数値（例: 232億円、約10〜15%、7人→4人、年間200万円）"),
    _choice("effects", "period", "期間", domain.EFFECT_PERIODS, "unknown", vocabulary="effect_period", derived=True,
            blank_choice=True),
    _choice("effects", "status", "区分", domain.EFFECT_STATUSES, "achieved", vocabulary="effect_status"),
    _text("effects", "wording", "表示する文", 1000, kind=PROSE),
    CaseField("effects", "scales", "人口に比例", SWITCH, YesNo(load_default=None), default=None,
              form_label="人口に比例（住民あたり・試算を出すか）", choices={"true": "比例する", "false": "比例しない"},
              blank_choice=True, blank_label="自動（種類・単位・期間から判定）", file_omits_blank=True),
), keys=("label", "amount", "wording"), least=0, most=MAX_EFFECTS)

ROWS = {SOURCES.name: SOURCES, PARTICIPANTS.name: PARTICIPANTS, EFFECTS.name: EFFECTS}
_BY_PATH = {f.path: f for f in CASE}


def get(path: str) -> CaseField:
    """The case field at a file path (title, source.title)."""
    return _BY_PATH[path]


def of(group: str) -> tuple[CaseField, ...]:
    """The fields of a group: "" (top level), "event", "sources", "participants" or "effects"."""
    return ROWS[group].fields if group in ROWS else tuple(f for f in CASE if f.group == group)


# --- file-shaped data -----------------------------------------------------------------------------
# Validated data holds every field (the schema fills in the blanks); data written by hand (a
# template row, a test) may leave a field out, which then reads as blank.

def value(data: dict[str, Any], f: CaseField) -> Any:
    """A case field's value in file-shaped data (data["event"]["name"] for event.name); blank if absent."""
    return (data[f.group] if f.group else data).get(f.name, f.default)


def nest(values: dict[CaseField, Any]) -> dict[str, Any]:
    """File-shaped data from values by field: {title: …, event: {name: …}} in the declared order."""
    data: dict[str, Any] = {}
    for f, v in values.items():
        (data.setdefault(f.group, {}) if f.group else data)[f.name] = v
    return data


def group_values(obj: Any, group: str) -> dict[CaseField, Any]:
    """The values of a group's fields on a model object (a Case, a Participant, an Effect), lists copied."""
    return {f: f.kind.from_model(_copy(getattr(obj, f.attr))) for f in of(group)}


def model_data(case: Any) -> dict[str, Any]:
    """A Case (or anything with its attributes) in the shape of a case file, lists copied."""
    data = nest({f: f.kind.from_model(_copy(getattr(case, f.attr))) for f in CASE})
    for rows in ROWS.values():
        data[rows.name] = [{f.name: v for f, v in group_values(row, rows.name).items()}
                           for row in getattr(case, rows.name)]
    return data


def model_values(data: dict[str, Any]) -> dict[str, Any]:
    """The Case attributes (event_name…) of file-shaped data; rows excepted."""
    return {f.attr: f.kind.to_model(_copy(value(data, f))) for f in CASE}


def row_values(rows: Rows, row: dict[str, Any]) -> dict[str, Any]:
    """The model attributes of one participant or effect row (a field it leaves out is blank)."""
    return {f.attr: f.kind.to_model(_copy(row.get(f.name, f.default))) for f in rows.fields}


def comparable(data: dict[str, Any]) -> dict[str, Any]:
    """Only the declared content of file-shaped data, for telling whether a save changes anything."""
    out = nest({f: value(data, f) for f in CASE})
    for rows in ROWS.values():
        out[rows.name] = [{f.name: row.get(f.name, f.default) for f in rows.fields} for row in data[rows.name]]
    return out


def blank() -> dict[str, Any]:
    """A case with every field blank and no rows, in the shape the schema returns."""
    return {**nest({f: _copy(f.default) for f in CASE}), **{rows.name: [] for rows in ROWS.values()}}


def blank_row(rows: Rows) -> dict[str, Any]:
    """A participant or effect row with every field blank."""
    return {f.name: _copy(f.default) for f in rows.fields}


def group_defaults(group: str) -> dict[str, Any]:
    """The event group with every field blank (a case file may leave the group out)."""
    return {f.name: _copy(f.default) for f in of(group)}


def _copy(v: Any) -> Any:
    return list(v) if isinstance(v, list) else v


# --- paths of errors and diffs (participants[1].population) ---------------------------------------

_ROW_PATH = re.compile(r"^(sources|participants|effects)\[(\d+)\]\.(\w+)$")


@dataclass(frozen=True)
class Place:
    """Where a field path points: a case field, a row's field, or a list of rows itself."""

    field: CaseField | None
    rows: Rows | None = None
    index: int | None = None    # the row (0-based)


def row_path(rows: str, index: int, name: str) -> str:
    """participants, 1, population -> participants[1].population."""
    return f"{rows}[{index}].{name}"


def locate(path: str) -> Place | None:
    """The place a path (of a schema error, a rule, a diff) names, or None when it names no field."""
    m = _ROW_PATH.match(path)
    if m:
        rows = ROWS[m.group(1)]
        return Place(rows.field(m.group(3)), rows, int(m.group(2)))
    if path in ROWS:
        return Place(None, ROWS[path])
    return Place(_BY_PATH[path]) if path in _BY_PATH else None


def label(path: str) -> str:
    """participants[1].population -> 参加団体2 人口; source.title -> 出典; unknown paths as they are."""
    place = locate(path)
    if place is None:
        return path
    if place.index is None:
        return place.field.label if place.field else place.rows.label
    name = place.field.label if place.field else path.rsplit(".", 1)[1]
    return f"{place.rows.label}{place.index + 1} {name}"


def labels_by_name() -> dict[str, str]:
    """Labels by a field's bare name, top level first (the OpenAPI description names properties so)."""
    out = {f.path: f.label for f in CASE}
    out.update({rows.name: rows.label for rows in ROWS.values()})
    for rows in ROWS.values():
        for f in rows.fields:
            out.setdefault(f.name, f.label)
    return out
