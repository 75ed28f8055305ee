"""Curator pages for bulk work: import (dry run, then commit), templates, export, review queue."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import search
from ..auth import role_required
from ..blueprints import curate as bp
from ..db import get_session
from ..errors import InvalidInput
from ..forms import ImportCommitForm, ImportForm
from ..responses import download
from ..services import bulk, cases, quality, workbook
from ..services.unit import unit_of_work


@bp.route("/import", methods=["GET", "POST"])
@role_required("curator")
def import_cases():
    """Upload a file for a dry run: every problem by row, column and reason; nothing is written."""
    form = ImportForm()
    if not current_user.is_editor:
        form.mode.choices = {"draft": bulk.STATUS_MODES["draft"]}
    plan = pending = None
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read()
        try:
            plan = bulk.plan_import(get_session(), data, upload.filename or "", current_user, form.mode.data)
        except InvalidInput as exc:
            form.file.errors = [exc.message, *(f"{w}: {m}" for w, m in exc.errors)]
            status = 400
        else:
            if plan.ok:
                pending = bulk.stash_upload(get_session(), current_user, data, upload.filename or "upload")
            else:
                status = 400
    elif request.method == "POST":
        status = 400
    commit_form = ImportCommitForm(pending=pending, mode=form.mode.data) if pending else None
    return render_template("curate/import.html", form=form, plan=plan, commit_form=commit_form,
                           modes=bulk.STATUS_MODES), status


@bp.post("/import/commit")
@role_required("curator")
def commit_import():
    """Apply a checked upload: all rows in one transaction, or none."""
    form = ImportCommitForm()
    if not form.validate_on_submit():
        raise InvalidInput("送信内容が正しくありません。", [("pending", "もう一度ファイルを選んでください。")])
    db = get_session()
    pending = bulk.take_upload(db, current_user, form.pending.data)
    try:
        with unit_of_work(db, search.get_index()):
            plan = bulk.commit_import(db, pending.data, pending.filename, current_user, form.mode.data)
    except InvalidInput as exc:
        flash(f"{exc.message} " + " ".join(f"{w}: {m}" for w, m in exc.errors[:20]))
        return redirect(url_for("curate.import_cases"))
    bulk.drop_upload(db, pending)
    flash(f"{pending.filename} を取り込みました: 新規 {plan.count('create')} 件、更新 {plan.count('update')} 件、"
          f"変更なし {plan.count('unchanged')} 件。")
    return redirect(url_for("curate.home"))


@bp.get("/import/template.<fmt>")
@role_required("curator")
def import_template(fmt: str):
    """A template with the column layout and one example row."""
    if fmt not in ("csv", "xlsx"):
        raise InvalidInput("形式が正しくありません。", [("format", "csv または xlsx")])
    if fmt == "xlsx":
        return download(workbook.template_xlsx(cases.theme_labels(get_session())), fmt, "casebook-template")
    return download(workbook.template_csv(), fmt, "casebook-template")


@bp.get("/export.<fmt>")
@role_required("curator")
def export_all(fmt: str):
    """Every case in the database, all statuses."""
    if fmt not in bulk.FORMATS:
        raise InvalidInput("形式が正しくありません。", [("format", "csv, xlsx, json")])
    return download(bulk.export(bulk.records_for(get_session()), fmt), fmt, "casebook-all")


@bp.get("/queue")
@role_required("curator")
def review_queue():
    """Cases that need attention: incomplete, outline only, stale 見込み effects, not reviewed."""
    return render_template("curate/queue.html", items=quality.review_queue(get_session()))
