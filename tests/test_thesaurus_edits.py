"""Editors' changes to the search thesaurus (issue 17, item 1): the service's checks and audit, the curator page,
searches in this and other processes, and the export in the shipped format."""
import re

import pytest
from sqlmodel import Session, select

from casebook import search
from casebook.db import get_engine
from casebook.errors import Conflict, InvalidInput, NotFound
from casebook.models import AuditEntry, ThesaurusEntry
from casebook.search import thesaurus, thesaurus_changes, thesaurus_live
from casebook.services import thesaurus_edits as edits

from . import writes
from .conftest import case_data, login, make_app, token
from .test_search import api, slugs

DRONE = "ドローン 無人航空機 無人機"
NURSERY = thesaurus_changes.stamp("shipped", "=\t保育所\t保育園")  # the stamp of the shipped line, as a form sends it
MINUTES = thesaurus_changes.stamp("shipped", "=\t会議録\t議事録")


def ref_of(session, first_word):
    return next(f.ref for f in edits.list_families(session) if f.words[0] == first_word)


def add(session, kind, words, user=None):
    with _Unit(session):
        return edits.add_family(session, kind, words, user)


class _Unit:
    """Commit the block (services never commit), as the unit of work does."""

    def __init__(self, session):
        self.session = session

    def __enter__(self):
        return self

    def __exit__(self, kind, *_):
        self.session.commit() if kind is None else self.session.rollback()


# --- the service --------------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "words", "message"), [
    ("=", "", "語を入力してください"),
    ("=", "ドローン", "語を2つ以上"),
    ("=", "ドローン 機", "「機」は1文字です"),
    ("=", "ドローン どろーん", "「どろーん」が重複しています（「ドローン」と同じ語"),
    ("=", "保育園 こども園", "「保育園」はすでに別のグループ（保育所・保育園）にあります"),
    ("=", " ".join(f"語{i:02}" for i in range(13)), "語が多すぎます（13語）"),
    (">", "住民票 書類", "「住民票」の広い語はすでに登録されています（住民票 → 証明書）"),
    ("=", "ドローン ！！", "「！！」には検索できる文字"),
    ("=", "ドローン " + "あ" * 31, "長すぎます"),
    ("=", "ドローン =無人機", "「=無人機」に記号が含まれています"),
    ("?", "ドローン 無人機", "種類を選んでください"),
])
def test_a_line_that_cannot_be_stored_is_refused_with_the_reason(session, kind, words, message):
    with pytest.raises(InvalidInput) as refused:
        edits.add_family(session, kind, words, None)
    assert message in " ".join([refused.value.message, *(m for _f, m in refused.value.errors)])
    session.rollback()
    assert session.exec(select(ThesaurusEntry)).all() == []


def test_words_may_be_separated_by_spaces_commas_and_ideographic_commas():
    assert edits.read_words("ドローン、無人航空機, 無人機　UAV\n空撮\x00空中") == [
        "ドローン", "無人航空機", "無人機", "UAV", "空撮", "空中"]


def test_adding_a_family_stores_it_audits_it_and_the_thesaurus_in_effect_uses_it(session):
    family = add(session, "=", DRONE)
    assert (family.origin, family.words) == ("added", ("ドローン", "無人航空機", "無人機"))
    assert thesaurus_live.version(session) == 1
    assert set(thesaurus_live.build(session).synonyms("無人航空機")) == {"ドローン", "無人機"}
    assert "無人航空機" not in thesaurus.shipped().related  # the shipped thesaurus is not touched
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "thesaurus.add")).one()
    assert entry.actor == "system" and entry.detail == "=\tドローン\t無人航空機\t無人機"


def test_changing_a_shipped_line_and_back_leaves_only_the_file(session):
    ref = ref_of(session, "保育所")
    with _Unit(session):
        changed = edits.change_family(session, ref, "=", "保育所 保育園 こども園", None, expected=NURSERY)
    assert changed.origin == "changed" and changed.shipped.words == ("保育所", "保育園")
    assert "こども園" in thesaurus_live.build(session).synonyms("保育所")
    with _Unit(session):
        assert edits.change_family(session, ref, "=", "保育所 保育園 こども園", None) is None  # as before: nothing
        back = edits.change_family(session, ref, "=", "保育所 保育園", None)
    assert back.origin == "shipped" and session.exec(select(ThesaurusEntry)).all() == []
    actions = session.exec(select(AuditEntry.action)).all()
    assert actions == ["thesaurus.change", "thesaurus.change"]


def test_a_stale_edit_is_refused(session):
    ref = ref_of(session, "保育所")
    with pytest.raises(Conflict):
        edits.change_family(session, ref, "=", "保育所 保育園 こども園", None, expected="an older stamp")
    session.rollback()
    with pytest.raises(NotFound):
        edits.get_family(session, "s0000000000000000")


def test_removing_and_restoring_a_shipped_line(session):
    ref = ref_of(session, "会議録")
    with _Unit(session):
        edits.remove_family(session, ref, None)
    assert edits.get_family(session, ref).origin == "removed"
    assert thesaurus_live.build(session).synonyms("議事録") == ()
    assert "会議録\t議事録" not in thesaurus_live.export(session)
    with pytest.raises(InvalidInput):
        edits.change_family(session, ref, "=", "会議録 議事録 議会録", None)
    session.rollback()
    with _Unit(session):
        edits.restore_family(session, ref, None)
    assert thesaurus_live.build(session).synonyms("議事録") == ("会議録",)
    assert thesaurus_live.export(session) == thesaurus.shipped_text()


def test_removing_an_added_line_deletes_it(session):
    family = add(session, "=", DRONE)
    with _Unit(session):
        edits.remove_family(session, family.ref, None, expected=family.stamp)
    assert session.exec(select(ThesaurusEntry)).all() == []
    assert thesaurus_live.export(session) == thesaurus.shipped_text()


def test_the_export_is_the_shipped_file_with_the_changes_in_place_and_reads_back_the_same(session):
    assert thesaurus_live.export(session) == thesaurus.shipped_text()
    add(session, "=", DRONE)
    add(session, ">", "マイナ保険証 マイナンバーカード")
    with _Unit(session):
        edits.change_family(session, ref_of(session, "保育所"), "=", "保育所 保育園 こども園", None)
        edits.remove_family(session, ref_of(session, "会議録"), None)
    exported = thesaurus_live.export(session)
    shipped = thesaurus.shipped_text().splitlines()
    lines = exported.splitlines()
    assert lines[:lines.index("=\t保育所\t保育園\tこども園")] == shipped[:shipped.index("=\t保育所\t保育園")]
    assert "=\t会議録\t議事録" not in lines and lines[-3:] == [
        thesaurus_changes.ADDED_HEADING, "=\tドローン\t無人航空機\t無人機", ">\tマイナ保険証\tマイナンバーカード"]
    # put back as the shipped file, with no changes, it is the same thesaurus
    assert thesaurus.parse(exported).related == thesaurus_live.build(session).related
    assert thesaurus_changes.compose(exported, []) == exported
    in_effect = [(f.kind, f.words) for f in edits.list_families(session) if f.origin != "removed"]
    assert [(f.kind, f.words) for f in thesaurus_changes.families(exported, [])] == in_effect


def test_once_a_release_ships_the_export_the_changes_change_nothing_and_can_be_pruned(session, monkeypatch):
    add(session, "=", DRONE)
    with _Unit(session):
        edits.change_family(session, ref_of(session, "保育所"), "=", "保育所 保育園 こども園", None)
        edits.remove_family(session, ref_of(session, "会議録"), None)
    exported = thesaurus_live.export(session)
    monkeypatch.setattr(thesaurus, "shipped_text", lambda: exported)  # the next release ships the reviewed export
    assert thesaurus_live.export(session) == exported
    assert {f.origin for f in edits.list_families(session)} == {"shipped"}
    assert edits.inert_changes(session) == 3
    with _Unit(session):
        assert edits.prune(session, None) == 3
    assert session.exec(select(ThesaurusEntry)).all() == [] and thesaurus_live.export(session) == exported
    assert session.exec(select(AuditEntry.action).order_by(AuditEntry.id.desc())).first() == "thesaurus.prune"


def test_a_process_asks_for_the_counter_at_most_every_interval(app, session):
    live = thesaurus_live.Live(interval=3600)
    before = live.get(app)
    add(session, "=", DRONE)
    assert live.get(app) is before  # checked a moment ago: not asked again
    live.checked -= 3600
    assert "ドローン" in live.get(app).synonyms("無人機")
    live.checked -= 3600
    same = live.get(app)
    live.checked -= 3600
    assert live.get(app) is same  # the counter did not move: nothing rebuilt


def test_outside_an_app_searches_use_the_shipped_file():
    assert thesaurus_live.current() is thesaurus.shipped()


# --- the curator page ---------------------------------------------------------------------------

@pytest.fixture
def editor(accounts):
    return login(accounts, "editor@example.jp")


def test_the_page_is_for_editors_only(accounts):
    anonymous = accounts.test_client()
    assert anonymous.get("/curate/thesaurus").status_code == 302
    assert anonymous.get("/curate/thesaurus.tsv").status_code == 302
    curator = login(accounts, "curator@example.jp")
    assert curator.get("/curate/thesaurus").status_code == 403
    assert curator.get("/curate/thesaurus.tsv").status_code == 403
    response = curator.post("/curate/thesaurus", data={"csrf_token": token(curator, "/curate/"), "kind": "=",
                                                       "words": DRONE})
    assert response.status_code == 403
    assert "検索の同義語辞書" not in curator.get("/curate/").get_data(as_text=True)  # not in a curator's menu


def test_a_post_without_the_csrf_token_is_refused(editor, accounts):
    assert editor.post("/curate/thesaurus", data={"kind": "=", "words": DRONE}).status_code == 400
    ref = "e1"
    assert editor.post(f"/curate/thesaurus/{ref}/remove", data={"confirmed": "yes"}).status_code == 400
    with Session(get_engine(accounts)) as db:
        assert db.exec(select(ThesaurusEntry)).all() == []


def test_an_editor_adds_a_family_and_searches_here_and_in_another_process_find_it(editor, accounts, database_url,
                                                                                  tmp_path):
    with Session(get_engine(accounts)) as db:
        writes.save(db, search.get_index(accounts), case_data(slug="drone", title="ドローンによる橋梁点検"))
    assert "drone" not in slugs(api(editor, q="無人航空機"))
    home = editor.get("/curate/thesaurus").get_data(as_text=True)
    assert "検索の同義語辞書" in home and 'href="/curate/thesaurus.tsv"' in home
    response = editor.post("/curate/thesaurus", data={"csrf_token": token(editor, "/curate/thesaurus"),
                                                      "kind": "=", "words": "ドローン、無人航空機、無人機"})
    assert response.status_code == 302
    listed = editor.get(response.headers["Location"]).get_data(as_text=True)
    assert "追加しました: ドローン・無人航空機・無人機" in listed
    assert "drone" in slugs(api(editor, q="無人航空機"))  # this process: at once
    assert "ドローン" in editor.get("/curate/audit").get_data(as_text=True)

    other = make_app(database_url, tmp_path / "other")  # its own index; under TESTING it asks at every search
    try:
        with other.app_context():
            assert "ドローン" in thesaurus_live.current().synonyms("無人航空機")
            with Session(get_engine(other)) as db:
                search.rebuild_index(db, search.get_index(other))
        assert "drone" in slugs(api(other.test_client(), q="無人機"))
    finally:
        get_engine(other).dispose()


def test_an_invalid_line_shows_the_error_summary_and_keeps_the_input(editor):
    response = editor.post("/curate/thesaurus", data={"csrf_token": token(editor, "/curate/thesaurus"),
                                                      "kind": "=", "words": "保育園 こども園"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'class="error-summary"' in html and 'href="#words"' in html and 'aria-invalid="true"' in html
    assert "「保育園」はすでに別のグループ（保育所・保育園）にあります" in html and 'value="保育園 こども園"' in html
    too_long = editor.post("/curate/thesaurus", data={"csrf_token": token(editor, "/curate/thesaurus"),
                                                      "kind": "=", "words": "あ" * 5000})
    assert too_long.status_code == 400 and "入力が長すぎます" in too_long.get_data(as_text=True)
    forged = editor.post("/curate/thesaurus", data={"csrf_token": token(editor, "/curate/thesaurus"),
                                                    "kind": "x", "words": DRONE})
    assert forged.status_code == 400 and "「同義語のグループ」か「狭い語 → 広い語」を選んでください" in forged.get_data(as_text=True)


def test_an_editor_edits_a_shipped_line(editor):
    assert "ソフトウェアロボット" in editor.get("/curate/thesaurus?word=ｒｐａ").get_data(as_text=True)  # as searches compare
    page = editor.get("/curate/thesaurus?word=保育園").get_data(as_text=True)
    ref = re.search(r'href="/curate/thesaurus/(s[0-9a-f]+)/edit"', page).group(1)
    assert "保育所・保育園" in page and "会議録" not in page
    form = editor.get(f"/curate/thesaurus/{ref}/edit")
    assert form.status_code == 200 and 'value="保育所 保育園"' in form.get_data(as_text=True)
    csrf = token(editor, f"/curate/thesaurus/{ref}/edit")
    response = editor.post(f"/curate/thesaurus/{ref}/edit", data={
        "csrf_token": csrf, "kind": "=", "words": "保育所 保育園 こども園", "expected": NURSERY})
    assert response.status_code == 302
    listed = editor.get("/curate/thesaurus?word=こども園").get_data(as_text=True)
    assert "標準辞書を変更" in listed and "標準辞書: 保育所・保育園" in listed
    stale = editor.post(f"/curate/thesaurus/{ref}/edit", data={
        "csrf_token": csrf, "kind": "=", "words": "保育所 保育園 認定こども園", "expected": NURSERY})
    assert stale.status_code == 302 and "ほかの人がこの行を変更しました" in editor.get(stale.headers["Location"]).get_data(
        as_text=True)
    assert editor.get("/curate/thesaurus/nothing/edit").status_code == 404


def test_removing_asks_first_then_searches_stop_expanding(editor, accounts):
    page = editor.get("/curate/thesaurus?word=議事録").get_data(as_text=True)
    ref = re.search(r'action="/curate/thesaurus/(s[0-9a-f]+)/remove"', page).group(1)
    csrf = token(editor, "/curate/thesaurus")
    asked = editor.post(f"/curate/thesaurus/{ref}/remove", data={"csrf_token": csrf, "expected": MINUTES})
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "本当にこの行を削除しますか" in html and "まだ何も変わっていません" in html
    assert "会議録" in editor.get("/curate/thesaurus?test=議事録").get_data(as_text=True)
    done = editor.post(f"/curate/thesaurus/{ref}/remove", data={"csrf_token": csrf, "confirmed": "yes",
                                                                "expected": MINUTES})
    assert done.status_code == 302
    tested = editor.get("/curate/thesaurus?test=議事録").get_data(as_text=True)
    assert "辞書の語は使われません" in tested
    assert "標準辞書から削除" in editor.get("/curate/thesaurus?word=議事録").get_data(as_text=True)
    restored = editor.post(f"/curate/thesaurus/{ref}/restore", data={"csrf_token": csrf, "confirmed": "yes"})
    assert restored.status_code == 302
    assert editor.post("/curate/thesaurus/e999/remove", data={"csrf_token": csrf}).status_code == 404
    with Session(get_engine(accounts)) as db:
        logged = db.exec(select(AuditEntry.action, AuditEntry.actor)
                         .where(AuditEntry.action.startswith("thesaurus")).order_by(AuditEntry.id)).all()
    assert logged == [("thesaurus.remove", "editor@example.jp"), ("thesaurus.restore", "editor@example.jp")]


def test_the_word_test_shows_each_form_searched(editor):
    html = editor.get("/curate/thesaurus", query_string={"test": "保育園入所の事例"}).get_data(as_text=True)
    assert "保育所入所" in html and "保育園入園" in html and "<caption>「保育園入所の事例」で探される形</caption>" in html
    assert editor.get("/curate/thesaurus", query_string={"test": "！" * 500}).status_code == 200


def test_the_download_is_the_thesaurus_in_effect_in_the_shipped_format(editor):
    editor.post("/curate/thesaurus", data={"csrf_token": token(editor, "/curate/thesaurus"), "kind": ">",
                                           "words": "マイナ保険証 マイナンバーカード"})
    response = editor.get("/curate/thesaurus.tsv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/tab-separated-values; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="thesaurus.tsv"'
    text = response.get_data(as_text=True)
    assert text.startswith(thesaurus.shipped_text()) and text.endswith(">\tマイナ保険証\tマイナンバーカード\n")
    assert thesaurus.parse(text).synonyms("マイナ保険証") == ("マイナンバーカード",)


def test_the_page_offers_to_prune_changes_the_shipped_file_took_in(editor, monkeypatch):
    csrf = token(editor, "/curate/thesaurus")
    editor.post("/curate/thesaurus", data={"csrf_token": csrf, "kind": "=", "words": DRONE})
    assert "標準辞書に含まれている変更を片付ける" not in editor.get("/curate/thesaurus").get_data(as_text=True)
    exported = editor.get("/curate/thesaurus.tsv").get_data(as_text=True)
    monkeypatch.setattr(thesaurus, "shipped_text", lambda: exported)
    page = editor.get("/curate/thesaurus").get_data(as_text=True)
    assert "1 件は、標準辞書（更新されたファイル）にすでに含まれていて" in page
    assert editor.post("/curate/thesaurus/prune").status_code == 400  # no CSRF token
    done = editor.post("/curate/thesaurus/prune", data={"csrf_token": csrf})
    assert done.status_code == 302
    assert "変更 1 件を片付けました" in editor.get("/curate/thesaurus").get_data(as_text=True)
