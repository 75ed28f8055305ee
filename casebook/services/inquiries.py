"""Questions about a case (問い合わせ): asked through the secretariat, never straight to the government.

A visitor's question is stored as `new`, and a receipt goes to the asker. An editor forwards it
to the government's address (the message quotes the question with the asker's name and
organisation, never their address: the secretariat relays), records the answer (which is mailed
to the asker) and closes it, or marks it as spam. An answered question whose asker consented can
be published on the case as a Q&A, and unpublished again.

Every step is an audit entry whose details name the inquiry and its case only, no personal data.
A message to the asker that the mail server did not accept stays named in `unsent` and is retried
(`deliver`); nothing is marked sent that was not. Like every service, these write and flush; the
caller commits (services/unit.py). `purge` removes personal data RETENTION_DAYS after closing.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, func, select

from ..errors import InvalidInput, NotFound
from ..models import Case, Inquiry, User, utcnow
from . import audit, inquiry_mail, mail

STATUSES = {"new": "受付", "forwarded": "転送済み", "answered": "回答済み", "closed": "終了", "spam": "対応しない"}
OPEN = ("new", "forwarded", "answered")
ACTIONS = {
    "inquiry.create": "問い合わせの受付", "inquiry.forward": "問い合わせの転送", "inquiry.answer": "問い合わせの回答",
    "inquiry.close": "問い合わせの終了", "inquiry.spam": "問い合わせを対応しないとする",
    "inquiry.publish": "問い合わせの公開", "inquiry.unpublish": "問い合わせの公開停止",
    "inquiry.mail": "問い合わせのメール送信", "inquiry.mail_failed": "問い合わせのメール送信失敗",
    "inquiry.purge": "問い合わせの個人情報の削除",
}
audit.ACTIONS.update(ACTIONS)  # so the audit page names and filters them

MAX_NAME, MAX_ORGANISATION, MAX_EMAIL, MAX_QUESTION, MAX_ANSWER, MAX_NOTE = 100, 200, 254, 4000, 10000, 2000
RETENTION_DAYS = 365  # default of the INQUIRY_RETENTION_DAYS setting
# An address as people type it: no spaces, quotes, commas or angle brackets (nothing a header
# could be split with), a dotted domain.
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")
_LARGEST_ID = 2**31 - 1


def _line(value: Any) -> str:
    """One line of text: NFC, control characters (line breaks too) dropped, trimmed."""
    text = unicodedata.normalize("NFC", str(value or ""))
    return "".join(c for c in text if unicodedata.category(c)[0] != "C").strip()


def _prose(value: Any) -> str:
    """Text of several lines: NFC, \\r\\n as \\n, other control characters dropped, trimmed."""
    text = unicodedata.normalize("NFC", str(value or "")).replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c == "\n" or unicodedata.category(c)[0] != "C").strip()


def check_email(value: Any, field: str = "email") -> str:
    """The address as typed (trimmed), or InvalidInput in Japanese."""
    text = str(value or "").strip()
    if not text:
        raise InvalidInput("メールアドレスを入力してください。", [(field, "メールアドレスを入力してください。")])
    if len(text) > MAX_EMAIL or not _EMAIL.fullmatch(text):
        message = "メールアドレスの形式が正しくありません（例: tanaka@city.example.lg.jp）。"
        raise InvalidInput(message, [(field, message)])
    return text


def check_question(data: Mapping[str, Any]) -> dict[str, Any]:
    """The asker's input cleaned, or InvalidInput listing every problem (field, reason)."""
    errors: list[tuple[str, str]] = []
    name, organisation, question = _line(data.get("name")), _line(data.get("organisation")), _prose(data.get("question"))
    if not name:
        errors.append(("name", "お名前を入力してください。"))
    elif len(name) > MAX_NAME:
        errors.append(("name", f"お名前は{MAX_NAME}文字以内で入力してください。"))
    if len(organisation) > MAX_ORGANISATION:
        errors.append(("organisation", f"所属は{MAX_ORGANISATION}文字以内で入力してください。"))
    try:
        email = check_email(data.get("email"))
    except InvalidInput as exc:
        errors += exc.errors
        email = ""
    if not question:
        errors.append(("question", "質問を入力してください。"))
    elif len(question) > MAX_QUESTION:
        errors.append(("question", f"質問は{MAX_QUESTION}文字以内で入力してください（いまは{len(question)}文字）。"))
    if errors:
        raise InvalidInput("入力内容を確認してください。", errors)
    return {"name": name, "organisation": organisation, "email": email, "question": question,
            "consent_to_publish": bool(data.get("consent_to_publish"))}


def askable_case(session: Session, slug: str) -> Case:
    """The published case a question can be about, or NotFound."""
    case = session.exec(select(Case).where(Case.slug == slug[:100], Case.status == "published")).first()
    if case is None:
        raise NotFound("この事例は見つかりません。")
    return case


def submit(session: Session, slug: str, data: Mapping[str, Any], address: str = "") -> Inquiry:
    """Store a visitor's question about a published case, its receipt still to be sent."""
    case = askable_case(session, slug)
    inquiry = Inquiry(case_id=case.id, status="new", unsent="receipt", **check_question(data))
    session.add(inquiry)
    session.flush()
    audit.record(session, "inquiry.create", target=_target(inquiry), detail=f"事例 {case.slug}", address=address,
                 actor="visitor")
    return inquiry


def get_inquiry(session: Session, inquiry_id: int) -> Inquiry:
    """One inquiry by id, or NotFound (also for ids no database could hold)."""
    inquiry = session.get(Inquiry, inquiry_id) if 0 < inquiry_id <= _LARGEST_ID else None
    if inquiry is None:
        raise NotFound("この問い合わせは見つかりません。")
    return inquiry


def case_of(session: Session, inquiry: Inquiry) -> Case:
    """The case an inquiry is about."""
    return session.get(Case, inquiry.case_id)


def list_inquiries(session: Session, status: str = "open", limit: int = 300) -> list[tuple[Inquiry, Case]]:
    """Inquiries newest first with their cases: `open` (not closed), `unsent`, `all` or one status."""
    stmt = select(Inquiry, Case).join(Case, Case.id == Inquiry.case_id)
    if status == "open":
        stmt = stmt.where(col(Inquiry.status).in_(OPEN))
    elif status == "unsent":
        stmt = stmt.where(Inquiry.unsent != "")
    elif status in STATUSES:
        stmt = stmt.where(Inquiry.status == status)
    return list(session.exec(stmt.order_by(col(Inquiry.created_at).desc(), col(Inquiry.id).desc()).limit(limit)))


def counts(session: Session) -> dict[str, int]:
    """How many inquiries are open, and how many have a message to the asker not sent yet."""
    open_count = session.exec(select(func.count()).select_from(Inquiry).where(col(Inquiry.status).in_(OPEN))).one()
    unsent = session.exec(select(func.count()).select_from(Inquiry).where(Inquiry.unsent != "")).one()
    return {"open": open_count, "unsent": unsent}


def published_qa(session: Session, case_id: int) -> list[Inquiry]:
    """The questions and answers published on a case, oldest first."""
    stmt = select(Inquiry).where(Inquiry.case_id == case_id, Inquiry.published == True)  # noqa: E712
    return list(session.exec(stmt.order_by(col(Inquiry.answered_at), col(Inquiry.id))))


def _target(inquiry: Inquiry) -> str:
    return f"問い合わせ {inquiry.id}"


def _require(inquiry: Inquiry, statuses: tuple[str, ...], doing: str) -> None:
    if inquiry.status not in statuses:
        raise InvalidInput(f"「{STATUSES.get(inquiry.status, inquiry.status)}」の問い合わせは{doing}できません。")


def forward(session: Session, config: Mapping[str, Any], instance_path: str | Path, inquiry: Inquiry, to: Any,
            note: Any, user: User) -> Inquiry:
    """Mail the question to the government's address, then record the forward (nothing if not sent)."""
    _require(inquiry, ("new", "forwarded"), "転送")
    address = check_email(to, "to")
    cover = _prose(note)
    if len(cover) > MAX_NOTE:
        raise InvalidInput("添え書きが長すぎます。", [("note", f"添え書きは{MAX_NOTE}文字以内で入力してください。")])
    message = inquiry_mail.forward(config, address, inquiry, case_of(session, inquiry), cover)
    try:
        mail.send(config, instance_path, message)
    except mail.MailError as exc:
        raise InvalidInput(f"転送メールを送れませんでした。転送は記録されていません。{exc}") from exc
    inquiry.status, inquiry.forwarded_to, inquiry.forwarded_at = "forwarded", address, utcnow()
    session.add(inquiry)
    audit.record(session, "inquiry.forward", user, target=_target(inquiry), detail="団体の窓口へ転送")
    session.flush()
    return inquiry


def record_answer(session: Session, inquiry: Inquiry, answer: Any, user: User) -> Inquiry:
    """Record the government's answer; the message that brings it to the asker is left to `deliver`."""
    _require(inquiry, OPEN, "回答")
    text = _prose(answer)
    if not text or len(text) > MAX_ANSWER:
        reason = "回答を入力してください。" if not text else f"回答は{MAX_ANSWER}文字以内で入力してください。"
        raise InvalidInput(reason, [("answer", reason)])
    inquiry.status, inquiry.answer, inquiry.answered_at, inquiry.unsent = "answered", text, utcnow(), "answer"
    if inquiry.published:
        inquiry.published = False  # a changed answer is published again only by an editor's decision
    session.add(inquiry)
    audit.record(session, "inquiry.answer", user, target=_target(inquiry), detail="回答を記録")
    session.flush()
    return inquiry


def deliver(session: Session, config: Mapping[str, Any], instance_path: str | Path, inquiry: Inquiry,
            user: User | None = None) -> bool:
    """Send the asker the message still unsent (the receipt or the answer); True when none is left."""
    kind = inquiry.unsent
    if not kind:
        return True
    if inquiry.status == "spam" or not inquiry.email:
        inquiry.unsent = ""
        session.add(inquiry)
        session.flush()
        return True
    case = case_of(session, inquiry)
    message = (inquiry_mail.answer if kind == "answer" else inquiry_mail.receipt)(config, inquiry, case)
    label = "回答" if kind == "answer" else "受付確認"
    try:
        mail.send(config, instance_path, message)
    except mail.MailError:
        audit.record(session, "inquiry.mail_failed", user, target=_target(inquiry), detail=f"{label}メール（再送待ち）")
        session.flush()
        return False
    inquiry.unsent = ""
    session.add(inquiry)
    audit.record(session, "inquiry.mail", user, target=_target(inquiry), detail=f"{label}メールを送信")
    session.flush()
    return True


def close(session: Session, inquiry: Inquiry, user: User, spam: bool = False) -> Inquiry:
    """Close an inquiry (or set it aside as spam: no more mail to its sender); its retention starts."""
    _require(inquiry, ("new", "forwarded") if spam else OPEN, "対応しないと" if spam else "終了")
    inquiry.status, inquiry.closed_at = ("spam" if spam else "closed"), utcnow()
    if spam:
        inquiry.unsent = ""
    session.add(inquiry)
    audit.record(session, "inquiry.spam" if spam else "inquiry.close", user, target=_target(inquiry))
    session.flush()
    return inquiry


def publish(session: Session, inquiry: Inquiry, public_question: Any, user: User) -> Inquiry:
    """Show an answered question on its case as a Q&A: only with the asker's consent."""
    if not inquiry.consent_to_publish:
        raise InvalidInput("質問者が公開に同意していないため、公開できません。")
    _require(inquiry, ("answered", "closed"), "公開")
    if not inquiry.answer:
        raise InvalidInput("回答が記録されていないため、公開できません。")
    text = _prose(public_question) or inquiry.question
    if len(text) > MAX_QUESTION:
        raise InvalidInput("公開する質問文が長すぎます。",
                           [("public_question", f"公開する質問文は{MAX_QUESTION}文字以内で入力してください。")])
    inquiry.public_question, inquiry.published = text, True
    session.add(inquiry)
    audit.record(session, "inquiry.publish", user, target=_target(inquiry), detail="事例のページに質問と回答を公開")
    session.flush()
    return inquiry


def unpublish(session: Session, inquiry: Inquiry, user: User) -> Inquiry:
    """Take a Q&A off its case page."""
    if not inquiry.published:
        raise InvalidInput("この問い合わせは公開されていません。")
    inquiry.published = False
    session.add(inquiry)
    audit.record(session, "inquiry.unpublish", user, target=_target(inquiry))
    session.flush()
    return inquiry


def purge(session: Session, days: int, now: datetime | None = None) -> int:
    """Remove the personal data of inquiries closed more than `days` ago; return how many.

    An unpublished one is deleted whole; a published Q&A keeps its question and answer on the
    case, without the asker's name, organisation or address.
    """
    before = (now or utcnow()) - timedelta(days=days)
    stmt = select(Inquiry).where(col(Inquiry.closed_at).is_not(None), col(Inquiry.closed_at) < before)
    removed = 0
    for inquiry in session.exec(stmt):
        if inquiry.published:
            if not (inquiry.name or inquiry.organisation or inquiry.email or inquiry.question):
                continue
            inquiry.name = inquiry.organisation = inquiry.email = inquiry.question = ""
            inquiry.unsent = ""
            session.add(inquiry)
        else:
            session.delete(inquiry)
        removed += 1
    if removed:
        audit.record(session, "inquiry.purge", detail=f"{days}日より前に終了した{removed}件")
    session.flush()
    return removed
