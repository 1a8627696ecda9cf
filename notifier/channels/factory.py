"""Build the configured channels once for the service; a channel lacking config is skipped with a log line."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from crawler.config import Config, secret
from crawler.errors import NotConfiguredError
from crawler.storage.recipients import last_interaction
from notifier.channels.base import Channel
from notifier.channels.console import ConsoleChannel, FileChannel
from notifier.channels.email import EmailChannel
from notifier.channels.telegram import TelegramChannel
from notifier.channels.zalo import ZNS_BASE, FileTokenStore, ZaloChannel, ZaloTokens

log = logging.getLogger(__name__)
ZALO_TOKEN_FILE = "zalo-tokens.json"
ZALO_API_BASE = "https://openapi.zalo.me"


def output_dir(config: Config) -> Path:
    """The config's output directory, relative to the config file."""
    path = Path(config.general.output_dir)
    return path if path.is_absolute() or not config.path else Path(config.path).parent / path


def last_interaction_reader(sessions: sessionmaker[Session]) -> Callable[[str], dt.datetime | None]:
    """A lookup of a Zalo user's last interaction with the OA, read from the stored addresses."""

    def read(user_id: str) -> dt.datetime | None:
        """The latest interaction time recorded for this Zalo user id."""
        with sessions() as session:
            return last_interaction(session, "zalo", user_id)

    return read


def create_channels(
    config: Config,
    *,
    sessions: sessionmaker[Session],
    clock: Callable[[], dt.datetime],
    sleep: Callable[[float], None],
) -> dict[str, Channel]:
    """Every channel that can run with this config and environment, by type name."""
    channels: dict[str, Channel] = {"console": ConsoleChannel(), "file": FileChannel(output_dir(config))}
    builders: dict[str, Callable[[], Channel]] = {
        "email": lambda: EmailChannel.from_config(config, clock=clock),
        "telegram": lambda: TelegramChannel.from_config(config, sleep=sleep),
        "zalo": lambda: _zalo(config, sessions, clock),
    }
    for name, build in builders.items():
        try:
            channels[name] = build()
        except NotConfiguredError as exc:
            log.info("channel %s skipped: %s", name, exc)
    return channels


def _zalo(config: Config, sessions: sessionmaker[Session], clock: Callable[[], dt.datetime]) -> ZaloChannel:
    """The Zalo channel, its keys from the environment and its rotating tokens in a private file."""
    settings = config.channels.zalo
    access, refresh = secret(settings.access_token_env), secret(settings.refresh_token_env)
    return ZaloChannel(
        settings,
        secret_key=secret(settings.secret_key_env) or "",
        tokens=FileTokenStore(output_dir(config) / ZALO_TOKEN_FILE),
        initial=ZaloTokens(access, refresh) if access and refresh else None,
        last_interaction=last_interaction_reader(sessions),
        clock=clock,
        zns_base=zns_base(settings.api_base),
    )


def zns_base(api_base: str) -> str:
    """ZNS lives on its own host in production; a local or proxied OA API serves it on the same base."""
    return ZNS_BASE if api_base.rstrip("/") == ZALO_API_BASE else api_base
