"""The JSON API's writes: create, replace, change and archive cases, and the workflow steps.

Routes are added to the API blueprint of views/api.py (its request hooks apply: token, rate
limit, problem+json errors). Every write needs a token's user; PUT and PATCH need If-Match.
"""
from __future__ import annotations

import json
from typing import Any

from flask import request, url_for
from marshmallow import Schema, ValidationError

from .. import api_schemas, search
from ..blueprints import api as bp
from ..db import get_session
from ..errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    PreconditionFailed,
    PreconditionRequired,
    UnsupportedMediaType,
)
from ..models import Case, User
from ..responses import api_case, api_writer, case_response
from ..schemas import flatten_errors
from ..services import cases, participants, workflow
from ..services.unit import unit_of_work

# --- request bodies and versions -------------------------------------------------------------

def _json_body(optional: bool = False) -> dict[str, Any]:
    """The request's JSON object: 415 when it is not JSON, 400 when it cannot be read."""
    raw = request.get_data(cache=True)  # larger than MAX_CONTENT_LENGTH: 413
    if not raw.strip():
        if optional:
            return {}
        raise InvalidInput("本文がありません。", [("（本文）", "JSONのオブジェクトを送ってください。")])
    if not request.is_json:
        raise UnsupportedMediaType("本文は application/json で送ってください。",
                                   [("Content-Type", request.content_type or "（なし）")])
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise InvalidInput("本文をJSONとして読み取れません。", [("（本文）", str(exc)[:200])]) from exc
    if not isinstance(body, dict):
        raise InvalidInput("本文はJSONのオブジェクト（{…}）にしてください。", [("（本文）", "オブジェクトではありません。")])
    errors = list(_bad_text(body))
    if errors:
        raise InvalidInput("本文に使えない文字が含まれています。", errors)
    return body


def _bad_text(body: dict[str, Any]):
    """NUL characters and lone surrogates, which the databases cannot store (walked without recursion)."""
    stack: list[tuple[Any, str]] = [(body, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            stack.extend((k, path) for k in value)
            stack.extend((v, f"{path}.{k}" if path else str(k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(value))
        elif isinstance(value, str) and ("\x00" in value or not value.isprintable() and _unencodable(value)):
            yield (path or "（本文）", "NUL文字や、文字として読み取れない値は使えません。")


def _unencodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _load(schema: Schema, body: dict[str, Any], message: str = "事例の内容に誤りがあります。") -> dict[str, Any]:
    if isinstance(body.get("participants"), list):  # a code alone, or one Excel stripped, as the editor and import read it
        body = {**body, "participants": participants.resolve(get_session(), body["participants"]).rows}
    if isinstance(body.get("themes"), list):  # a theme by its name, as the import reads it
        body = {**body, "themes": participants.theme_codes(get_session(), body["themes"])}
    try:
        return schema.load(body)
    except ValidationError as exc:
        raise InvalidInput(message, flatten_errors(exc.messages)) from exc


def _case_body(slug: str | None = None) -> dict[str, Any]:
    """A case body: without `status` (the workflow changes it), and with the URL's slug if any."""
    body = _json_body()
    if "status" in body:
        raise InvalidInput("状態は本文では変えられません。",
                           [("status", "状態は /submit・/publish・/archive などの操作で変えてください。")])
    if slug is not None and body.get("slug", slug) != slug:
        raise InvalidInput("事例IDはURLと同じにしてください。", [("slug", f"URLの事例IDは {slug} です。")])
    return body


def _if_match(case: Case, required: bool) -> int | None:
    """The version named by If-Match: 428 when required and missing, 412 when it is not the current one."""
    header = request.headers.get("If-Match")
    if header is not None and not header.strip():
        raise InvalidInput("If-Match が空です。", [("If-Match", "GET で受け取った ETag を送ってください。")])
    if header is None:
        if required:
            raise PreconditionRequired("If-Match ヘッダーで、GET で受け取った ETag（版）を送ってください。",
                                       [("If-Match", "ありません。")])
        return None
    if request.if_match.star_tag:
        if required:
            raise PreconditionRequired("If-Match には「*」ではなく、GET で受け取った ETag を送ってください。",
                                       [("If-Match", "*")])
        return None
    if not request.if_match.contains(str(case.version)):
        raise PreconditionFailed("この事例はほかの人が先に更新しました。最新の内容を GET してから、もう一度送ってください。",
                                 [("If-Match", f"現在の版は {case.version} です。")])
    return case.version


# --- writing ---------------------------------------------------------------------------------

@bp.post("/cases")
def create_case():
    """Create a case as a draft from a case-file-shaped body."""
    user = api_writer()
    data = _load(api_schemas.CaseInSchema(), _case_body())
    try:
        with unit_of_work(get_session(), search.get_index()):
            case, _ = cases.save_case(get_session(), data, author=user, expected_version=0, status="draft")
    except Conflict as exc:
        raise Conflict("この事例IDはすでに使われています。",
                       errors=[("slug", "別の事例IDにしてください。")]) from exc
    response = case_response(case, 201)
    response.headers["Location"] = url_for("api.show_case", slug=case.slug, _external=True)
    return response


def _editable(slug: str) -> tuple[User, Case]:
    user = api_writer()
    case = api_case(slug, public=False)
    if not workflow.may_edit(user, case):
        raise Forbidden("下書き以外の事例を編集できるのは編集責任者だけです。")
    return user, case


def _save(user: User, case: Case, data: dict[str, Any], version: int | None):
    try:
        with unit_of_work(get_session(), search.get_index()):
            saved, _ = cases.save_case(get_session(), data, author=user, expected_version=version, status=case.status)
    except Conflict as exc:
        raise PreconditionFailed("この事例はほかの人が先に更新しました。最新の内容を GET してから、もう一度送ってください。",
                                 [("If-Match", f"現在の版は {exc.current.version} です。")]) from exc
    return case_response(saved)


@bp.put("/cases/<slug>")
def replace_case(slug: str):
    """Replace every field of a case (status excepted); needs If-Match."""
    user, case = _editable(slug)
    version = _if_match(case, required=True)
    data = _load(api_schemas.CaseInSchema(), {**_case_body(slug), "slug": slug})
    return _save(user, case, data, version)


@bp.patch("/cases/<slug>")
def update_case(slug: str):
    """Change the fields given, then check the whole case as PUT does; needs If-Match."""
    user, case = _editable(slug)
    version = _if_match(case, required=True)
    current = cases.content_json(cases.case_data(case))
    current.pop("status")
    body = _case_body(slug)
    merged = {**current, **body}
    if isinstance(merged["event"], dict) and merged["event"] is not current["event"]:
        merged["event"] = {**current["event"], **merged["event"]}
    if "source" in body and "sources" not in body:  # the earlier single source: it changes the first source
        first = current["sources"][0] if current["sources"] else {}
        source = {**first, **body["source"]} if isinstance(body["source"], dict) else body["source"]
        merged["sources"] = [source, *current["sources"][1:]]
        del merged["source"]
    return _save(user, case, _load(api_schemas.CaseInSchema(), merged), version)


def _step(slug: str, action: str, comment: str = ""):
    user = api_writer()
    case = cases.get_case(get_session(), slug, public=False)
    version = _if_match(case, required=False)
    try:
        with unit_of_work(get_session(), search.get_index()):
            moved = workflow.transition(get_session(), slug, action, user, comment, expected_version=version)
    except Conflict as exc:
        raise PreconditionFailed("この事例はほかの人が先に更新しました。",
                                 [("If-Match", f"現在の版は {exc.current.version} です。")]) from exc
    return case_response(moved)


@bp.delete("/cases/<slug>")
def delete_case(slug: str):
    """Archive a case (editors): it stays in the database, out of the public's sight."""
    return _step(slug, "archive")


def transition_case(slug: str, action: str):
    """Apply a workflow step (submit, return, publish, unpublish, archive), with an optional comment."""
    api_writer()
    body = _load(api_schemas.TransitionInSchema(), _json_body(optional=True), "送信内容に誤りがあります。")
    return _step(slug, action, body["comment"])


for _action in workflow.TRANSITIONS:
    bp.add_url_rule(f"/cases/<slug>/{_action}", endpoint=f"{_action}_case", view_func=transition_case,
                    methods=["POST"], defaults={"action": _action})
