"""What every delivery channel shares: the message it is given, its result, and its errors.

Each error class says what the outbox must do: RetryLaterError -> try again after a delay;
AddressGoneError -> deactivate the address and tell the operator; MessageHeldError -> keep the
message held and tell the operator; any other PermanentDeliveryError -> record the failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol

from crawler.errors import DeliveryError, PermanentDeliveryError


@dataclass(frozen=True)
class OutgoingMessage:
    """One outbox row as a channel sees it: one part, ready to send, addressed and keyed."""

    key: str
    channel: str
    address: str
    subject: str
    body: str
    html: str | None = None


@dataclass(frozen=True)
class SendResult:
    """The channel accepted the message; `new_address` is set when the chat moved (Telegram)."""

    provider_id: str | None = None
    new_address: str | None = None


class Channel(Protocol):
    """A way of delivering messages; `name` is the channel type used in the config."""

    name: ClassVar[str]
    part_limit: ClassVar[int | None]
    max_tags: ClassVar[int | None]

    def send(self, message: OutgoingMessage) -> SendResult:
        """Deliver one message or raise a DeliveryError subclass saying what to do next."""
        ...


class RetryLaterError(DeliveryError):
    """The channel is busy or unreachable now: retry after `retry_after` seconds (or backoff)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        """Keep the server's requested wait, when it gave one."""
        super().__init__(message)
        self.retry_after = retry_after


class AddressGoneError(PermanentDeliveryError):
    """The recipient blocked the bot or left: stop sending to this address and tell the operator."""


class MessageHeldError(DeliveryError):
    """The channel may not deliver now (e.g. outside Zalo's 48-hour window): hold it for the operator."""


class NotConfiguredError(Exception):
    """A channel lacks its configuration or secret: it is skipped with a log line, like Scrapy's."""
