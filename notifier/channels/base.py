"""What every delivery channel shares: the message it is given and its result.

A channel's errors are in crawler.errors (the DeliveryError branch), each mapped there to what the
outbox does about it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from crawler.config import Config


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


@dataclass(frozen=True)
class ChannelContext:
    """What a channel may need besides the config: sessions, the clock, a sleep and the output folder."""

    sessions: sessionmaker[Session]
    clock: Callable[[], dt.datetime]
    sleep: Callable[[float], None]
    output_dir: Path


class Channel(Protocol):
    """A way of delivering messages; `name` is the channel type used in the config."""

    name: ClassVar[str]
    part_limit: ClassVar[int | None]
    max_tags: ClassVar[int | None]

    @classmethod
    def from_config(cls, config: Config, context: ChannelContext) -> Channel:
        """Build the channel from the config and environment; NotConfiguredError says what is missing."""
        ...

    def send(self, message: OutgoingMessage) -> SendResult:
        """Deliver one message or raise a DeliveryError subclass saying what to do next."""
        ...
