"""What every delivery channel shares: the message it is given and its result.

A channel's errors are in crawler.errors (the DeliveryError branch), each mapped there to what the
outbox does about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol


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
