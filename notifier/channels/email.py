"""Email over SMTP (STARTTLS, implicit TLS or plain for a local relay): multipart text + HTML.

The UTF-8 subject is encoded per RFC 2047, and every header value is first flattened to one line,
so scraped text can never add a header. The Message-ID derives from the outbox key: a message
resent after a crash carries the same id, which lets mail clients drop the duplicate.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import ssl
from collections.abc import Callable
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import ClassVar
from zoneinfo import ZoneInfo

from crawler.config import Config, EmailConfig, secret
from crawler.errors import NotConfiguredError, PermanentDeliveryError, RetryLaterError
from crawler.redaction import redacted_errors, register_secret
from notifier.channels import register
from notifier.channels.base import ChannelContext, OutgoingMessage, SendResult
from notifier.render import plain

log = logging.getLogger(__name__)

SECURITY_MODES = ("starttls", "ssl", "none")
TIMEOUT_S = 30.0
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
POLICY = policy.default.clone(refold_source="none")


def one_line(value: str) -> str:
    """Flatten a header value to a single line (no CR, LF or other control characters)."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())


def checked_address(address: str) -> str:
    """An email address safe to use as a header and envelope recipient, or a permanent error."""
    _, parsed = parseaddr(address)
    if not parsed or parsed != address.strip() or "@" not in parsed or one_line(parsed) != parsed:
        raise PermanentDeliveryError(f"địa chỉ email không hợp lệ: {one_line(address)[:100]}")
    return parsed


def build_email(message: OutgoingMessage, sender: str, now: dt.datetime) -> EmailMessage:
    """A multipart/alternative email (plain text, then HTML when there is one) with proper headers.

    The subject is stored pre-encoded (RFC 2047, by Header): the default policy, refolding it, drops the
    spaces between encoded words of a Vietnamese subject; POLICY never refolds stored values."""
    mail = EmailMessage(policy=POLICY)
    mail["From"] = one_line(sender)
    mail["To"] = checked_address(message.address)
    mail.set_raw("Subject", Header(one_line(message.subject), "utf-8", header_name="Subject").encode())
    mail["Date"] = format_datetime(local_time(now))
    mail["Message-ID"] = message_id(message.key, sender)
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(plain(message.body), subtype="plain", charset="utf-8")
    if message.html:
        mail.add_alternative(message.html, subtype="html", charset="utf-8")
    return mail


def local_time(now: dt.datetime) -> dt.datetime:
    """The send time in Vietnam's time zone (+07:00); a naive time is taken as UTC."""
    return (now if now.tzinfo else now.replace(tzinfo=dt.UTC)).astimezone(VIETNAM)


def message_id(key: str, sender: str) -> str:
    """A Message-ID stable per outbox key (so a resent message is a duplicate); random without a key."""
    domain = one_line(sender.rpartition("@")[2].strip(" >")) or "dondoc.invalid"
    if not key:
        return make_msgid(idstring="dondoc", domain=domain)
    return f"<{key[:40]}@{domain}>"


@register
class EmailChannel:
    """Send messages by SMTP with the settings of [channels.email]."""

    name: ClassVar[str] = "email"
    part_limit: ClassVar[int | None] = None
    max_tags: ClassVar[int | None] = None

    def __init__(
        self,
        settings: EmailConfig,
        *,
        password: str | None = None,
        clock: Callable[[], dt.datetime],
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """Keep the settings; `clock` gives the Date header, `ssl_context` defaults to system CAs."""
        if settings.security not in SECURITY_MODES:
            raise NotConfiguredError(f"channels.email.security phải là một trong {', '.join(SECURITY_MODES)}")
        self.settings = settings
        self.password = password
        register_secret(password)
        self.clock = clock
        self.ssl_context = ssl_context or ssl.create_default_context()

    @classmethod
    def from_config(cls, config: Config, context: ChannelContext) -> EmailChannel:
        """Build the channel from the config, reading the SMTP password from its environment variable."""
        settings = config.channels.email
        password = secret(settings.password_env) if settings.username else None
        if settings.username and not password:
            raise NotConfiguredError(f"thiếu mật khẩu SMTP trong biến môi trường {settings.password_env}")
        return cls(settings, password=password, clock=context.clock)

    @redacted_errors
    def send(self, message: OutgoingMessage) -> SendResult:
        """Submit one email; 5xx answers are permanent failures, 4xx and network errors are retried."""
        mail = build_email(message, self.settings.sender, self.clock())
        try:
            with self._connect() as smtp:
                if self.settings.username and self.password:
                    smtp.login(self.settings.username, self.password)
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise _by_code(min(codes, default=550), "máy chủ thư từ chối người nhận") from None
        except smtplib.SMTPResponseException as exc:
            raise _by_code(exc.smtp_code, f"máy chủ thư trả lời {exc.smtp_code}") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise RetryLaterError(f"không kết nối được máy chủ thư: {type(exc).__name__}") from None
        return SendResult(provider_id=str(mail["Message-ID"]))

    def _connect(self) -> smtplib.SMTP:
        """Open an SMTP connection secured as configured."""
        host, port = self.settings.host, self.settings.port
        if self.settings.security == "ssl":
            return smtplib.SMTP_SSL(host, port, timeout=TIMEOUT_S, context=self.ssl_context)
        smtp = smtplib.SMTP(host, port, timeout=TIMEOUT_S)
        if self.settings.security == "starttls":
            try:
                smtp.starttls(context=self.ssl_context)
            except BaseException:
                smtp.close()
                raise
        return smtp


def _by_code(code: int, text: str) -> Exception:
    """A permanent error for 5xx SMTP answers, a retryable one otherwise."""
    if 500 <= code < 600:
        return PermanentDeliveryError(text)
    return RetryLaterError(text)
