"""Domain errors, and the one table that maps them to HTTP responses."""
from __future__ import annotations


class CasebookError(Exception):
    """Base of errors a user can cause; `message` is shown to them (in Japanese)."""

    status = 400

    def __init__(self, message: str, errors: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or []


class InvalidInput(CasebookError):
    """Input that does not fit: `errors` lists (field, reason) pairs."""


class NotFound(CasebookError):
    """No such case, or not visible to this user."""

    status = 404


class Forbidden(CasebookError):
    """The user is signed in but their role does not allow this."""

    status = 403


class Conflict(CasebookError):
    """The record changed since the user loaded it (their version is stale)."""

    status = 409

    def __init__(self, message: str, current=None, errors: list[tuple[str, str]] | None = None):
        super().__init__(message, errors)
        self.current = current


class Unauthorized(CasebookError):
    """No valid credentials: an API write without a token, or an unknown or revoked token."""

    status = 401


class UnsupportedMediaType(CasebookError):
    """A request body that is not JSON where the API expects JSON."""

    status = 415


class PreconditionFailed(CasebookError):
    """The version named in If-Match is not the current one (someone saved in between)."""

    status = 412


class PreconditionRequired(CasebookError):
    """A change that must name the version it was based on (If-Match) did not."""

    status = 428


class SearchUnavailable(CasebookError):
    """The search index cannot answer right now (not built yet, or being rebuilt)."""

    status = 503


class DatabaseUnavailable(CasebookError):
    """The database cannot be used right now: down, restarting, its connection cut, or locked too long."""

    status = 503


class TooManyRequests(CasebookError):
    """A client went over its request limit (ratelimit.py); `retry_after` is the seconds to wait."""

    status = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


# error class -> (HTTP status, title shown on the error page / problem type title)
HTTP_ERRORS: dict[type[CasebookError], tuple[int, str]] = {
    InvalidInput: (400, "入力内容に誤りがあります"),
    NotFound: (404, "ページが見つかりません"),
    Forbidden: (403, "この操作を行う権限がありません"),
    Conflict: (409, "ほかの人が先に更新しました"),
    Unauthorized: (401, "認証が必要です"),
    UnsupportedMediaType: (415, "JSONで送信してください"),
    PreconditionFailed: (412, "ほかの人が先に更新しました"),
    PreconditionRequired: (428, "更新の前提となる版（If-Match）が必要です"),
    SearchUnavailable: (503, "検索を一時的に利用できません"),
    DatabaseUnavailable: (503, "データベースに接続できません"),
    TooManyRequests: (429, "リクエストが多すぎます"),
}

DATABASE_DOWN = "しばらくしてから、もう一度お試しください。続く場合は管理者にお知らせください。"


def database_outage(error: BaseException) -> DatabaseUnavailable | None:
    """The outage an exception means (the database or its connection failed, not the query), else None.

    OperationalError covers a server that is down or restarting, a terminated backend
    (psycopg's AdminShutdown) and SQLite's "database is locked"; InterfaceError a connection
    already closed; PendingRollbackError a session that an earlier failure left unusable.
    """
    from sqlalchemy import exc

    outages: tuple[type[BaseException], ...] = (
        exc.OperationalError, exc.InterfaceError, exc.PendingRollbackError, exc.DisconnectionError,
        exc.TimeoutError)  # TimeoutError: every pooled connection busy for too long
    try:
        import psycopg  # raised unwrapped when a driver connection is used directly
    except ImportError:
        pass
    else:
        outages += (psycopg.OperationalError, psycopg.InterfaceError)
    if isinstance(error, outages) or (isinstance(error, exc.DBAPIError) and error.connection_invalidated):
        return DatabaseUnavailable(DATABASE_DOWN)
    return None


def http_status(error: CasebookError) -> tuple[int, str]:
    """Return the HTTP status and title for a domain error."""
    for cls in type(error).__mro__:
        if cls in HTTP_ERRORS:
            return HTTP_ERRORS[cls]
    return error.status, "エラーが発生しました"


def wants_json() -> bool:
    """True for requests to the JSON API."""
    from flask import request

    return request.path.startswith("/api/")


def error_response(status: int, title: str, detail: str = "", errors: list[tuple[str, str]] | None = None):
    """Render an error as problem+json under /api, as a Japanese page elsewhere."""
    from flask import jsonify, render_template

    if wants_json():
        body = {"type": "about:blank", "title": title, "status": status, "detail": detail or title}
        if errors:
            body["errors"] = [{"field": f, "message": m} for f, m in errors]
        response = jsonify(body)
        response.status_code = status
        response.mimetype = "application/problem+json"
        return response
    return render_template("error.html", status=status, title=title, detail=detail, errors=errors or []), status


def init_app(app) -> None:
    """Register handlers so that every error is answered in Japanese, never with a bare 500."""
    from flask import g
    from flask_wtf.csrf import CSRFError
    from sqlalchemy import exc
    from werkzeug.exceptions import HTTPException

    from . import db

    @app.errorhandler(CasebookError)
    def _domain(error: CasebookError):
        status, title = http_status(error)
        response = app.make_response(error_response(status, title, error.message, error.errors))
        if isinstance(error, TooManyRequests):
            response.headers["Retry-After"] = str(error.retry_after)
        return response

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return error_response(400, "フォームの有効期限が切れたか、不正な送信です",
                              "ページを読み込み直してから、もう一度送信してください。")

    messages = {
        400: ("リクエストが正しくありません", "入力内容を確認してください。"),
        401: ("ログインが必要です", "ログインしてから、もう一度お試しください。"),
        403: ("この操作を行う権限がありません", "必要な権限をお持ちでない場合は、編集責任者にご相談ください。"),
        404: ("ページが見つかりません", "URLが正しいか確認してください。"),
        405: ("この操作はできません", "このURLではその方法のリクエストを受け付けていません。"),
        413: ("送信されたデータが大きすぎます", "ファイルや入力を小さくして、もう一度送信してください。"),
        429: ("リクエストが多すぎます", "しばらく待ってから、もう一度お試しください。"),
        500: ("サーバーでエラーが発生しました", "時間をおいて、もう一度お試しください。"),
    }

    def _database_down(error: Exception):
        outage = database_outage(error)
        if outage is None:  # a failed query (IntegrityError, DataError…) is a bug, not an outage
            return _unexpected(error)
        app.logger.error("database unavailable: %s", getattr(error, "orig", None) or error)
        # The request's session and its connection are dropped, never reused; the next request
        # opens a fresh one, so service resumes without a restart once the database is back.
        # Objects loaded through that session cannot be read any more, so the page (and the
        # request log) must not ask them, or the database, who is signed in.
        db.discard_session()
        g._login_user = app.login_manager.anonymous_user()
        g.pop("api_user", None)
        g.pop("api_token", None)
        return _domain(outage)

    for cls in (exc.DBAPIError, exc.PendingRollbackError, exc.DisconnectionError, exc.TimeoutError):
        app.register_error_handler(cls, _database_down)
    try:
        import psycopg
    except ImportError:
        pass
    else:
        app.register_error_handler(psycopg.Error, _database_down)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        title, detail = messages.get(error.code or 500, (error.name, ""))
        response = error_response(error.code or 500, title, detail)
        if error.code == 405 and getattr(error, "valid_methods", None):
            response = app.make_response(response)
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("unhandled error")
        title, detail = messages[500]
        return error_response(500, title, detail)
