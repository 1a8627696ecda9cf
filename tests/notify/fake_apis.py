"""Local HTTP servers speaking the shapes of the Telegram Bot API and the Zalo OA API (loopback only)."""

from __future__ import annotations

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
