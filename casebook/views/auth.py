"""Signing in and out."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth import client_address, end_session, start_session
from ..db import get_session
from ..errors import InvalidInput
from ..forms import LoginForm
from ..redirects import safe_next
from ..services import users

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password; repeated failures are slowed down, then refused."""
    form = LoginForm(next=request.args.get("next", ""))
    status = 200
    if form.validate_on_submit():
        try:
            user = users.authenticate(get_session(), form.email.data, form.password.data, client_address())
        except InvalidInput as exc:
            form.password.errors = [f"{exc.message}{' '.join(m for _f, m in exc.errors)}"]
            status = 401
        else:
            start_session(user)
            return redirect(safe_next(form.next.data, url_for("curate.home")))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Sign out, ending every session of the user (a POST with a CSRF token, so that no link can sign anyone out)."""
    if current_user.is_authenticated:
        users.sign_out(get_session(), current_user._get_current_object(), client_address())
    end_session()
    flash("ログアウトしました。")
    return redirect(url_for("public.home"))
