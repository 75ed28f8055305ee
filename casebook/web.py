"""What every page shares: CSRF protection, security headers and template helpers."""
from __future__ import annotations

from flask import Flask, request
from flask_wtf.csrf import CSRFProtect

from . import domain
from .services.searching import FACET_LABELS

csrf = CSRFProtect()

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
CENSUS_CREDIT = ("出典：政府統計の総合窓口(e-Stat)（https://www.e-stat.go.jp/）"
                 "「令和2年国勢調査 速報集計」（総務省統計局）を加工して作成")


def number(value) -> str:
    """Format an integer with thousands separators; '—' for None."""
    return "—" if value is None else f"{value:,}"


def effect_value(effect) -> str:
    """Show an effect's amount as typed by the curator, or '—'."""
    return effect.amount or "—"


def secure_headers(response):
    """Add the security headers every response carries."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def init_app(app: Flask) -> None:
    """Attach CSRF protection, headers and the template filters and globals."""
    csrf.init_app(app)
    app.after_request(secure_headers)
    app.jinja_env.filters.update(number=number, fiscal_year=domain.fiscal_year_label, effect_value=effect_value,
                                  total_population=domain.total_population)
    app.jinja_env.globals.update(
        FACET_LABELS=FACET_LABELS, KINDS=domain.PARTICIPANT_KINDS, ROLES=domain.ROLES,
        EFFECT_KINDS=domain.EFFECT_KINDS, EFFECT_DIRECTIONS=domain.EFFECT_DIRECTIONS,
        EFFECT_PERIODS=domain.EFFECT_PERIODS, EFFECT_STATUSES=domain.EFFECT_STATUSES,
        DETAIL_LEVELS=domain.DETAIL_LEVELS, CENSUS_CREDIT=CENSUS_CREDIT,
    )
    # WTForms' own Japanese messages (Flask-WTF would look for Flask-Babel instead).
    app.config.setdefault("WTF_I18N_ENABLED", False)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
