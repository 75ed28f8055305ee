"""services/editor.submit: one submission of the editor and what it came to, without HTTP."""
from __future__ import annotations

import pytest
from sqlmodel import Session

from casebook import search
from casebook.db import get_engine
from casebook.schemas import MAX_PARTICIPANTS
from casebook.services import cases, editor, users

SLUG = "kochi-madoguchi-itaku"


@pytest.fixture
def editor_user(loaded_app, session):
    return users.create_user(session, "editor@example.jp", "correct-horse-battery", "editor")


def submit(app, session, user, action="save", **changes):
    case = cases.get_case(session, SLUG)
    form = {**editor.form_data(case), "comment": "", **changes}
    with app.app_context():
        return editor.submit(session, search.get_index(app), case, form, action, user)


def stored(app):
    with Session(get_engine(app)) as db:
        return cases.get_case(db, SLUG)


def test_saving_the_form_as_loaded_changes_nothing(loaded_app, session, editor_user):
    outcome = submit(loaded_app, session, editor_user)
    assert outcome.kind == "unchanged" and stored(loaded_app).version == 1


def test_a_change_is_saved_as_the_next_version_and_searchable(loaded_app, session, editor_user):
    outcome = submit(loaded_app, session, editor_user, title="編集サービスで変えた題名")
    assert outcome.kind == "saved" and outcome.case.version == 2
    assert stored(loaded_app).title == "編集サービスで変えた題名"
    with loaded_app.app_context():
        page = search.search_cases(session, search.get_index(loaded_app), search.SearchArgs(q="編集サービスで変えた"))
    assert [h.case.slug for h in page.hits] == [SLUG]


def test_errors_come_back_by_field_and_nothing_is_saved(loaded_app, session, editor_user):
    outcome = submit(loaded_app, session, editor_user, title="", start_fiscal_year="来年度")
    assert outcome.kind == "invalid"
    assert {path for path, _ in outcome.checked.errors} >= {"title", "start_fiscal_year"}
    assert outcome.form["start_fiscal_year"] == "来年度"  # shown again as typed
    assert stored(loaded_app).version == 1


def test_a_preview_is_the_case_as_it_would_be_and_is_not_saved(loaded_app, session, editor_user):
    outcome = submit(loaded_app, session, editor_user, action="preview", title="下見だけの題名")
    assert outcome.kind == "preview" and outcome.case.title == "下見だけの題名" and outcome.case.version == 2
    assert outcome.case not in session
    assert stored(loaded_app).title != "下見だけの題名"


def test_adding_a_row_keeps_the_input_and_refuses_past_the_limit(loaded_app, session, editor_user):
    outcome = submit(loaded_app, session, editor_user, action="add_participant", title="行を足す途中")
    before = len(editor.form_data(cases.get_case(session, SLUG))["participants"])
    assert outcome.kind == "rows" and outcome.notes == []
    assert len(outcome.form["participants"]) == before + 1 and outcome.form["participants"][-1]["role"] == "member"
    assert outcome.form["title"] == "行を足す途中" and stored(loaded_app).title != "行を足す途中"
    full = [{"role": "member", "name": f"団体{i}", "kind": "association", "position": i + 1}
            for i in range(MAX_PARTICIPANTS)]
    outcome = submit(loaded_app, session, editor_user, action="add_participant", participants=full)
    assert len(outcome.form["participants"]) == MAX_PARTICIPANTS
    assert outcome.notes == [f"参加団体は{MAX_PARTICIPANTS}件までです。行は追加していません。"]


def test_a_save_based_on_an_old_version_is_a_conflict_with_the_winner(loaded_app, session, editor_user):
    assert submit(loaded_app, session, editor_user, title="先に保存した題名").kind == "saved"
    outcome = submit(loaded_app, session, editor_user, version=1, summary="古い版からの要約")
    assert outcome.kind == "conflict" and outcome.expected == 1
    assert (outcome.case.version, outcome.case.title) == (2, "先に保存した題名")
    assert stored(loaded_app).summary != "古い版からの要約"


@pytest.mark.parametrize("version", ["abc", "1e3", ""])
def test_a_forged_version_never_overwrites(loaded_app, session, editor_user, version):
    outcome = submit(loaded_app, session, editor_user, version=version, title="偽の版からの題名")
    assert outcome.kind == "conflict" and stored(loaded_app).title != "偽の版からの題名"
