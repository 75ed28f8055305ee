"""The JSON API: the search twin of /cases and the case record."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, url_for

from .. import domain, search
from ..db import get_session
from ..models import Case
from ..services import cases, searching

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def case_json(case: Case, themes: dict[str, str], bands: domain.Bands, full: bool = True) -> dict:
    """Return a case as JSON: the summary fields, and with `full` the whole record."""
    population = domain.total_population(case.participants)
    out = {
        "slug": case.slug,
        "title": case.title,
        "url": url_for("public.show_case", slug=case.slug, _external=True),
        "api_url": url_for("api.show_case", slug=case.slug, _external=True),
        "detail": case.detail,
        "themes": [{"code": t, "label": themes.get(t, t)} for t in case.themes],
        "tags": list(case.tags),
        "start_fiscal_year": case.start_fiscal_year,
        "start_fiscal_year_label": domain.fiscal_year_label(case.start_fiscal_year)
        if case.start_fiscal_year else None,
        "summary": case.summary,
        "population": population,
        "population_band": bands.band_of(population).code if population is not None else None,
        "participants": [{
            "role": p.role, "code": p.code, "name": p.name, "prefecture": p.prefecture,
            "region": domain.region_of(p.prefecture) if p.prefecture else None,
            "kind": p.kind, "population": p.population, "population_year": p.population_year,
            "population_source": p.population_source,
        } for p in case.participants],
        "updated_at": case.updated_at.isoformat(),
    }
    if full:
        out.update({
            "background": case.background, "approach": case.approach, "outcome": case.outcome,
            "contact": case.contact, "status": case.status, "version": case.version,
            "source": {"title": case.source_title, "publisher": case.source_publisher,
                       "date": case.source_date.isoformat() if case.source_date else None,
                       "url": case.source_url},
            "event": {"name": case.event_name,
                      "date": case.event_date.isoformat() if case.event_date else None},
            "effects": [{
                "kind": e.kind, "direction": e.direction, "label": e.label, "amount": e.amount,
                "value_min": e.value_low, "value_max": e.value_high, "unit": e.unit or None,
                "qualifier": e.qualifier or None, "yen": e.yen, "period": e.period,
                "status": e.status, "wording": e.wording,
            } for e in case.effects],
            "created_at": case.created_at.isoformat(),
        })
    return out


def _url(params: dict) -> str:
    return url_for("api.search_cases", **params, _external=True)


@bp.get("/cases")
def search_cases():
    """Search published cases: results, total, facets and paging links (JSON)."""
    index = search.get_index()
    args = searching.parse_search_args(request.args, index.bands, current_app.config["PAGE_SIZE"],
                                       current_app.config["MAX_PAGE_SIZE"])
    session = get_session()
    page = searching.search_cases(session, index, args)
    themes = cases.theme_labels(session)
    result = page.result
    extra = {"size": args.size} if args.size != current_app.config["PAGE_SIZE"] else {}
    links = {"self": _url(args.params(page=args.page) | extra)}
    links["first"] = _url(args.params(page=1) | extra)
    links["last"] = _url(args.params(page=result.pages) | extra)
    links["next"] = _url(args.params(page=args.page + 1) | extra) if args.page < result.pages else None
    links["prev"] = _url(args.params(page=args.page - 1) | extra) if args.page > 1 else None
    return jsonify({
        "query": {"q": args.q, **{f: v for f, v in args.filters.items()}, "sort": args.sort,
                  "page": args.page, "size": args.size},
        "total": result.total,
        "page": args.page,
        "pages": result.pages,
        "notes": result.notes,
        "results": [case_json(hit.case, themes, index.bands, full=False) | {"score": round(hit.score, 4)}
                    for hit in page.hits],
        "facets": {facet: [{"value": v.value, "label": v.label, "count": v.count, "selected": v.selected,
                            "toggle_url": _url(v.params | extra)} for v in values]
                   for facet, values in result.facets.items()},
        "links": links,
    })


@bp.get("/cases/<slug>")
def show_case(slug: str):
    """One published case, the whole record (JSON)."""
    session = get_session()
    case = cases.get_case(session, slug)
    return jsonify(case_json(case, cases.theme_labels(session), search.get_index().bands))
