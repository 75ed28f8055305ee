"""Sign-in sessions (Flask-Login), session expiry, and the role guard for curator pages."""
from __future__ import annotations

import functools
import time
from datetime import timedelta

from flask import Flask, abort, current_app, request, session
from flask_login import LoginManager, current_user, logout_user

from .db import get_session
from .models import User
from .services.workflow import may

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "このページを見るにはログインしてください。"
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the signed-in user; deactivated users are signed out at their next request."""
    if not user_id.isdigit():
        return None
    user = get_session().get(User, int(user_id))
    return user if user is not None and user.active else None


def role_required(role: str):
    """Refuse anonymous users (redirect to sign-in) and users without `role` (403)."""
    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not may(current_user, role):
                abort(403)
            return view(*args, **kwargs)
        wrapped.required_role = role
        return wrapped
    return decorator


def client_address() -> str:
    """The address used to throttle sign-ins (set up ProxyFix when behind a proxy)."""
    return request.remote_addr or "unknown"


def _expire_old_sessions() -> None:
    started = session.get("signed_in_at")
    if current_user.is_authenticated and (
            not isinstance(started, (int, float))
            or time.time() - started > current_app.config["SESSION_HOURS"] * 3600):
        logout_user()
        session.clear()


def init_app(app: Flask) -> None:
    """Attach Flask-Login; sessions last SESSION_HOURS from sign-in and expire when idle as long."""
    hours = app.config["SESSION_HOURS"]
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(hours=hours))
    app.config.setdefault("REMEMBER_COOKIE_DURATION", timedelta(seconds=0))
    login_manager.init_app(app)
    app.before_request(_expire_old_sessions)
