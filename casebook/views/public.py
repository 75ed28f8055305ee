"""Public pages: home, search with facets, the case page, my government, about/credits."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from .. import ratelimit, search
from ..db import get_session
from ..errors import InvalidInput
from ..forms import ChooseGovernmentForm, ClearGovernmentForm
from ..redirects import safe_next
from ..responses import download
from ..services import bulk, cases, municipalities, quality, references, showcase

bp = Blueprint("public", __name__)

COOKIE_AGE = 365 * 24 * 3600
SEARCH_ENDPOINTS = {"public.search_cases", "public.export_cases"}


def _index() -> search.Engine:
    return search.get_index()


def _cookie() -> str | None:
    return request.cookies.get(references.COOKIE)


def _secure_cookie() -> bool:
    """Like the session cookie: HTTPS only when served over HTTPS or when SECURE_COOKIES is on."""
    return request.is_secure or bool(current_app.config["SECURE_COOKIES"])


def _search_args(args) -> search.SearchArgs:
    return search.parse_args(args)


@bp.before_request
def _count_search() -> None:
    """Searches and exports count against HTML_RATE_LIMIT (views/sheets.py counts the sheets)."""
    if request.endpoint in SEARCH_ENDPOINTS:
        ratelimit.count("HTML_RATE_LIMIT", ratelimit.page_client())


def _url(params: dict) -> str:
    return url_for("public.search_cases", **params)


def _safe_next(target: str | None) -> str:
    """Only same-site paths may be redirected to (casebook/redirects.py)."""
    return safe_next(target, url_for("public.home"))


def _mygov_context(session) -> dict:
    # The box's forms post nothing without a chosen government (its population form is a GET to
    # /mygov), so no CSRF token — and no session cookie — is made for a reader who chose none.
    here = request.full_path.rstrip("?")
    return {"choose_form": ChooseGovernmentForm(next=here, meta={"csrf": False}),
            "clear_form": ClearGovernmentForm(next=here) if _cookie() else None,
            "has_master": municipalities.has_master(session),
            "master_credit": municipalities.master_credit(session)}


@bp.get("/")
def home():
    """Home: search box, my government, themes and population bands with counts, recent cases."""
    session = get_session()
    reference = references.resolve_reference(session, cookie=_cookie())
    page = search.search_cases(session, _index(), search.SearchArgs(), url=_url)
    return render_template("public/home.html", page=page, recent=showcase.recent_cases(session, 5),
                           sorts=search.SORTS, bands=_index().bands, reference=reference,
                           **_mygov_context(session))


@bp.get("/cases")
def search_cases():
    """Search results with facets; the same arguments as /api/v1/cases."""
    session = get_session()
    try:
        args = references.with_reference(session, _search_args(request.args), _cookie())
    except InvalidInput as exc:
        return render_template("public/search.html", page=None, errors=exc.errors, sorts=search.SORTS,
                               q=request.args.get("q", "")[:200], url_for_params=_url, reference=None,
                               **_mygov_context(session)), 400
    page = search.search_cases(session, _index(), args, url=_url)
    return render_template("public/search.html", page=page, errors=[], sorts=search.SORTS, q=args.q,
                           url_for_params=_url, reference=args.reference, back=urlencode(args.params(), doseq=True),
                           **_mygov_context(session))


@bp.get("/cases/<slug>")
def show_case(slug: str):
    """One published case: participants with populations, effects (per resident and scaled), source, related cases."""
    session = get_session()
    case = cases.get_case(session, slug)
    reference = references.resolve_reference(session, cookie=_cookie())
    known = municipalities.known_codes(session, [p.code for p in case.participants])
    return render_template("public/case.html", case=case, bands=_index().bands,
                           themes=cases.theme_labels(session), reference=reference,
                           figures=cases.effect_figures(case, reference), linked=known,
                           master_credit=municipalities.master_credit(session),
                           related=search.related_cases(session, _index(), case), back_url=_back_url())


def _back_url() -> str | None:
    """The search a reader came from (`?back=`, the search's own arguments), rebuilt from its
    validated arguments (never an address taken as given); None when absent or invalid."""
    back = request.args.get("back", "")[:2000]
    if not back:
        return None
    try:
        args = search.parse_args(MultiDict(parse_qsl(back)))
    except (InvalidInput, ValueError):
        return None
    return _url(args.params()) + "#result-count"


@bp.route("/mygov", methods=["GET", "POST"])
def choose_government():
    """Choose my government by name or reading (or type a population); remembered in a cookie."""
    session = get_session()
    form = ChooseGovernmentForm()
    q = request.args.get("q", "")[:50]
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                reference = references.resolve_reference(session, form.code.data or None, form.population.data)
            except InvalidInput as exc:
                form.code.errors = [exc.errors[0][1]]
                reference = None
            if reference is None and not form.code.errors:
                form.population.errors = ["団体を選ぶか、人口を入力してください。"]
            if reference is not None:
                response = redirect(_safe_next(form.next.data))
                response.set_cookie(references.COOKIE, references.reference_cookie(reference), max_age=COOKIE_AGE,
                                    httponly=True, samesite="Lax", secure=_secure_cookie())
                return response
        status = 400
    else:
        status = 200
    found = municipalities.find_municipalities(session, q) if q else []
    asked_population = None
    if request.method == "GET" and request.args.get("population", "").strip():
        # From the box on the home and search pages (a GET form): checked by the form's own rule.
        asked = ChooseGovernmentForm(formdata=request.args, meta={"csrf": False})
        if asked.population.validate(asked):
            asked_population = asked.population.data
        else:
            status, form.population.errors = 400, [ChooseGovernmentForm.POPULATION_ERROR]
    context = _mygov_context(session)
    context["choose_form"] = form if request.method == "POST" else ChooseGovernmentForm(
        next=_safe_next(request.args.get("next")))
    return render_template("public/mygov.html", q=q, found=found, form_errors=form.errors if status == 400 else {},
                           asked_population=asked_population,
                           reference=references.resolve_reference(session, cookie=_cookie()),
                           next=_safe_next(request.values.get("next")), **context), status


@bp.post("/mygov/clear")
def clear_government():
    """Forget the chosen government."""
    form = ClearGovernmentForm()
    if not form.validate_on_submit():
        raise InvalidInput("送信内容が正しくありません。", [("next", "ページを読み込み直してください")])
    response = redirect(_safe_next(form.next.data))
    response.delete_cookie(references.COOKIE, httponly=True, samesite="Lax", secure=_secure_cookie())
    return response


@bp.get("/municipalities/<code>")
def show_municipality(code: str):
    """A government of the master: its population (with the credit) and the cases it took part in."""
    session = get_session()
    municipality = municipalities.get_municipality(session, code)
    return render_template("public/municipality.html", m=municipality,
                           cases=cases.cases_with_participant(session, code), **_mygov_context(session))


@bp.get("/cases/export.<fmt>")
def export_cases(fmt: str):
    """The current search's published cases as CSV (UTF-8 with BOM), Excel or JSON."""
    session = get_session()
    if fmt not in bulk.FORMATS:
        raise InvalidInput("形式が正しくありません。", [("format", "csv, xlsx, json のいずれかです")])
    args = _search_args(request.args)
    slugs = search.all_result_slugs(session, _index(), args)
    return download(bulk.export(bulk.records_for(session, slugs), fmt), fmt, "casebook-cases")


@bp.get("/coverage")
def coverage():
    """Published cases per theme and population band: where cases are missing."""
    cov = quality.coverage(get_session(), _index())
    return render_template("public/coverage.html", cov=cov, chart=quality.band_chart(cov))


@bp.get("/about")
def about():
    """What casebook is, where its data comes from, and how to reuse it."""
    return render_template("public/about.html")


@bp.get("/accessibility")
def accessibility():
    """The accessibility statement: the standard aimed at, how and when every page was tested."""
    from .. import accessibility as statement

    rules = {rule.endpoint: rule.rule for rule in current_app.url_map.iter_rules()}
    pages = [(label, rules[endpoint]) for endpoint, label in statement.TESTED_PAGES.items()]
    return render_template("public/accessibility.html", statement=statement, pages=pages)
