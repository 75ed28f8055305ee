"""The messages of an inquiry (services/inquiries.py): the receipt and the answer to the asker, the forward to a government.

Subjects carry only fixed text and the inquiry's number, never what a visitor typed, so no input
reaches a header but the validated address. The forward quotes the question with the asker's name
and organisation and never their address: the secretariat relays the answer.
"""
from __future__ import annotations

from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

from ..models import Case, Inquiry
from .mail import compose

SITE = "先進事例データベース casebook"


def _case_url(config: Mapping[str, Any], case: Case) -> str:
    return f"{(config.get('PUBLIC_URL') or '').rstrip('/')}/cases/{case.slug}"


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.splitlines())


def _signature() -> str:
    return f"\n--\n{SITE} 事務局\n"


def receipt(config: Mapping[str, Any], inquiry: Inquiry, case: Case) -> EmailMessage:
    """To the asker: the question was received (its number, what happens next)."""
    consent = ("回答を事例のページに公開することに同意いただきました（お名前・所属・メールアドレスは公開しません）。"
               if inquiry.consent_to_publish else "回答は公開しません。")
    text = (f"{inquiry.name} 様\n\n{SITE}へのお問い合わせを受け付けました（受付番号 {inquiry.id}）。\n"
            "事務局から事例の団体にお問い合わせ内容をお伝えし、回答をこのアドレスにお知らせします。\n"
            "団体にはお名前と所属をお伝えし、メールアドレスはお伝えしません。\n"
            f"{consent}\n\n事例: {case.title}\n{_case_url(config, case)}\n\nお問い合わせ内容:\n"
            f"{_quoted(inquiry.question)}\n\nお心当たりのない場合は、このメールを破棄してください。\n{_signature()}")
    return compose(config, inquiry.email, f"【casebook】お問い合わせを受け付けました（受付番号 {inquiry.id}）", text)


def answer(config: Mapping[str, Any], inquiry: Inquiry, case: Case) -> EmailMessage:
    """To the asker: the answer the government gave, through the secretariat."""
    text = (f"{inquiry.name} 様\n\n受付番号 {inquiry.id} のお問い合わせについて、回答をお知らせします。\n\n"
            f"事例: {case.title}\n{_case_url(config, case)}\n\n回答:\n{inquiry.answer}\n\n"
            f"お問い合わせ内容:\n{_quoted(inquiry.question)}\n{_signature()}")
    return compose(config, inquiry.email, f"【casebook】お問い合わせへの回答（受付番号 {inquiry.id}）", text)


def forward(config: Mapping[str, Any], to: str, inquiry: Inquiry, case: Case, note: str) -> EmailMessage:
    """To the government: the question, from the secretariat, without the asker's address."""
    who = inquiry.name + (f"（{inquiry.organisation}）" if inquiry.organisation else "")
    text = (f"{note}\n\n" if note else "") + (
        f"{SITE}の事務局です。掲載している事例について、次のお問い合わせがありました。\n"
        "回答は、このメールへの返信で事務局にお送りください。事務局から質問者にお伝えします。\n\n"
        f"事例: {case.title}\n{_case_url(config, case)}\n受付番号: {inquiry.id}\n質問者: {who}\n\n"
        f"お問い合わせ内容:\n{_quoted(inquiry.question)}\n{_signature()}")
    return compose(config, to, f"【casebook】事例についてのお問い合わせ（受付番号 {inquiry.id}）", text)
