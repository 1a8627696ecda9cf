"""Build the channels once for the service from the channel registry (notifier.channels): each
registered channel is built by its `from_config`; one that is not configured says why in the log
and is skipped."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from crawler.config import Config
from crawler.errors import NotConfiguredError
from notifier.channels import load_builtin
from notifier.channels.base import Channel, ChannelContext

log = logging.getLogger(__name__)


def create_channels(
    config: Config,
    *,
    sessions: sessionmaker[Session],
    clock: Callable[[], dt.datetime],
    sleep: Callable[[float], None],
) -> dict[str, Channel]:
    """Every registered channel that can run with this config and environment, by type name."""
    context = ChannelContext(sessions=sessions, clock=clock, sleep=sleep, output_dir=config.output_path())
    channels: dict[str, Channel] = {}
    for name, cls in load_builtin().items():
        try:
            channels[name] = cls.from_config(config, context)
        except NotConfiguredError as exc:
            log.info("channel %s skipped: %s", name, exc)
    return channels
