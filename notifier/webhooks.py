"""The bot webhooks as one ASGI application: POST /telegram and POST /zalo (`dondoc bot webhook`).

Each request is judged on its headers before any of its body is read: another path answers 404,
a missing Content-Length (a chunked upload) 411, a declared body over MAX_BODY 413, a Telegram
request without the right X-Telegram-Bot-Api-Secret-Token 403, a Zalo request without an
X-ZEvent-Signature 403. The body is then read, never past its declared length; one that is not a JSON
object answers 400, a Zalo signature that does not match or an event too old (a replay) 403. A
Telegram update is handed to the bot's python-telegram-bot Application (notifier.telegram_bot,
started and stopped with the server), which sends its reply through the Bot API before the 200; a
Zalo reply is sent through the OA's message endpoint. Database work runs in a worker thread, off the
event loop. Without a Telegram bot token /telegram answers 503.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Update
from telegram.error import InvalidToken

from crawler.config import Config, secret
from crawler.errors import ConfigError, DeliveryError, InvalidSignatureError, WebhookRefusedError
from crawler.redaction import protect_config
from notifier.channels.base import Channel, OutgoingMessage
from notifier.channels.telegram import INVALID_TOKEN
from notifier.onboarding import ZALO_SIGNATURE_HEADER, Reply, handle_zalo_webhook
from notifier.telegram_bot import BotApp, build_application, set_menu

log = logging.getLogger(__name__)

WEBHOOK_SECRET_ENV = "DONDOC_TELEGRAM_WEBHOOK_SECRET"
TELEGRAM_SECRET_HEADER = "x-telegram-bot-api-secret-token"
MAX_BODY = 1_000_000


def webhook_app(
    config: Config,
    sessions: sessionmaker[Session],
    channels: dict[str, Channel],
    *,
    clock: Callable[[], dt.datetime],
) -> Starlette:
    """The ASGI application serving both webhooks with the checks described in the module docstring."""
    protect_config(config)
    telegram_secret = secret(WEBHOOK_SECRET_ENV) or ""
    zalo_key = secret(config.channels.zalo.secret_key_env) or ""
    app_id = config.channels.zalo.app_id
    bot = telegram_bot(config, sessions)

    async def telegram(body: bytes) -> None:
        """Hand a Telegram update to the bot, which sends its reply itself."""
        if bot is None:
            raise WebhookRefusedError(503, "no Telegram bot token configured")
        update = _update(body, bot)
        if update is not None:
            await bot.process_update(update)

    def zalo(body: bytes, headers: dict[str, str]) -> None:
        """Handle a Zalo event and send the reply through the OA (in a worker thread)."""
        with sessions() as session:
            reply = handle_zalo_webhook(session, body, headers, app_id=app_id, secret_key=zalo_key,
                                        now=clock())
        if reply is not None:
            send_reply(channels, reply)

    def telegram_secret_given(headers: dict[str, str]) -> bool:
        """Tell whether the request carries the configured secret token (compared in constant time)."""
        given = headers.get(TELEGRAM_SECRET_HEADER, "").encode("utf-8", "replace")
        return bool(telegram_secret) and hmac.compare_digest(given, telegram_secret.encode())

    async def zalo_off_loop(body: bytes, headers: dict[str, str]) -> None:
        """Run the Zalo handler's database and HTTP work off the event loop."""
        await run_in_threadpool(zalo, body, headers)

    routes = [
        Route("/telegram", _endpoint(lambda body, _headers: telegram(body), telegram_secret_given),
              methods=["POST"]),
        Route("/zalo", _endpoint(zalo_off_loop, lambda headers: bool(headers.get(ZALO_SIGNATURE_HEADER))),
              methods=["POST"]),
    ]
    return Starlette(routes=routes, lifespan=_bot_lifespan(bot))


def telegram_bot(config: Config, sessions: sessionmaker[Session]) -> BotApp | None:
    """The Telegram bot the webhook feeds (no Updater: the webhook is the source of updates), or None
    when no token is set (then only Zalo is answered)."""
    settings = config.channels.telegram
    token = secret(settings.token_env)
    if not token:
        log.warning("no telegram token in %s: /telegram answers 503", settings.token_env)
        return None
    return build_application(token, settings.api_base, sessions, polling=False)


def _bot_lifespan(bot: BotApp | None) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """Start the bot with the server (its menu set as post_init would) and stop it after."""

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if bot is None:
            yield
            return
        try:
            await bot.initialize()
        except InvalidToken:
            log.error("telegram webhook not started: %s", INVALID_TOKEN)
            raise ConfigError(INVALID_TOKEN) from None
        await set_menu(bot)
        await bot.start()
        try:
            yield
        finally:
            await bot.stop()
            await bot.shutdown()

    return lifespan


def _update(body: bytes, bot: BotApp) -> Update | None:
    """The Update in a body, or None for one PTB cannot read (nothing to answer; a non-2xx answer
    would only make Telegram send it again)."""
    try:
        return Update.de_json(json.loads(body), bot.bot)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        log.warning("telegram update not readable: %s", type(exc).__name__)
        return None


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


Handler = Callable[[bytes, dict[str, str]], Awaitable[None]]


def _endpoint(handle: Handler, authorised: Callable[[dict[str, str]], bool]) -> Callable[..., Any]:
    """An endpoint that checks headers, reads the bounded body, then awaits `handle`."""

    async def endpoint(request: Request) -> Response:
        """Answer one webhook request (statuses in the module docstring)."""
        headers = {key.lower(): value for key, value in request.headers.items()}
        try:
            length = _declared_length(headers)
            if not authorised(headers):
                raise WebhookRefusedError(403, "missing or wrong secret")
            body = await _bounded_body(request, length)
            _require_json_object(body)
            await handle(body, headers)
        except WebhookRefusedError as exc:
            log.warning("webhook %s refused (%d): %s", request.url.path, exc.status, exc)
            return Response(status_code=exc.status)
        except InvalidSignatureError as exc:
            log.warning("webhook %s refused (403): %s", request.url.path, exc)
            return Response(status_code=403)
        return Response(status_code=200)

    return endpoint


def _declared_length(headers: dict[str, str]) -> int:
    """The body length the request declares; 411 without one, 413 when it is over MAX_BODY."""
    declared = headers.get("content-length", "").strip()
    if not declared.isdigit():
        raise WebhookRefusedError(411, "no usable Content-Length")
    length = int(declared)
    if length > MAX_BODY:
        raise WebhookRefusedError(413, f"body of {length} bytes declared")
    return length


async def _bounded_body(request: Request, length: int) -> bytes:
    """The body, read chunk by chunk and never past its declared length."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > length:
            raise WebhookRefusedError(413, "body longer than declared")
        chunks.append(chunk)
    return b"".join(chunks)


def _require_json_object(body: bytes) -> None:
    """400 unless the body is one JSON object (what both platforms send)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        raise WebhookRefusedError(400, "body is not JSON") from None
    if not isinstance(parsed, dict):
        raise WebhookRefusedError(400, "body is not a JSON object")
