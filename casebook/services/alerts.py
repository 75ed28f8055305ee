"""E-mail alerts for a search, without an account: subscribing, confirming, managing, deleting.

Double opt-in: a request stores a pending subscription and mails a confirmation link; only a
confirmed one gets digests (services/alerts_digest.py, `casebook alerts send`). The page answers
every request alike — whether the address was subscribed already, pending or new, and for a bot
(the honeypot) — so it never tells whether an address is subscribed: an address already
subscribed to the search gets a mail with its manage link instead of a second subscription.

Only hashes of tokens are stored. The confirmation token is random, mailed once and valid for
CONFIRM_DAYS. The manage token (the manage and unsubscribe links of every message) is an HMAC of
the subscription's id and nonce under SECRET_KEY, so each digest can carry it without the
database holding it. The address lives in the subscription's row only: unsubscribing deletes the
row, and a subscription never confirmed is deleted after CONFIRM_DAYS (`purge`). The audit log
records ids and counts, never an address.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from sqlalchemy import delete
from sqlmodel import Session, select

from .. import domain, search
from ..errors import InvalidInput, NotFound
from ..models import AlertSubscription, utcnow
from . import audit, mail
from .cases import theme_labels
from .feeds import feed_params

FREQUENCIES = {"daily": "毎日", "weekly": "毎週"}
CONFIRM_DAYS = 7
# A second confirmation (or "already subscribed") mail to one subscription waits this long.
RESEND_AFTER = timedelta(minutes=10)
MAX_EMAIL = 254
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")
INVALID_LINK = "このリンクは無効か、有効期限が切れています。登録し直す場合は、検索ページからもう一度お申し込みください。"
ACTOR = "メール配信"


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def check_email(value: Any) -> str:
    """The address as typed (trimmed, its domain in lower case), or InvalidInput in Japanese."""
    text = str(value or "").strip()
    if not text:
        raise InvalidInput("メールアドレスを入力してください。", [("email", "メールアドレスを入力してください。")])
    if len(text) > MAX_EMAIL or not _EMAIL.fullmatch(text):
        message = "メールアドレスの形式が正しくありません（例: tanaka@city.example.lg.jp）。"
        raise InvalidInput(message, [("email", message)])
    local, _, domain_part = text.rpartition("@")
    return f"{local}@{domain_part.lower()}"


def check_frequency(value: Any) -> str:
    """daily or weekly, or InvalidInput."""
    if value not in FREQUENCIES:
        raise InvalidInput("配信の頻度を選んでください。", [("frequency", "「毎日」か「毎週」を選んでください。")])
    return str(value)


def canonical_params(args: search.SearchArgs) -> str:
    """The search as a sorted query string: q and facet values (no page, size, sort or reference)."""
    return urlencode(feed_params(args))


def search_key(params: str) -> str:
    return hashlib.sha256(params.encode("utf-8")).hexdigest()


def hash_token(plain: str) -> str:
    """The SHA-256 hex digest under which a token is looked up."""
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def manage_token(secret: str, subscription: AlertSubscription) -> str:
    """The token of a subscription's manage and unsubscribe links (derived, never stored)."""
    mac = hmac.new(str(secret).encode("utf-8"), f"casebook-alert:{subscription.id}:{subscription.manage_nonce}".encode(),
                   hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")


def describe(session: Session, index: search.Engine, args: search.SearchArgs) -> str:
    """The search in words, as the feed titles it: 「窓口 ／ 町村・小規模」 or すべての事例."""
    label = search.facet_label(theme_labels(session), index.bands)
    parts = [args.q.strip()] if args.q.strip() else []
    for facet in search.facet_names():
        if args.filters.get(facet):
            parts.append("・".join(label(facet, value) for value in args.filters[facet]))
    text = " ／ ".join(parts) if parts else "すべての事例"
    return "".join(c for c in text if unicodedata.category(c)[0] != "C")[:100]  # one line: it goes in a Subject


@dataclass(frozen=True)
class Links:
    """Absolute links for messages, from PUBLIC_URL (never from a request's Host header)."""

    base: str

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> Links:
        url = urlsplit(str(config.get("PUBLIC_URL") or "http://127.0.0.1:5000"))
        return cls(f"{url.scheme or 'http'}://{url.netloc}{url.path.rstrip('/')}")

    def confirm(self, token: str) -> str:
        return f"{self.base}/alerts/confirm/{token}"

    def manage(self, token: str) -> str:
        return f"{self.base}/alerts/manage/{token}"

    def unsubscribe(self, token: str) -> str:
        return f"{self.base}/alerts/unsubscribe/{token}"

    def search(self, params: str) -> str:
        return f"{self.base}/cases" + (f"?{params}" if params else "")

    def case(self, slug: str) -> str:
        return f"{self.base}/cases/{slug}"


def list_headers(links: Links, token: str) -> dict[str, str]:
    """List-Unsubscribe with its RFC 8058 one-click POST, for every message to a subscriber."""
    return {"List-Unsubscribe": f"<{links.unsubscribe(token)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def footer(links: Links, token: str) -> str:
    return ("――――\n"
            f"配信の設定（頻度の変更・配信の停止とアドレスの削除）: {links.manage(token)}\n"
            f"今すぐ配信を停止する: {links.unsubscribe(token)}\n"
            "配信を停止すると、登録されたメールアドレスはすぐに削除されます。\n")


def _request_mail(config, subscription: AlertSubscription, title: str, confirm: str | None):
    links, token = Links.of(config), manage_token(config["SECRET_KEY"], subscription)
    frequency = FREQUENCIES.get(subscription.frequency, "")
    if confirm:
        subject = "【casebook】メール配信の登録確認"
        text = (f"casebook の検索「{title}」の新着・更新事例のお知らせ（{frequency}）にお申し込みいただきました。\n\n"
                f"登録を確定するには、{CONFIRM_DAYS}日以内に次のリンクを開き、「登録を確定する」を押してください。\n"
                f"{links.confirm(confirm)}\n\n"
                f"お心当たりがない場合は、このメールを破棄してください。確定されなかった申込みとメールアドレスは"
                f"{CONFIRM_DAYS}日後に削除されます。\n\n")
    else:
        subject = "【casebook】メール配信は登録済みです"
        text = (f"casebook の検索「{title}」のお知らせへの申込みがありましたが、このアドレスは既に登録されています。\n"
                "頻度の変更や配信の停止は、下のリンクからできます。お心当たりがない場合は、このメールを破棄してください。\n\n")
    text += f"検索条件: {links.search(subscription.params)}\n" + footer(links, token)
    return mail.compose(config, subscription.email, subject, text, list_headers(links, token))


def request_subscription(session: Session, index: search.Engine, config: Mapping[str, Any],
                         instance_path: str | Path, args: search.SearchArgs, email: Any, frequency: Any,
                         now: datetime | None = None) -> None:
    """Store (or refresh) a pending subscription and mail its confirmation link; MailError if not sent.

    Commits. An address already confirmed for this search gets its manage link by mail instead; a
    subscription mailed less than RESEND_AFTER ago gets nothing more (the answer is the same).
    """
    email, frequency = check_email(email), check_frequency(frequency)
    now = now or utcnow()
    params = canonical_params(args)
    key = search_key(params)
    sub = session.exec(select(AlertSubscription).where(AlertSubscription.email == email,
                                                       AlertSubscription.search_key == key)).first()
    if sub is not None and sub.confirmed_at is None and _utc(sub.created_at) < now - timedelta(days=CONFIRM_DAYS):
        session.delete(sub)  # an expired request: start again
        session.flush()
        sub = None
    if sub is not None and sub.mailed_at is not None and now - _utc(sub.mailed_at) < RESEND_AFTER:
        return
    confirm = None
    if sub is None:
        sub = AlertSubscription(email=email, params=params, search_key=key, frequency=frequency,
                                manage_nonce=secrets.token_hex(16), manage_hash="", created_at=now)
        session.add(sub)
        session.flush()
        sub.manage_hash = hash_token(manage_token(config["SECRET_KEY"], sub))
    if sub.confirmed_at is None:
        confirm = secrets.token_urlsafe(32)
        sub.confirm_hash, sub.frequency = hash_token(confirm), frequency
    audit.record(session, "alert.request", actor=ACTOR, target=f"alert:{sub.id}",
                 detail="確認メール" if confirm else "登録済みの通知")
    session.commit()
    mail.send(config, instance_path, _request_mail(config, sub, describe(session, index, args), confirm))
    sub.mailed_at = utcnow()
    session.commit()


def _valid(token: Any) -> str:
    token = str(token or "")
    if not _TOKEN.fullmatch(token):
        raise NotFound(INVALID_LINK)
    return token


def pending(session: Session, token: Any, now: datetime | None = None) -> AlertSubscription:
    """The unexpired pending subscription of a confirmation token, or NotFound."""
    sub = session.exec(select(AlertSubscription).where(AlertSubscription.confirm_hash == hash_token(_valid(token)))).first()
    now = now or utcnow()
    if sub is None or _utc(sub.created_at) < now - timedelta(days=CONFIRM_DAYS):
        raise NotFound(INVALID_LINK)
    return sub


def confirm(session: Session, token: Any, now: datetime | None = None) -> AlertSubscription:
    """Confirm a pending subscription: digests start with the cases changed after now. Commits."""
    sub = pending(session, token, now)
    sub.confirmed_at = sub.watermark_at = now or utcnow()
    sub.confirm_hash = None
    audit.record(session, "alert.confirm", actor=ACTOR, target=f"alert:{sub.id}", detail=sub.frequency)
    session.commit()
    return sub


def by_manage_token(session: Session, token: Any, now: datetime | None = None) -> AlertSubscription:
    """The subscription of a manage (or unsubscribe) token, or NotFound (also for an expired pending one)."""
    sub = session.exec(select(AlertSubscription).where(AlertSubscription.manage_hash == hash_token(_valid(token)))).first()
    now = now or utcnow()
    if sub is None or (sub.confirmed_at is None and _utc(sub.created_at) < now - timedelta(days=CONFIRM_DAYS)):
        raise NotFound(INVALID_LINK)
    return sub


def set_frequency(session: Session, sub: AlertSubscription, frequency: Any) -> AlertSubscription:
    """Change how often the digest comes. Commits."""
    sub.frequency = check_frequency(frequency)
    audit.record(session, "alert.frequency", actor=ACTOR, target=f"alert:{sub.id}", detail=sub.frequency)
    session.commit()
    return sub


def remove(session: Session, sub: AlertSubscription, how: str = "manage") -> None:
    """Delete a subscription and, with it, its address. Commits."""
    audit.record(session, "alert.delete", actor=ACTOR, target=f"alert:{sub.id}", detail=how)
    session.delete(sub)
    session.commit()


def unsubscribe(session: Session, token: Any) -> bool:
    """Delete the subscription of an unsubscribe token; False when there is none (already gone). Commits."""
    try:
        sub = by_manage_token(session, token)
    except NotFound:
        return False
    remove(session, sub, "unsubscribe")
    return True


def purge(session: Session, now: datetime | None = None) -> int:
    """Delete the subscriptions never confirmed within CONFIRM_DAYS (and their addresses); commit; how many."""
    before = (now or utcnow()) - timedelta(days=CONFIRM_DAYS)
    result = session.exec(delete(AlertSubscription).where(AlertSubscription.confirmed_at.is_(None),
                                                           AlertSubscription.created_at < before))
    count = result.rowcount or 0
    if count:
        audit.record(session, "alert.purge", actor=ACTOR, detail=f"{count}件")
    session.commit()
    return count


def parse_params(params: str, config: Mapping[str, Any], bands: domain.Bands) -> search.SearchArgs:
    """A stored search back as SearchArgs (InvalidInput when the facets no longer accept it)."""
    from urllib.parse import parse_qsl

    from werkzeug.datastructures import MultiDict

    return search.parse_search_args(MultiDict(parse_qsl(params, keep_blank_values=False)), bands,
                                    config["PAGE_SIZE"], config["MAX_PAGE_SIZE"])
