"""Local HTTP servers speaking the shapes of the Telegram Bot API and the Zalo OA API (loopback only),
and a Bot API server a polling python-telegram-bot Application runs against."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Request:
    """One request the fake server received."""

    method: str
    path: str
    headers: dict[str, str]
    params: dict[str, Any]


Reply = tuple[int, dict[str, Any]]
Responder = Callable[[Request], Reply]


@dataclass
class FakeApi:
    """A scripted API: `responder` answers each request; every request is recorded."""

    responder: Responder
    requests: list[Request] = field(default_factory=list)
    base_url: str = ""


def _parse(handler: BaseHTTPRequestHandler) -> Request:
    """Read a request's JSON or form body and query string into one dict."""
    length = int(handler.headers.get("Content-Length") or 0)
    raw = handler.rfile.read(length) if length else b""
    parts = urlsplit(handler.path)
    params: dict[str, Any] = dict(parse_qsl(parts.query))
    content_type = handler.headers.get("Content-Type", "")
    if raw and "json" in content_type:
        params.update(json.loads(raw))
    elif raw:
        params.update(parse_qsl(raw.decode("utf-8")))
    return Request(handler.command, parts.path, {k.lower(): v for k, v in handler.headers.items()}, params)


@contextmanager
def serve(responder: Responder) -> Iterator[FakeApi]:
    """Run a fake API on a free loopback port for the duration of the block."""
    api = FakeApi(responder)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = _parse(self)
            api.requests.append(request)
            status, body = api.responder(request)
            data = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    api.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()


def telegram_ok(result: Any) -> Reply:
    """A successful Bot API answer."""
    return 200, {"ok": True, "result": result}


def telegram_error(code: int, description: str, **parameters: Any) -> Reply:
    """A failed Bot API answer, with `parameters` (retry_after, migrate_to_chat_id) when given."""
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return code, body


def telegram_message(chat_id: str, text: str, message_id: int) -> dict[str, Any]:
    """The Message object sendMessage returns."""
    return {
        "message_id": message_id,
        "date": 1759300000,
        "chat": {"id": int(chat_id), "type": "private"},
        "text": text,
    }


BOT_USER = {"id": 1, "is_bot": True, "first_name": "dondoc", "username": "dondoc_bot"}


def telegram_update(update_id: int, chat: str, text: str, at: int) -> dict[str, Any]:
    """A Bot API Update with a private text message, a leading "/word" marked as a bot_command
    entity as Telegram marks it."""
    message: dict[str, Any] = {
        "message_id": update_id,
        "date": at,
        "chat": {"id": int(chat), "type": "private"},
        "from": {"id": int(chat), "is_bot": False, "first_name": "Lan"},
        "text": text,
    }
    word = text.split()[0] if text.split() else ""
    if word.startswith("/") and word[1:].replace("_", "").isascii() and word[1:].replace("_", "").isalnum():
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(word)}]
    return {"update_id": update_id, "message": message}


class BotServer:
    """A Bot API server for a polling bot: it holds the updates users send (getUpdates waits up to a
    second for one, as long polling does, and drops those below the offset it is given), and records
    every message the bot sends and the command menu it sets."""

    def __init__(self) -> None:
        """No update yet; update ids count from 100, message ids from 1."""
        self.changed = threading.Condition()
        self.updates: list[dict[str, Any]] = []
        self.sent: list[tuple[str, str]] = []
        self.sent_params: list[dict[str, Any]] = []
        self.menu: list[dict[str, str]] = []
        self.update_ids = itertools.count(100)
        self.message_ids = itertools.count(1)

    def user_says(self, chat: str, text: str, at: int) -> None:
        """Queue a private text message from a chat (`at` in Unix seconds)."""
        with self.changed:
            self.updates.append(telegram_update(next(self.update_ids), chat, text, at))
            self.changed.notify_all()

    def wait(self, ready: Callable[[], bool]) -> None:
        """Wait (a minute at most) until `ready()` holds for what the server has seen."""
        with self.changed:
            assert self.changed.wait_for(ready, timeout=60), "the bot did not do what was expected"

    def reply_after(self, count: int, chat: str) -> str:
        """The first message the bot sent to `chat` after the first `count` messages, once it is sent."""
        self.wait(lambda: any(to == chat for to, _ in self.sent[count:]))
        return next(text for to, text in self.sent[count:] if to == chat)

    def __call__(self, request: Request) -> Reply:
        """Answer getMe, setMyCommands, deleteWebhook, getUpdates and sendMessage."""
        method = request.path.rsplit("/", 1)[1]
        if method == "getMe":
            return telegram_ok(BOT_USER)
        if method == "getUpdates":
            return telegram_ok(self._updates(request.params))
        with self.changed:
            self.changed.notify_all()
            if method == "setMyCommands":
                commands = request.params["commands"]
                self.menu = json.loads(commands) if isinstance(commands, str) else commands
                return telegram_ok(True)
            if method == "deleteWebhook":
                return telegram_ok(True)
            assert method == "sendMessage", method
            chat, text = str(request.params["chat_id"]), str(request.params["text"])
            self.sent.append((chat, text))
            self.sent_params.append(request.params)
            return telegram_ok(telegram_message(chat, text, next(self.message_ids)))

    def _updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """The updates from the offset on, waiting up to a second (or the asked timeout) for one."""
        offset = int(params.get("offset") or 0)
        wait = min(float(params.get("timeout") or 0), 1.0)
        with self.changed:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            if not self.updates and wait:
                self.changed.wait(wait)
            return list(self.updates)
