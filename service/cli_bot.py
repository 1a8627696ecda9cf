"""The bot commands: `dondoc invite` (a one-time code a unit head sends to the bot), `dondoc bot poll`
(answer Telegram by long polling) and `dondoc bot webhook` (answer Telegram and Zalo by webhook)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from crawler.config import Config
from crawler.errors import ConfigError, DondocError
from service.cli import load_cli_config, serving_config
from service.context import now, open_session

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from notifier.telegram_bot import BotApp

log = logging.getLogger(__name__)
GET_ME_TIMEOUT_S = 10


def cmd_invite(args: argparse.Namespace) -> int:
    """Print a one-time code a unit head sends to the Telegram bot or Zalo OA to subscribe, with the
    bot's deep link and a PNG QR code of it."""
    from notifier.onboarding import deep_link, invite, invite_text

    config = load_cli_config(args)
    days = config.channels.invite_valid_days
    with open_session(config.database_url()) as session:
        if args.recipient:
            require_known_recipient(session, config, args.recipient)
        code = invite(session, args.unit, now(), recipient=args.recipient, valid_days=days)
    username = config.channels.telegram.bot_username or bot_username_from_api(config)
    qr_file = ""
    if username:
        qr_file = str(write_qr(deep_link(username, code), Path(args.qr_dir) / f"ma-moi-{code}.png"))
    print(invite_text(code, args.unit, bot_username=username, valid_days=days, qr_file=qr_file))
    return 0


def bot_username_from_api(config: Config) -> str:
    """The bot's username from Telegram's getMe, or "" when no token is set or the API is unreachable
    (the invite is still printed, without its link)."""
    import asyncio

    from telegram.error import TelegramError

    from crawler.config import secret

    token = secret(config.channels.telegram.token_env)
    if not token:
        return ""
    try:
        return asyncio.run(asyncio.wait_for(_username(token, config.channels.telegram.api_base),
                                            timeout=GET_ME_TIMEOUT_S))
    except (TelegramError, TimeoutError, OSError) as exc:
        log.warning("không hỏi được tên bot Telegram (getMe): %s", type(exc).__name__)
        return ""


async def _username(token: str, api_base: str) -> str:
    """The bot's username: initializing a Bot asks getMe once, and the Bot is shut down after."""
    from telegram import Bot

    from notifier.channels.telegram import bot_base_url

    async with Bot(token, base_url=bot_base_url(api_base)) as bot:
        return bot.username or ""


def write_qr(link: str, path: Path) -> Path:
    """Write a PNG QR code of a link (large modules and a quiet zone, so a phone reads it printed)."""
    import segno

    path.parent.mkdir(parents=True, exist_ok=True)
    segno.make(link, error="m").save(str(path), scale=8, border=4)
    return path


def require_known_recipient(session: Session, config: Config, name: str) -> None:
    """Refuse an invite for a recipient neither the config nor the database knows, suggesting the
    closest names (a code for a misspelt name would subscribe a new, unknown recipient)."""
    from crawler.extract.normalize import match_key
    from crawler.storage.recipients import recipient_names
    from notifier.names import suggestion

    names = [*(recipient.name for recipient in config.recipients), *recipient_names(session)]
    if match_key(name) in {match_key(known) for known in names}:
        return
    raise DondocError(f"không có người nhận “{name}” trong cấu hình hay cơ sở dữ liệu "
                      f"(khai báo ở [[recipients]] rồi chạy lại). {suggestion(name, names, 'người nhận')}")


def cmd_bot_poll(args: argparse.Namespace) -> int:
    """Answer Telegram bot messages (/start CODE, task lists, reports) by long polling until stopped."""
    from crawler.storage.engine import make_engine, session_factory
    from notifier.telegram_bot import poll

    config = serving_config(args)
    poll(telegram_application(config, session_factory(make_engine(config.database_url()))))
    return 0


def telegram_application(config: Config, sessions: sessionmaker[Session]) -> BotApp:
    """The polling bot of the config; a missing token is a ConfigError now, not at the first poll."""
    from crawler.config import secret
    from notifier.telegram_bot import build_application

    settings = config.channels.telegram
    token = secret(settings.token_env)
    if not token:
        raise ConfigError(f"thiếu token Telegram trong biến môi trường {settings.token_env}")
    return build_application(token, settings.api_base, sessions)


DEFAULT_WEBHOOK_PORT = 8788


def cmd_bot_webhook(args: argparse.Namespace) -> int:
    """Serve the Telegram and Zalo webhooks until SIGTERM/SIGINT (behind a TLS proxy such as nginx)."""
    from crawler.storage.engine import make_engine, session_factory
    from service.http_server import serve_in_foreground, webhook_app_for

    config = serving_config(args)
    app = webhook_app_for(config, session_factory(make_engine(config.database_url())))
    host = args.host or config.service.webhook_host
    port = args.port if args.port is not None else (config.service.webhook_port or DEFAULT_WEBHOOK_PORT)
    return serve_in_foreground(app, host, port, what="webhook Telegram và Zalo",
                               banner="Đang nhận webhook tại {url}/telegram và /zalo (Ctrl+C để dừng).")
