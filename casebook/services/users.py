"""Accounts: creating users, passwords, sessions, and signing in with throttling of repeated failures.

A user's `session_generation` is written into each sign-in session (casebook/auth.py); raising it
(sign-out, a new password, a role change, deactivation, an editor's "end sessions") ends every
session of that user, including copies of the cookie.
"""
from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from sqlalchemy import func, update
from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import InvalidInput, NotFound
from ..models import LoginAttempt, User, utcnow
from . import audit, passwords

ROLES = ("curator", "editor")
WINDOW = timedelta(minutes=15)
SLOW_AFTER = 3        # failures of one account before each further attempt must wait
LOCK_AFTER = 10       # failures of one account within WINDOW before it is refused
# Failures from one address within WINDOW before it is refused, for every account. Much higher
# than an account's limit: an office's NAT (or a proxy whose forwarded address the app was not
# told to trust, see TRUSTED_PROXIES) is shared by every curator, and a few of them mistyping
# must not lock out the rest; it still stops one address trying a password on many accounts.
ADDRESS_LOCK_AFTER = 100
MIN_PASSWORD = passwords.MIN_LENGTH
# A hash to compare against when the account does not exist, so both paths take as long.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def normalise_email(email: str) -> str:
    """Lower-case and strip an e-mail address, as accounts are stored."""
    return (email or "").strip().lower()


def check_password_rules(password: str, email: str = "") -> None:
    """Refuse a password that may not be used for the account `email` (services/passwords.py)."""
    passwords.check_password(password, normalise_email(email))


def create_user(session: Session, email: str, password: str, role: str = "curator", name: str = "",
                by: User | None = None) -> User:
    """Create an account; the email must be new and the password pass the rules (services/passwords.py)."""
    email = normalise_email(email)
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) or len(email) > 254:
        raise InvalidInput("メールアドレスが正しくありません。", [("email", "name@example.jp の形で入力してください。")])
    if role not in ROLES:
        raise InvalidInput("役割が正しくありません。", [("role", f"次のいずれかです: {', '.join(ROLES)}")])
    check_password_rules(password, email)
    if session.exec(select(User).where(User.email == email)).first():
        raise InvalidInput("このメールアドレスは登録済みです。", [("email", "別のメールアドレスを入力してください。")])
    user = User(email=email, name=name.strip()[:100], role=role, password_hash=generate_password_hash(password))
    session.add(user)
    session.flush()
    audit.record(session, "user.create", by, target=email, detail=f"role={role}")
    session.commit()
    return user


def get_user(session: Session, email: str) -> User:
    """Return the account with this e-mail address, or raise NotFound."""
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None:
        raise NotFound("その利用者は登録されていません。")
    return user


def _end_sessions(session: Session, user: User) -> None:
    # One UPDATE, so that two racing raises cannot both write the same number.
    session.exec(update(User).where(User.id == user.id)
                 .values(session_generation=User.session_generation + 1))
    session.refresh(user)


def set_password(session: Session, email: str, password: str, by: User | None = None) -> User:
    """Replace a user's password; every session of theirs ends (casebook/auth.py)."""
    user = get_user(session, email)
    check_password_rules(password, user.email)
    user.password_hash = generate_password_hash(password)
    audit.record(session, "user.password", by, target=user.email)
    session.flush()
    _end_sessions(session, user)
    session.commit()
    return user


def update_user(session: Session, user_id: int, role: str, active: bool, by: User) -> User:
    """Change a user's role or deactivate them, ending their sessions (an editor cannot demote or lock out themselves)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("その利用者は登録されていません。")
    if role not in ROLES:
        raise InvalidInput("役割が正しくありません。", [("role", f"次のいずれかです: {', '.join(ROLES)}")])
    if user.id == by.id and (role != user.role or not active):
        raise InvalidInput("自分自身の役割の変更や無効化はできません。", [("role", "ほかの編集責任者に依頼してください。")])
    changed = (role, active) != (user.role, user.active)
    user.role, user.active = role, active
    audit.record(session, "user.update", by, target=user.email, detail=f"role={role} active={active}")
    session.flush()
    if changed:
        _end_sessions(session, user)
    session.commit()
    return user


def end_sessions(session: Session, user_id: int, by: User | None = None) -> User:
    """End every sign-in session of a user (they must sign in again), audited."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("その利用者は登録されていません。")
    audit.record(session, "user.update", by, target=user.email, detail="sessions=ended")
    _end_sessions(session, user)
    session.commit()
    return user


def sign_out(session: Session, user: User, address: str) -> None:
    """Record a sign-out and end every session of the user, wherever it was copied to."""
    audit.record(session, "logout", user, target=user.email, address=address)
    _end_sessions(session, user)
    session.commit()


def list_users(session: Session) -> list[User]:
    """Every account, by e-mail address."""
    return list(session.exec(select(User).order_by(User.email)))


class LoginRefused(InvalidInput):
    """Too many failed sign-ins: wait before trying again."""


def slow_down_seconds(failures: int) -> int:
    """Seconds an account must wait after its last failure, having failed `failures` (>= SLOW_AFTER) times."""
    return min(2 ** (failures - SLOW_AFTER + 1), 60)


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def _wait(session: Session, column, value: str, own_id: int, now, lock_after: int, slow_after: int | None) -> int:
    """Seconds to wait before the next attempt for this account or address (0: go ahead)."""
    count, last = session.exec(
        select(func.count(), func.max(LoginAttempt.at))
        .where(column == value, LoginAttempt.success.is_(False), LoginAttempt.at >= now - WINDOW,
               LoginAttempt.id != own_id)).one()
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=now.tzinfo)
    if count >= lock_after:
        return int((last + WINDOW - now).total_seconds()) + 1
    if slow_after is not None and count >= slow_after:
        return int((last + timedelta(seconds=slow_down_seconds(count)) - now).total_seconds()) + 1
    return 0


def _claim_attempt(bind, email: str, address: str) -> int:
    """Record an attempt as failed, unless the throttle refuses it; return its id.

    The count and the new row are one transaction that no other sign-in for the same account
    or address can interleave with, so a burst of concurrent attempts gets no more password
    checks than the limits allow. On PostgreSQL, transaction-level advisory locks on the account
    and the address serialise it; on SQLite, the INSERT comes first and takes the database's
    write lock until the commit. The row counts as a failure while its password is checked:
    attempts in flight count against the limits too.
    """
    with Session(bind, expire_on_commit=False) as claim:
        if bind.dialect.name == "postgresql":
            for key in sorted({_lock_key(f"login:{email}"), _lock_key(f"login-address:{address}")}):
                claim.exec(select(func.pg_advisory_xact_lock(key))).one()
        attempt = LoginAttempt(email=email, address=address, success=False)
        claim.add(attempt)
        claim.flush()
        now = utcnow()
        wait = max(_wait(claim, LoginAttempt.email, email, attempt.id, now, LOCK_AFTER, SLOW_AFTER),
                   _wait(claim, LoginAttempt.address, address, attempt.id, now, ADDRESS_LOCK_AFTER, None))
        if wait > 0:
            claim.rollback()
            audit.record(claim, "login_refused", target=email, address=address, actor=email)
            claim.commit()
            minutes = "" if wait < 60 else f"（約{-(-wait // 60)}分）"
            raise LoginRefused("ログインの失敗が続いたため、しばらくログインできません。",
                               [("email", f"{wait}秒{minutes}待ってから、もう一度お試しください。")])
        claim.commit()
        return attempt.id


def authenticate(session: Session, email: str, password: str, address: str) -> User:
    """Check a sign-in. Repeated failures of an account, or many from one address, are slowed, then refused.

    After SLOW_AFTER failures of an account within WINDOW, each attempt for it must wait a
    growing delay after the last failure; after LOCK_AFTER failures, it is refused until the
    window passes. An address is refused after ADDRESS_LOCK_AFTER failures, whichever accounts
    they were for. Refused attempts do not check the password at all. The throttle runs in its
    own transaction (_claim_attempt), so `session` must hold no uncommitted writes.
    """
    email = normalise_email(email)
    address = (address or "unknown")[:64]
    attempt_id = _claim_attempt(session.get_bind(), email, address)
    user = session.exec(select(User).where(User.email == email)).first()
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    ok = bool(user and valid and user.active)
    if ok:
        session.get(LoginAttempt, attempt_id).success = True
    audit.record(session, "login" if ok else "login_failed", user if ok else None, target=email,
                 address=address, actor=email)
    session.commit()
    if not ok:
        raise InvalidInput("メールアドレスまたはパスワードが違います。",
                           [("password", "入力内容を確かめて、もう一度お試しください。")])
    return user
