"""The operations of /api/v1 as OpenAPI: one entry per route of the `api` blueprint.

Also the tables the operations share (tags, error responses) and the request examples, among
them EXAMPLE_CASE. casebook/openapi.py assembles these into the description.
"""
from __future__ import annotations

from typing import Any

from flask import Flask

from . import api_keyword_schemas as ks
from . import api_schemas as s
from . import api_search_schemas as ss
from . import search
from .services.workflow import TRANSITIONS

JSON, PROBLEM = "application/json", "application/problem+json"
BEARER = {"bearerAuth": []}

# Error responses every operation may give, with the cases in which they are given.
ERRORS = {
    400: ("BadRequest", "入力内容の誤り（項目ごとの誤りは errors）。読み取れないJSONもこれです"),
    401: ("Unauthorized", "トークンがない、正しくない、または無効にされた"),
    403: ("Forbidden", "トークンの利用者の役割ではできない操作"),
    404: ("NotFound", "事例・団体がない、または見る権限がない"),
    409: ("Conflict", "同じ事例IDがすでにある"),
    412: ("PreconditionFailed", "If-Match の版が最新ではない（ほかの人が先に更新した）"),
    413: ("PayloadTooLarge", "本文が大きすぎる"),
    415: ("UnsupportedMediaType", "本文が application/json ではない"),
    428: ("PreconditionRequired", "If-Match がない"),
    429: ("TooManyRequests", "リクエストが多すぎる（Retry-After 秒待つ）"),
    500: ("InternalServerError", "サーバーの不具合"),
    503: ("ServiceUnavailable", "検索索引が使えない（再構築中など）"),
}
TAGS = {
    "事例の検索": "公開中の事例の検索とファセット",
    "事例": "事例の記録と版の履歴",
    "事例の編集": "事例の作成・置き換え・一部変更・アーカイブ（トークンが必要）",
    "ワークフロー": "下書き → 確認待ち → 公開 → アーカイブ の操作（トークンが必要）",
    "団体": "市区町村マスタ",
    "API": "このAPIの記述",
}
READ_ERRORS = (400, 401, 404, 429, 500)
# Examples shown on the reference page; Schemathesis also sends them, so they must stay valid.
EXAMPLE_CASE = {
    "slug": "example-rpa-nyuryoku", "title": "RPAによる申請書入力の自動化", "detail": "full", "themes": ["ai-ict"],
    "tags": ["RPA", "AI-OCR"], "start_fiscal_year": "令和元年度",
    "summary": "紙の申請書をAI-OCRで読み取り、RPAで基幹システムに入力した。", "background": "", "approach": "",
    "outcome": "", "contact": "",
    "sources": [{"title": "○○市 業務改革の報告", "publisher": "○○市", "date": "2020-04", "url": "https://www.example.jp/"}],
    "event": {"name": "", "date": None},
    "participants": [{"role": "lead", "code": "392014", "name": "高知市", "prefecture": "高知県", "kind": "city",
                      "population": 326814, "population_year": 2020, "population_source": "令和2年国勢調査"}],
    "effects": [{"kind": "time", "direction": "reduction", "label": "入力作業時間", "amount": "約1,200時間",
                 "period": "annual", "status": "achieved", "wording": "入力作業を年間約1,200時間削減"},
                {"kind": "人員", "direction": None, "label": "入力担当の職員", "amount": "3人→1人", "period": None,
                 "status": "見込み", "wording": "入力担当を3人から1人に"}],
}
# A different bundled case for each change, so that each example names that case's first version.
EXAMPLE_SLUGS = {"replaceCase": "kochi-madoguchi-itaku", "updateCase": "hirosaki-jichitai-cloud",
                 "deleteCase": "seiyo-madoguchi-itaku", "submitCase": EXAMPLE_CASE["slug"],
                 "archiveCase": "hakui-madoguchi-itaku", "unpublishCase": "kagawa-kouikika",
                 "publishCase": "obama-madoguchi-itaku", "returnCase": "miyagi-kouikika"}
EXAMPLES = {
    "createCase": EXAMPLE_CASE,
    "replaceCase": {k: v for k, v in EXAMPLE_CASE.items() if k != "slug"},
    "updateCase": {"summary": "要約だけを書き換える例です。",
                   "sources": [{"title": "弘前市の報告", "publisher": "弘前市", "date": "平成30年3月", "url": "https://www.example.jp/"}]},
}
WRITE_ERRORS = (400, 401, 403, 404, 413, 415, 429, 500)


def _ok(schema, description: str, status: int = 200, etag: bool = False, location: bool = False,
        media: str = JSON) -> dict:
    response: dict[str, Any] = {"description": description, "content": {media: {"schema": schema}}}
    headers = {}
    if etag:
        headers["ETag"] = {"$ref": "#/components/headers/ETag"}
    if location:
        headers["Location"] = {"description": "作成した事例のAPIのURL", "required": True, "schema": {"type": "string"}}
    if headers:
        response["headers"] = headers
    return {status: response}


def _operation(summary: str, tag: str, ok: dict, *, description: str = "", errors=READ_ERRORS, query=None,
               body=None, body_required: bool = True, body_media=(JSON,), if_match: str | None = None,
               secured: bool = False, operation_id: str) -> dict:
    op: dict[str, Any] = {"summary": summary, "tags": [tag], "operationId": operation_id,
                          "security": [BEARER] if secured else [{}, BEARER],
                          "responses": {**ok, **{code: {"$ref": f"#/components/responses/{ERRORS[code][0]}"}
                                                 for code in sorted({*errors, 429, 500})}}}
    if description:
        op["description"] = description
    parameters: list[Any] = []
    for schema in (query if isinstance(query, tuple) else (query,) if query is not None else ()):
        parameters.append({"in": "query", "schema": schema})
    if if_match:
        parameters.append({"in": "header", "name": "If-Match", "required": if_match == "required",
                           "description": "GET で受け取った ETag（事例の版）。古ければ 412",
                           "schema": {"type": "string", "minLength": 1}, "example": '"1"'})
    if parameters:
        op["parameters"] = parameters
    if body is not None:
        example = EXAMPLES.get(operation_id, {"comment": "確認をお願いします。"} if not body_required else None)
        op["requestBody"] = {"required": body_required,
                             "content": {m: {"schema": body} | ({"example": example} if example else {})
                                         for m in body_media}}
    return op


def operations(app: Flask) -> dict[str, dict[str, dict]]:
    """endpoint -> {method: OpenAPI operation} for every route of the api blueprint."""
    search_query = search.app_args_schema(app)
    facet_names = ", ".join(search.facet_names())
    case_ok = _ok(s.CaseOutSchema, "事例の全項目（ETag は事例の版）", etag=True)
    ops = {
        "api.search_cases": {"get": _operation(
            "事例を検索する", "事例の検索",
            _ok(ss.SearchResultSchema, "検索結果（公開中の事例のみ）、ファセットとページのリンク"),
            description=f"/cases の検索と同じ引数をとります。ファセット（{facet_names}）は"
                        "繰り返して指定でき、同じファセット内はOR、ファセット間はANDです。",
            errors=(*READ_ERRORS, 503), query=(search_query, ss.UrlStyleSchema), operation_id="searchCases")},
        "api.list_facets": {"get": _operation(
            "ファセットの件数を得る", "事例の検索", _ok(ss.FacetsSchema, "件数と、ファセットごとの値と件数"),
            description="検索と同じ引数をとり、その条件でのファセットの件数だけを返します。", errors=(*READ_ERRORS, 503),
            query=(search_query, ss.UrlStyleSchema), operation_id="listFacets")},
        "api.suggest_keywords": {"get": _operation(
            "キーワードの候補を得る", "事例の検索", _ok(ks.KeywordListSchema, "候補（よく合うものから。q が空なら空）"),
            description="検索窓に入力途中の語から、公開中の事例の事例名・タグ・テーマ・参加団体名の候補を返します。"
                        "団体名は市区町村マスタの読み（ひらがな・カタカナ）でも見つかります。入力したすべての語を含む候補を、"
                        "最初の語で始まるものから順に返します。",
            query=ks.KeywordQuerySchema, operation_id="suggestKeywords")},
        "api.show_case": {"get": _operation(
            "事例を1件得る", "事例", case_ok,
            description="公開中の事例は誰でも読めます。下書き・確認待ちはトークンが必要です。アーカイブ（DELETE）した事例は、"
                        "POST /cases/{slug}/publish で公開に戻すまで 404 です。"
                        "municipality または population を指定すると、効果に試算（estimate）が付きます。",
            query=s.ReferenceQuerySchema, operation_id="getCase")},
        "api.show_revisions": {"get": _operation(
            "事例の版の一覧を得る", "事例", _ok(s.RevisionListSchema, "版の一覧（新しい順）"),
            description="キュレーターと編集責任者だけが見られます。アーカイブした事例は公開に戻すまで 404 です。",
            secured=True, operation_id="listRevisions")},
        "api.find_municipalities": {"get": _operation(
            "団体を探す", "団体", _ok(s.MunicipalityListSchema, "見つかった団体（市区町村マスタがなければ空）"),
            query=s.MunicipalityQuerySchema, operation_id="findMunicipalities")},
        "api.show_municipality": {"get": _operation(
            "団体と参加している事例を得る", "団体", _ok(s.MunicipalityDetailSchema, "団体と、参加している公開中の事例"),
            operation_id="getMunicipality")},
        "api.openapi_json": {"get": _operation(
            "このAPIの OpenAPI 記述", "API", _ok({"type": "object"}, "OpenAPI 3.1 の記述"),
            errors=(), operation_id="getOpenAPI")},
        "api.docs": {"get": _operation(
            "このAPIのリファレンス（HTML）", "API", _ok({"type": "string"}, "リファレンスのページ", media="text/html"),
            errors=(), operation_id="getReference")},
    }
    ops["api.create_case"] = {"post": _operation(
        "事例を作る（下書き）", "事例の編集",
        _ok(s.CaseOutSchema, "作った事例（状態は draft）", status=201, etag=True, location=True),
        description="本文は事例ファイル（cases/README.md）と同じ形です。status は指定できません"
                    "（状態は /submit・/publish などで変えます）。",
        errors=(*WRITE_ERRORS, 409), body=s.CaseInSchema, secured=True, operation_id="createCase")}
    ops.update({
        "api.replace_case": {"put": _operation(
            "事例を置き換える", "事例の編集", case_ok,
            description="本文は事例ファイルと同じ形（status を除く）。キュレーターは下書きだけ、編集責任者はすべての事例を"
                        "編集できます。If-Match に GET で受け取った ETag が必要です。",
            errors=(*WRITE_ERRORS, 412, 428), body=s.CaseInSchema(partial=("slug",)), if_match="required",
            secured=True, operation_id="replaceCase")},
        "api.update_case": {"patch": _operation(
            "事例の一部を変える", "事例の編集", case_ok,
            description="指定した項目だけを変えます（source と event は項目ごと、participants と effects は全体を"
                        "置き換え）。結果は PUT と同じ規則で検査されます。If-Match が必要です。",
            errors=(*WRITE_ERRORS, 412, 428), body=s.CaseInSchema(partial=True), if_match="required",
            secured=True, operation_id="updateCase")},
        "api.delete_case": {"delete": _operation(
            "事例をアーカイブする", "事例の編集", case_ok,
            description="事例は消えずにアーカイブされ、公開をやめます（編集責任者のみ）。以後この事例の GET・PUT・PATCH・版の一覧は"
                        "404 になり、POST /cases/{slug}/publish で戻せます。If-Match は任意です。",
            errors=(*WRITE_ERRORS, 412), if_match="optional", secured=True, operation_id="deleteCase")},
    })
    for action, (sources, target, role, label) in TRANSITIONS.items():
        who = "編集責任者" if role == "editor" else "キュレーターと編集責任者"
        ops[f"api.{action}_case"] = {"post": _operation(
            f"{label}（{action}）", "ワークフロー", _ok(s.CaseOutSchema, f"操作後の事例（状態は {target}）", etag=True),
            description=f"状態が {', '.join(sources)} の事例を {target} にします。{who}が行えます。"
                        + ("comment（差し戻す理由）が必要です。" if action == "return" else ""),
            errors=(*WRITE_ERRORS, 412), body=s.TransitionInSchema, body_required=False, if_match="optional",
            secured=True, operation_id=f"{action}Case")}
    # Links: what a client can do next with the case it got, and the version to name (If-Match).
    follow = ["getCase", "replaceCase", "updateCase", "deleteCase", "listRevisions",
              *(f"{action}Case" for action in TRANSITIONS)]
    for endpoint, method, status, slug in (("api.create_case", "post", 201, "$response.body#/slug"),
                                           ("api.show_case", "get", 200, "$request.path.slug"),
                                           ("api.replace_case", "put", 200, "$request.path.slug"),
                                           ("api.update_case", "patch", 200, "$request.path.slug")):
        ops[endpoint][method]["responses"][status]["links"] = {
            target: {"operationId": target, "parameters": {"path.slug": slug} | (
                {"header.If-Match": "$response.header.ETag"} if target not in ("getCase", "listRevisions") else {})}
            for target in follow}
    return ops
