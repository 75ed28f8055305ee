"""Issue 4: curators and editors through the browser-facing forms."""
import re

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from casebook import search
from casebook.db import get_engine
from casebook.errors import InvalidInput
from casebook.models import AuditEntry, Case, Revision
from casebook.services import cases, users

from .conftest import PASSWORD, login, token

SCRIPT = '<script>alert("x")</script>'


def case_form(client, url, **fields):
    """The editor's form data with two participants and three effects (overridable)."""
    data = {
        "csrf_token": token(client, url), "slug": "rpa-pilot", "title": "RPAによる入力作業の自動化",
        "detail": "full", "themes": ["ai-ict"], "tags": "RPA、AI-OCR", "start_fiscal_year": "令和元年度",
        "summary": "申請書の入力をRPAで自動化した。", "background": "", "approach": "", "outcome": "", "contact": "",
        "source_title": "", "source_publisher": "", "source_date": "2020-04-01", "source_url": "",
        "event_name": "", "event_date": "", "version": "0", "comment": "新規作成", "action": "save",
        "participants-0-position": "1", "participants-0-role": "lead", "participants-0-code": "",
        "participants-0-name": "甲市", "participants-0-prefecture": "高知県", "participants-0-kind": "city",
        "participants-0-population": "45,000", "participants-0-population_year": "2020",
        "participants-0-population_source": "",
        "participants-1-position": "2", "participants-1-role": "member", "participants-1-code": "392014",
        "participants-1-name": "高知市", "participants-1-prefecture": "高知県", "participants-1-kind": "city",
        "participants-1-population": "326814", "participants-1-population_year": "2020",
        "participants-1-population_source": "",
    }
    for i, (label, amount, kind) in enumerate([("入力作業時間", "年間約1,200時間", "time"),
                                               ("委託料", "1,500万円", "cost"), ("職員", "約2名", "staff")]):
        data.update({f"effects-{i}-position": str(i + 1), f"effects-{i}-kind": kind,
                     f"effects-{i}-direction": "reduction", f"effects-{i}-label": label,
                     f"effects-{i}-amount": amount, f"effects-{i}-period": "annual",
                     f"effects-{i}-status": "achieved", f"effects-{i}-wording": f"{label}を削減"})
    data["effects-0-amount"] = "約1,200時間"
    data.update(fields)
    return data


def search_total(client, q):
    return client.get("/api/v1/cases", query_string={"q": q}).get_json()["total"]


def index_is_clean(app):
    with app.app_context(), Session(get_engine(app)) as db:
        return search.check_index(db, search.get_index(app)).clean


def transition(client, slug, action, comment="", confirmed=True):
    """A workflow step as the page does it; publish, unpublish and archive confirmed on the second page."""
    page = client.get(f"/curate/cases/{slug}").get_data(as_text=True)
    version = re.search(r"</span> 版 (\d+) ・", page).group(1)
    return client.post(f"/curate/cases/{slug}/transition", data={
        "csrf_token": token(client, f"/curate/cases/{slug}"), "action": action, "version": version,
        "comment": comment, **({"confirmed": "yes"} if confirmed else {})})


def test_curator_drafts_editor_publishes_then_archives(accounts):
    curator = login(accounts, "curator@example.jp")
    response = curator.post("/curate/cases/new", data=case_form(curator, "/curate/cases/new"))
    assert response.status_code == 302 and response.headers["Location"] == "/curate/cases/rpa-pilot/edit"
    assert index_is_clean(accounts)
    with accounts.app_context(), Session(get_engine(accounts)) as db:
        case = cases.get_case(db, "rpa-pilot", public=False)
        assert case.status == "draft" and [p.name for p in case.participants] == ["甲市", "高知市"]
        assert [(e.label, e.value_low, e.unit) for e in case.effects] == [
            ("入力作業時間", 1200, "時間"), ("委託料", 15_000_000, "円"), ("職員", 2, "人")]
        assert case.start_fiscal_year == 2019 and case.tags == ["RPA", "AI-OCR"]
    assert search_total(accounts.test_client(), "RPA 自動化") == 0
    assert transition(curator, "rpa-pilot", "submit", "確認をお願いします").status_code == 302
    assert transition(curator, "rpa-pilot", "publish").status_code == 403
    assert index_is_clean(accounts)

    editor = login(accounts, "editor@example.jp")
    assert "rpa-pilot" in editor.get("/curate/").get_data(as_text=True)
    assert transition(editor, "rpa-pilot", "publish", "公開します").status_code == 302
    assert index_is_clean(accounts)
    public = accounts.test_client()
    assert search_total(public, "RPA 自動化") == 1
    assert "/cases/rpa-pilot" in public.get("/cases", query_string={"q": "RPA"}).get_data(as_text=True)
    assert public.get("/cases/rpa-pilot").status_code == 200

    assert transition(editor, "rpa-pilot", "archive", "役目を終えた").status_code == 302
    assert index_is_clean(accounts)
    assert search_total(public, "RPA 自動化") == 0
    assert public.get("/cases/rpa-pilot").status_code == 404
    with accounts.app_context(), Session(get_engine(accounts)) as db:
        revisions = db.exec(select(Revision).join(Case).where(Case.slug == "rpa-pilot").order_by(Revision.number)).all()
        assert [(r.number, r.action, r.status, r.author_label) for r in revisions] == [
            (1, "create", "draft", "curator@example.jp"), (2, "submit", "review", "curator@example.jp"),
            (3, "publish", "published", "editor@example.jp"), (4, "archive", "archived", "editor@example.jp")]
        assert revisions[1].comment == "確認をお願いします"


def test_errors_are_shown_next_to_fields_and_nothing_is_saved(accounts):
    curator = login(accounts, "curator@example.jp")
    data = case_form(curator, "/curate/cases/new", **{
        "title": "", "participants-1-code": "392015", "effects-1-amount": "たくさん", "themes": []})
    response = curator.post("/curate/cases/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="title-error">[^<]*必須', page)
    assert re.search(r'id="participants-1-code-error">[^<]*検査数字', page)
    assert re.search(r'id="effects-1-amount-error">[^<]*数値として読めません', page)
    assert 'aria-describedby="participants-1-code-error"' in page
    assert "保存はされていません" in page
    with accounts.app_context(), Session(get_engine(accounts)) as db:
        assert db.exec(select(Case).where(Case.slug == "rpa-pilot")).first() is None


def test_the_error_summary_lists_every_error_with_a_link_to_its_field(accounts):
    curator = login(accounts, "curator@example.jp")
    data = case_form(curator, "/curate/cases/new", **{
        "title": "", "participants-1-code": "392015", "effects-1-amount": "たくさん", "themes": []})
    page = curator.post("/curate/cases/new", data=data).get_data(as_text=True)
    summary = page.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert page.index('class="error-summary"') < page.index('<form id="case-form"')
    assert 'id="error-summary-title" tabindex="-1" data-focus-on-load' in summary
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    ids = [i for i, _ in links]
    assert {"title", "participants-1-code", "effects-1-amount", "themes-0"} <= set(ids), links
    for i in ids:
        assert f'id="{i}"' in page, i
    assert any(text.startswith("参加団体 2 団体コード: ") for _, text in links), links
    assert "保存はされていません" in summary
    assert page.count('role="alert"') == 1           # one summary, no second banner
    assert "focus.js" in page


def test_the_preview_opens_at_the_top(accounts):
    curator = login(accounts, "curator@example.jp")
    page = curator.post("/curate/cases/new", data=case_form(curator, "/curate/cases/new", action="preview")
                        ).get_data(as_text=True)
    assert 'id="preview-title" tabindex="-1" data-focus-on-load' in page
    assert page.index('id="preview-title"') < page.index('<form id="case-form"')
    assert "error-summary" not in page

def test_preview_parses_amounts_and_fills_from_the_master(accounts):
    from casebook.services import municipalities

    from .test_municipalities import CREDIT, MASTER
    with accounts.app_context(), Session(get_engine(accounts)) as db:
        municipalities.import_master(db, MASTER.read_bytes(), CREDIT)
    curator = login(accounts, "curator@example.jp")
    data = case_form(curator, "/curate/cases/new", action="preview", **{
        "participants-1-name": "", "participants-1-prefecture": "", "participants-1-kind": "",
        "participants-1-population": "", "participants-1-population_year": "", "participants-0-code": "023621",
        "participants-0-name": "", "participants-0-prefecture": "", "participants-0-kind": "",
        "participants-0-population": "", "effects-0-amount": "約10〜15%"})
    page = curator.post("/curate/cases/new", data=data).get_data(as_text=True)
    assert "読み取り結果: 値 約10〜15%、範囲、単位 %、修飾 約" in page
    assert "読み取り結果: 値 1,500万円、単位 円、円換算 15,000,000円" in page
    assert 'name="participants-0-name" type="text" value="大鰐町"' in page
    assert 'name="participants-1-population" type="text" value="326814"' in page
    assert "プレビュー（まだ保存されていません）" in page and "大鰐町" in page
    with accounts.app_context(), Session(get_engine(accounts)) as db:
        assert db.exec(select(Case).where(Case.slug == "rpa-pilot")).first() is None


def test_rows_can_be_added_removed_and_reordered(accounts):
    curator = login(accounts, "curator@example.jp")
    page = curator.post("/curate/cases/new", data=case_form(curator, "/curate/cases/new", action="add_participant"))
    assert 'name="participants-2-name"' in page.get_data(as_text=True)
    data = case_form(curator, "/curate/cases/new", **{
        "participants-0-position": "2", "participants-1-position": "1", "effects-2-remove": "y"})
    assert curator.post("/curate/cases/new", data=data).status_code == 302
    with accounts.app_context(), Session(get_engine(accounts)) as db:
        case = cases.get_case(db, "rpa-pilot", public=False)
        assert [p.name for p in case.participants] == ["高知市", "甲市"]
        assert [e.label for e in case.effects] == ["入力作業時間", "委託料"]


def test_duplicate_slug_is_refused(accounts):
    curator = login(accounts, "curator@example.jp")
    response = curator.post("/curate/cases/new", data=case_form(curator, "/curate/cases/new",
                                                                slug="kochi-madoguchi-itaku"))
    assert response.status_code == 400 and "すでに使われています" in response.get_data(as_text=True)


def edit_form(client, slug, **changes):
    """Read the edit form back as it is rendered and change some fields."""
    return form_of(client.get(f"/curate/cases/{slug}/edit").get_data(as_text=True), **changes)


def form_of(html, **changes):
    """The fields of the page's case form as a browser would send them (radio choices left out)."""
    data = {"action": "save"}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        data[name] = value
    for name, value in re.findall(r'<input[^>]*value="([^"]*)"[^>]*name="([^"]+)"', html):
        data.setdefault(value, name)
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\r?\n?([^<]*)</textarea>', html):
        data[name] = body
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', options)
        if chosen:
            data[name] = chosen.group(1) or chosen.group(2)
    data["themes"] = re.findall(r'<input checked[^>]*name="themes"[^>]*value="([^"]+)"', html) or \
        re.findall(r'name="themes" type="checkbox" value="([^"]+)" checked', html)
    data = {k: v for k, v in data.items() if not k.endswith("-remove") and not k.startswith("resolve-")}
    data.update(changes)
    return data


def test_concurrent_edits_merge_and_saving_the_page_as_offered_keeps_both(accounts):
    first, editor2 = login(accounts, "editor@example.jp"), login(accounts, "editor@example.jp")
    curator = login(accounts, "curator@example.jp")
    slug = "kochi-madoguchi-itaku"
    form_a = edit_form(first, slug, outcome="第一の編集者による成果")
    form_b = edit_form(editor2, slug, summary="第二の編集者による概要")
    assert form_a["version"] == form_b["version"] == "1"
    assert first.post(f"/curate/cases/{slug}/edit", data=form_a).status_code == 302
    response = editor2.post(f"/curate/cases/{slug}/edit", data=form_b)
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "ほかの人が先に更新しました" in page
    assert "あなたが変えた項目だけ" in page and 'name="conflicts"' not in page  # nothing both changed
    with accounts.app_context(), Session(get_engine(accounts)) as db:
        case = cases.get_case(db, slug)
        assert (case.outcome, case.version) == ("第一の編集者による成果", 2) and case.summary != "第二の編集者による概要"
        numbers = db.exec(select(Revision.number).where(Revision.case_id == case.id).order_by(Revision.number)).all()
        assert numbers == [1, 2]
    # Pressing 保存する on the page as offered keeps both editors' changes.
    assert editor2.post(f"/curate/cases/{slug}/edit", data=form_of(page)).status_code == 302
    with accounts.app_context(), Session(get_engine(accounts)) as db:
        case = cases.get_case(db, slug)
        assert (case.outcome, case.summary, case.version) == ("第一の編集者による成果", "第二の編集者による概要", 3)
    assert curator.get(f"/curate/cases/{slug}/edit").status_code == 403  # curators edit drafts only
    assert index_is_clean(accounts)


def test_a_field_both_editors_changed_needs_a_choice(accounts):
    first, second = login(accounts, "editor@example.jp"), login(accounts, "editor@example.jp")
    slug = "kochi-madoguchi-itaku"
    form_a = edit_form(first, slug, title="第一の題名", outcome="第一の成果")
    form_b = edit_form(second, slug, title="第二の題名", summary="第二の概要")
    assert first.post(f"/curate/cases/{slug}/edit", data=form_a).status_code == 302
    page = second.post(f"/curate/cases/{slug}/edit", data=form_b).get_data(as_text=True)
    assert 'name="conflicts" value="title"' in page and "あなたの内容: 第二の題名" in page
    assert "ほかの人の内容（版 2）: 第一の題名" in page
    # Saved as offered, without a choice: refused, nothing saved, the choice asked again.
    refused = second.post(f"/curate/cases/{slug}/edit", data=form_of(page))
    again = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "どちらの内容にするかを選んでください" in again
    with accounts.app_context(), Session(get_engine(accounts)) as db:
        assert cases.get_case(db, slug).version == 2
    chosen = second.post(f"/curate/cases/{slug}/edit", data={**form_of(again), "resolve-title": "theirs"})
    assert chosen.status_code == 302
    with accounts.app_context(), Session(get_engine(accounts)) as db:
        case = cases.get_case(db, slug)
        assert (case.title, case.outcome, case.summary, case.version) == ("第一の題名", "第一の成果", "第二の概要", 3)


def test_both_changed_rows_can_keep_mine(accounts):
    first, second = login(accounts, "editor@example.jp"), login(accounts, "editor@example.jp")
    slug = "chichibu-suido-kouikika"
    form_a = edit_form(first, slug, **{"effects-0-wording": "第一の文"})
    form_b = edit_form(second, slug, **{"effects-0-wording": "第二の文"})
    assert first.post(f"/curate/cases/{slug}/edit", data=form_a).status_code == 302
    page = second.post(f"/curate/cases/{slug}/edit", data=form_b).get_data(as_text=True)
    assert 'name="conflicts" value="effects"' in page
    assert second.post(f"/curate/cases/{slug}/edit", data={**form_of(page), "resolve-effects": "mine"}).status_code == 302
    with accounts.app_context(), Session(get_engine(accounts)) as db:
        assert cases.get_case(db, slug).effects[0].wording == "第二の文"


def test_diff_and_restore(accounts):
    editor = login(accounts, "editor@example.jp")
    slug = "hirosaki-jichitai-cloud"
    form = edit_form(editor, slug, **{"participants-2-population": "9000", "effects-0-amount": "約20%",
                                      "title": "改訂した題名", "effects-0-scales": "false"})
    assert editor.post(f"/curate/cases/{slug}/edit", data=form).status_code == 302
    diff = editor.get(f"/curate/cases/{slug}/diff?a=1&b=2").get_data(as_text=True)
    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="diff-old">([^<]*)</td><td class="diff-new">([^<]*)</td>',
                      diff)
    assert ("参加団体3 人口", "8671", "9000") in rows
    assert ("効果1 数値", "約10〜15%", "約20%") in rows
    assert ("効果1 人口に比例", "—", "しない") in rows  # in words, not False
    assert any(r[0] == "題名" and r[2] == "改訂した題名" for r in rows)
    history = editor.get(f"/curate/cases/{slug}/history").get_data(as_text=True)
    response = editor.post(f"/curate/cases/{slug}/restore/1", data={
        "csrf_token": re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', history).group(1),
        "version": "2", "confirmed": "yes"})
    assert response.status_code == 302
    with accounts.app_context(), Session(get_engine(accounts)) as db:
        case = cases.get_case(db, slug)
        assert case.version == 3 and case.participants[2].population == 8671 and case.title != "改訂した題名"
        last = db.exec(select(Revision).where(Revision.case_id == case.id).order_by(Revision.number.desc())).first()
        assert (last.action, last.comment) == ("restore", "版 1 を復元")
    assert index_is_clean(accounts)
    curator = login(accounts, "curator@example.jp")
    assert curator.post(f"/curate/cases/{slug}/restore/1", data={
        "csrf_token": token(curator, f"/curate/cases/{slug}/history"), "version": "3"}).status_code == 403


def test_html_typed_into_fields_is_text_everywhere(accounts):
    curator = login(accounts, "curator@example.jp")
    data = case_form(curator, "/curate/cases/new", title=f"RPA導入{SCRIPT}", summary=f"要約{SCRIPT}",
                     tags=SCRIPT.replace(",", ""), **{"participants-0-name": f"甲市{SCRIPT}",
                                                      "effects-0-label": f"時間{SCRIPT}", "comment": SCRIPT})
    assert curator.post("/curate/cases/new", data=data).status_code == 302
    transition(curator, "rpa-pilot", "submit", SCRIPT)
    editor = login(accounts, "editor@example.jp")
    transition(editor, "rpa-pilot", "publish", SCRIPT)
    public = accounts.test_client()
    pages = [public.get("/cases/rpa-pilot"), public.get("/cases?q=RPA"), editor.get("/curate/cases/rpa-pilot/history"),
             editor.get("/curate/cases/rpa-pilot/diff?a=1&b=3"), editor.get("/curate/cases/rpa-pilot"),
             editor.get("/curate/cases/rpa-pilot/edit"), editor.get("/curate/audit"), editor.get("/curate/")]
    for response in pages:
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "<script>alert" not in html, response.request.path
    assert "&lt;script&gt;" in pages[0].get_data(as_text=True) and "&lt;script&gt;" in pages[1].get_data(as_text=True)


# --- access control over the whole URL map ------------------------------------------------

# Write routes that are not curator operations: signing in and out, and the visitor's own
# "my government" cookie (no stored data changes). Any other write route must be a curate route.
PUBLIC_WRITES = {"auth.login", "auth.logout", "public.choose_government", "public.clear_government",
                 "inquiries.submit_question", "alerts.request_alert", "alerts.confirm", "alerts.change_frequency",
                 "alerts.delete", "alerts.unsubscribe"}
# RFC 8058 one-click unsubscribe: authorised by the token in its URL, without a CSRF token (test_alerts.py).
CSRF_EXEMPT = {"alerts.unsubscribe"}
EDITOR_ONLY = {"curate.restore", "curate.audit_log", "curate.manage_users", "curate.update_user",
               "curate.end_sessions", "curate.thesaurus", "curate.add_family", "curate.edit_family",
               "curate.remove_family", "curate.restore_family", "curate.prune_thesaurus", "curate.export_thesaurus",
               "curate.list_inquiries", "curate.show_inquiry", "curate.forward_inquiry", "curate.answer_inquiry",
               "curate.retry_mail", "curate.publish_inquiry", "curate.settle_inquiry"}
ARGS = {"slug": "kochi-madoguchi-itaku", "number": 1, "user_id": 1, "token_id": 1, "inquiry_id": 1}


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        url = rule.rule
        for name, value in ARGS.items():
            url = re.sub(rf"<(?:[a-z]+:)?{name}>", str(value), url)
        yield rule, url


def state(app):
    with app.app_context(), Session(get_engine(app)) as db:
        return (db.exec(select(func.count()).select_from(Revision)).one(),
                db.exec(select(func.sum(Case.version))).one(),
                db.exec(select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("case.%"))).one())


def test_every_write_route_is_a_guarded_curate_route(accounts):
    writes = {r.endpoint for r, _u in routes(accounts) if r.methods & {"POST", "PUT", "PATCH", "DELETE"}}
    assert writes - PUBLIC_WRITES, "expected curator write routes"
    for endpoint in writes - PUBLIC_WRITES:
        # API writes are guarded by bearer tokens (tested in test_api_write.py), not sessions.
        assert endpoint.startswith(("curate.", "tokens.", "api.")), endpoint
    for rule, _url in routes(accounts):
        if rule.endpoint.startswith(("curate.", "tokens.")):
            view = accounts.view_functions[rule.endpoint]
            expected = "editor" if rule.endpoint in EDITOR_ONLY else "curator"
            assert getattr(view, "required_role", None) == expected, rule.endpoint


def test_anonymous_users_are_sent_to_sign_in(accounts):
    client = accounts.test_client()
    csrf = token(client)
    before = state(accounts)
    for rule, url in routes(accounts):
        if not rule.endpoint.startswith(("curate.", "tokens.")):
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(url, method=method, data={"csrf_token": csrf, "action": "publish"})
            assert response.status_code == 302, (method, url)
            assert response.headers["Location"].startswith("/login?next="), (method, url)
    assert state(accounts) == before


def test_curators_get_403_on_editor_routes(accounts):
    curator = login(accounts, "curator@example.jp")
    csrf = token(curator, "/curate/")
    before = state(accounts)
    for rule, url in routes(accounts):
        if rule.endpoint in EDITOR_ONLY:
            for method in sorted(rule.methods & {"GET", "POST"}):
                assert curator.open(url, method=method, data={"csrf_token": csrf}).status_code == 403, url
    assert state(accounts) == before


def test_posts_without_a_valid_csrf_token_change_nothing(accounts):
    editor = login(accounts, "editor@example.jp")
    before = state(accounts)
    for rule, url in routes(accounts):
        # The API takes bearer tokens instead of CSRF tokens (see test_api_write.py).
        if "POST" in rule.methods and rule.endpoint not in {"auth.login", *CSRF_EXEMPT} \
                and not rule.endpoint.startswith("api."):
            for data in ({"action": "publish", "version": "1"}, {"csrf_token": "forged", "action": "archive"}):
                response = editor.post(url, data=data)
                assert response.status_code == 400, (url, data)
                assert "不正な送信" in response.get_data(as_text=True)
    assert state(accounts) == before
    assert editor.get("/curate/").status_code == 200  # still signed in


# --- accounts ---------------------------------------------------------------------------

def test_wrong_password_then_throttled(accounts):
    client = accounts.test_client()
    for attempt in range(users.SLOW_AFTER):
        response = client.post("/login", data={"csrf_token": token(client), "email": "curator@example.jp",
                                               "password": "wrong-password-123"})
        assert response.status_code == 401 and "パスワードが違います" in response.get_data(as_text=True), attempt
    response = client.post("/login", data={"csrf_token": token(client), "email": "curator@example.jp",
                                           "password": PASSWORD})
    page = response.get_data(as_text=True)
    assert response.status_code == 401 and "しばらくログインできません" in page and "秒" in page
    with accounts.app_context(), Session(get_engine(accounts)) as db:
        actions = db.exec(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions[-4:] == ["login_failed"] * 3 + ["login_refused"]


def test_lockout_after_many_failures_from_one_address(accounts, monkeypatch):
    monkeypatch.setattr(users, "ADDRESS_LOCK_AFTER", 12)
    with accounts.app_context(), Session(get_engine(accounts)) as db:
        for i in range(users.ADDRESS_LOCK_AFTER):
            with pytest.raises(InvalidInput, match="パスワードが違います"):
                users.authenticate(db, f"nobody{i}@example.jp", "x", "192.0.2.1")
        with pytest.raises(users.LoginRefused):
            users.authenticate(db, "editor@example.jp", PASSWORD, "192.0.2.1")
        assert users.authenticate(db, "editor@example.jp", PASSWORD, "192.0.2.2").email == "editor@example.jp"


def test_sessions_expire(accounts):
    accounts.config["SESSION_HOURS"] = 1
    editor = login(accounts, "editor@example.jp")
    assert editor.get("/curate/").status_code == 200
    with editor.session_transaction() as s:
        s["signed_in_at"] -= 2 * 3600
    assert editor.get("/curate/").status_code == 302


def test_deactivated_user_is_signed_out(accounts):
    editor = login(accounts, "editor@example.jp")
    curator = login(accounts, "curator@example.jp")
    page = editor.get("/curate/users").get_data(as_text=True)
    user_id = re.search(r'action="/curate/users/(\d+)"[^>]*>\s*<input[^>]*value="[^"]+">\s*<label for="role-\d+" '
                        r'class="visually-hidden">curator@example.jp', page).group(1)
    response = editor.post(f"/curate/users/{user_id}", data={"csrf_token": token(editor, "/curate/users"),
                                                             "role": "curator"})
    assert response.status_code == 302
    assert curator.get("/curate/").status_code == 302


def test_editor_creates_a_user_with_a_long_enough_password(accounts):
    editor = login(accounts, "editor@example.jp")
    short = editor.post("/curate/users", data={"csrf_token": token(editor, "/curate/users"),
                                               "email": "new@example.jp", "role": "curator", "password": "short"})
    assert short.status_code == 400 and "12文字以上" in short.get_data(as_text=True)
    ok = editor.post("/curate/users", data={"csrf_token": token(editor, "/curate/users"), "email": "New@Example.jp",
                                            "role": "curator", "password": PASSWORD})
    assert ok.status_code == 302
    login(accounts, "new@example.jp")


def test_users_cli(loaded_app, monkeypatch):
    runner = loaded_app.test_cli_runner()
    monkeypatch.setenv("CASEBOOK_NEW_PASSWORD", PASSWORD)
    result = runner.invoke(args=["users", "create", "cli@example.jp", "--role", "editor"])
    assert result.exit_code == 0 and "cli@example.jp" in result.output
    assert runner.invoke(args=["users", "create", "cli@example.jp"]).exit_code == 1
    monkeypatch.setenv("CASEBOOK_NEW_PASSWORD", "another-long-password")
    assert runner.invoke(args=["users", "set-password", "cli@example.jp"]).exit_code == 0
    with loaded_app.app_context(), Session(get_engine(loaded_app)) as db:
        assert users.authenticate(db, "cli@example.jp", "another-long-password", "127.0.0.1").role == "editor"
    assert runner.invoke(args=["users", "set-password", "nobody@example.jp"]).exit_code == 1


def test_audit_log_lists_sign_ins_and_changes(accounts):
    editor = login(accounts, "editor@example.jp")
    transition(editor, "kochi-madoguchi-itaku", "unpublish", "見直し")
    page = editor.get("/curate/audit").get_data(as_text=True)
    assert "ログイン" in page and "公開停止" in page and "kochi-madoguchi-itaku" in page
    assert index_is_clean(accounts)
    assert accounts.test_client().get("/cases/kochi-madoguchi-itaku").status_code == 404


def test_return_needs_a_comment(accounts):
    curator = login(accounts, "curator@example.jp")
    curator.post("/curate/cases/new", data=case_form(curator, "/curate/cases/new"))
    transition(curator, "rpa-pilot", "submit")
    editor = login(accounts, "editor@example.jp")
    response = transition(editor, "rpa-pilot", "return", "")
    assert response.status_code == 400 and "理由" in response.get_data(as_text=True)
    assert transition(editor, "rpa-pilot", "return", "数値の根拠を追記してください").status_code == 302
    assert "rpa-pilot" in curator.get("/curate/").get_data(as_text=True)


def status_of(app, slug):
    with app.app_context(), Session(get_engine(app)) as db:
        case = cases.get_case(db, slug, public=False)
        return case.status, case.version


@pytest.mark.parametrize("action, question", [("unpublish", "本当に公開を停止して下書きに戻しますか"),
                                              ("archive", "本当にアーカイブしますか")])
def test_publishing_steps_ask_to_confirm_and_change_nothing_before(accounts, action, question):
    editor = login(accounts, "editor@example.jp")
    slug = "kochi-madoguchi-itaku"
    before = status_of(accounts, slug)
    response = transition(editor, slug, action, "見直し", confirmed=False)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and question in page and "まだ何も変わっていません" in page
    assert status_of(accounts, slug) == before
    assert 'name="confirmed" value="yes"' in page and 'name="csrf_token"' in page
    assert f'name="action" value="{action}"' in page and ">見直し</textarea>" in page
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    fields["csrf_token"] = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    fields["comment"] = "見直し"
    without_token = {k: v for k, v in fields.items() if k != "csrf_token"}
    assert editor.post(f"/curate/cases/{slug}/transition", data=without_token).status_code == 400
    assert status_of(accounts, slug) == before
    done = editor.post(f"/curate/cases/{slug}/transition", data=fields)
    assert done.status_code == 302
    expected = {"unpublish": "draft", "archive": "archived"}[action]
    assert status_of(accounts, slug) == (expected, before[1] + 1)
    shown = editor.get(done.headers["Location"]).get_data(as_text=True)
    label = {"draft": "下書き", "archived": "アーカイブ"}[expected]
    assert f"（現在の状態: {label}）" in shown and f"現在の状態: {expected}" not in shown


def test_publish_asks_to_confirm(accounts):
    editor = login(accounts, "editor@example.jp")
    slug = "kochi-madoguchi-itaku"
    assert transition(editor, slug, "unpublish").status_code == 302
    page = transition(editor, slug, "publish", confirmed=False).get_data(as_text=True)
    assert "本当に公開しますか" in page and "はい、公開する" in page
    assert status_of(accounts, slug)[0] == "draft"
    assert transition(editor, slug, "publish").status_code == 302
    assert status_of(accounts, slug)[0] == "published"


def test_a_step_from_the_wrong_state_names_the_state_in_japanese(accounts):
    editor = login(accounts, "editor@example.jp")
    page = transition(editor, "kochi-madoguchi-itaku", "unpublish", confirmed=True)
    assert page.status_code == 302
    again = transition(editor, "kochi-madoguchi-itaku", "return", "理由", confirmed=True).get_data(as_text=True)
    assert "現在の状態: 下書き" in again and "現在の状態: draft" not in again


def test_restore_asks_to_confirm_and_shows_what_changes(accounts):
    editor = login(accounts, "editor@example.jp")
    slug = "hirosaki-jichitai-cloud"
    form = edit_form(editor, slug, title="改訂した題名")
    assert editor.post(f"/curate/cases/{slug}/edit", data=form).status_code == 302
    response = editor.post(f"/curate/cases/{slug}/restore/1", data={
        "csrf_token": token(editor, f"/curate/cases/{slug}/history"), "version": "2"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "本当に版 1 の内容に戻しますか" in page
    assert re.search(r'<th scope="row">題名</th><td class="diff-old">改訂した題名</td>', page)
    assert status_of(accounts, slug)[1] == 2
    assert 'name="confirmed" value="yes"' in page and "いいえ、やめて戻る" in page


def test_diffs_show_labels_and_hide_fields_empty_on_both_sides(accounts):
    editor = login(accounts, "editor@example.jp")
    slug = "hirosaki-jichitai-cloud"
    form = edit_form(editor, slug, **{"title": "改訂した題名", "sources-1-title": "新しい出典"})
    assert editor.post(f"/curate/cases/{slug}/edit", data=form).status_code == 302
    diff = editor.get(f"/curate/cases/{slug}/diff?a=1&b=2").get_data(as_text=True)
    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="diff-old">([^<]*)</td><td class="diff-new">([^<]*)</td>',
                      diff)
    assert ("出典2 名称", "—", "新しい出典") in rows
    assert all(not (old == "—" and new == "—") for _, old, new in rows), rows
    assert all("." not in label and "[" not in label for label, _, _ in rows), rows


def test_checkboxes_sit_before_their_labels_on_one_line(accounts):
    editor = login(accounts, "editor@example.jp")
    page = editor.get("/curate/cases/hirosaki-jichitai-cloud/edit").get_data(as_text=True)
    assert re.search(r'<div class="field check">\s*<input[^>]+id="participants-0-remove"[^>]*>'
                     r'<label for="participants-0-remove">この行を削除</label>', page)


def test_completeness_says_what_is_missing(accounts):
    editor = login(accounts, "editor@example.jp")
    page = editor.get("/curate/cases/kochi-madoguchi-itaku").get_data(as_text=True)
    assert "足りないもの" in page and "<li>問い合わせ先がない</li>" in page
    assert "足りない項目" not in page and "がある</li>" not in page.split("completeness-title", 1)[1].split("</section>")[0]


def test_status_badges_name_the_state_in_japanese(accounts):
    editor = login(accounts, "editor@example.jp")
    page = editor.get("/curate/cases/kochi-madoguchi-itaku").get_data(as_text=True)
    assert '<span class="status-badge status-published">公開中</span>' in page
