"""The JSON API (/api/v1): its blueprint and request hooks, and the reads — search and facets,
case records, revisions, the municipality master, and the API's own OpenAPI description and
reference page. The writes are added to the same blueprint (blueprints.api) by views/api_write.py.

Reads of published cases are public (with CORS); drafts, revisions and every write need a
personal token (`Authorization: Bearer …`, made under /curate/tokens), and the roles apply as in
the editor. The sign-in cookie is not used here, so there is nothing for CSRF to protect.
Changes name the version they were based on: responses carry it as the ETag, PUT and PATCH
require it as If-Match (412 when stale, 428 without). Every error is problem+json (errors.py).
"""
from __future__ import annotations

from flask import current_app, g, jsonify, render_template, request, url_for
from marshmallow import ValidationError

from .. import api_keyword_schemas, api_schemas, api_search_schemas, blueprints, openapi, ratelimit, search
from ..db import get_session
from ..errors import (
    InvalidInput,
    NotFound,
    Unauthorized,
)
from ..responses import api_case, api_writer, case_response
from ..schemas import flatten_errors
from ..services import cases, keywords, municipalities, references, tokens, workflow
from ..web import csrf

bp = blueprints.api
csrf.exempt(bp)  # no cookie authenticates here: writes need a bearer token

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


# --- every request: who is calling, how often, and what they may read back ------------------

@bp.record_once
def _check_settings(state) -> None:
    """Refuse a malformed API_RATE_LIMIT when the app starts, not at its first API request."""
    ratelimit.check_settings(state.app, "API_RATE_LIMIT")


@bp.before_request
def _identify_client():
    """Authenticate a bearer token and count the request against its client's limit."""
    g.api_user, g.api_token = None, None
    refused = None
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, credentials = header.strip().partition(" ")
        try:
            if scheme.lower() != "bearer":
                raise Unauthorized("Authorization は「Bearer トークン」の形で送ってください。")
            g.api_user, g.api_token = tokens.authenticate(get_session(), credentials)
        except Unauthorized as exc:
            refused = exc
    ratelimit.count("API_RATE_LIMIT", f"token:{g.api_token.id}" if g.api_token else f"address:{request.remote_addr}")
    if refused is not None:
        raise refused
    if "\x00" in request.path:  # no record has such a name, and PostgreSQL cannot even compare it
        raise NotFound("指定された事例・団体は見つかりません。")
    return None


@bp.after_request
def _api_headers(response):
    """Read-only CORS for everyone; 401 names the scheme; answers depend on the token."""
    if request.method in READ_METHODS:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = "ETag, Retry-After"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response.headers["Access-Control-Max-Age"] = "86400"
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="casebook"'
    response.vary.add("Authorization")
    return response


# --- reading ---------------------------------------------------------------------------------

def _search(session):
    """The search of the request's arguments (the search page's schema; unlike the page, the API
    refuses empty values such as page= instead of ignoring them), with toggle URLs into the API:
    relative ones (/api/v1/cases?…), absolute ones with urls=absolute."""
    args = references.with_reference(session, search.parse_args(request.args, strict=True))
    try:
        absolute = api_search_schemas.UrlStyleSchema().load(
            {k: v for k, v in request.args.items() if k == "urls"})["urls"] == "absolute"
    except ValidationError as exc:
        raise InvalidInput("検索条件に誤りがあります。", flatten_errors(exc.messages)) from exc
    extra = {"size": args.size} if args.size != current_app.config["PAGE_SIZE"] else {}
    if absolute:
        extra["urls"] = "absolute"
    page = search.search_cases(session, search.get_index(), args, url=lambda params: _url(params | extra, absolute))
    return args, extra, page


def _facets(result) -> dict:
    return {name: facet.values for name, facet in result.facets.items()}


def _url(params: dict, absolute: bool = True) -> str:
    return url_for("api.search_cases", **params, _external=absolute)


@bp.get("/cases")
def search_cases():
    """Search published cases: results, total, facets and paging links (JSON)."""
    session = get_session()
    args, extra, page = _search(session)
    result, bands = page.result, search.get_index().bands
    themes = cases.theme_labels(session)
    links = {"self": _url(args.params(page=args.page) | extra),
             "first": _url(args.params(page=1) | extra),
             "last": _url(args.params(page=result.pages) | extra),
             "next": _url(args.params(page=args.page + 1) | extra) if args.page < result.pages else None,
             "prev": _url(args.params(page=args.page - 1) | extra) if args.page > 1 else None}
    return jsonify(api_search_schemas.SearchResultSchema().dump({
        "query": {"q": args.q, **args.filters, "sort": args.sort, "page": args.page, "size": args.size},
        "total": result.total,
        "page": args.page,
        "pages": result.pages,
        "notes": result.notes,
        **search.api_extras(result),
        "reference": api_schemas.reference_body(args.reference),
        "results": [api_schemas.case_body(hit.case, themes, bands, full=False)
                    | {"score": round(hit.score, 4),
                       "matched_participants": [{"name": n, "population": p} for n, p in hit.matched]}
                    for hit in page.hits],
        "facets": _facets(result),
        "links": links,
    }))


@bp.get("/facets")
def list_facets():
    """Facet values and counts for the search arguments given (all published cases without any)."""
    result = _search(get_session())[2].result
    return jsonify(api_search_schemas.FacetsSchema().dump({"total": result.total, "facets": _facets(result)}))


@bp.get("/suggestions")
def suggest_keywords():
    """Keyword suggestions for the search box: case titles, tags, themes and governments (?q=まど)."""
    try:
        query = api_keyword_schemas.KeywordQuerySchema().load(request.args)
    except ValidationError as exc:
        raise InvalidInput("候補の条件に誤りがあります。", flatten_errors(exc.messages)) from exc
    cache = current_app.extensions.setdefault(keywords.CACHE_KEY, {})
    found = keywords.suggest_keywords(get_session(), query["q"], query["limit"], cache)
    response = jsonify(api_keyword_schemas.KeywordListSchema().dump({"q": query["q"], "suggestions": found}))
    response.cache_control.public, response.cache_control.max_age = True, 60
    return response


@bp.get("/cases/<slug>")
def show_case(slug: str):
    """One case, the whole record: published ones for everyone, the others with a token."""
    session = get_session()
    case = api_case(slug, public=g.api_user is None)
    try:
        query = api_schemas.ReferenceQuerySchema().load(request.args)
    except ValidationError as exc:
        raise InvalidInput("試算の基準の指定に誤りがあります。", flatten_errors(exc.messages)) from exc
    reference = references.resolve_reference(session, query.get("municipality"), query.get("population"))
    return case_response(case, reference=reference)


@bp.get("/cases/<slug>/revisions")
def show_revisions(slug: str):
    """Every saved version of a case, newest first (curators only)."""
    api_writer()
    api_case(slug, public=False)
    case, revisions = workflow.history(get_session(), slug)
    return jsonify(api_schemas.RevisionListSchema().dump({
        "slug": case.slug, "version": case.version,
        "revisions": [api_schemas.revision_body(r, workflow.REVISION_ACTIONS) for r in revisions]}))


@bp.get("/municipalities")
def find_municipalities():
    """Look up governments of the master by name, reading or code (?q=こうち)."""
    try:
        query = api_schemas.MunicipalityQuerySchema().load(request.args)
    except ValidationError as exc:
        raise InvalidInput("検索条件に誤りがあります。", flatten_errors(exc.messages)) from exc
    session = get_session()
    found = municipalities.find_municipalities(session, query["q"], query["size"])
    return jsonify(api_schemas.MunicipalityListSchema().dump({
        "q": query["q"], "results": [api_schemas.municipality_body(m) for m in found],
        "credit": municipalities.master_credit(session)}))


@bp.get("/municipalities/<code>")
def show_municipality(code: str):
    """One government of the master, with the published cases it took part in."""
    session = get_session()
    m = municipalities.get_municipality(session, code)
    themes, bands = cases.theme_labels(session), search.get_index().bands
    return jsonify(api_schemas.MunicipalityDetailSchema().dump({
        **api_schemas.municipality_body(m), "population_band": bands.band_of(m.population).code, "source": m.source,
        "credit": municipalities.master_credit(session),
        "cases": [api_schemas.case_body(c, themes, bands, full=False)
                  for c in cases.cases_with_participant(session, code)]}))


@bp.get("/openapi.json")
def openapi_json():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi.get_spec(current_app))


@bp.get("/docs")
def docs():
    """The API reference, rendered from the OpenAPI description."""
    return render_template("api/docs.html", ref=openapi.reference(openapi.get_spec(current_app)))
