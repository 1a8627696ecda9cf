"""Secrets never reach a log line, an exception text that logging prints, or a stored error.

Every entry point (each `dondoc` command, `dondoc run`, the bot, the crawl worker) calls
`protect_config` with its config: the values of the environment variables the config names for
secrets (Telegram token, Zalo keys and tokens, SMTP password, the webhook secret, a database URL's
password) are registered, and a record factory rewrites every log record of every logger (httpx,
httpcore, python-telegram-bot, APScheduler, Scrapy...) before any handler or filter sees it. Any
`bot<digits>:<token>` (a Telegram Bot API URL) is masked even when its token was never configured.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar
from urllib.parse import quote

if TYPE_CHECKING:
    from crawler.config import Config

MASK = "***"
BOT_TOKEN = re.compile(r"bot\d+:[A-Za-z0-9_-]+", re.IGNORECASE)
MIN_SECRET_LENGTH = 4  # shorter values are no real secret, and masking them would garble every line
WEBHOOK_SECRET_ENV = "DONDOC_TELEGRAM_WEBHOOK_SECRET"
DATABASE_URL_ENV = "DONDOC_DATABASE_URL"

_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None
_installed = False

P = ParamSpec("P")
R = TypeVar("R")


def register_secret(value: str | None) -> None:
    """Mask `value` (and its URL-encoded form) from now on in every log record and redacted text."""
    if not value or len(value) < MIN_SECRET_LENGTH or value in _secrets:
        return
    global _pattern
    _secrets.update((value, quote(value, safe="")))
    alternatives = "|".join(re.escape(item) for item in sorted(_secrets, key=len, reverse=True))
    _pattern = re.compile(alternatives, re.IGNORECASE)  # providers may change a quoted secret's case
    install()


def redact(text: str) -> str:
    """`text` with every registered secret (in any letter case) and every Telegram bot token replaced
    by ***."""
    if _pattern is not None:
        text = _pattern.sub(MASK, text)
    return BOT_TOKEN.sub(f"bot{MASK}", text)


def secret_env_names(config: Config) -> list[str]:
    """The environment variables that hold secrets, as the config names them."""
    channels = config.channels
    return [channels.telegram.token_env, channels.zalo.secret_key_env, channels.zalo.access_token_env,
            channels.zalo.refresh_token_env, channels.email.password_env, WEBHOOK_SECRET_ENV]


def register_database_url(url: str | None) -> None:
    """Register the password of a database URL (as written and decoded)."""
    if not url:
        return
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        password = make_url(url).password
    except (ArgumentError, ValueError):
        return
    register_secret(str(password) if password is not None else None)
    match = re.match(r"^[^:/]+://[^:/@]*:([^@]*)@", url)
    register_secret(match.group(1) if match else None)


def protect_config(config: Config, extra_env: Iterable[str] = ()) -> None:
    """Register every secret the config (and `extra_env`) names, then make sure logging masks them."""
    for name in [*secret_env_names(config), *extra_env]:
        register_secret(os.environ.get(name))
    register_database_url(os.environ.get(DATABASE_URL_ENV))
    install()


class SecretFilter(logging.Filter):
    """Rewrite a record's message, exception text and stack so no registered secret remains."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drop it."""
        redact_record(record)
        return True


def redact_record(record: logging.LogRecord) -> None:
    """Freeze the record's message, exception and stack texts, with secrets masked."""
    try:
        message = record.getMessage()
    except Exception:  # a malformed call: leave it to the handler's own error report
        return
    masked = redact(message)
    if masked != message:
        record.msg, record.args = masked, None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


SECRET_FILTER = SecretFilter()


def install() -> None:
    """Wrap the log record factory once, so every record of every logger is redacted at birth."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        """Make the record as before, then redact it."""
        record = previous(*args, **kwargs)
        redact_record(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


def redact_exception(exc: BaseException) -> None:
    """Mask secrets in an exception's arguments in place, so its text is safe to store or print."""
    exc.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in exc.args)
    for name in ("message", "strerror"):
        value = getattr(exc, name, None)
        if isinstance(value, str):
            with contextlib.suppress(AttributeError):  # a read-only attribute stays as it is
                setattr(exc, name, redact(value))


def redacted_errors(send: Callable[P, R]) -> Callable[P, R]:
    """Decorate a channel's send so any exception it raises carries no secret in its text."""

    @functools.wraps(send)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        """Call `send`; redact the text of what it raises and raise it again."""
        try:
            return send(*args, **kwargs)
        except Exception as exc:
            redact_exception(exc)
            raise

    return guarded
