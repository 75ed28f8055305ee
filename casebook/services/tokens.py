"""API clients: personal API tokens (who is calling); their rate limits are casebook/ratelimit.py.

A token is shown to its owner once, when it is created; only its SHA-256 hash and a short
prefix (to tell tokens apart on the page) are stored. Every API request looks the hash up
again, so a revoked token or a deactivated user stops working at the next request.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlmodel import Session, select

from ..errors import InvalidInput, NotFound, Unauthorized
from ..models import ApiToken, User, utcnow
from ..ratelimit import RateLimiter, parse_rate  # noqa: F401 (their home is casebook/ratelimit.py; kept for callers of this one)
from . import audit

TOKEN_PREFIX = "cbk_"
SHOWN_PREFIX = 12          # characters of the token kept in clear to recognise it (fits ApiToken.prefix)
MAX_NAME = 100
# last_used_at is written at most this often per token, so reads do not become writes.
USAGE_RESOLUTION = timedelta(minutes=1)


def hash_token(plain: str) -> str:
    """The SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def create_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; return the stored row and the plain token (shown once, never again)."""
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidInput("トークンの名前が正しくありません。",
                           [("name", f"用途が分かる名前を{MAX_NAME}文字以内で入力してください。")])
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_token(plain), prefix=plain[:SHOWN_PREFIX])
    session.add(token)
    audit.record(session, "token.create", user, target=token.prefix, detail=name)
    session.commit()
    return token, plain


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    """The user's tokens, newest first (revoked ones included, marked by revoked_at)."""
    return list(session.exec(select(ApiToken).where(ApiToken.user_id == user.id)
                             .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens; it is refused from the next request on."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("指定されたトークンは見つかりません。")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, "token.revoke", user, target=token.prefix, detail=token.name)
        session.commit()
    return token


def authenticate(session: Session, bearer: str) -> tuple[User, ApiToken]:
    """Return the active user and the token for a bearer token; raise Unauthorized otherwise."""
    bearer = (bearer or "").strip()
    if not bearer.startswith(TOKEN_PREFIX) or len(bearer) > 200:
        raise Unauthorized("APIトークンが正しくありません。")
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(bearer))).first()
    if token is None or token.revoked_at is not None:
        raise Unauthorized("APIトークンが正しくないか、無効にされています。")
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        raise Unauthorized("このトークンの利用者は無効にされています。")
    now = utcnow()
    last = token.last_used_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=now.tzinfo)
    if last is None or now - last >= USAGE_RESOLUTION:
        token.last_used_at = now
        session.commit()
    return user, token
