"""Telegram through python-telegram-bot: HTML messages, each error class mapped to an action.

The channel holds one `Bot` for its life (the service's, or one command's), initialized once (one
getMe) and run on the channel's own event loop, so a delivery run reuses its connections.

RetryAfter (429): wait `retry_after` with the injected sleep, or hand the wait to the outbox when it is
long; Forbidden (403): the bot was blocked or removed, the address is gone; ChatMigrated: send to the
new supergroup id and report it so the stored address follows; BadRequest and InvalidToken (a wrong or
revoked token): permanent, so the operator is told instead of the message being retried; network errors
and timeouts: retried later by the outbox. The bot token is never logged: python-telegram-bot and
httpx log request URLs, which contain it, so the token is registered with crawler.redaction, whose
record factory masks it in every log record (and any `bot<digits>:<token>` besides).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
import warnings
from collections.abc import Callable
from typing import ClassVar

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from crawler.config import Config, secret
from crawler.errors import AddressGoneError, NotConfiguredError, PermanentDeliveryError, RetryLaterError
from crawler.redaction import redacted_errors, register_secret
from notifier.channels import register
from notifier.channels.base import ChannelContext, OutgoingMessage, SendResult

log = logging.getLogger(__name__)

MAX_INLINE_WAIT_S = 60.0
MAX_TRIES = 4
INVALID_TOKEN = "token Telegram không hợp lệ hoặc đã bị thu hồi; kiểm tra biến môi trường của token"


def bot_base_url(api_base: str) -> str:
    """The Bot API base python-telegram-bot appends the token to ("https://api.telegram.org/bot")."""
    return api_base.rstrip("/") + "/bot"


def retry_seconds(exc: RetryAfter) -> float:
    """The wait Telegram asked for, in seconds (PTB gives an int or a timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # PTB 22 warns about the int form
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


@register
class TelegramChannel:
    """Send HTML messages to Telegram chats whose ids were learned from updates."""

    name: ClassVar[str] = "telegram"
    part_limit: ClassVar[int | None] = 4096
    max_tags: ClassVar[int | None] = 100

    def __init__(
        self,
        token: str,
        *,
        api_base: str,
        sleep: Callable[[float], None],
        max_inline_wait_s: float = MAX_INLINE_WAIT_S,
    ) -> None:
        """Keep one Bot (its token never logged; the API base a local server in tests) and the event loop
        it runs on: the Bot is initialized (one getMe) at the first send and reused after."""
        register_secret(token)
        self.bot = Bot(token, base_url=bot_base_url(api_base))
        self.loop = asyncio.new_event_loop()
        self.lock = threading.Lock()
        self.sleep = sleep
        self.max_inline_wait_s = max_inline_wait_s

    @classmethod
    def from_config(cls, config: Config, context: ChannelContext) -> TelegramChannel:
        """Build the channel from [channels.telegram], reading the token from its environment variable."""
        settings = config.channels.telegram
        token = secret(settings.token_env)
        if not token:
            raise NotConfiguredError(f"thiếu token Telegram trong biến môi trường {settings.token_env}")
        return cls(token, api_base=settings.api_base, sleep=context.sleep)

    @redacted_errors
    def send(self, message: OutgoingMessage) -> SendResult:
        """Send one message part and report its id (and the new chat id after a migration)."""
        with self.lock:  # one send at a time on the channel's loop
            try:
                return self.loop.run_until_complete(self._send(message.address, message.body))
            except TelegramError as exc:
                raise _mapped(exc) from None

    async def _send(self, chat_id: str, text: str) -> SendResult:
        """Send with the error-class-to-action mapping described in the module docstring."""
        await self.bot.initialize()  # a no-op once initialized: getMe is asked once per channel
        moved: str | None = None
        for _ in range(MAX_TRIES):
            try:
                sent = await self.bot.send_message(
                    chat_id=moved or chat_id,
                    text=text,
                    parse_mode=ParseMode.HTML,
                    disable_web_page_preview=True,
                )
                return SendResult(provider_id=str(sent.message_id), new_address=moved)
            except RetryAfter as exc:
                self._wait(retry_seconds(exc))
            except ChatMigrated as exc:
                moved = str(exc.new_chat_id)
                log.info("telegram chat moved to a supergroup; following it")
        raise RetryLaterError("Telegram vẫn từ chối sau nhiều lần thử")

    def _wait(self, seconds: float) -> None:
        """Honour a short retry_after here; a long one is handed to the outbox's schedule."""
        if seconds > self.max_inline_wait_s:
            raise RetryLaterError(f"Telegram yêu cầu chờ {seconds:.0f} giây", retry_after=seconds)
        log.info("telegram flood control: waiting %.0f s", seconds)
        self.sleep(seconds)


def _mapped(exc: TelegramError) -> Exception:
    """Our error for a Telegram error that the send loop does not handle itself."""
    if isinstance(exc, InvalidToken):
        return PermanentDeliveryError(INVALID_TOKEN)
    if isinstance(exc, Forbidden):
        return AddressGoneError(f"Telegram từ chối gửi (bot bị chặn hoặc bị xóa khỏi nhóm): {exc.message}")
    if isinstance(exc, BadRequest):
        return PermanentDeliveryError(f"Telegram không nhận tin nhắn: {exc.message}")
    if isinstance(exc, NetworkError):
        return RetryLaterError(f"lỗi mạng khi gửi Telegram: {exc.message}")
    return RetryLaterError(f"lỗi Telegram: {exc.message}")
