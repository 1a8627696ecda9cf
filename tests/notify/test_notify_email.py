"""Email channel against a real aiosmtpd server: multipart mail, headers, STARTTLS, SSL, refusals."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from crawler.config import EmailConfig
from crawler.errors import PermanentDeliveryError, RetryLaterError
from notifier.channels.base import OutgoingMessage
from notifier.channels.email import EmailChannel, build_email

NOW = dt.datetime(2025, 10, 1, 7, 30, tzinfo=dt.UTC)
SUBJECT = "[dondoc] Bản tin hằng ngày 01/10/2025 – Sở Tài chính\r\nBcc: attacker@example.com"


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps every message it accepts, or refuses some recipients."""

    messages: list[Envelope] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Envelope, address: str, options: Any
    ) -> str:
        """Accept a recipient unless told to refuse it with a given answer."""
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        """Keep the message."""
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost / 127.0.0.1, made with openssl."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    """The server side TLS context."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    return context


def client_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    """A client context trusting only the test certificate."""
    return ssl.create_default_context(cafile=str(certificate[0]))


@pytest.fixture
def inbox() -> Inbox:
    """A fresh inbox."""
    return Inbox()


def run_server(handler: Inbox, **kwargs: Any) -> Iterator[int]:
    """Start aiosmtpd on a free loopback port and yield the port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def message(address: str = "truong.phong@example.gov.vn") -> OutgoingMessage:
    """A digest email with a scraped subject trying to inject a header."""
    return OutgoingMessage(
        key="ab" * 32,
        channel="email",
        address=address,
        subject=SUBJECT,
        body="NHẮC VIỆC – Sở Tài chính\x1e\n1. Báo cáo <script> & kết quả\n",
        html="<p>Báo cáo &lt;script&gt; &amp; kết quả</p>",
    )


def received(inbox: Inbox) -> Message:
    """The one message the server received, parsed."""
    assert len(inbox.messages) == 1
    content = inbox.messages[0].original_content
    assert isinstance(content, bytes)
    return email.message_from_bytes(content, policy=default)


def check_mail(mail: Message) -> None:
    """Multipart alternative, UTF-8 subject on one line, Message-ID and Date, no injected header."""
    assert mail.get_content_type() == "multipart/alternative"
    assert (
        str(mail["Subject"])
        == "[dondoc] Bản tin hằng ngày 01/10/2025 – Sở Tài chính Bcc: attacker@example.com"
    )
    assert mail["Bcc"] is None
    assert mail["Message-ID"] == f"<{'ab' * 20}@dondoc.example.gov.vn>"
    assert mail["Date"] == "Wed, 01 Oct 2025 14:30:00 +0700"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["From"] == "dondoc@dondoc.example.gov.vn"
    parts = {part.get_content_type(): part.get_content() for part in mail.iter_parts()}  # type: ignore[attr-defined]
    assert "1. Báo cáo <script> & kết quả" in parts["text/plain"] and "\x1e" not in parts["text/plain"]
    assert "&lt;script&gt;" in parts["text/html"]


def settings(port: int, security: str) -> EmailConfig:
    """Email settings for the local server."""
    return EmailConfig(host="127.0.0.1", port=port, security=security, sender="dondoc@dondoc.example.gov.vn")


def test_plain_smtp_delivers_multipart_with_headers(inbox: Inbox) -> None:
    """A local relay without TLS receives one well-formed multipart mail."""
    for port in run_server(inbox):
        result = EmailChannel(settings(port, "none"), clock=lambda: NOW).send(message())
        assert result.provider_id == f"<{'ab' * 20}@dondoc.example.gov.vn>"
    check_mail(received(inbox))
    assert inbox.messages[0].rcpt_tos == ["truong.phong@example.gov.vn"]


def test_starttls(inbox: Inbox, certificate: tuple[Path, Path]) -> None:
    """STARTTLS upgrades the connection before the mail is sent (the server requires it)."""
    for port in run_server(inbox, tls_context=server_context(certificate), require_starttls=True):
        channel = EmailChannel(
            settings(port, "starttls"), clock=lambda: NOW, ssl_context=client_context(certificate)
        )
        channel.send(message())
    check_mail(received(inbox))


def test_implicit_tls(inbox: Inbox, certificate: tuple[Path, Path]) -> None:
    """SSL mode speaks TLS from the first byte."""
    for port in run_server(inbox, ssl_context=server_context(certificate)):
        channel = EmailChannel(
            settings(port, "ssl"), clock=lambda: NOW, ssl_context=client_context(certificate)
        )
        channel.send(message())
    check_mail(received(inbox))


def test_refusals_map_to_permanent_or_retry(inbox: Inbox) -> None:
    """550 is permanent, 450 is retried later, a dead server is retried later, a bad address is permanent."""
    inbox.refuse = {"gone@example.gov.vn": "550 No such user", "busy@example.gov.vn": "450 Try later"}
    for port in run_server(inbox):
        channel = EmailChannel(settings(port, "none"), clock=lambda: NOW)
        with pytest.raises(PermanentDeliveryError):
            channel.send(message("gone@example.gov.vn"))
        with pytest.raises(RetryLaterError):
            channel.send(message("busy@example.gov.vn"))
        with pytest.raises(PermanentDeliveryError):
            channel.send(message("a@example.gov.vn\r\nBcc: x@example.com"))
    with pytest.raises(RetryLaterError):
        EmailChannel(settings(port, "none"), clock=lambda: NOW).send(message())
    assert inbox.messages == []


def test_message_id_is_stable_per_key_and_random_without_one() -> None:
    """The same outbox key gives the same Message-ID; an empty key gets a fresh make_msgid id."""
    sender = "dondoc@dondoc.example.gov.vn"
    first = build_email(message(), sender, NOW)["Message-ID"]
    assert first == build_email(message(), sender, NOW + dt.timedelta(hours=1))["Message-ID"]
    unkeyed = dataclasses.replace(message(), key="")
    ids = {str(build_email(unkeyed, sender, NOW)["Message-ID"]) for _ in range(2)}
    assert len(ids) == 2 and all(i.endswith("@dondoc.example.gov.vn>") for i in ids)


def test_date_is_in_vietnam_time() -> None:
    """The Date header is written with the +07:00 offset of Asia/Ho_Chi_Minh."""
    mail = build_email(message(), "dondoc@dondoc.example.gov.vn", NOW)
    assert str(mail["Date"]).endswith("+0700")
