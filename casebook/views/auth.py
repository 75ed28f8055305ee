"""Signing in and out."""
from __future__ import annotations

import time

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..auth import client_address
from ..db import get_session
from ..errors import InvalidInput
from ..forms import LoginForm
from ..services import audit, users

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("curate.home")


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
            session.clear()  # a new session on sign-in (no fixation)
            login_user(user)
            session.permanent = True
            session["signed_in_at"] = time.time()
            return redirect(_safe_next(form.next.data))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Sign out (a POST with a CSRF token, so that no link can sign anyone out)."""
    if current_user.is_authenticated:
        db = get_session()
        audit.record(db, "logout", current_user, target=current_user.email, address=client_address())
        db.commit()
    logout_user()
    session.clear()
    flash("ログアウトしました。")
    return redirect(url_for("public.home"))
