"""A real SMTP server for tests (aiosmtpd on a free local port): it keeps what it accepts, or
refuses every message, or drops the connection, as a test asks.

    with MailServer() as server:            # app.config: SMTP_HOST/PORT from server.settings
        ...
        server.messages                       # the email.message.EmailMessage objects accepted
        server.mode = "refuse"                # 554 for every message; "drop": close the connection
"""
from __future__ import annotations

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler:
    def __init__(self, server: MailServer):
        self.server = server

    async def handle_DATA(self, smtp, _session, envelope):
        if self.server.mode == "refuse":
            return "554 5.7.1 refused for the test"
        if self.server.mode == "drop":
            smtp.transport.close()  # the connection goes away in the middle of the message
            return "421 4.3.0 closing for the test"
        self.server.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.server.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"

    async def handle_RCPT(self, _smtp, _session, envelope, address, _options):
        envelope.rcpt_tos.append(address)
        return "250 OK"


class MailServer:
    """An SMTP server on 127.0.0.1 (no TLS: use SMTP_SECURITY "none")."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self.mode = "accept"
        self.port = free_port()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    @property
    def settings(self) -> dict:
        return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": self.port, "SMTP_SECURITY": "none", "SMTP_TIMEOUT": 5.0}

    def __enter__(self) -> MailServer:
        self.controller.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.controller.stop()
