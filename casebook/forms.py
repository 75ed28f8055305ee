"""Flask-WTF forms (shape only; the services enforce the rules).

The case editor's fields are made from the case-field registry (case_fields.py): its name,
label, input and length; `attach_errors` puts the schema's errors on them.
"""
from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from . import case_fields, domain
from .case_fields import MAX_EFFECTS, MAX_PARTICIPANTS, MAX_SOURCES, CaseField
from .domain import scaling

SCALES_HELP = ("比例する効果だけに、住民あたりの値と、選んだ団体の人口での試算を表示します。"
               "自動では、割合（%）・施設数・一時的な費用・1件あたりの時間・1人未満の人員は比例しないと判定します。")


class ChooseGovernmentForm(FlaskForm):
    """Remember a government (by code) or a bare population for similar-size search."""

    code = StringField("団体コード", validators=[Optional(), Regexp(r"^[0-9]{6}\Z", message="団体コードは6桁の数字です。")])
    POPULATION_ERROR = "人口は1〜5,000万の整数で入力してください。"
    population = IntegerField("人口", validators=[Optional(), NumberRange(1, 50_000_000, message=POPULATION_ERROR)])
    next = HiddenField()

    class Meta:
        locales = ["ja_JP", "ja"]


class ClearGovernmentForm(FlaskForm):
    """Forget the chosen government (a form so that it carries a CSRF token)."""

    next = HiddenField()


class LoginForm(FlaskForm):
    """Sign in with email and password."""

    email = StringField("メールアドレス", validators=[DataRequired(message="メールアドレスを入力してください。"),
                                                Length(max=254)])
    password = PasswordField("パスワード", validators=[DataRequired(message="パスワードを入力してください。"),
                                                   Length(max=200)])
    next = HiddenField()


def _editor_field(f: CaseField):
    """The editor's input for a case field, by its kind (case_kinds.py): label and length from the registry."""
    label = f.form_label or f.label
    if f.kind.widget == "checkboxes":
        return SelectMultipleField(label, choices={}, widget=ListWidget(prefix_label=False),
                                   option_widget=CheckboxInput(), validate_choice=False)
    if f.kind.widget == "select":
        blank = f.blank_label or ("（数値から読み取る）" if f.group == "effects" and f.default else "（未選択）")
        choices = {"": blank, **f.choices} if f.blank_choice else dict(f.choices)
        default = f.form_default if f.form_default is not None else ("" if f.blank_choice else f.default)
        return SelectField(label, choices=choices, default=default)
    checks = [Optional()] if f.default is None and f.kind.name == "optional" else []
    field_class = TextAreaField if f.kind.widget == "text" else StringField
    return field_class(label, validators=[*checks, Length(max=f.form_max)])


def _add_case_fields(form_class: type, group: str) -> type:
    # A form class gets one input per field of the group the registry declares (status excepted).
    for f in case_fields.of(group) if group in case_fields.ROWS else case_fields.CASE:
        if f.in_form:
            setattr(form_class, f.attr, _editor_field(f))
    return form_class


class SourceForm(Form):
    """One source (a row of the case editor); its fields: case_fields.SOURCES."""

    position = IntegerField("順番", validators=[Optional()])
    remove = BooleanField("この行を削除")


class ParticipantForm(Form):
    """One participating government or body (a row of the case editor); its fields: case_fields.PARTICIPANTS."""

    position = IntegerField("順番", validators=[Optional()])
    remove = BooleanField("この行を削除")


class EffectForm(Form):
    """One effect (a row of the case editor); its fields: case_fields.EFFECTS."""

    position = IntegerField("順番", validators=[Optional()])
    remove = BooleanField("この行を削除")


class RowList(FieldList):
    """A list of editor rows that reads only plain row numbers (participants-12-name; any numbers, gaps
    allowed, as static/editor.js numbers new rows) and ignores other keys: WTForms' own reading takes
    whatever str.isdigit() accepts ("²", "１２") and fails on int() with a server error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type = "FieldList"   # what templates (the error summary) and tests look for

    def _extract_indices(self, prefix, formdata):
        offset = len(prefix) + 1
        for key in formdata:
            if key.startswith(prefix) and re.fullmatch(r"[0-9]{1,6}", number := key[offset:].split("-", 1)[0]):
                yield int(number)


class CaseForm(FlaskForm):
    """Every field of a case (case_fields.CASE). Shape only: the content is validated by CaseFileSchema."""

    # One row more than a case may have, so that the schema (not WTForms) explains the limit.
    sources = RowList(FormField(_add_case_fields(SourceForm, "sources")), min_entries=1, max_entries=MAX_SOURCES + 1)
    participants = RowList(FormField(_add_case_fields(ParticipantForm, "participants")), min_entries=1,
                             max_entries=MAX_PARTICIPANTS + 1)
    effects = RowList(FormField(_add_case_fields(EffectForm, "effects")), min_entries=0,
                        max_entries=MAX_EFFECTS + 1)
    version = HiddenField()
    comment = StringField("変更の説明（履歴に残ります）", validators=[Length(max=500)])


_add_case_fields(CaseForm, "")


def case_form(data: dict[str, Any], themes: dict[str, str]) -> CaseForm:
    """The editor's form filled with `data` (services/editor.py), with the themes to choose from."""
    # A case stored before the row limits may have more rows than the form holds: show what fits.
    data = {**data, "participants": data.get("participants", [])[:MAX_PARTICIPANTS + 1],
            "effects": data.get("effects", [])[:MAX_EFFECTS + 1], "sources": data.get("sources", [])[:MAX_SOURCES + 1]}
    form = CaseForm(formdata=None, data=data)
    form.themes.choices = dict(themes)
    for entry, row in zip(form.effects.entries, data["effects"], strict=False):
        _name_automatic(entry.form.scales, row)
    return form


ROW_INDEX = "__index__"   # the index of a row template's fields; static/editor.js puts the next number in


def row_templates(form: CaseForm, starts: dict[str, dict[str, Any]]) -> dict[str, FormField]:
    """One new row per list (sources, participants, effects) for the page's <template>: its fields
    named and labelled as the list's rows are (participants-__index__-name), with a new row's values."""
    out = {}
    for name in case_fields.ROWS:
        rows: FieldList = getattr(form, name)
        entry = rows.unbound_field.bind(form=None, name=f"{rows.name}-{ROW_INDEX}", _meta=rows.meta)
        entry.process(None, starts.get(name) or {})
        if name == "effects":
            _name_automatic(entry.form.scales, {})
        out[name] = entry
    return out


def _name_automatic(select: SelectField, row: dict[str, Any]) -> None:
    """Say what the automatic rule decides for this row: the blank choice 自動（判定: 比例する） and why."""
    decided = scaling_of_row(row)
    if decided is None:
        select.description = SCALES_HELP
        return
    word = "比例する" if decided.scales else "比例しない"
    select.choices = {**dict(select.choices), "": f"自動（判定: {word}）"}
    select.description = f"自動の判定: {word}（{decided.reason}）。{SCALES_HELP}"


def scaling_of_row(row: dict[str, Any]) -> scaling.Scaling | None:
    """What the automatic rule decides for an editor row as typed (None when its figure cannot be read)."""
    amount = str(row.get("amount") or "").strip()
    try:
        figure = domain.read_figure(amount) if amount else None
        kind = domain.read_label("effect_kind", row.get("kind")) if row.get("kind") else ""
        period = domain.read_label("effect_period", row.get("period")) if row.get("period") else ""
    except ValueError:
        return None
    if figure is None:
        return None
    q = figure.change if figure.change is not None else figure.value
    return scaling.effective(None, kind, q.unit, period or figure.period or "unknown",
                                    abs(q.low), abs(q.high), str(row.get("label") or ""))


def attach_errors(form: CaseForm, errors: list[tuple[str, str]]) -> list[str]:
    """Put (field path, message) errors on the editor's fields; return, labelled, those of no field."""
    loose = []
    for path, message in errors:
        place = case_fields.locate(path)
        field = None
        if place is not None and place.rows is not None and place.index is not None and place.field is not None:
            entries = getattr(form, place.rows.name).entries
            field = getattr(entries[place.index].form, place.field.name, None) if place.index < len(entries) else None
        elif place is not None and place.field is not None:
            field = getattr(form, place.field.attr, None)
        if field is None:  # a list's own error (too many rows…) has no field: it goes in the banner
            loose.append(f"{case_fields.label(path)}: {message}")
        else:
            field.errors = [*field.errors, message]
    return loose


class TransitionForm(FlaskForm):
    """A workflow step with its review comment."""

    action = HiddenField(validators=[DataRequired()])
    version = HiddenField()
    comment = TextAreaField("コメント", validators=[Length(max=2000)])


class RestoreForm(FlaskForm):
    """Restore an older revision (editors)."""

    version = HiddenField()


class UserForm(FlaskForm):
    """Create an account (editors)."""

    email = StringField("メールアドレス", validators=[DataRequired(message="メールアドレスを入力してください。"),
                                                Length(max=254)])
    name = StringField("氏名", validators=[Length(max=100)])
    role = SelectField("役割", choices=dict(domain.ROLES_OF_USERS), default="curator")
    password = PasswordField("初期パスワード（12文字以上）", validators=[DataRequired(message="パスワードを入力してください。"),
                                                              Length(max=200)])


class UserUpdateForm(FlaskForm):
    """Change a user's role or deactivate them (editors)."""

    role = SelectField("役割", choices=dict(domain.ROLES_OF_USERS))
    active = BooleanField("有効")


class ImportForm(FlaskForm):
    """Upload a CSV, Excel, JSON or YAML file for a dry run."""

    file = FileField("ファイル（CSV・Excel・JSON・YAML）", validators=[FileRequired(message="ファイルを選んでください。")])
    mode = SelectField("取り込んだ事例の状態", choices={}, default="draft")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .services.bulk import STATUS_MODES

        self.mode.choices = dict(STATUS_MODES)


class ImportCommitForm(FlaskForm):
    """Commit a checked upload."""

    pending = HiddenField(validators=[DataRequired()])
    mode = HiddenField(validators=[DataRequired()])
