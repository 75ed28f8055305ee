"""The inquiry inbox for editors, /curate/inquiries: forward, record the answer, close, spam, publish, retry.

Editors only: the inbox holds visitors' names and addresses, and what is said to a government in
the secretariat's name is the editors' responsibility; curators edit cases. Every action is a
POST with its CSRF token; closing, setting aside as spam and unpublishing ask once more.
The work is in services/inquiries.py; every step is in the audit log.
"""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, TextAreaField

from .. import search
from ..auth import role_required
from ..blueprints import curate as bp
from ..db import get_session
from ..errors import InvalidInput
from ..services import inquiries
from ..services.unit import unit_of_work

FILTERS = {"open": "対応中", "unsent": "メール未送信", **inquiries.STATUSES, "all": "すべて"}
CONFIRM = {  # action -> (question, note, button)
    "close": ("この問い合わせを終了しますか？", "終了すると、これ以上の転送や回答の記録はできません。"
              "個人情報は保存期間が過ぎると削除されます。", "終了する"),
    "spam": ("この問い合わせを「対応しない」にしますか？", "迷惑な送信などに使います。質問者にはメールを送りません。"
             "個人情報は保存期間が過ぎると削除されます。", "対応しないにする"),
    "unpublish": ("この質問と回答の公開をやめますか？", "事例のページから「質問と回答」が消えます。", "公開をやめる"),
}


class ForwardForm(FlaskForm):
    """The government's address and a cover note (the service checks both)."""

    to = EmailField("転送先のメールアドレス（団体の担当窓口）")
    note = TextAreaField("添え書き（転送メールの冒頭に入ります）", render_kw={"rows": 4})


class AnswerForm(FlaskForm):
    """The government's answer, as it will be mailed to the asker."""

    answer = TextAreaField("回答（質問者にメールで送ります）", render_kw={"rows": 8})


class PublishForm(FlaskForm):
    """The question as it will be shown on the case (personal details taken out by the editor)."""

    public_question = TextAreaField("公開する質問文（個人が分かる記述は除いてください）", render_kw={"rows": 5})


class ActionForm(FlaskForm):
    """An action without input: close, spam, unpublish, retry (confirmed=yes once asked)."""

    confirmed = HiddenField()


@bp.get("/inquiries")
@role_required("editor")
def list_inquiries():
    """The inbox: inquiries with their case and status, filtered by status."""
    status = request.args.get("status", "open")
    status = status if status in FILTERS else "open"
    db = get_session()
    return render_template("curate/inquiries.html", rows=inquiries.list_inquiries(db, status), status=status,
                           filters=FILTERS, statuses=inquiries.STATUSES, counts=inquiries.counts(db))


def _show(inquiry, status: int = 200, message: str = "", forward_form=None, answer_form=None, publish_form=None):
    db = get_session()
    case = inquiries.case_of(db, inquiry)
    forward_form = forward_form or ForwardForm(formdata=None, to=inquiry.forwarded_to)
    answer_form = answer_form or AnswerForm(formdata=None, answer=inquiry.answer)
    publish_form = publish_form or PublishForm(formdata=None, public_question=inquiry.public_question or inquiry.question)
    return render_template("curate/inquiries_show.html", inquiry=inquiry, case=case, statuses=inquiries.STATUSES,
                           forward_form=forward_form, answer_form=answer_form, publish_form=publish_form,
                           action_form=ActionForm(formdata=None), message=message), status


@bp.get("/inquiries/<int:inquiry_id>")
@role_required("editor")
def show_inquiry(inquiry_id: int):
    """One inquiry: the question, the asker, what was done, and the actions its status allows."""
    return _show(inquiries.get_inquiry(get_session(), inquiry_id))


def _attach(form: FlaskForm, exc: InvalidInput) -> str:
    """Put each error on its field; return the message that belongs to no field ('' if none)."""
    loose = [message for field, message in exc.errors if field not in form]
    for field, message in exc.errors:
        if field in form:
            form[field].errors = [message]
    return " ".join(loose) if exc.errors else exc.message


def _back(inquiry_id: int):
    return redirect(url_for("curate.show_inquiry", inquiry_id=inquiry_id))


@bp.post("/inquiries/<int:inquiry_id>/forward")
@role_required("editor")
def forward_inquiry(inquiry_id: int):
    """Mail the question to the government's address (without the asker's address) and record it."""
    db = get_session()
    inquiry = inquiries.get_inquiry(db, inquiry_id)
    form = ForwardForm()
    try:
        with unit_of_work(db, search.get_index()):
            inquiries.forward(db, current_app.config, current_app.instance_path, inquiry, form.to.data,
                              form.note.data, current_user)
    except InvalidInput as exc:
        return _show(inquiries.get_inquiry(db, inquiry_id), 400, _attach(form, exc), forward_form=form)
    flash(f"{inquiry.forwarded_to} に転送しました。")
    return _back(inquiry_id)


@bp.post("/inquiries/<int:inquiry_id>/answer")
@role_required("editor")
def answer_inquiry(inquiry_id: int):
    """Record the answer and mail it to the asker (kept as unsent, with a retry, if the mail fails)."""
    db = get_session()
    inquiry = inquiries.get_inquiry(db, inquiry_id)
    form = AnswerForm()
    try:
        with unit_of_work(db, search.get_index()):
            inquiries.record_answer(db, inquiry, form.answer.data, current_user)
    except InvalidInput as exc:
        return _show(inquiries.get_inquiry(db, inquiry_id), 400, _attach(form, exc), answer_form=form)
    _deliver(inquiry, "回答を記録し、質問者にメールで送りました。")
    return _back(inquiry_id)


def _deliver(inquiry, done: str) -> None:
    db = get_session()
    with unit_of_work(db, search.get_index()):
        sent = inquiries.deliver(db, current_app.config, current_app.instance_path, inquiry, current_user)
    flash(done if sent else "記録しましたが、質問者へのメールを送れませんでした（メール未送信）。"
                            "「メールを送り直す」で、もう一度送れます。")


@bp.post("/inquiries/<int:inquiry_id>/retry")
@role_required("editor")
def retry_mail(inquiry_id: int):
    """Send the asker the message the mail server did not accept before."""
    inquiry = inquiries.get_inquiry(get_session(), inquiry_id)
    if not inquiry.unsent:
        flash("送り直すメールはありません。")
    else:
        _deliver(inquiry, "質問者にメールを送りました。")
    return _back(inquiry_id)


@bp.post("/inquiries/<int:inquiry_id>/publish")
@role_required("editor")
def publish_inquiry(inquiry_id: int):
    """Show the question and answer on the case page (only if the asker consented)."""
    db = get_session()
    inquiry = inquiries.get_inquiry(db, inquiry_id)
    form = PublishForm()
    try:
        with unit_of_work(db, search.get_index()):
            inquiries.publish(db, inquiry, form.public_question.data, current_user)
    except InvalidInput as exc:
        return _show(inquiries.get_inquiry(db, inquiry_id), 400, _attach(form, exc), publish_form=form)
    flash("事例のページに「質問と回答」として公開しました。")
    return _back(inquiry_id)


@bp.post("/inquiries/<int:inquiry_id>/close", defaults={"action": "close"})
@bp.post("/inquiries/<int:inquiry_id>/spam", defaults={"action": "spam"})
@bp.post("/inquiries/<int:inquiry_id>/unpublish", defaults={"action": "unpublish"})
@role_required("editor")
def settle_inquiry(inquiry_id: int, action: str):
    """Close, set aside as spam or unpublish, after asking once more."""
    db = get_session()
    inquiry = inquiries.get_inquiry(db, inquiry_id)
    form = ActionForm()
    if form.confirmed.data != "yes":
        question, note, button = CONFIRM[action]
        return render_template("curate/inquiries_confirm.html", inquiry=inquiry, case=inquiries.case_of(db, inquiry),
                               question=question, note=note, button=button, form=ActionForm(formdata=None),
                               target=url_for("curate.settle_inquiry", inquiry_id=inquiry_id, action=action))
    try:
        with unit_of_work(db, search.get_index()):
            if action == "unpublish":
                inquiries.unpublish(db, inquiry, current_user)
            else:
                inquiries.close(db, inquiry, current_user, spam=action == "spam")
    except InvalidInput as exc:
        flash(exc.message)
        return _back(inquiry_id)
    flash({"close": "終了しました。", "spam": "「対応しない」にしました。", "unpublish": "公開をやめました。"}[action])
    return _back(inquiry_id)
