"""Flask-WTF forms (shape only; the services enforce the rules)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import NumberRange, Optional, Regexp


class ChooseGovernmentForm(FlaskForm):
    """Remember a government (by code) or a bare population for similar-size search."""

    code = StringField("団体コード", validators=[Optional(), Regexp(r"^[0-9]{6}$", message="団体コードは6桁の数字です。")])
    population = IntegerField("人口", validators=[
        Optional(), NumberRange(1, 50_000_000, message="人口は1〜5,000万の整数で入力してください。")])
    next = HiddenField()

    class Meta:
        locales = ["ja_JP", "ja"]


class ClearGovernmentForm(FlaskForm):
    """Forget the chosen government (a form so that it carries a CSRF token)."""

    next = HiddenField()
