"""Outgoing mail: one message composed and sent, or written to a folder in development.

Settings (config.py): SMTP_HOST, SMTP_PORT, SMTP_SECURITY (starttls, ssl or none),
SMTP_USERNAME, SMTP_PASSWORD, SMTP_TIMEOUT, SMTP_FROM; without SMTP_HOST each message is
written as an .eml file to SMTP_OUTBOX (default instance/mail), so development and `make run`
need no mail server. `send` returns only when the server accepted the message (or the file is
written); otherwise it raises MailError, so a caller marks nothing sent that was not.
"""
from __future__ import annotations

import smtplib
import ssl
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any


class MailError(RuntimeError):
    """A message could not be handed to the mail server (its reason in Japanese and the cause)."""


def compose(config: Mapping[str, Any], to: str, subject: str, text: str,
            headers: Mapping[str, str] | None = None) -> EmailMessage:
    """A plain-text UTF-8 message from SMTP_FROM to `to`, with Date and Message-ID."""
    message = EmailMessage()
    message["From"] = config.get("SMTP_FROM") or "casebook <noreply@localhost>"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    domain = message["From"].addresses[0].domain or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text, charset="utf-8")
    return message


def mail_dir(config: Mapping[str, Any], instance_path: str | Path) -> Path:
    return Path(config.get("SMTP_OUTBOX") or Path(instance_path) / "mail")


def send(config: Mapping[str, Any], instance_path: str | Path, message: EmailMessage) -> None:
    """Hand `message` to the SMTP server (or write it to SMTP_OUTBOX); raise MailError if not accepted."""
    host = config.get("SMTP_HOST") or ""
    if not host:
        folder = mail_dir(config, instance_path)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}.eml"
        partial = folder / (name + ".part")
        partial.write_bytes(bytes(message))
        partial.replace(folder / name)  # whole files only
        return
    port = int(config.get("SMTP_PORT") or 587)
    security = (config.get("SMTP_SECURITY") or "starttls").lower()
    timeout = float(config.get("SMTP_TIMEOUT") or 10.0)
    try:
        if security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(host, port, timeout=timeout)
        with server:
            if security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if config.get("SMTP_USERNAME"):
                server.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
            refused = server.send_message(message)
        if refused:
            raise MailError(f"宛先が受け付けられませんでした: {', '.join(refused)}")
    except MailError:
        raise
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(f"メールを送れませんでした（{type(exc).__name__}: {exc}）。次の実行で送り直します。") from exc
