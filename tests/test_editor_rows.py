"""Issue 19 item 2 over HTTP: editor rows. A blank row just added stays on the page after 行を追加 and
確認 (and opens with focus, without JavaScript); a save drops blank rows; rows numbered with gaps (as
static/editor.js numbers them) are read."""
from __future__ import annotations

import re

from sqlmodel import Session

from casebook.db import get_engine
from casebook.services import cases

from .conftest import login
from .test_curate import case_form, edit_form

NEW = "/curate/cases/new"


def names(html: str, group: str) -> list[str]:
    """The row indexes of `group` on the page (outside the row template)."""
    html = re.sub(r"<template.*?</template>", "", html, flags=re.S)
    return re.findall(rf'name="{group}-(\d+)-position"', html)


def stored(app, slug="rpa-pilot"):
    with app.app_context(), Session(get_engine(app)) as db:
        return cases.get_case(db, slug, public=False)


def test_an_added_row_stays_while_blank_and_takes_focus(accounts):
    curator = login(accounts, "curator@example.jp")
    page = curator.post(NEW, data=case_form(curator, NEW, action="add_participant")).get_data(as_text=True)
    assert names(page, "participants") == ["0", "1", "2"]
    # Its first field takes focus (autofocus: without JavaScript too), and only that one.
    assert re.findall(r'<input[^>]*autofocus[^>]*>', page) == [
        re.search(r'<input[^>]*id="participants-2-position"[^>]*>', page).group(0)]
    # Pressed again while the new row is still blank: a second blank row, the first one kept.
    data = case_form(curator, NEW, action="add_participant", **{
        "participants-2-position": "3", "participants-2-role": "member", "participants-2-name": ""})
    page = curator.post(NEW, data=data).get_data(as_text=True)
    assert names(page, "participants") == ["0", "1", "2", "3"]
    assert 'id="participants-3-position"' in re.search(r'<input[^>]*autofocus[^>]*>', page).group(0)


def test_a_preview_keeps_blank_rows_and_a_save_drops_them(accounts):
    curator = login(accounts, "curator@example.jp")
    blank = {"effects-3-position": "4", "effects-3-kind": "cost", "effects-3-label": "", "effects-3-amount": "",
             "sources-0-position": "1", "sources-0-title": ""}
    page = curator.post(NEW, data=case_form(curator, NEW, action="preview", **blank)).get_data(as_text=True)
    assert "プレビュー（まだ保存されていません）" in page
    assert names(page, "effects") == ["0", "1", "2", "3"] and names(page, "sources") == ["0"]
    assert curator.post(NEW, data=case_form(curator, NEW, **blank)).status_code == 302
    case = stored(accounts)
    assert [e.label for e in case.effects] == ["入力作業時間", "委託料", "職員"] and case.sources == []


def test_an_invalid_save_keeps_blank_rows_after_the_rows_with_errors(accounts):
    curator = login(accounts, "curator@example.jp")
    data = case_form(curator, NEW, title="", **{"effects-0-label": "", "effects-0-amount": "", "effects-0-wording": "",
                                                "effects-1-label": ""})
    response = curator.post(NEW, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert names(page, "effects") == ["0", "1", "2"]            # the blank first row comes last
    assert re.search(r'id="effects-0-label"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="effects-0-label"', page)
    assert 'name="effects-0-amount" type="text" value="1,500万円"' in page


def test_rows_numbered_with_gaps_are_read_in_order(accounts):
    curator = login(accounts, "curator@example.jp")
    data = case_form(curator, NEW)
    moved = {k.replace("participants-1-", "participants-7-"): v for k, v in data.items()
             if k.startswith("participants-1-")}
    data = {k: v for k, v in data.items() if not k.startswith("participants-1-")}
    data.update(moved)
    data.update({"participants-12-position": "3", "participants-12-role": "member", "participants-12-name": "乙町",
                 "participants-12-kind": "town", "participants-12-prefecture": "高知県"})
    assert curator.post(NEW, data=data).status_code == 302
    assert [p.name for p in stored(accounts).participants] == ["甲市", "高知市", "乙町"]


def test_a_row_index_that_is_not_a_number_is_ignored(accounts):
    curator = login(accounts, "curator@example.jp")
    data = case_form(curator, NEW, **{"participants-__index__-name": "写し損ね", "participants--1-name": "負"})
    assert curator.post(NEW, data=data).status_code == 302
    assert [p.name for p in stored(accounts).participants] == ["甲市", "高知市"]


def test_the_page_carries_a_row_template_per_list(accounts):
    editor = login(accounts, "editor@example.jp")
    page = editor.get("/curate/cases/kochi-madoguchi-itaku/edit").get_data(as_text=True)
    for group in ("participants", "effects", "sources"):
        template = re.search(rf'<template id="{group}-template">(.*?)</template>', page, re.S).group(1)
        assert f'id="{group}-__index__-position"' in template and 'autofocus' not in template
        assert f'for="{group}-__index__-remove"' in template
    assert 'data-lookup="/api/v1/municipalities"' not in page or 'data-master-source=' in page
    assert '<script src="/static/editor.js" defer></script>' in page


def test_an_edit_page_add_row_round_trip_keeps_the_case(accounts):
    editor = login(accounts, "editor@example.jp")
    slug = "kochi-madoguchi-itaku"
    data = edit_form(editor, slug, action="add_source")
    page = editor.post(f"/curate/cases/{slug}/edit", data=data).get_data(as_text=True)
    before = len(stored(accounts, slug).sources)
    assert names(page, "sources") == [str(i) for i in range(before + 1)]
    assert stored(accounts, slug).version == 1


def test_a_row_index_of_odd_digits_is_no_server_error(accounts):
    curator = login(accounts, "curator@example.jp")
    data = case_form(curator, NEW, **{"participants-²-name": "上付き", "participants-１２-name": "全角"})
    assert curator.post(NEW, data=data).status_code in (302, 400)
