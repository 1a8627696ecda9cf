"""Local Telegram, Zalo and SMTP servers that can hold one request while the test kills the client.

Two honest models of a request the client abandons:
- "before_accept": the server holds the request before accepting it; when the client's connection
  closes, the request is dropped (it was never accepted), as a server that commits a message only
  when it answers would do.
- "lost_answer": the server accepts the message, then holds its answer; the client dies without
  ever reading it. The message counts as delivered, and a client that resends it duplicates it.

Every accepted message is recorded as (channel, address, text, message id) so tests count exactly
what reached each server.
"""

from __future__ import annotations

import asyncio
import email
import json
import select
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from fake_apis import BOT_USER, telegram_message

HOLD_LIMIT_S = 60.0
Accepted = tuple[str, str, str, str]


@dataclass
class Hold:
    """Which message to hold (its text contains `marker`), how, and the signal that it is held."""

    marker: str | None = None
    mode: str = "before_accept"
    holding: threading.Event = field(default_factory=threading.Event)
    accepted: list[Accepted] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, text: str) -> bool:
        """Whether this request is the one to hold (only the first time the marker is seen)."""
        with self.lock:
            if self.marker is None or self.marker not in text or self.holding.is_set():
                return False
            self.holding.set()
            return True

    def record(self, item: Accepted) -> None:
        """Count a message as delivered."""
        with self.lock:
            self.accepted.append(item)


def wait_closed(conn: socket.socket, limit_s: float = HOLD_LIMIT_S) -> bool:
    """Wait until the peer closes the connection (True) or the limit passes (False)."""
    waited = 0.0
    while waited < limit_s:
        ready, _, _ = select.select([conn], [], [], 0.05)
        waited += 0.05
        if ready and conn.recv(1, socket.MSG_PEEK) == b"":
            return True
    return False


def _chat_message(path: str, params: dict[str, Any]) -> tuple[str, str, str] | None:
    """(channel, address, text) of a Telegram sendMessage or Zalo message/cs request."""
    if path.endswith("/sendMessage"):
        return "telegram", str(params["chat_id"]), str(params["text"])
    if path == "/v3.0/oa/message/cs":
        return "zalo", str(params["recipient"]["user_id"]), str(params["message"]["text"])
    return None


@contextmanager
def chat_server(hold: Hold) -> Iterator[str]:
    """A loopback server speaking both the Telegram Bot API and the Zalo OA API; yields its base URL."""
    serial = iter(range(1, 1_000_000))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            params = _params(raw, self.headers.get("Content-Type", ""))
            if self.path.endswith("/getMe"):
                return self._answer({"ok": True, "result": BOT_USER})
            message = _chat_message(self.path, params)
            if message is None:
                return self._answer({"error": -1, "message": "unknown endpoint"}, 404)
            number = next(serial)
            item = (*message, str(number))
            if hold.take(message[2]):
                if hold.mode == "lost_answer":
                    hold.record(item)
                closed = wait_closed(self.connection)
                if closed:
                    return None
                if hold.mode == "lost_answer":
                    return self._ok(message, number)
            hold.record(item)
            return self._ok(message, number)

        do_GET = do_POST

        def _ok(self, message: tuple[str, str, str], number: int) -> None:
            """The success answer of the API the message came through."""
            channel, address, text = message
            if channel == "telegram":
                return self._answer({"ok": True, "result": telegram_message(address, text, number)})
            return self._answer({"error": 0, "message": "Success", "data": {"message_id": f"m{number}"}})

        def _answer(self, body: dict[str, Any], status: int = 200) -> None:
            """Write a JSON answer."""
            data = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _params(raw: bytes, content_type: str) -> dict[str, Any]:
    """A request body as a dict (JSON or form-encoded)."""

    if not raw:
        return {}
    if "json" in content_type:
        loaded: dict[str, Any] = json.loads(raw)
        return loaded
    return dict(parse_qsl(raw.decode("utf-8")))


class HoldingInbox:
    """An aiosmtpd handler recording each mail; aiosmtpd cancels a held DATA when the client vanishes."""

    def __init__(self, hold: Hold) -> None:
        """Share the hold with the chat server."""
        self.hold = hold

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        """Accept the mail, or hold it (before or after accepting) until the client is gone."""
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        mail = email.message_from_bytes(content, policy=default)
        text = str(mail["Subject"])
        item = ("email", ",".join(envelope.rcpt_tos), text, str(mail["Message-ID"]))
        if self.hold.take(text):
            if self.hold.mode == "lost_answer":
                self.hold.record(item)
            await asyncio.sleep(HOLD_LIMIT_S)  # cancelled by aiosmtpd when the connection is lost
            return "250 OK"
        self.hold.record(item)
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(hold: Hold) -> Iterator[int]:
    """A loopback aiosmtpd server recording into `hold`; yields its port."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = int(probe.getsockname()[1])
    probe.close()
    controller = Controller(HoldingInbox(hold), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
