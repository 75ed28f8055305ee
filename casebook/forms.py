"""Flask-WTF forms (shape only; the services enforce the rules)."""
from __future__ import annotations

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

from . import domain
from .schemas import MAX_EFFECTS, MAX_PARTICIPANTS


class ChooseGovernmentForm(FlaskForm):
    """Remember a government (by code) or a bare population for similar-size search."""

    code = StringField("団体コード", validators=[Optional(), Regexp(r"^[0-9]{6}\Z", message="団体コードは6桁の数字です。")])
    population = IntegerField("人口", validators=[
        Optional(), NumberRange(1, 50_000_000, message="人口は1〜5,000万の整数で入力してください。")])
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


class ParticipantForm(Form):
    """One participating government or body (a row of the case editor)."""

    position = IntegerField("順番", validators=[Optional()])
    role = SelectField("役割", choices=dict(domain.ROLES), default="member")
    code = StringField("団体コード", validators=[Optional(), Length(max=6)])
    name = StringField("団体名", validators=[Length(max=100)])
    prefecture = SelectField("都道府県", choices={"": "（未選択）", **{p: p for p in domain.PREFECTURES}}, default="")
    kind = SelectField("種類", choices={"": "（未選択）", **domain.PARTICIPANT_KINDS}, default="")
    population = StringField("人口", validators=[Length(max=12)])
    population_year = StringField("人口の年", validators=[Length(max=4)])
    population_source = StringField("人口の出典", validators=[Length(max=300)])
    remove = BooleanField("この行を削除")


class EffectForm(Form):
    """One effect (a row of the case editor)."""

    position = IntegerField("順番", validators=[Optional()])
    kind = SelectField("種類", choices=dict(domain.EFFECT_KINDS), default="cost")
    direction = SelectField("増減", choices=dict(domain.EFFECT_DIRECTIONS), default="reduction")
    label = StringField("項目", validators=[Length(max=200)])
    amount = StringField("数値（例: 232億円、約10〜15%、8名）", validators=[Length(max=100)])
    period = SelectField("期間", choices=dict(domain.EFFECT_PERIODS), default="total")
    status = SelectField("区分", choices=dict(domain.EFFECT_STATUSES), default="achieved")
    wording = TextAreaField("表示する文", validators=[Length(max=1000)])
    remove = BooleanField("この行を削除")


class CaseForm(FlaskForm):
    """Every field of a case. Shape only: the content is validated by CaseFileSchema."""

    slug = StringField("事例ID（URLに使う英小文字・数字・ハイフン）", validators=[Length(max=100)])
    title = StringField("題名", validators=[Length(max=200)])
    detail = SelectField("掲載の詳しさ", choices=dict(domain.DETAIL_LEVELS), default="full")
    themes = SelectMultipleField("テーマ", choices={}, widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput(), validate_choice=False)
    tags = StringField("タグ（読点・カンマ区切り）", validators=[Length(max=500)])
    start_fiscal_year = StringField("開始年度（例: 2017 または 平成29年度）", validators=[Length(max=20)])
    summary = TextAreaField("概要", validators=[Length(max=2000)])
    background = TextAreaField("背景", validators=[Length(max=20000)])
    approach = TextAreaField("取組内容", validators=[Length(max=20000)])
    outcome = TextAreaField("成果", validators=[Length(max=20000)])
    contact = TextAreaField("問い合わせ先", validators=[Length(max=1000)])
    source_title = StringField("出典の名称", validators=[Length(max=300)])
    source_publisher = StringField("出典の発行者", validators=[Length(max=200)])
    source_date = StringField("出典の日付（例: 2018-10-02）", validators=[Length(max=10)])
    source_url = StringField("出典のURL", validators=[Length(max=500)])
    event_name = StringField("発表の場（イベント名）", validators=[Length(max=300)])
    event_date = StringField("発表日（例: 2017-10-02）", validators=[Length(max=10)])
    # One row more than a case may have, so that the schema (not WTForms) explains the limit.
    participants = FieldList(FormField(ParticipantForm), min_entries=1, max_entries=MAX_PARTICIPANTS + 1)
    effects = FieldList(FormField(EffectForm), min_entries=0, max_entries=MAX_EFFECTS + 1)
    version = HiddenField()
    comment = StringField("変更の説明（履歴に残ります）", validators=[Length(max=500)])


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
