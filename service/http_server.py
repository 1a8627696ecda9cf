"""The HTTP servers dondoc runs, all through one uvicorn helper: the web application (`dondoc web`, and
`dondoc run` when `[web] enabled`) and the bot webhooks (`dondoc bot webhook`, and `dondoc run` when
`[service] webhook_port` is set), each in a thread of its own.

uvicorn gives what a public endpoint needs and the standard library's server lacked: a normal
listen backlog, idle keep-alive connections closed after a few seconds, a cap on concurrent
connections and on the size of incomplete HTTP events, and the app's lifespan (the Telegram bot
starts and stops with the webhook server). Behind nginx, X-Forwarded-* from loopback is trusted.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import uvicorn

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from crawler.config import Config

log = logging.getLogger("dondoc")

BACKLOG = 2048
KEEP_ALIVE_S = 5
MAX_CONNECTIONS = 200
MAX_INCOMPLETE_EVENT = 64 * 1024
START_TIMEOUT_S = 30.0
WEB_SECRET_ENV = "DONDOC_WEB_SECRET"


@dataclass(frozen=True)
class RunningServer:
    """A uvicorn server running in its own thread."""

    server: uvicorn.Server
    thread: threading.Thread

    @property
    def port(self) -> int:
        """The port it listens on (the one the OS chose when 0 was asked)."""
        sockets = self.server.servers[0].sockets
        return int(sockets[0].getsockname()[1])

    def stop(self, timeout_s: float = 10.0) -> None:
        """Ask the server to finish the requests in flight and wait for its thread."""
        self.server.should_exit = True
        self.thread.join(timeout_s)


def start_server(app: Any, host: str, port: int, *, what: str) -> RunningServer:
    """Serve an ASGI app on host:port in a daemon thread; return once it listens, or raise OSError
    naming `what` (the port is taken, or the app's startup failed)."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        backlog=BACKLOG,
        timeout_keep_alive=KEEP_ALIVE_S,
        limit_concurrency=MAX_CONNECTIONS,
        h11_max_incomplete_event_size=MAX_INCOMPLETE_EVENT,
        lifespan="auto",
        proxy_headers=True,
        access_log=False,
        log_config=None,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"dondoc-http-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise OSError(f"không mở được {what} tại {host}:{port} (cổng đã bị dùng, hoặc xem nhật ký)")
        time.sleep(0.02)
    running = RunningServer(server, thread)
    log.info("%s listening on %s:%d", what, host, running.port)
    return running


def web_app_for(config: Config, engine: Engine, *, as_of: Any = None, https_only: bool = False) -> Any:
    """The web application on the config's database, its session secret from DONDOC_WEB_SECRET (a
    random one, logged as such, when unset: sessions then end with the process)."""
    from crawler.config import secret
    from web.app import create_app

    session_secret = secret(WEB_SECRET_ENV) or ""
    if not session_secret:
        log.warning("chưa đặt %s: phiên đăng nhập sẽ mất khi khởi động lại", WEB_SECRET_ENV)
        session_secret = secrets.token_urlsafe(32)
    return create_app(engine, session_secret, as_of=as_of, https_only=https_only,
                      sources=tuple(config.sources), config=config)


def webhook_app_for(config: Config, sessions: sessionmaker[Session]) -> Any:
    """The webhook application, with the channels it answers Zalo through."""
    from notifier.channels.factory import create_channels
    from notifier.webhooks import webhook_app
    from service.context import now

    channels = create_channels(config, sessions=sessions, clock=now, sleep=time.sleep)
    return webhook_app(config, sessions, channels, clock=now)


def serve_in_foreground(app: Any, host: str, port: int, *, what: str, banner: str) -> int:
    """Serve until SIGTERM/SIGINT (`dondoc web`, `dondoc bot webhook`); `banner` ({url} filled in with
    the address served) is printed once the port listens."""
    from crawler.errors import DondocError
    from service.run import install_stop_handlers

    stop = threading.Event()
    install_stop_handlers(stop.set)
    try:
        server = start_server(app, host, port, what=what)
    except OSError as exc:
        raise DondocError(str(exc)) from None
    print(banner.format(url=f"http://{host}:{server.port}"), flush=True)
    stop.wait()
    server.stop()
    return 0
