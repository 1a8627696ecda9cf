"""Telegram channel against a local server speaking the Bot API: 429, 403, chat migration, splitting."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from pathlib import Path

import pytest
from fake_apis import BOT_USER, Reply, Request, serve, telegram_error, telegram_message, telegram_ok
from notify_helpers import AS_OF, add_document, add_task
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.config import ChannelConfig, Config, GeneralConfig, RecipientConfig
from crawler.errors import AddressGoneError, PermanentDeliveryError, RetryLaterError
from crawler.storage.recipients import recipient_id
from crawler.storage.schema import ChannelAddress, OutboxMessage
from notifier.channels.base import Channel, OutgoingMessage
from notifier.channels.console import FileChannel
from notifier.channels.telegram import TelegramChannel
from notifier.outbox import deliver_pending, enqueue_digests

TOKEN = "123456:SECRET-token-value"
NOW = dt.datetime(2025, 10, 1, 7, 30, tzinfo=dt.UTC)


class BotApi:
    """Answers like api.telegram.org for a few scripted chats."""

    def __init__(self) -> None:
        """Chat "429" is rate limited once; "403" blocked the bot; "-100" became a supergroup."""
        self.ids = itertools.count(1)
        self.limited: dict[str, int] = {"429": 3, "430": 120}
        self.delivered: list[tuple[str, str]] = []

    def __call__(self, request: Request) -> Reply:
        """Answer getMe and sendMessage."""
        assert request.path.startswith(f"/bot{TOKEN}/")
        method = request.path.rsplit("/", 1)[1]
        if method == "getMe":
            return telegram_ok(BOT_USER)
        assert method == "sendMessage" and request.params["parse_mode"] == "HTML"
        chat, text = str(request.params["chat_id"]), str(request.params["text"])
        if chat in self.limited:
            wait = self.limited.pop(chat)
            return telegram_error(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        if chat == "403":
            return telegram_error(403, "Forbidden: bot was blocked by the user")
        if chat == "-100":
            return telegram_error(400, "Bad Request: group chat was upgraded to a supergroup chat",
                                  migrate_to_chat_id=-1001234567890)  # fmt: skip
        if len(text) > 4096:
            return telegram_error(400, "Bad Request: message is too long")
        self.delivered.append((chat, text))
        return telegram_ok(telegram_message(chat, text, next(self.ids)))


def message(chat: str, body: str = "<b>Nhắc việc</b> &amp; kiểm tra") -> OutgoingMessage:
    """A one-part Telegram message to `chat`."""
    return OutgoingMessage("k" * 64, "telegram", chat, "", body)


def test_send_html_and_never_log_the_token(caplog: pytest.LogCaptureFixture) -> None:
    """A message reaches the chat in HTML mode; no log line carries the bot token."""
    api = BotApi()
    caplog.set_level(logging.DEBUG)
    with serve(api) as server:
        channel = TelegramChannel(TOKEN, api_base=server.base_url, sleep=lambda s: None)
        result = channel.send(message("42"))
    assert result.provider_id == "1" and result.new_address is None
    assert api.delivered == [("42", "<b>Nhắc việc</b> &amp; kiểm tra")]
    assert all(TOKEN not in record.getMessage() for record in caplog.records)


def test_one_bot_for_the_channel_asks_getme_once() -> None:
    """Three messages through one channel: the Bot is initialized once (one getMe), then only sends."""
    api = BotApi()
    with serve(api) as server:
        channel = TelegramChannel(TOKEN, api_base=server.base_url, sleep=lambda s: None)
        for chat in ("41", "42", "43"):
            channel.send(message(chat))
    methods = [request.path.rsplit("/", 1)[1] for request in server.requests]
    assert methods == ["getMe", "sendMessage", "sendMessage", "sendMessage"]


def test_429_waits_retry_after_then_sends() -> None:
    """A short retry_after is waited with the injected sleep; a long one goes back to the outbox."""
    api = BotApi()
    waits: list[float] = []
    with serve(api) as server:
        channel = TelegramChannel(TOKEN, api_base=server.base_url, sleep=waits.append)
        channel.send(message("429"))
        with pytest.raises(RetryLaterError) as raised:
            channel.send(message("430"))
    assert waits == [3.0]
    assert raised.value.retry_after == 120.0
    assert api.delivered == [("429", "<b>Nhắc việc</b> &amp; kiểm tra")]


def test_403_means_address_gone_and_bad_request_is_permanent() -> None:
    """A blocked bot is an AddressGoneError; a message Telegram rejects is permanent."""
    with serve(BotApi()) as server:
        channel = TelegramChannel(TOKEN, api_base=server.base_url, sleep=lambda s: None)
        with pytest.raises(AddressGoneError):
            channel.send(message("403"))
        with pytest.raises(PermanentDeliveryError):
            channel.send(message("42", "x" * 5000))


def test_chat_migration_is_followed() -> None:
    """A group upgraded to a supergroup gets the message at its new id, which is reported."""
    api = BotApi()
    with serve(api) as server:
        result = TelegramChannel(TOKEN, api_base=server.base_url, sleep=lambda s: None).send(message("-100"))
    assert result.new_address == "-1001234567890"
    assert api.delivered[0][0] == "-1001234567890"


def test_unreachable_server_is_retried_later() -> None:
    """No server listening: a network error, retried later."""
    with serve(BotApi()) as server:
        base = server.base_url
    with pytest.raises(RetryLaterError):
        TelegramChannel(TOKEN, api_base=base, sleep=lambda s: None).send(message("42"))


def test_outbox_to_telegram_splits_migrates_and_deactivates(session: Session, tmp_path: Path) -> None:
    """A long digest arrives in parts under 4096 characters; a migrated group's address is updated;
    a blocked chat is deactivated and the operator told."""
    doc = add_document(session, "46-TB/TGV", "http://127.0.0.1/vb?docid=46")
    for i in range(60):
        add_task(session, f"t{i}", f"Nhiệm vụ số {i} " + "triển khai chuyển đổi số " * 8, ["Bộ Công an"],
                 dt.date(2025, 9, 1) + dt.timedelta(days=i), document=doc)  # fmt: skip
    config = Config(
        general=GeneralConfig(operator_recipient="Vận hành"),
        recipients=(
            RecipientConfig("Bộ Công an", ("Bộ Công an",)),
            RecipientConfig("Nhóm", ("Bộ Công an",)),
            RecipientConfig("Vận hành", (), (ChannelConfig("file", str(tmp_path / "op.txt")),)),
        ),
    )
    for name, chat in (("Bộ Công an", "-100"), ("Nhóm", "403")):
        session.add(
            ChannelAddress(recipient_id=recipient_id(session, name), channel="telegram", address=chat,
                           origin="invite")
        )
    session.commit()
    enqueue_digests(session, config, AS_OF, "daily", now=NOW)
    parts = session.scalars(select(OutboxMessage).where(OutboxMessage.address == "-100")).all()
    assert len(parts) > 1
    api = BotApi()
    with serve(api) as server:
        channels: dict[str, Channel] = {
            "telegram": TelegramChannel(TOKEN, api_base=server.base_url, sleep=lambda s: None),
            "file": FileChannel(),
        }
        deliver_pending(session, channels, NOW, config=config)
        deliver_pending(session, channels, NOW, config=config)
    assert [chat for chat, _ in api.delivered] == ["-1001234567890"] * len(parts)
    assert all(len(text) <= 4096 for _, text in api.delivered)
    addresses = {a.address: a.active for a in session.scalars(select(ChannelAddress))
                 if a.channel == "telegram"}
    assert addresses == {"-1001234567890": True, "403": False}
    assert "bot bị chặn" in (tmp_path / "op.txt").read_text(encoding="utf-8")


def unauthorized(request: Request) -> Reply:
    """The Bot API's answer to a wrong or revoked token."""
    return telegram_error(401, "Unauthorized")


def test_invalid_token_is_permanent_and_alerts_the_operator(session: Session, tmp_path: Path) -> None:
    """A rejected token is not retried: the message fails at once and the operator is told why."""
    with serve(unauthorized) as server:
        channel = TelegramChannel("1:wrong", api_base=server.base_url, sleep=lambda s: None)
        with pytest.raises(PermanentDeliveryError, match="token Telegram không hợp lệ"):
            channel.send(message("42"))
        doc = add_document(session, "46-TB/TGV", "http://127.0.0.1/vb?docid=46")
        add_task(session, "t", "Nhiệm vụ triển khai chuyển đổi số", ["Bộ Công an"], dt.date(2025, 10, 3),
                 document=doc)  # fmt: skip
        config = Config(
            general=GeneralConfig(operator_recipient="Vận hành"),
            recipients=(
                RecipientConfig("Bộ Công an", ("Bộ Công an",)),
                RecipientConfig("Vận hành", (), (ChannelConfig("file", str(tmp_path / "op.txt")),)),
            ),
        )
        session.add(ChannelAddress(recipient_id=recipient_id(session, "Bộ Công an"), channel="telegram",
                                   address="42", origin="invite"))  # fmt: skip
        session.commit()
        enqueue_digests(session, config, AS_OF, "daily", now=NOW)
        channels: dict[str, Channel] = {"telegram": channel, "file": FileChannel()}
        deliver_pending(session, channels, NOW, config=config)
        deliver_pending(session, channels, NOW, config=config)
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "telegram")).all()
    assert rows and all(row.status == "failed" and row.attempts == 1 for row in rows)
    assert "token Telegram không hợp lệ" in (tmp_path / "op.txt").read_text(encoding="utf-8")
