"""Accounts: creating users, passwords, and signing in with throttling of repeated failures."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import InvalidInput, NotFound
from ..models import LoginAttempt, User, utcnow
from . import audit

ROLES = ("curator", "editor")
WINDOW = timedelta(minutes=15)
SLOW_AFTER = 3        # failures before each further attempt must wait
LOCK_AFTER = 10       # failures within WINDOW before the account or address is refused
MIN_PASSWORD = 12
# A hash to compare against when the account does not exist, so both paths take as long.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def check_password_rules(password: str) -> None:
    """Refuse short passwords (NIST SP 800-63B: length over composition rules)."""
    if len(password or "") < MIN_PASSWORD:
        raise InvalidInput("パスワードが短すぎます。", [("password", f"{MIN_PASSWORD}文字以上にしてください。")])
    if len(password) > 200:
        raise InvalidInput("パスワードが長すぎます。", [("password", "200文字以内にしてください。")])


def create_user(session: Session, email: str, password: str, role: str = "curator", name: str = "",
                by: User | None = None) -> User:
    """Create an account; the email must be new and the password long enough."""
    email = normalise_email(email)
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) or len(email) > 254:
        raise InvalidInput("メールアドレスが正しくありません。", [("email", "name@example.jp の形で入力してください。")])
    if role not in ROLES:
        raise InvalidInput("役割が正しくありません。", [("role", f"次のいずれかです: {', '.join(ROLES)}")])
    check_password_rules(password)
    if session.exec(select(User).where(User.email == email)).first():
        raise InvalidInput("このメールアドレスは登録済みです。", [("email", "別のメールアドレスを入力してください。")])
    user = User(email=email, name=name.strip()[:100], role=role, password_hash=generate_password_hash(password))
    session.add(user)
    session.flush()
    audit.record(session, "user.create", by, target=email, detail=f"role={role}")
    session.commit()
    return user


def get_user(session: Session, email: str) -> User:
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None:
        raise NotFound("その利用者は登録されていません。")
    return user


def set_password(session: Session, email: str, password: str, by: User | None = None) -> User:
    """Replace a user's password."""
    user = get_user(session, email)
    check_password_rules(password)
    user.password_hash = generate_password_hash(password)
    audit.record(session, "user.password", by, target=user.email)
    session.commit()
    return user


def update_user(session: Session, user_id: int, role: str, active: bool, by: User) -> User:
    """Change a user's role or deactivate them (an editor cannot demote or lock out themselves)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("その利用者は登録されていません。")
    if role not in ROLES:
        raise InvalidInput("役割が正しくありません。", [("role", f"次のいずれかです: {', '.join(ROLES)}")])
    if user.id == by.id and (role != user.role or not active):
        raise InvalidInput("自分自身の役割の変更や無効化はできません。", [("role", "ほかの編集責任者に依頼してください。")])
    user.role, user.active = role, active
    audit.record(session, "user.update", by, target=user.email, detail=f"role={role} active={active}")
    session.commit()
    return user


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(User.email)))


class LoginRefused(InvalidInput):
    """Too many failed sign-ins: wait before trying again."""


def _failures(session: Session, column, value: str, since) -> tuple[int, object]:
    row = session.exec(select(func.count(), func.max(LoginAttempt.at))
                       .where(column == value, LoginAttempt.success.is_(False), LoginAttempt.at >= since)).one()
    return row[0], row[1]


def authenticate(session: Session, email: str, password: str, address: str) -> User:
    """Check a sign-in. Repeated failures for an account or an address are slowed, then refused.

    After SLOW_AFTER failures within WINDOW, each attempt must wait a growing delay after the
    last failure; after LOCK_AFTER failures, attempts are refused until the window passes.
    Refused attempts do not check the password at all.
    """
    email = normalise_email(email)
    now = utcnow()
    since = now - WINDOW
    for column, value in ((LoginAttempt.email, email), (LoginAttempt.address, address)):
        count, last = _failures(session, column, value, since)
        if last is not None and last.tzinfo is None:
            last = last.replace(tzinfo=now.tzinfo)
        wait = 0
        if count >= LOCK_AFTER:
            wait = int((last + WINDOW - now).total_seconds()) + 1
        elif count >= SLOW_AFTER:
            wait = int((last + timedelta(seconds=min(2 ** (count - SLOW_AFTER + 1), 60)) - now).total_seconds()) + 1
        if wait > 0:
            audit.record(session, "login_refused", target=email, address=address, actor=email)
            session.commit()
            minutes = "" if wait < 60 else f"（約{-(-wait // 60)}分）"
            raise LoginRefused("ログインの失敗が続いたため、しばらくログインできません。",
                               [("email", f"{wait}秒{minutes}待ってから、もう一度お試しください。")])
    user = session.exec(select(User).where(User.email == email)).first()
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    ok = bool(user and valid and user.active)
    session.add(LoginAttempt(email=email, address=address[:64], success=ok))
    audit.record(session, "login" if ok else "login_failed", user if ok else None, target=email,
                 address=address, actor=email)
    session.commit()
    if not ok:
        raise InvalidInput("メールアドレスまたはパスワードが違います。",
                           [("password", "入力内容を確かめて、もう一度お試しください。")])
    return user
