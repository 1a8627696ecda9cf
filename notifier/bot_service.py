"""The bot entry points the CLI wires: `dondoc invite`, `dondoc bot poll` and `dondoc bot webhook`.

The webhook server answers two paths on one port: POST /telegram (checked against the secret token
Telegram sends in X-Telegram-Bot-Api-Secret-Token; the reply travels back in the HTTP answer as a
sendMessage call) and POST /zalo (checked against X-ZEvent-Signature; the reply is sent through the
OA's message endpoint). A bad secret or signature gets HTTP 403 and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from crawler.config import Config, secret
from crawler.errors import DeliveryError, InvalidSignatureError
from crawler.redaction import protect_config
from notifier.channels.base import Channel, OutgoingMessage
from notifier.channels.factory import output_dir
from notifier.onboarding import (
    OFFSET_FILE,
    OffsetStore,
    Reply,
    handle_telegram_webhook,
    handle_zalo_webhook,
    invite,
    invite_text,
    poll_telegram,
)

log = logging.getLogger(__name__)

WEBHOOK_SECRET_ENV = "DONDOC_TELEGRAM_WEBHOOK_SECRET"
MAX_BODY = 1_000_000


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


def make_webhook_server(
    config: Config,
    sessions: sessionmaker[Session],
    channels: dict[str, Channel],
    *,
    host: str,
    port: int,
    clock: Callable[[], dt.datetime],
) -> ThreadingHTTPServer:
    """`dondoc bot webhook`: an HTTP server for the Telegram and Zalo webhooks (call serve_forever)."""
    protect_config(config)
    telegram_secret = secret(WEBHOOK_SECRET_ENV) or ""
    zalo_key = secret(config.channels.zalo.secret_key_env) or ""
    app_id = config.channels.zalo.app_id

    def telegram(body: bytes, headers: dict[str, str]) -> dict[str, object] | None:
        """Handle a Telegram update; the answer carries the reply."""
        with sessions() as session:
            return handle_telegram_webhook(session, body, headers, telegram_secret)

    def zalo(body: bytes, headers: dict[str, str]) -> dict[str, object] | None:
        """Handle a Zalo event and send the reply through the OA."""
        with sessions() as session:
            reply = handle_zalo_webhook(
                session, body, headers, app_id=app_id, secret_key=zalo_key, now=clock()
            )
        if reply is not None:
            send_reply(channels, reply)
        return None

    routes: dict[str, Callable[[bytes, dict[str, str]], dict[str, object] | None]] = {
        "/telegram": telegram,
        "/zalo": zalo,
    }
    return ThreadingHTTPServer((host, port), _handler(routes))


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


def _handler(
    routes: dict[str, Callable[[bytes, dict[str, str]], dict[str, object] | None]],
) -> type[BaseHTTPRequestHandler]:
    """A request handler class dispatching POSTs by path; 403 on a bad signature, 404 elsewhere."""

    class WebhookHandler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            """Read the body, dispatch it, and answer with JSON (or an empty 200)."""
            route = routes.get(self.path.split("?", 1)[0])
            length = int(self.headers.get("Content-Length") or 0)
            if route is None or length > MAX_BODY:
                return self._answer(404, None)
            body = self.rfile.read(length)
            try:
                answer = route(body, {k: v for k, v in self.headers.items()})
            except InvalidSignatureError as exc:
                log.warning("webhook %s rejected: %s", self.path, exc)
                return self._answer(403, None)
            except ValueError:
                return self._answer(400, None)
            return self._answer(200, answer)

        def _answer(self, status: int, body: dict[str, Any] | None) -> None:
            """Write the status and an optional JSON body."""
            data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Log requests through logging (never the bodies, which hold user text)."""
            log.debug("webhook %s", format % args)

    return WebhookHandler
