"""What every page shares: CSRF protection, security headers and template helpers."""
from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

from flask import Flask, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

from . import case_fields, domain
from .search import FACET_LABELS

csrf = CSRFProtect()

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
CENSUS_CREDIT = ("出典：政府統計の総合窓口(e-Stat)（https://www.e-stat.go.jp/）"
                 "「令和2年国勢調査 速報集計」（総務省統計局）を加工して作成")


def number(value) -> str:
    """Format an integer with thousands separators; '—' for None."""
    return "—" if value is None else f"{value:,}"


def effect_value(effect) -> str:
    """Show an effect's amount as typed by the curator (with the change of a before→after figure), or '—'."""
    if not effect.amount:
        return "—"
    try:
        figure = domain.read_figure(effect.amount)
    except ValueError:
        return effect.amount
    change = figure.change
    if change is None or change.low == change.high == 0:
        return effect.amount
    size = domain.Quantity(abs(change.high), abs(change.low), change.unit) if change.high < 0 else change
    return f"{effect.amount}（{size.label()}{'減' if change.high < 0 else '増'}）"


def partial_date(value) -> str:
    """A date known to the day, month or year as 2018年10月2日, 2018年10月 or 2018年; '' for None."""
    if not value:
        return ""
    try:
        return domain.PartialDate.from_iso(value).label()
    except ValueError:
        return str(value)


_JST = ZoneInfo("Asia/Tokyo")
# Labels by bare field name (case_fields.py); the OpenAPI description labels its properties so.
FIELD_LABELS = case_fields.labels_by_name()


def localtime(value) -> str:
    """Show a UTC datetime in Japan time."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(_JST).strftime("%Y年%m月%d日 %H:%M")


def field_label(path: str) -> str:
    """participants[1].population -> 参加団体2 人口 (the registry's labels, case_fields.label)."""
    return case_fields.label(path)


def secure_headers(response):
    """Add the security headers every response carries."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    # The app names no software or version; the HTTP server adds its own Server header
    # (gunicorn, as casebook/gunicorn_conf.py sets it: "casebook"; the development server: its version).
    response.headers.pop("Server", None)
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


CACHEABLE_TYPES = ("text/html", "application/json", "application/atom+xml")
PRIVATE_PREFIXES = ("/curate", "/login", "/logout", "/tokens")


def revalidate(response):
    """Let public reads be cached and revalidated: an ETag (the body's hash, so it changes when
    the case, the index generation or anything shown changes), Cache-Control, and 304 Not
    Modified on If-None-Match. Only for GET answers that set no cookie, to readers not signed in;
    "public" when the request carried no cookie (a proxy may share it), else "private"."""
    if (request.method not in ("GET", "HEAD") or response.status_code != 200 or response.is_streamed
            or response.direct_passthrough or response.mimetype not in CACHEABLE_TYPES
            or request.path.startswith(PRIVATE_PREFIXES) or "Set-Cookie" in response.headers
            or session.modified or (session and not request.cookies) or current_user.is_authenticated
            or request.authorization is not None):
        return response
    if not response.get_etag()[0]:
        response.add_etag()
    response.headers.setdefault("Cache-Control", "private, no-cache" if request.cookies else "public, no-cache")
    return response.make_conditional(request)


class SessionInterface(SecureCookieSessionInterface):
    """The signed session cookie, marked Secure on every HTTPS request (and always with SECURE_COOKIES)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or request.is_secure


def init_app(app: Flask) -> None:
    """Attach CSRF protection, headers and the template filters and globals."""
    csrf.init_app(app)
    app.after_request(secure_headers)
    app.after_request(revalidate)  # runs before secure_headers (after_request runs last-added first)
    app.jinja_env.filters.update(number=number, fiscal_year=domain.fiscal_year_label, effect_value=effect_value,
                                  total_population=domain.total_population, localtime=localtime,
                                  field_label=field_label, partial_date=partial_date)
    app.jinja_env.globals.update(
        FACET_LABELS=FACET_LABELS, KINDS=domain.PARTICIPANT_KINDS, ROLES=domain.ROLES,
        EFFECT_KINDS=domain.EFFECT_KINDS, EFFECT_DIRECTIONS=domain.EFFECT_DIRECTIONS,
        EFFECT_PERIODS=domain.EFFECT_PERIODS, EFFECT_STATUSES=domain.EFFECT_STATUSES,
        DETAIL_LEVELS=domain.DETAIL_LEVELS, CENSUS_CREDIT=CENSUS_CREDIT, CASE_STATUSES=domain.CASE_STATUSES,
        ROLES_OF_USERS=domain.ROLES_OF_USERS, is_joint=domain.is_joint, COVERS=domain.COVERS,
    )
    # WTForms' own Japanese messages (Flask-WTF would look for Flask-Babel instead).
    app.config.setdefault("WTF_I18N_ENABLED", False)
    # Flask's own default is None (no SameSite attribute), so setdefault would keep that.
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config["SESSION_COOKIE_SECURE"] = bool(app.config["SECURE_COOKIES"])
    app.session_interface = SessionInterface()
    # Flask-Login's remember cookie is not used (duration 0), but gets the same flags should it ever be.
    app.config.setdefault("REMEMBER_COOKIE_SECURE", bool(app.config["SECURE_COOKIES"]))
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
