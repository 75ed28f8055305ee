"""Public pages: home, search with facets, the case page, and about/credits."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from .. import search
from ..db import get_session
from ..errors import InvalidInput
from ..services import cases, searching

bp = Blueprint("public", __name__)


def _index() -> search.SearchIndex:
    return search.get_index()


def _search_args(args) -> search.SearchArgs:
    from flask import current_app

    return searching.parse_search_args(args, _index().bands, current_app.config["PAGE_SIZE"],
                                       current_app.config["MAX_PAGE_SIZE"])


@bp.get("/")
def home():
    """Home: search box, themes and population bands with counts, recent cases."""
    session = get_session()
    page = searching.search_cases(session, _index(), search.SearchArgs())
    return render_template("public/home.html", page=page, recent=cases.recent_cases(session, 5),
                           sorts=search.SORTS, bands=_index().bands)


@bp.get("/cases")
def search_cases():
    """Search results with facets; the same arguments as /api/v1/cases."""
    try:
        args = _search_args(request.args)
    except InvalidInput as exc:
        return render_template("public/search.html", page=None, errors=exc.errors, sorts=search.SORTS,
                               q=request.args.get("q", "")[:200], url_for_params=_url), 400
    page = searching.search_cases(get_session(), _index(), args)
    return render_template("public/search.html", page=page, errors=[], sorts=search.SORTS,
                           q=args.q, url_for_params=_url)


def _url(params: dict) -> str:
    return url_for("public.search_cases", **params)


@bp.get("/cases/<slug>")
def show_case(slug: str):
    """One published case: participants with populations, effects, source and contact."""
    case = cases.get_case(get_session(), slug)
    return render_template("public/case.html", case=case, bands=_index().bands,
                           themes=cases.theme_labels(get_session()))


@bp.get("/about")
def about():
    """What casebook is, where its data comes from, and how to reuse it."""
    return render_template("public/about.html")
