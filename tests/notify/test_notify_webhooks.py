"""The bot webhooks on uvicorn as a hostile client meets them: the secret is checked before the body
is read, bodies without a usable length or over the limit are refused, malformed JSON is a 400, a
signed Zalo event replayed later is refused, and `dondoc bot webhook` serves both paths until SIGTERM."""

from __future__ import annotations

import datetime as dt
import json
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fake_apis import BotServer, serve
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from test_notify_onboarding import APP_ID, NOW, SECRET, _seed, _signed, _zalo_event

from crawler.config import ChannelsConfig, Config, TelegramConfig, ZaloConfig
from notifier.onboarding import NOT_SUBSCRIBED
from notifier.webhooks import MAX_BODY, WEBHOOK_SECRET_ENV, webhook_app
from service.http_server import start_server

TELEGRAM_SECRET = "hook-secret-7f3a"
TOKEN = "42:hook-token"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@contextmanager
def webhooks(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[int, BotServer]]:
    """Both webhooks on a free loopback port, with a Telegram secret and a Zalo OA key set, the bot
    answering through a local Bot API server; yields the port and that server."""
    monkeypatch.setenv(WEBHOOK_SECRET_ENV, TELEGRAM_SECRET)
    monkeypatch.setenv("DONDOC_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("DONDOC_ZALO_SECRET_KEY", SECRET)
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    with sessions() as session:
        _seed(session)
        session.commit()
    bot = BotServer()
    with serve(bot) as api:
        config = Config(channels=ChannelsConfig(zalo=ZaloConfig(app_id=APP_ID),
                                                telegram=TelegramConfig(api_base=api.base_url)))
        app = webhook_app(config, sessions, {}, clock=lambda: NOW)
        server = start_server(app, "127.0.0.1", 0, what="webhooks")
        try:
            yield server.port, bot
        finally:
            server.stop()


def raw_request(port: int, head: str, body: bytes = b"") -> int:
    """Send a request's head (and optionally a body) over a socket; the status line's code."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(head.encode("utf-8") + b"\r\n\r\n" + body)
        answer = conn.recv(4096).decode("latin-1")
    return int(answer.split(" ", 2)[1])


def update(text: str, chat_id: object = 42, date: object = None) -> bytes:
    """A Telegram Update carrying a text message."""
    message = {"message_id": 1, "date": int(NOW.timestamp()) if date is None else date,
               "chat": {"id": chat_id, "type": "private"}, "text": text}
    return json.dumps({"update_id": 1, "message": message}).encode()


def test_a_wrong_secret_is_refused_before_the_body_is_sent(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request declaring 900 KB with a wrong or missing secret is answered 403 without waiting for the
    body (the socket sends none); with the right secret the same update is answered 200."""
    with webhooks(engine, monkeypatch) as (port, bot):
        head = ("POST /telegram HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                "Content-Length: 900000")
        assert raw_request(port, head + f"\r\n{SECRET_HEADER}: wrong") == 403
        assert raw_request(port, head) == 403
        answer = httpx.post(f"http://127.0.0.1:{port}/telegram", content=update("/viec"),
                            headers={SECRET_HEADER: TELEGRAM_SECRET})
    assert answer.status_code == 200
    assert bot.sent == [("42", NOT_SUBSCRIBED)]  # the bot answered through the Bot API before the 200


def test_bodies_without_a_usable_length_or_over_the_limit_are_refused(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunked (no Content-Length): 411; over MAX_BODY: 413 before reading; a negative or non-numeric
    length: refused by the HTTP layer with 400; the server answers the next request as before."""
    auth = f"{SECRET_HEADER}: {TELEGRAM_SECRET}"
    with webhooks(engine, monkeypatch) as (port, _bot):
        base = f"POST /telegram HTTP/1.1\r\nHost: x\r\n{auth}\r\n"
        assert raw_request(port, base + "Transfer-Encoding: chunked", b"2\r\n{}\r\n0\r\n\r\n") == 411
        assert raw_request(port, base + f"Content-Length: {MAX_BODY + 1}") == 413
        assert raw_request(port, base + "Content-Length: -1") == 400
        assert raw_request(port, base + "Content-Length: abc") == 400
        assert raw_request(port, "POST /zalo HTTP/1.1\r\nHost: x\r\nX-ZEvent-Signature: mac=00\r\n"
                                 f"Content-Length: {50 * MAX_BODY}") == 413
        after = httpx.post(f"http://127.0.0.1:{port}/telegram", content=update("/viec"),
                           headers={SECRET_HEADER: TELEGRAM_SECRET})
    assert after.status_code == 200


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"not json", 400),
        (b"[]", 400),
        (b'"text"', 400),
        (update("/viec", chat_id="42"), 200),  # a chat id as a string is still a chat id
        (update("/viec", date="soon"), 200),  # an unreadable date: nothing to answer, no error
        (update("/viec", chat_id=None), 200),
        (json.dumps({"update_id": 3, "message": "hi"}).encode(), 200),
    ],
)
def test_malformed_telegram_updates_get_an_answer_not_a_dropped_connection(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, body: bytes, status: int
) -> None:
    """What is not JSON or not an object is a 400; odd but valid updates are a 200."""
    with webhooks(engine, monkeypatch) as (port, _bot):
        answer = httpx.post(f"http://127.0.0.1:{port}/telegram", content=body,
                            headers={SECRET_HEADER: TELEGRAM_SECRET})
    assert answer.status_code == status


def test_a_signed_zalo_event_is_refused_when_replayed_later_or_bent(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A correctly signed event stamped 2001, or ten minutes before now, is a replay (403); a fresh one
    is accepted (200); a fresh one with a non-ASCII or wrong signature is 403."""
    with webhooks(engine, monkeypatch) as (port, _bot):
        url = f"http://127.0.0.1:{port}/zalo"

        def post(minutes_ago: float, headers: dict[str, bytes] | None = None) -> int:
            event = _zalo_event("u-1", "viec", NOW - dt.timedelta(minutes=minutes_ago))
            return httpx.post(url, content=event, headers=headers or _signed(event)).status_code

        old = _zalo_event("u-1", "viec", dt.datetime(2001, 1, 1, tzinfo=dt.UTC))
        assert httpx.post(url, content=old, headers=_signed(old)).status_code == 403
        assert post(10) == 403
        assert post(1) == 200
        assert post(1, {"X-ZEvent-Signature": ("mac=đ" + "0" * 63).encode()}) == 403
        assert post(1, {"X-ZEvent-Signature": ("mac=" + "0" * 64).encode()}) == 403


@pytest.mark.slow
def test_dondoc_bot_webhook_serves_both_paths_until_sigterm(tmp_path: Path) -> None:
    """`dondoc bot webhook --port N` answers a Telegram update carrying the secret (through the Bot
    API), refuses one without it, refuses an unsigned Zalo event, and exits 0 on SIGTERM."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bot = BotServer()
    with serve(bot) as api:
        config = tmp_path / "dondoc.toml"
        config.write_text(f'[general]\ndatabase = "d.db"\noutput_dir = "out"\n'
                          f'[channels.telegram]\napi_base = "{api.base_url}"\n'
                          f'[channels.zalo]\napp_id = "{APP_ID}"\n', encoding="utf-8")
        env = {"PATH": "/usr/bin:/bin", "PYTHONUNBUFFERED": "1", WEBHOOK_SECRET_ENV: TELEGRAM_SECRET,
               "DONDOC_TELEGRAM_TOKEN": TOKEN, "DONDOC_ZALO_SECRET_KEY": SECRET}
        process = subprocess.Popen(
            [sys.executable, "-m", "scheduler", "bot", "webhook", "--port", str(port),
             "--config", str(config)],
            cwd=Path(__file__).resolve().parents[2], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stdout is not None
            ready = process.stdout.readline()
            assert f"http://127.0.0.1:{port}/telegram" in ready
            base = f"http://127.0.0.1:{port}"
            good = httpx.post(f"{base}/telegram", content=update("/viec"),
                              headers={SECRET_HEADER: TELEGRAM_SECRET})
            bad = httpx.post(f"{base}/telegram", content=update("/viec"))
            zalo = httpx.post(f"{base}/zalo", content=_zalo_event("u-1", "viec", NOW))
        finally:
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=60)
    assert (good.status_code, bad.status_code, zalo.status_code) == (200, 403, 403)
    assert bot.sent == [("42", NOT_SUBSCRIBED)] and bot.menu
    assert code == 0
    stderr = process.stderr.read() if process.stderr else ""
    assert TELEGRAM_SECRET not in stderr and TOKEN.split(":")[1] not in stderr
