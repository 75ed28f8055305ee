"""Outgoing mail (services/mail.py) against a real SMTP server started here, and the folder default."""
import pytest

from casebook.services import mail

from .mailserver import MailServer, free_port

BASE = {"SMTP_FROM": "casebook 事務局 <casebook@example.go.jp>"}


def message(config):
    return mail.compose(config, "staff@town.example.jp", "【casebook】確認のお願い", "本文です。\nhttps://example/",
                        {"List-Unsubscribe": "<https://example/u>"})


def test_a_message_is_sent_to_the_server():
    with MailServer() as server:
        config = {**BASE, **server.settings}
        mail.send(config, "/nonexistent", message(config))
    assert len(server.messages) == 1 and server.recipients == [["staff@town.example.jp"]]
    got = server.messages[0]
    assert got["Subject"] == "【casebook】確認のお願い" and got["List-Unsubscribe"] == "<https://example/u>"
    assert got.get_content().startswith("本文です。") and got["Message-ID"].endswith("@example.go.jp>")


@pytest.mark.parametrize("mode", ["refuse", "drop"])
def test_a_refused_or_dropped_message_raises(mode):
    with MailServer() as server:
        server.mode = mode
        config = {**BASE, **server.settings}
        with pytest.raises(mail.MailError, match="メールを送れませんでした"):
            mail.send(config, "/nonexistent", message(config))
    assert server.messages == []


def test_no_server_listening_raises():
    config = {**BASE, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": free_port(), "SMTP_SECURITY": "none",
              "SMTP_TIMEOUT": 2.0}          # nothing listens on that port
    with pytest.raises(mail.MailError):
        mail.send(config, "/nonexistent", message(config))


def test_without_a_host_messages_are_written_to_the_outbox(tmp_path):
    mail.send(BASE, tmp_path, message(BASE))
    files = list((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 1 and b"List-Unsubscribe" in files[0].read_bytes()
    assert not list((tmp_path / "mail").glob("*.part"))
