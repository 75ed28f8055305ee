"""HTTP answers that several views give: a case as the API's JSON record, and a file download."""
from __future__ import annotations

from flask import Response, g, jsonify

from . import api_schemas, search
from .db import get_session
from .errors import NotFound, Unauthorized
from .models import Case, User
from .services import bulk, cases


def case_response(case: Case, status: int = 200, reference=None) -> Response:
    """The whole record of `case` as JSON, with its version as the ETag."""
    session = get_session()
    body = api_schemas.case_body(case, cases.theme_labels(session), search.get_index().bands, reference=reference)
    response = jsonify(api_schemas.CaseOutSchema().dump(body))
    response.status_code = status
    response.set_etag(str(case.version))
    return response


def api_case(slug: str, public: bool) -> Case:
    """The case an API request names. DELETE archives a case: from then on the API finds nothing
    under its address (the case, its revisions, PUT and PATCH) until POST …/publish restores it;
    the editor's history page still shows it."""
    case = cases.get_case(get_session(), slug, public=public)
    if case.status == "archived":
        raise NotFound(f"この事例はアーカイブされています（DELETE 済み）。読むにも編集するにも、先に "
                       f"POST /api/v1/cases/{slug}/publish で公開に戻してください。")
    return case


def api_writer() -> User:
    """The API token's user, or 401: every write needs a token."""
    if g.api_user is None:
        raise Unauthorized("この操作にはAPIトークンが必要です（Authorization: Bearer …）。")
    return g.api_user


def download(data: bytes, fmt: str, name: str) -> Response:
    """A file download with a name Japanese Excel opens correctly."""
    response = Response(data, mimetype=bulk.FORMATS[fmt].split(";")[0])
    if fmt == "csv":
        response.headers["Content-Type"] = bulk.FORMATS["csv"]
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
