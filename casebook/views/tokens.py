"""Curators' personal API tokens (create, list, revoke) under /curate/tokens."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..auth import role_required
from ..db import get_session
from ..errors import InvalidInput
from ..services import tokens

bp = Blueprint("tokens", __name__, url_prefix="/curate/tokens")


class TokenForm(FlaskForm):
    """Name a new token after what will use it."""

    name = StringField("トークンの名前（用途）", validators=[
        DataRequired(message="用途が分かる名前を入力してください。"),
        Length(max=tokens.MAX_NAME, message=f"{tokens.MAX_NAME}文字以内で入力してください。")])


class RevokeTokenForm(FlaskForm):
    """Revoke one token (a form so that it carries a CSRF token)."""


def _page(form: TokenForm, created: str | None = None, status: int = 200):
    page = render_template("curate/tokens.html", form=form, revoke_form=RevokeTokenForm(), created=created,
                           tokens=tokens.list_tokens(get_session(), current_user))
    # The new token is in this page only: no cache may keep it.
    return page, status, {"Cache-Control": "no-store"}


@bp.get("/")
@role_required("curator")
def list_tokens():
    """My API tokens, and a form to make a new one."""
    return _page(TokenForm(formdata=None))


@bp.post("/")
@role_required("curator")
def create_token():
    """Make a token and show it once; only its hash is kept."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        _token, plain = tokens.create_token(get_session(), current_user, form.name.data)
    except InvalidInput as exc:
        form.name.errors = [message for _field, message in exc.errors]
        return _page(form, status=400)
    return _page(TokenForm(formdata=None), created=plain, status=201)


@bp.post("/<int:token_id>/revoke")
@role_required("curator")
def revoke_token(token_id: int):
    """Revoke one of my tokens; it stops working at the next request."""
    if not RevokeTokenForm().validate_on_submit():
        raise InvalidInput("送信内容が正しくありません。", [("csrf_token", "ページを読み込み直してください。")])
    token = tokens.revoke_token(get_session(), current_user, token_id)
    flash(f"トークン「{token.name}」（{token.prefix}…）を無効にしました。")
    return redirect(url_for("tokens.list_tokens"))
