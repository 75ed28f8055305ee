"""The JSON API: the search twin of /cases and the case record."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, url_for

from .. import domain, search
from ..db import get_session
from ..errors import InvalidInput
from ..models import Case
from ..services import cases, municipalities, searching

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def case_json(case: Case, themes: dict[str, str], bands: domain.Bands, full: bool = True,
              reference: domain.Reference | None = None) -> dict:
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
            "effects": [effect_json(f, population, reference) for f in cases.effect_figures(case, reference)],
            "created_at": case.created_at.isoformat(),
        })
    return out


def effect_json(f: cases.EffectFigures, population: int | None, reference: domain.Reference | None) -> dict:
    """An effect with, where meaningful, its amount per resident and an estimate (試算) for `reference`."""
    e = f.effect
    out = {
        "kind": e.kind, "direction": e.direction, "label": e.label, "amount": e.amount,
        "value_min": e.value_low, "value_max": e.value_high, "unit": e.unit or None,
        "qualifier": e.qualifier or None, "yen": e.yen, "period": e.period,
        "status": e.status, "wording": e.wording, "per_capita": None, "estimate": None,
    }
    each = domain.per_capita(e.value_low, e.value_high, e.unit, population)
    if each is not None:
        out["per_capita"] = {"min": each[0], "max": each[1], "unit": e.unit, "population": population}
        if reference is not None:
            low, high = domain.scaled(e.value_low, e.value_high, e.unit, population, reference.population)
            out["estimate"] = {"min": low, "max": high, "unit": e.unit, "population": reference.population,
                               "label": "試算", "formula": f.formula}
    return out


def _reference(session) -> domain.Reference | None:
    args = searching.parse_search_args(request.args, search.get_index().bands, current_app.config["PAGE_SIZE"],
                                       current_app.config["MAX_PAGE_SIZE"])
    return searching.resolve_reference(session, args.ref_params.get("municipality"), args.ref_params.get("population"))


def reference_json(reference: domain.Reference | None) -> dict | None:
    if reference is None:
        return None
    return {"code": reference.code or None, "name": reference.name or None, "prefecture": reference.prefecture or None,
            "population": reference.population, "population_year": reference.population_year}


def _url(params: dict) -> str:
    return url_for("api.search_cases", **params, _external=True)


@bp.get("/cases")
def search_cases():
    """Search published cases: results, total, facets and paging links (JSON)."""
    index = search.get_index()
    args = searching.parse_search_args(request.args, index.bands, current_app.config["PAGE_SIZE"],
                                       current_app.config["MAX_PAGE_SIZE"])
    session = get_session()
    args = searching.with_reference(session, args)
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
        "reference": reference_json(args.reference),
        "results": [case_json(hit.case, themes, index.bands, full=False)
                    | {"score": round(hit.score, 4),
                       "matched_participants": [{"name": n, "population": p} for n, p in hit.matched]}
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
    reference = _reference(session)
    body = case_json(case, cases.theme_labels(session), search.get_index().bands, reference=reference)
    body["reference"] = reference_json(reference)
    return jsonify(body)


@bp.get("/municipalities")
def find_municipalities():
    """Look up governments of the master by name, reading or code (?q=こうち)."""
    session = get_session()
    q = request.args.get("q", "")
    try:
        size = int(request.args.get("size", 10))
    except ValueError:
        size = 0
    if not 1 <= size <= 50:
        raise InvalidInput("件数の指定が正しくありません。", [("size", "1〜50で指定してください。")])
    found = municipalities.find_municipalities(session, q, size)
    return jsonify({
        "q": q,
        "results": [{"code": m.code, "name": m.name, "kana": m.kana, "prefecture": m.prefecture, "region": m.region,
                     "kind": m.kind, "population": m.population, "population_year": m.population_year,
                     "url": url_for("api.show_municipality", code=m.code, _external=True)} for m in found],
        "credit": municipalities.master_credit(session),
    })


@bp.get("/municipalities/<code>")
def show_municipality(code: str):
    """One government of the master, with the published cases it took part in."""
    session = get_session()
    m = municipalities.get_municipality(session, code)
    themes, bands = cases.theme_labels(session), search.get_index().bands
    return jsonify({
        "code": m.code, "name": m.name, "kana": m.kana, "prefecture": m.prefecture, "region": m.region,
        "kind": m.kind, "population": m.population, "population_year": m.population_year,
        "population_band": bands.band_of(m.population).code, "source": m.source,
        "credit": municipalities.master_credit(session),
        "cases": [case_json(c, themes, bands, full=False) for c in cases.cases_with_participant(session, code)],
    })
