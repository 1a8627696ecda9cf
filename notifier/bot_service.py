"""The bot entry points the CLI wires: `dondoc invite`, `dondoc bot poll`, and the replies the
webhooks (notifier.webhooks) send through a channel."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from crawler.config import Config, secret
from crawler.errors import DeliveryError
from crawler.redaction import protect_config
from notifier.channels.base import Channel, OutgoingMessage
from notifier.channels.factory import output_dir
from notifier.onboarding import (
    OFFSET_FILE,
    OffsetStore,
    Reply,
    invite,
    invite_text,
    poll_telegram,
)

log = logging.getLogger(__name__)


def run_invite(
    sessions: sessionmaker[Session], unit: str, now: dt.datetime, *, recipient: str | None = None
) -> str:
    """`dondoc invite --unit NAME [--recipient NAME]`: store a one-time code and return what to print."""
    with sessions() as session:
        return invite_text(invite(session, unit, now, recipient=recipient), unit)


def run_poll(
    config: Config,
    sessions: sessionmaker[Session],
    *,
    should_stop: Callable[[], bool],
    sleep: Callable[[float], None],
) -> None:
    """`dondoc bot poll`: answer Telegram updates by long polling until told to stop."""
    protect_config(config)
    settings = config.channels.telegram
    token = secret(settings.token_env)
    if not token:
        raise SystemExit(f"Thiếu token Telegram trong biến môi trường {settings.token_env}")
    offsets = OffsetStore(output_dir(config) / OFFSET_FILE)
    poll_telegram(sessions, token, settings.api_base, offsets, should_stop=should_stop, sleep=sleep)


def send_reply(channels: dict[str, Channel], reply: Reply) -> None:
    """Send a bot reply now through its channel; a failure is logged (the user can ask again)."""
    channel = channels.get(reply.channel)
    if channel is None:
        log.warning("no %s channel configured to answer a user", reply.channel)
        return
    try:
        channel.send(OutgoingMessage(f"reply:{reply.address}", reply.channel, reply.address, "", reply.text))
    except DeliveryError as exc:
        log.warning("bot reply not sent on %s: %s", reply.channel, type(exc).__name__)
