"""The bot commands: `dondoc invite` (a one-time code a unit head sends to the bot) and
`dondoc bot poll` (answer Telegram by long polling)."""

from __future__ import annotations

import argparse
import logging
import threading
from typing import TYPE_CHECKING

from crawler.config import Config
from crawler.errors import DondocError
from service.cli import load_cli_config
from service.context import now, open_session
from service.logs import configure_logging
from service.run import install_stop_handlers, telegram_poller

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def cmd_invite(args: argparse.Namespace) -> int:
    """Print a one-time code a unit head sends to the Telegram bot or Zalo OA to subscribe."""
    from notifier.onboarding import invite, invite_text

    config = load_cli_config(args)
    with open_session(config.database_url()) as session:
        if args.recipient:
            require_known_recipient(session, config, args.recipient)
        code = invite(session, args.unit, now(), recipient=args.recipient)
    print(invite_text(code, args.unit))
    return 0


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
    """Answer Telegram bot messages (/start CODE, task lists) by long polling until SIGTERM/SIGINT."""
    from crawler.storage.engine import make_engine, session_factory

    config = load_cli_config(args)
    configure_logging(logging.DEBUG if args.verbose else logging.INFO, config.service.log_json)
    url = config.database_url()
    stop = threading.Event()
    poll = telegram_poller(config, session_factory(make_engine(url)), stop)
    with open_session(url):
        pass  # migrations first
    install_stop_handlers(stop.set)
    poll()
    return 0
