"""E-mail alerts for a search (services/alerts.py): /alerts/new, and the links of the messages.

The search page only links to /alerts/new?<its arguments>, so it sets no cookie; this page holds
the form with its CSRF token. A request is counted per client address and per e-mail address
(ALERT_RATE_LIMIT, default 5/hour each, counted in RATE_LIMIT_STORAGE as every limit) and answered
alike whatever the address's state, and for a filled-in honeypot. The confirm, manage and delete
forms carry CSRF tokens; the unsubscribe URL of List-Unsubscribe takes RFC 8058's one-click POST
without one (its token authorises it).
"""
from __future__ import annotations

import threading

from flask import Blueprint, current_app, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, StringField

from .. import search
from ..auth import client_address
from ..db import get_session
from ..errors import InvalidInput, TooManyRequests
from ..ratelimit import SharedLimiter, parse_rate, storage_of
from ..services import alerts
from ..services.mail import MailError
from ..web import csrf

bp = Blueprint("alerts", __name__, url_prefix="/alerts")

RATE_LIMIT = "5/hour"  # default of ALERT_RATE_LIMIT, per client address and per e-mail address
_creating = threading.Lock()


class AlertForm(FlaskForm):
    """An alert request (shape only: services/alerts checks it)."""

    email = EmailField("メールアドレス", render_kw={"autocomplete": "email", "maxlength": alerts.MAX_EMAIL})
    frequency = RadioField("頻度", choices=dict(alerts.FREQUENCIES), default="daily", validate_choice=False)
    # The honeypot: hidden from people (and from screen readers), filled in by form-filling bots.
    website = StringField("この欄は空のままにしてください", render_kw={"autocomplete": "off", "tabindex": "-1"})


class FrequencyForm(FlaskForm):
    """Change a subscription's frequency."""

    frequency = RadioField("頻度", choices=dict(alerts.FREQUENCIES), validate_choice=False)


class ButtonForm(FlaskForm):
    """A form of one button (confirm, delete): its CSRF token only."""


def _limiter() -> SharedLimiter | None:
    value = current_app.config.get("ALERT_RATE_LIMIT", RATE_LIMIT)
    limiters = current_app.extensions.setdefault("casebook.alert_limiters", {})
    with _creating:
        if limiters.get("value") != value or "limiter" not in limiters:
            rate = parse_rate(value, "ALERT_RATE_LIMIT")
            limiters.update(value=value, limiter=SharedLimiter(*rate, storage_of(current_app)) if rate else None)
    return limiters["limiter"]


def _count(*clients: str) -> None:
    limiter = _limiter()
    for client in clients:
        wait = limiter.hit(f"alert:{client}") if limiter else 0
        if wait:
            minutes = max(1, round(wait / 60))
            raise TooManyRequests(f"短い時間に多くの申込みがありました。約{minutes}分待ってから、もう一度お申し込みください。",
                                  retry_after=wait)


def _search():
    args = search.parse_args(request.args)
    params = alerts.canonical_params(args)
    return args, params, alerts.describe(get_session(), search.get_index(), args)


def _new_page(form, status: int = 200, **context):
    _args, params, title = _search()
    action = url_for("alerts.request_alert") + (f"?{params}" if params else "")
    back = url_for("public.search_cases") + (f"?{params}" if params else "")
    return render_template("public/alert_new.html", form=form, title=title, action=action, back=back,
                           **context), status


@bp.get("/new")
def new_alert():
    """The alert request form for the search in the URL's arguments."""
    return _new_page(AlertForm(formdata=None))


@bp.post("/new")
def request_alert():
    """Store a pending subscription and mail its confirmation link; the same answer for every address."""
    form = AlertForm()  # the CSRF token was checked before the view (web.csrf)
    args, _params, _title = _search()
    _count(f"address:{client_address()}")
    if (form.website.data or "").strip():
        return _new_page(form, sent=True)
    email = (form.email.data or "").strip()
    if email:
        _count(f"email:{email[:254].lower()}")
    db = get_session()
    try:
        alerts.request_subscription(db, search.get_index(), current_app.config, current_app.instance_path,
                                    args, form.email.data, form.frequency.data)
    except InvalidInput as exc:
        for name, message in exc.errors:
            getattr(form, name).errors = [message]
        return _new_page(form, 400)
    except MailError:
        current_app.logger.warning("alert confirmation not sent", exc_info=True)
        return _new_page(form, 503, unsent=True)
    return _new_page(form, sent=True)


def _subscription_page(template: str, sub, status: int = 200, **context):
    title = ""
    try:
        args = alerts.parse_params(sub.params, current_app.config, search.get_index().bands)
        title = alerts.describe(get_session(), search.get_index(), args)
    except InvalidInput:
        title = "（現在は使えない検索条件）"
    return render_template(template, sub=sub, title=title, frequencies=alerts.FREQUENCIES, **context), status


@bp.get("/confirm/<token>")
def confirm_page(token: str):
    """The confirmation page of a pending subscription: one button (so a link checker confirms nothing)."""
    sub = alerts.pending(get_session(), token)
    return _subscription_page("public/alert_confirm.html", sub, form=ButtonForm(formdata=None), token=token)


@bp.post("/confirm/<token>")
def confirm(token: str):
    """Confirm the subscription; show its manage link."""
    db = get_session()
    sub = alerts.confirm(db, token)
    manage = alerts.manage_token(current_app.config["SECRET_KEY"], sub)
    return _subscription_page("public/alert_confirm.html", sub, done=True, manage=manage)


@bp.get("/manage/<token>")
def manage(token: str):
    """Change the frequency of a subscription, or delete it (and the address)."""
    sub = alerts.by_manage_token(get_session(), token)
    return _subscription_page("public/alert_manage.html", sub, token=token,
                              form=FrequencyForm(formdata=None, frequency=sub.frequency), delete_form=ButtonForm(formdata=None))


@bp.post("/manage/<token>")
def change_frequency(token: str):
    db = get_session()
    sub = alerts.by_manage_token(db, token)
    form = FrequencyForm()
    status, saved = 200, True
    try:
        alerts.set_frequency(db, sub, form.frequency.data)
    except InvalidInput as exc:
        form.frequency.errors = [message for _name, message in exc.errors]
        status, saved = 400, False
    return _subscription_page("public/alert_manage.html", sub, status, token=token, form=form,
                              delete_form=ButtonForm(formdata=None), saved=saved)


@bp.post("/manage/<token>/delete")
def delete(token: str):
    db = get_session()
    alerts.remove(db, alerts.by_manage_token(db, token))
    return render_template("public/alert_unsubscribe.html", done=True)


@bp.get("/unsubscribe/<token>")
def unsubscribe_page(token: str):
    """Ask before unsubscribing (a link checker's GET deletes nothing)."""
    alerts.by_manage_token(get_session(), token)
    return render_template("public/alert_unsubscribe.html", token=token)


@bp.post("/unsubscribe/<token>")
@csrf.exempt
def unsubscribe(token: str):
    """Delete the subscription: the page's button, or a mail program's RFC 8058 one-click POST."""
    alerts.unsubscribe(get_session(), token)  # already gone: the same answer
    return render_template("public/alert_unsubscribe.html", done=True)


@bp.app_template_global()
def alert_link(args: search.SearchArgs) -> str:
    """The alert request page for a search (its canonical arguments)."""
    params = alerts.canonical_params(args)
    return url_for("alerts.new_alert") + (f"?{params}" if params else "")
