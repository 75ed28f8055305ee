"""Asking the secretariat about a case: /cases/<slug>/ask (services/inquiries.py), and the case page's Q&A.

The case page itself only links here, so an anonymous case page sets no cookie; this page holds
the form with its CSRF token. A submission is counted per address and per e-mail address
(INQUIRY_RATE_LIMIT, default 5/hour each), a filled-in honeypot field gets the same answer as a
real question but stores nothing, and a receipt the mail server does not accept is left to the
editors' inbox to send again: the question is kept either way.
"""
from __future__ import annotations

import threading

from flask import Blueprint, current_app, render_template
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField, TextAreaField

from .. import search
from ..auth import client_address
from ..db import get_session
from ..errors import InvalidInput, TooManyRequests
from ..ratelimit import RateLimiter, parse_rate
from ..services import inquiries
from ..services.unit import unit_of_work

bp = Blueprint("inquiries", __name__)

RATE_LIMIT = "5/hour"  # default of INQUIRY_RATE_LIMIT, per address and per e-mail address
_creating = threading.Lock()


class AskForm(FlaskForm):
    """A question about a case (shape only: services/inquiries.check_question checks it)."""

    name = StringField("お名前（必須）", render_kw={"autocomplete": "name", "maxlength": inquiries.MAX_NAME})
    organisation = StringField("所属（団体名・部署名）", render_kw={"autocomplete": "organization",
                                                          "maxlength": inquiries.MAX_ORGANISATION})
    email = EmailField("メールアドレス（必須）", render_kw={"autocomplete": "email", "maxlength": inquiries.MAX_EMAIL})
    question = TextAreaField("質問（必須）", render_kw={"rows": 8, "maxlength": inquiries.MAX_QUESTION})
    consent_to_publish = BooleanField("回答を、お名前・所属・メールアドレスを除いて、この事例のページに"
                                      "「質問と回答」として公開してよい")
    # The honeypot: hidden from people (and from screen readers), filled in by form-filling bots.
    website = StringField("この欄は空のままにしてください", render_kw={"autocomplete": "off", "tabindex": "-1"})


def _limiter() -> RateLimiter | None:
    value = current_app.config.get("INQUIRY_RATE_LIMIT", RATE_LIMIT)
    limiters = current_app.extensions.setdefault("casebook.inquiry_limiters", {})
    with _creating:
        if limiters.get("value") != value or "limiter" not in limiters:
            rate = parse_rate(value, "INQUIRY_RATE_LIMIT")
            limiters.update(value=value, limiter=RateLimiter(*rate) if rate else None)
    return limiters["limiter"]


def _count(*clients: str) -> None:
    limiter = _limiter()
    for client in clients:
        wait = limiter.hit(client) if limiter else 0
        if wait:
            minutes = max(1, round(wait / 60))
            raise TooManyRequests(f"短い時間に多くの問い合わせが送られました。約{minutes}分待ってから、もう一度お送りください。",
                                  retry_after=wait)


def _page(case, form, status: int = 200, **context):
    return render_template("public/ask.html", case=case, form=form, **context), status


@bp.get("/cases/<slug>/ask")
def ask(slug: str):
    """The form to ask the secretariat about a published case."""
    case = inquiries.askable_case(get_session(), slug)
    return _page(case, AskForm(formdata=None))


@bp.post("/cases/<slug>/ask")
def submit_question(slug: str):
    """Store the question and send its receipt; a bot's submission (the honeypot) is answered alike."""
    db = get_session()
    case = inquiries.askable_case(db, slug)
    form = AskForm()  # the CSRF token was checked before the view (web.csrf)
    _count(f"address:{client_address()}")
    if (form.website.data or "").strip():
        return _page(case, form, sent=True, receipt=True)
    email = (form.email.data or "").strip().lower()
    if email:
        _count(f"email:{email[:254]}")
    try:
        with unit_of_work(db, search.get_index()):
            inquiry = inquiries.submit(db, slug, form.data, client_address())
    except InvalidInput as exc:
        for field, message in exc.errors:
            getattr(form, field).errors = [message]
        return _page(case, form, 400)
    with unit_of_work(db, search.get_index()):
        sent = inquiries.deliver(db, current_app.config, current_app.instance_path, inquiry)
    return _page(case, form, sent=True, receipt=sent, address=inquiry.email)


@bp.app_template_global()
def published_qa(case) -> list:
    """The questions and answers published on `case` (templates/public/_qa.html)."""
    return inquiries.published_qa(get_session(), case.id) if case is not None and case.id else []


@bp.app_template_global()
def inquiry_counts() -> dict[str, int]:
    """Open inquiries and unsent messages, for the curator navigation (editors)."""
    return inquiries.counts(get_session())
