"""Curator pages: home, the case editor with preview, workflow, history and diffs, audit, users."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import blueprints, domain, search
from ..auth import end_session, role_required
from ..db import get_session
from ..errors import Conflict, InvalidInput
from ..forms import CaseForm, RestoreForm, TransitionForm, UserForm, UserUpdateForm, attach_errors, case_form, row_templates
from ..services import audit, cases, editor, merge, municipalities, quality, users, workflow
from ..services.unit import unit_of_work

bp = blueprints.curate


@bp.get("/")
@role_required("curator")
def home():
    """My drafts, cases waiting for review, other drafts and recently published cases."""
    return render_template("curate/home.html", lists=workflow.case_lists(get_session(), current_user))


@bp.route("/cases/new", methods=["GET", "POST"])
@role_required("curator")
def new_case():
    """Create a case (it starts as a draft)."""
    return _edit(None)


@bp.route("/cases/<slug>/edit", methods=["GET", "POST"])
@role_required("curator")
def edit_case(slug: str):
    """Edit every field of a case, its participants and its effects."""
    return _edit(slug)


def _edit(slug: str | None):
    db = get_session()
    case = cases.get_case(db, slug, public=False) if slug else None
    if case is not None and not workflow.may_edit(current_user, case):
        abort(403)
    themes = cases.theme_labels(db)
    if request.method == "GET":
        return _render_edit(case, case_form(editor.form_data(case), themes), themes)
    submitted = CaseForm()
    submitted.themes.choices = dict(themes)
    if not submitted.validate_on_submit():
        return _render_edit(case, submitted, themes, loose=["入力が長すぎる項目があります。"]), 400
    open_conflicts = [p for p in request.form.get("conflicts", "").split(",") if p in merge.paths()]
    resolve = {p: request.form.get(f"resolve-{p}", "") for p in open_conflicts} or None
    outcome = editor.submit(db, search.get_index(), case, submitted.data, request.form.get("action", "save"),
                            current_user, resolve)
    if outcome.kind in ("saved", "unchanged"):
        flash("変更はありませんでした。" if outcome.kind == "unchanged" else f"保存しました（版 {outcome.case.version}）。")
        return redirect(url_for("curate.edit_case", slug=outcome.case.slug))
    if outcome.kind in ("conflict", "unresolved"):
        started = _version_field(request.form.get("started_from"), outcome.expected)
        return _render_conflict(outcome, started, themes), 409 if outcome.kind == "conflict" else 400
    form = case_form(outcome.form, themes)
    if outcome.kind == "invalid":
        return _render_edit(case, form, themes, checked=outcome.checked, loose=attach_errors(form, outcome.checked.errors),
                            message="保存はされていません。一覧の項目を選ぶと、その入力欄へ移動します。"), 400
    preview = outcome.case if outcome.kind == "preview" else None
    return _render_edit(case, form, themes, checked=outcome.checked, preview=preview, loose=outcome.notes,
                        added=outcome.added)


def _render_edit(case, form, themes, checked=None, preview=None, loose=(), message=None, added=None):
    db = get_session()
    raw_effects = checked.raw["effects"] if checked else []
    amounts = [editor.amount_preview(e.get("amount", "")) for e in raw_effects]
    context = {"case": case, "form": form, "amounts": amounts, "loose": list(loose), "message": message,
               "preview": preview, "has_master": municipalities.has_master(db), "added": added,
               "row_templates": row_templates(form, editor.ROW_STARTS), "master_source": editor.MASTER_SOURCE}
    if case is not None:
        context["transitions"] = workflow.allowed_transitions(current_user, case)
        context["transition_form"] = TransitionForm(version=case.version)
    if preview is not None:
        context.update(bands=search.get_index().bands, themes=themes, reference=None, linked=set(),
                       figures=cases.effect_figures(preview), master_credit=None)
    return render_template("curate/edit.html", **context)


def _version_field(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _render_conflict(outcome, started: int, themes):
    """A save based on an older version: this editor's changes merged onto the latest, and a choice
    for each field both changed. Saving the page as offered never undoes the other editor's change."""
    db = get_session()
    current = outcome.case
    base = editor.version_data(db, current, started)
    now = cases.case_data(current)
    between = workflow.diff(cases.content_json(base), cases.content_json(now)) if base else []
    merged = outcome.merged
    if merged is None:  # a forged version: nothing to merge with; the input is shown as typed
        form = case_form(editor.raw_form_data(outcome.checked.raw, current.version, ""), themes)
        choices = []
    else:
        form = case_form(outcome.form, themes)
        choices = [{"path": p, "label": merge.label(p), "mine": merge.shown(merged.data, p),
                    "theirs": merge.shown(now, p)} for p in merged.conflicts]
    return render_template("curate/conflict.html", case=current, expected=started, between=between, form=form,
                           choices=choices, taken=[merge.label(p) for p in (merged.theirs if merged else [])],
                           amounts=[editor.amount_preview(e.get("amount", "")) for e in outcome.form.get("effects", [])],
                           has_master=municipalities.has_master(db), loose=outcome.notes if outcome.kind == "unresolved"
                           else [], preview=None, message=None)


@bp.get("/cases/<slug>")
@role_required("curator")
def show_case(slug: str):
    """A case in any state, as the public would see it once published, with its workflow actions."""
    db = get_session()
    case = cases.get_case(db, slug, public=False)
    return render_template("curate/case.html", case=case, bands=search.get_index().bands,
                           themes=cases.theme_labels(db), reference=None, linked=set(),
                           figures=cases.effect_figures(case), master_credit=None,
                           transitions=workflow.allowed_transitions(current_user, case),
                           transition_form=TransitionForm(version=case.version),
                           may_edit=workflow.may_edit(current_user, case),
                           score=quality.completeness(case, quality.last_reviews(db).get(case.id)))


# Steps that change what the public sees, or undo work: each asks once more before it is done.
CONFIRM = {"publish": "本当に公開しますか", "unpublish": "本当に公開を停止して下書きに戻しますか",
           "archive": "本当にアーカイブしますか"}
CONFIRM_NOTES = {"publish": "公開すると、この事例は検索結果と事例のページにすぐ表示されます。",
                 "unpublish": "公開を停止すると、この事例は検索結果と事例のページから消え、下書きに戻ります。",
                 "archive": "アーカイブすると、この事例は検索結果と事例のページから消えます（あとで公開し直せます）。"}


def _confirmed() -> bool:
    return request.form.get("confirmed") == "yes"


@bp.post("/cases/<slug>/transition")
@role_required("curator")
def transition(slug: str):
    """Apply a workflow step (submit, return, publish, unpublish, archive) with a comment.

    Publishing, unpublishing and archiving first answer with a page that asks to confirm
    (a second POST with confirmed=yes and the same CSRF-protected fields); nothing changes before it."""
    form = TransitionForm()
    if not form.validate_on_submit():
        raise InvalidInput("送信内容が正しくありません。", [("action", "ページを読み込み直してください。")])
    try:
        version = int(form.version.data) if form.version.data else None
    except ValueError:
        version = None
    action = form.action.data
    if action in CONFIRM and action in workflow.TRANSITIONS and not _confirmed():
        case = cases.get_case(get_session(), slug, public=False)
        return render_template("curate/confirm.html", case=case, question=CONFIRM[action], note=CONFIRM_NOTES[action],
                               button=workflow.TRANSITIONS[action][3], action=action, version=version,
                               comment=form.comment.data or "", form=form,
                               target=url_for("curate.transition", slug=slug),
                               back=url_for("curate.show_case", slug=slug), changes=None)
    try:
        with unit_of_work(get_session(), search.get_index()):
            case = workflow.transition(get_session(), slug, action, current_user,
                                       form.comment.data or "", version)
    except Conflict:
        flash("操作の前にほかの人がこの事例を更新しました。最新の内容を確認してから、もう一度操作してください。")
        return redirect(url_for("curate.show_case", slug=slug))
    label = workflow.TRANSITIONS[action][3]
    flash(f"「{label}」を行いました（現在の状態: {domain.CASE_STATUSES.get(case.status, case.status)}）。")
    return redirect(url_for("curate.show_case", slug=slug))


@bp.get("/cases/<slug>/history")
@role_required("curator")
def history(slug: str):
    """Every revision: who, when, which step, with a form to compare any two."""
    case, revisions = workflow.history(get_session(), slug)
    return render_template("curate/history.html", case=case, revisions=revisions, actions=workflow.REVISION_ACTIONS,
                           restore_form=RestoreForm(version=case.version))


@bp.get("/cases/<slug>/diff")
@role_required("curator")
def diff(slug: str):
    """Field-by-field differences between two revisions (?a=1&b=3)."""
    db = get_session()
    case, revisions = workflow.history(db, slug)
    try:
        a, b = int(request.args.get("a", "")), int(request.args.get("b", ""))
    except ValueError as exc:
        raise InvalidInput("比べる版を2つ選んでください。", [("a", "版の番号を選んでください。")]) from exc
    old, new = workflow.get_revision(db, case, a), workflow.get_revision(db, case, b)
    return render_template("curate/diff.html", case=case, old=old, new=new,
                           changes=workflow.diff(old.content, new.content), revisions=revisions)


@bp.post("/cases/<slug>/restore/<int:number>")
@role_required("editor")
def restore(slug: str, number: int):
    """Restore an older revision; it becomes a new revision."""
    form = RestoreForm()
    if not form.validate_on_submit():
        raise InvalidInput("送信内容が正しくありません。", [("version", "ページを読み込み直してください。")])
    try:
        version = int(form.version.data) if form.version.data else None
    except ValueError:
        version = None
    if not _confirmed():
        db = get_session()
        case, _revisions = workflow.history(db, slug)
        revision = workflow.get_revision(db, case, number)
        current = cases.content_json(cases.case_data(case))
        state = domain.CASE_STATUSES.get(case.status, case.status)
        return render_template("curate/confirm.html", case=case, question=f"本当に版 {number} の内容に戻しますか",
                               note=f"版 {number} の内容が新しい版として保存されます。状態（{state}）は変わりません。"
                               "いまの内容は履歴に残ります。次の表は、戻すと変わる項目です。",
                               button=f"版 {number} に戻す", action=None, version=version, comment="", form=form,
                               target=url_for("curate.restore", slug=slug, number=number),
                               back=url_for("curate.history", slug=slug),
                               changes=workflow.diff(current, revision.content))
    try:
        with unit_of_work(get_session(), search.get_index()):
            case = workflow.restore(get_session(), slug, number, current_user, version)
    except Conflict:
        flash("復元の前にほかの人がこの事例を更新しました。履歴を確認してから、もう一度操作してください。")
        return redirect(url_for("curate.history", slug=slug))
    flash(f"版 {number} の内容を復元しました（新しい版 {case.version}）。")
    return redirect(url_for("curate.history", slug=slug))


@bp.get("/audit")
@role_required("editor")
def audit_log():
    """Sign-ins, failed sign-ins and every state change, newest first."""
    action = request.args.get("action") or None
    return render_template("curate/audit.html", entries=audit.recent(get_session(), 300, action),
                           actions=audit.ACTIONS, action=action)


@bp.route("/users", methods=["GET", "POST"])
@role_required("editor")
def manage_users():
    """List accounts and create new ones."""
    db = get_session()
    form = UserForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = users.create_user(db, form.email.data, form.password.data, form.role.data, form.name.data or "",
                                     by=current_user)
        except InvalidInput as exc:
            for field, message in exc.errors:
                getattr(form, field, form.email).errors = [message]
            status = 400
        else:
            flash(f"{user.email} を登録しました。")
            return redirect(url_for("curate.manage_users"))
    elif request.method == "POST":
        status = 400
    return render_template("curate/users.html", form=form, users=users.list_users(db), update_form=UserUpdateForm), status


@bp.post("/users/<int:user_id>")
@role_required("editor")
def update_user(user_id: int):
    """Change a user's role, or deactivate them."""
    form = UserUpdateForm()
    if not form.validate_on_submit():
        raise InvalidInput("送信内容が正しくありません。", [("role", "ページを読み込み直してください。")])
    user = users.update_user(get_session(), user_id, form.role.data, bool(form.active.data), current_user)
    flash(f"{user.email} を更新しました。")
    return redirect(url_for("curate.manage_users"))


@bp.post("/users/<int:user_id>/sessions")
@role_required("editor")
def end_sessions(user_id: int):
    """End every sign-in session of a user (the CSRF token is checked for every POST)."""
    own = user_id == current_user.id
    user = users.end_sessions(get_session(), user_id, current_user._get_current_object())
    if own:
        end_session()
    flash(f"{user.email} のログインをすべて終了しました。もう一度ログインするまで事例管理は使えません。")
    return redirect(url_for("auth.login" if own else "curate.manage_users"))
