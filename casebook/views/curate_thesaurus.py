"""Curator page for the search thesaurus (editors): its lines, add, change, remove or restore, a word test, the export.

The reviewed file shipped with casebook stays as it is; changes are stored over it and every one
is in the audit log (services/thesaurus_edits.py). Searches in this process use a change at once,
other processes within INDEX_POLL_SECONDS (search/search.thesaurus_live.py).
"""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField
from wtforms.validators import Length

from .. import search
from ..auth import role_required
from ..blueprints import curate as bp
from ..db import get_session
from ..errors import Conflict, InvalidInput
from ..services import thesaurus_edits
from ..services.thesaurus_edits import KINDS, MAX_INPUT, MAX_WORDS, ORIGINS
from ..services.unit import unit_of_work

MAX_TEST = 200  # characters of the word test
WORDS_HELP = (f"語はスペースか「、」で区切ります（{MAX_WORDS}語まで、1語2文字以上）。"
              "「狭い語 → 広い語」では、最初の語が狭い語、2語目からが広い語です（例: 住民票 証明書）。")


class FamilyForm(FlaskForm):
    """A thesaurus line: its kind and its words (shape only; the service checks the words)."""

    kind = RadioField("種類", choices=dict(KINDS), default="=", validate_choice=False)  # the service checks it
    words = StringField("語", validators=[Length(max=MAX_INPUT, message=f"入力が長すぎます（{MAX_INPUT}文字まで）。")])
    expected = HiddenField()


class ConfirmForm(FlaskForm):
    """A removal or restore, asked once more (confirmed=yes), with the line as the editor saw it."""

    expected = HiddenField()
    confirmed = HiddenField()


@bp.get("/thesaurus")
@role_required("editor")
def thesaurus():
    """The lines of the thesaurus in effect, filtered by a word, with the add form and the word test."""
    return _render(FamilyForm(formdata=None))


@bp.post("/thesaurus")
@role_required("editor")
def add_family():
    """Add a family of equivalent words, or a narrower word with its broader ones."""
    form = FamilyForm()
    if not form.validate_on_submit():
        return _render(form), 400
    try:
        with unit_of_work(get_session(), search.get_index()):
            family = thesaurus_edits.add_family(get_session(), form.kind.data, form.words.data or "", current_user)
    except InvalidInput as exc:
        _attach(form, exc)
        return _render(form), 400
    search.thesaurus_live.forget()
    flash(f"追加しました: {_shown(family)}。検索にすぐ使われます。")
    return redirect(url_for("curate.thesaurus", word=family.words[0]))


def _render(form: FamilyForm):
    db = get_session()
    word = (request.args.get("word") or "").strip()[:MAX_TEST]
    test = (request.args.get("test") or "").strip()[:MAX_TEST]
    expansions, dropped = search.thesaurus_live.expand(test) if test else ([], [])
    every = thesaurus_edits.list_families(db)
    return render_template("curate/thesaurus.html", form=form, families=thesaurus_edits.matching(every, word),
                           word=word, test=test, expansions=expansions, dropped=dropped,
                           widened=any(len(e.forms) > 1 for e in expansions), kinds=KINDS, origins=ORIGINS,
                           help=WORDS_HELP, total=len(every), changed=sum(f.origin != "shipped" for f in every),
                           inert=thesaurus_edits.inert_changes(db))


@bp.route("/thesaurus/<ref>/edit", methods=["GET", "POST"])
@role_required("editor")
def edit_family(ref: str):
    """Change a line's kind and words (a shipped line changed back to the file's words is the file's again)."""
    db = get_session()
    family = thesaurus_edits.get_family(db, ref)
    if request.method == "GET":
        form = FamilyForm(formdata=None, kind=family.kind, words=" ".join(family.words), expected=family.stamp)
        return render_template("curate/thesaurus_edit.html", form=form, family=family, origins=ORIGINS, help=WORDS_HELP)
    form = FamilyForm()
    if not form.validate_on_submit():
        return render_template("curate/thesaurus_edit.html", form=form, family=family, origins=ORIGINS,
                               help=WORDS_HELP), 400
    try:
        with unit_of_work(db, search.get_index()):
            changed = thesaurus_edits.change_family(db, ref, form.kind.data, form.words.data or "", current_user,
                                                    form.expected.data or None)
    except Conflict:
        flash("編集中にほかの人がこの行を変更しました。いまの内容を確認して、もう一度編集してください。")
        return redirect(url_for("curate.edit_family", ref=ref))
    except InvalidInput as exc:
        _attach(form, exc)
        return render_template("curate/thesaurus_edit.html", form=form, family=family, origins=ORIGINS,
                               help=WORDS_HELP), 400
    search.thesaurus_live.forget()
    flash("変更はありませんでした。" if changed is None else f"保存しました: {_shown(changed)}。検索にすぐ使われます。")
    return redirect(url_for("curate.thesaurus", word=(changed or family).words[0]))


@bp.post("/thesaurus/<ref>/remove")
@role_required("editor")
def remove_family(ref: str):
    """Remove a line, after a confirmation page (a second POST with confirmed=yes)."""
    return _confirmed_step(ref, "remove")


@bp.post("/thesaurus/<ref>/restore")
@role_required("editor")
def restore_family(ref: str):
    """Put a changed or removed shipped line back as the file has it, after a confirmation page."""
    return _confirmed_step(ref, "restore")


STEPS = {
    "remove": ("本当にこの行を削除しますか",
               "削除すると、これらの語はたがいを見つけなくなります。標準辞書の行なら、あとで標準辞書に戻せます。",
               "削除する", "削除しました"),
    "restore": ("本当にこの行を標準辞書に戻しますか", "編集者による変更・削除を取り消し、標準辞書の内容に戻します。",
                "標準辞書に戻す", "標準辞書に戻しました"),
}


def _confirmed_step(ref: str, step: str):
    db = get_session()
    form = ConfirmForm()
    if not form.validate_on_submit():
        raise InvalidInput("送信内容が正しくありません。", [("confirmed", "ページを読み込み直してください。")])
    family = thesaurus_edits.get_family(db, ref)
    question, note, button, done = STEPS[step]
    if form.confirmed.data != "yes":
        return render_template("curate/thesaurus_confirm.html", family=family, question=question, note=note,
                               button=button, form=form, origins=ORIGINS,
                               target=url_for(f"curate.{step}_family", ref=ref), back=url_for("curate.thesaurus"))
    try:
        with unit_of_work(db, search.get_index()):
            if step == "remove":
                result = thesaurus_edits.remove_family(db, ref, current_user, form.expected.data or None)
            else:
                result = thesaurus_edits.restore_family(db, ref, current_user)
    except Conflict:
        flash("操作の前にほかの人がこの行を変更しました。いまの内容を確認して、もう一度操作してください。")
        return redirect(url_for("curate.thesaurus"))
    search.thesaurus_live.forget()
    flash(f"{done}: {_shown(result)}。")
    return redirect(url_for("curate.thesaurus"))


@bp.post("/thesaurus/prune")
@role_required("editor")
def prune_thesaurus():
    """Delete the stored changes the shipped file has taken in since (they change no search)."""
    if not ConfirmForm().validate_on_submit():
        raise InvalidInput("送信内容が正しくありません。", [("confirmed", "ページを読み込み直してください。")])
    with unit_of_work(get_session(), search.get_index()):
        removed = thesaurus_edits.prune(get_session(), current_user)
    search.thesaurus_live.forget()
    flash(f"標準辞書に含まれている変更 {removed} 件を片付けました（検索は変わりません）。")
    return redirect(url_for("curate.thesaurus"))


@bp.get("/thesaurus.tsv")
@role_required("editor")
def export_thesaurus():
    """The thesaurus in effect as a file in the shipped format (to review and put into casebook/data/thesaurus.tsv)."""
    response = Response(thesaurus_edits.export(get_session()), mimetype="text/tab-separated-values")
    response.headers["Content-Type"] = "text/tab-separated-values; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="thesaurus.tsv"'
    return response


def _attach(form: FamilyForm, error: InvalidInput) -> None:
    """The service's reasons, each on its field (the words field for the rest)."""
    for name, message in error.errors or [("words", error.message)]:
        field = form.kind if name == "kind" else form.words
        field.errors = [*field.errors, message]


def _shown(family) -> str:
    if family.kind == ">":
        return f"{family.words[0]} → {'・'.join(family.words[1:])}"
    return "・".join(family.words)
