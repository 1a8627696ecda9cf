"""The Telegram bot as one python-telegram-bot `Application`, answered by polling or by webhook.

`dondoc bot poll` (and `dondoc run` with `[service] telegram_polling`) runs it with `run_polling`;
`dondoc bot webhook` (and `dondoc run` with `[service] webhook_port`) serves it inside the uvicorn
server it shares with the Zalo webhook and feeds it each update with `process_update`, as PTB's
custom-webhook example does. Each bot command is a `CommandHandler`; any other text (a bare invite
code, a command typed with Vietnamese marks such as "/đang", a greeting) goes to one
`MessageHandler` that reads it like Zalo's texts. `post_init` sets the "/" menu with the Vietnamese
descriptions. Replies are plain Vietnamese text sent back to the chat; a handler that fails is
logged and the user asked to try again later.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from telegram import BotCommand, Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from crawler.errors import ConfigError
from crawler.storage.units import UnitDirectory
from notifier.channels.telegram import INVALID_TOKEN, bot_base_url
from notifier.onboarding import COMMAND_WORDS, Inbound, handle_inbound, run_command

log = logging.getLogger(__name__)

BotApp = Application[Any, Any, Any, Any, Any, Any]
Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]
ALLOWED_UPDATES = ("message", "edited_message")
MENU = (
    ("viec", "Nhiệm vụ đang thực hiện của đơn vị"),
    ("quahan", "Nhiệm vụ đã quá hạn"),
    ("tuannay", "Nhiệm vụ đến hạn trong tuần này"),
    ("xong", "Báo đã hoàn thành: /xong N [ghi chú], N là số thứ tự trong bản tin"),
    ("dang", "Báo đang thực hiện: /dang N ghi chú tiến độ"),
    ("giahan", "Đề nghị gia hạn: /giahan N NGÀY/THÁNG/NĂM lý do"),
    ("start", "Đăng ký nhận nhắc việc bằng mã mời"),
    ("huy", "Hủy nhận nhắc việc qua kênh này"),
)
FAILED = "Xin lỗi, dondoc chưa xử lý được tin nhắn này do lỗi hệ thống. Vui lòng gửi lại sau ít phút."


def build_application(
    token: str,
    api_base: str,
    sessions: sessionmaker[Session],
    *,
    directory: UnitDirectory | None = None,
    polling: bool = True,
) -> BotApp:
    """The bot: a CommandHandler per command word, the text handler, the menu, the error handler;
    `polling=False` builds it without an Updater, for a webhook server that feeds it updates."""
    builder = Application.builder().token(token).base_url(bot_base_url(api_base)).post_init(set_menu)
    if not polling:
        builder = builder.updater(None)
    app: BotApp = builder.build()
    by_command: dict[str, list[str]] = {}
    for word, command in COMMAND_WORDS.items():
        by_command.setdefault(command, []).append(word)
    for command, words in by_command.items():
        app.add_handler(CommandHandler(words, _command_callback(sessions, command, directory)))
    app.add_handler(MessageHandler(filters.TEXT, _text_callback(sessions, directory)))
    app.add_error_handler(_on_error)
    return app


async def set_menu(app: BotApp) -> None:
    """Set the "/" menu (post_init); a refusal is logged, the bot still answers."""
    try:
        await app.bot.set_my_commands([BotCommand(name, text) for name, text in MENU])
    except TelegramError as exc:
        log.warning("could not set the telegram command menu: %s", type(exc).__name__)


def _command_callback(sessions: sessionmaker[Session], command: str,
                      directory: UnitDirectory | None) -> Callback:
    """A CommandHandler callback carrying out `command` with the words after it."""

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Run the command in a worker thread (database work) and send the reply."""
        argument = " ".join(context.args or [])

        def act(session: Session, inbound: Inbound) -> str:
            return run_command(session, inbound, command, argument, directory=directory)

        await _answer(update, sessions, act)

    return answer


def _text_callback(sessions: sessionmaker[Session], directory: UnitDirectory | None) -> Callback:
    """The callback for any other text: read like a Zalo message (codes, marked commands, help)."""

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Handle the text in a worker thread and send the reply."""

        def act(session: Session, inbound: Inbound) -> str:
            return handle_inbound(session, inbound, directory=directory)

        await _answer(update, sessions, act)

    return answer


async def _answer(update: Update, sessions: sessionmaker[Session],
                  act: Callable[[Session, Inbound], str]) -> None:
    """Carry out a message off the event loop and send the reply to its chat."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or message.text is None or chat.id is None:
        return  # nothing to answer (a chat id missing is not what the Bot API sends)

    def in_session() -> str:
        with sessions() as session:
            return act(session, Inbound("telegram", str(chat.id), message.text or "", message.date))

    text = await asyncio.to_thread(in_session)
    try:
        await chat.send_message(text)
    except TelegramError as exc:
        log.warning("telegram reply not sent: %s", type(exc).__name__)


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log a failed update (its message is not acted on) and ask the user to send it again."""
    log.error("handling a telegram update failed: %s", type(context.error).__name__, exc_info=context.error)
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is None:
        return
    try:
        await chat.send_message(FAILED)
    except TelegramError as exc:
        log.warning("telegram reply not sent: %s", type(exc).__name__)


def poll(app: BotApp, *, stop_signals: tuple[int, ...] | None = (signal.SIGINT, signal.SIGTERM)) -> None:
    """Answer by long polling until a stop signal (or `stop_running`); network errors at start are
    retried, a refused token is a ConfigError for the operator (not retried)."""
    try:
        app.run_polling(allowed_updates=list(ALLOWED_UPDATES), bootstrap_retries=-1,
                        stop_signals=stop_signals)
    except InvalidToken:
        raise ConfigError(INVALID_TOKEN) from None


class PollingThread:
    """The bot polling in a daemon thread of `dondoc run`, on its own event loop, until `stop()`."""

    def __init__(self, app: BotApp, on_failure: Callable[[Exception], None]) -> None:
        """Keep the application; `on_failure` hears why polling ended on its own (a bad token)."""
        self.app = app
        self.on_failure = on_failure
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="dondoc-telegram", daemon=True)

    def start(self) -> None:
        """Start polling."""
        self.thread.start()
        log.info("telegram polling started")

    def _run(self) -> None:
        """Poll on this thread's loop; an error ends polling only, never the service."""
        asyncio.set_event_loop(self.loop)
        try:
            poll(self.app, stop_signals=None)
        except Exception as exc:
            log.exception("telegram polling stopped")
            self.on_failure(exc)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Ask the application to stop (again until it has started, since a stop before then is
        ignored by PTB) and wait for the thread."""
        deadline = time.monotonic() + timeout_s
        while self.thread.is_alive() and time.monotonic() < deadline:
            try:
                self.loop.call_soon_threadsafe(self.app.stop_running)
            except RuntimeError:  # the loop is closed: polling has ended
                break
            self.thread.join(0.5)
