"""Exports for people: the search (or one case) as a readable table, CSV or Excel.

The import-format export stays at /cases/export.<fmt> (views/public.py)."""
from __future__ import annotations

from flask import Blueprint, request, url_for

from .. import ratelimit, search
from ..db import get_session
from ..errors import InvalidInput
from ..responses import download
from ..services import cases, people_export

bp = Blueprint("exports", __name__)


@bp.get("/cases/export-table.<fmt>")
def export_table(fmt: str):
    """Published cases as a table for reading: the search's arguments (q, facets, sort), or ?case=<slug>."""
    if fmt not in people_export.FORMATS:
        raise InvalidInput("形式が正しくありません。", [("format", "csv か xlsx のどちらかです")])
    ratelimit.count("HTML_RATE_LIMIT", ratelimit.page_client())
    session, index = get_session(), search.get_index()
    one = request.args.get("case")
    if one is not None:
        slugs = [cases.get_case(session, one).slug]   # published cases only: 404 otherwise
    else:
        slugs = search.all_result_slugs(session, index, search.parse_args(request.args))
    data = people_export.export(session, slugs, fmt, lambda slug: url_for("public.show_case", slug=slug, _external=True),
                                index.bands)
    return download(data, fmt, f"casebook-{one}-table" if one else "casebook-cases-table")
