"""Sign-in sessions (Flask-Login), session expiry and revocation, and the role guard for curator pages.

A session holds the user's `session_generation` from the moment of sign-in. Every request
compares it with the database; when the user's generation has been raised (sign-out, a new
password, a role change, deactivation, an editor ending their sessions: services/users.py),
the session no longer signs anyone in, wherever the cookie was copied to.
"""
from __future__ import annotations

import functools
import time
from datetime import timedelta

from flask import Flask, abort, current_app, request, session
from flask_login import LoginManager, current_user, login_user, logout_user

from .db import get_session
from .models import User


class _LoginManager(LoginManager):
    """Flask-Login with its "strong" session protection for sessions that name a user only.

    An anonymous reader's session holds a CSRF token and nobody to protect; checking it anyway
    marks it failed on every request, which re-sends the session cookie and a remember-cookie
    deletion with every page, so no public page could be cached for that reader.
    """

    def _session_protection_failed(self) -> bool:
        return "_user_id" in session and super()._session_protection_failed()


login_manager = _LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "このページを見るにはログインしてください。"
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


GENERATION = "session_generation"   # the session key holding the user's generation at sign-in


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the signed-in user; a deactivated user or a revoked session is signed out at its next request."""
    if not user_id.isdigit():
        return None
    user = get_session().get(User, int(user_id))
    if user is None or not user.active or session.get(GENERATION) != user.session_generation:
        # Empty the cookie too, so that it stops naming the user.
        session.clear()
        return None
    return user


def start_session(user: User) -> None:
    """Sign `user` in on a new session (no fixation) that carries their current generation."""
    session.clear()
    login_user(user)
    session.permanent = True
    session["signed_in_at"] = time.time()
    session[GENERATION] = user.session_generation


def end_session() -> None:
    """Sign out this browser (the user's other sessions end through their generation)."""
    logout_user()
    session.clear()


def role_required(role: str):
    """Refuse anonymous users (redirect to sign-in) and users without `role` (403)."""
    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.may(role):
                abort(403)
            return view(*args, **kwargs)
        wrapped.required_role = role
        return wrapped
    return decorator


def client_address() -> str:
    """The address used to throttle sign-ins: the client's own behind TRUSTED_PROXIES proxies (ProxyFix)."""
    return request.remote_addr or "unknown"


def _expire_old_sessions() -> None:
    started = session.get("signed_in_at")
    if current_user.is_authenticated and (
            not isinstance(started, (int, float))
            or time.time() - started > current_app.config["SESSION_HOURS"] * 3600):
        end_session()


def init_app(app: Flask) -> None:
    """Attach Flask-Login; sessions last SESSION_HOURS from sign-in and expire when idle as long."""
    hours = app.config["SESSION_HOURS"]
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(hours=hours))
    app.config.setdefault("REMEMBER_COOKIE_DURATION", timedelta(seconds=0))
    login_manager.init_app(app)
    app.before_request(_expire_old_sessions)
