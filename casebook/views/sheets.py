"""Printable case sheets (one A4 page per case), alone or for a whole search, as HTML and PDF."""
from __future__ import annotations

from io import BytesIO

from flask import Blueprint, render_template, request, send_file, url_for
from flask_login import current_user

from .. import ratelimit, search
from ..db import get_session
from ..errors import InvalidInput
from ..services import references, sheet_scaling, sheets

bp = Blueprint("sheets", __name__)
PDF_ENDPOINTS = {"sheets.download_sheet", "sheets.download_batch"}


@bp.record_once
def _check_settings(state) -> None:
    """Refuse a malformed HTML_RATE_LIMIT or PDF_RATE_LIMIT when the app starts."""
    ratelimit.check_settings(state.app, "HTML_RATE_LIMIT", "PDF_RATE_LIMIT")


@bp.before_request
def _count_request() -> None:
    """Every sheet counts against HTML_RATE_LIMIT, and a PDF against PDF_RATE_LIMIT as well."""
    client = ratelimit.page_client()
    if request.endpoint in PDF_ENDPOINTS:
        ratelimit.count("PDF_RATE_LIMIT", client)
    ratelimit.count("HTML_RATE_LIMIT", client)


def _case_url(slug: str) -> str:
    """The permanent URL of a case, printed and encoded in the QR code."""
    return url_for("public.show_case", slug=slug, _external=True)


def _pdf(html: str, filename: str):
    return send_file(BytesIO(sheets.render_pdf(html)), mimetype="application/pdf", as_attachment=True,
                     download_name=filename, max_age=0)


def _sheet_html(slug: str, pdf: bool) -> str:
    session = get_session()
    reference = sheet_scaling.sheet_reference(session, request.args, request.cookies.get(references.COOKIE))
    sheet = sheets.case_sheet(session, slug, _case_url, search.get_index().bands, reference)
    params = {k: request.args[k] for k in ("municipality", "population") if request.args.get(k)}
    return render_template("sheets/show_sheet.html", sheet=sheet, pdf=pdf, params=params)


def _batch_html(args: search.SearchArgs, pdf: bool) -> str:
    batch = sheets.search_sheets(get_session(), search.get_index(), args, _case_url,
                                 limit=sheets.batch_limit(current_user.is_authenticated))
    return render_template("sheets/show_batch.html", batch=batch, params=args.params(), pdf=pdf)


def _search_args() -> search.SearchArgs:
    """The request's search arguments, read as /cases reads them (InvalidInput when they are bad)."""
    args = search.parse_args(request.args)
    return references.with_reference(get_session(), args, request.cookies.get(references.COOKIE))


def _refused(exc: InvalidInput):
    """The search page's 400 (its template), listing what is wrong with the arguments."""
    return render_template("public/search.html", page=None, errors=exc.errors, sorts=search.SORTS,
                           q=request.args.get("q", "")[:200], reference=None), 400


@bp.get("/cases/<slug>/sheet")
def show_sheet(slug: str):
    """One published case laid out on one A4 page, with a print button and a PDF link."""
    return _sheet_html(slug, pdf=False)


@bp.get("/cases/<slug>/sheet.pdf")
def download_sheet(slug: str):
    """The same sheet as a PDF with embedded Japanese fonts, to attach to a mail."""
    return _pdf(_sheet_html(slug, pdf=True), f"casebook-{slug}.pdf")


# Werkzeug's router prefers these static paths to /cases/<slug>, so they are never taken for a slug.
@bp.get("/cases/sheets")
def show_batch():
    """Every result of a search (same arguments as /cases) as its own sheet, after a list of them."""
    try:
        args = _search_args()
    except InvalidInput as exc:
        return _refused(exc)
    return _batch_html(args, pdf=False)


@bp.get("/cases/sheets.pdf")
def download_batch():
    """The batch as one PDF: the list, then one page per case."""
    try:
        args = _search_args()
    except InvalidInput as exc:
        return _refused(exc)
    return _pdf(_batch_html(args, pdf=True), "casebook-sheets.pdf")
