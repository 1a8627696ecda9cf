"""The bot webhooks served by uvicorn in a thread: `dondoc bot webhook` in the foreground, and
`dondoc run` beside its jobs when `[service] webhook_port` is set.

uvicorn gives what a public endpoint needs and the standard library's server lacked: a normal
listen backlog, idle keep-alive connections closed after a few seconds, a cap on concurrent
connections and on the size of incomplete HTTP events.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import uvicorn

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from crawler.config import Config

log = logging.getLogger("dondoc")

BACKLOG = 2048
KEEP_ALIVE_S = 5
MAX_CONNECTIONS = 200
MAX_INCOMPLETE_EVENT = 64 * 1024
START_TIMEOUT_S = 10.0


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


def start_webhook_server(app: Any, host: str, port: int) -> RunningServer:
    """Serve an ASGI app on host:port in a daemon thread; return once it listens (or raise)."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        backlog=BACKLOG,
        timeout_keep_alive=KEEP_ALIVE_S,
        limit_concurrency=MAX_CONNECTIONS,
        h11_max_incomplete_event_size=MAX_INCOMPLETE_EVENT,
        lifespan="off",
        access_log=False,
        log_config=None,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="dondoc-webhooks", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise OSError(f"không mở được cổng webhook {host}:{port}")
        time.sleep(0.02)
    running = RunningServer(server, thread)
    log.info("webhooks listening on %s:%d (/telegram, /zalo)", host, running.port)
    return running


def webhook_app_for(config: Config, sessions: sessionmaker[Session]) -> Any:
    """The webhook application, with the channels it answers Zalo through."""
    from notifier.channels.factory import create_channels
    from notifier.webhooks import webhook_app
    from service.context import now

    channels = create_channels(config, sessions=sessions, clock=now, sleep=time.sleep)
    return webhook_app(config, sessions, channels, clock=now)
