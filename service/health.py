"""The service's HTTP endpoint on loopback: /healthz (is the service up) and /metrics."""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from crawler.errors import ConfigError
from service.metrics import collect_metrics, metrics_content_type, metrics_text, wants_openmetrics

if TYPE_CHECKING:
    from service.jobs import Service

log = logging.getLogger("dondoc")

PLAIN_TEXT = "text/plain; charset=utf-8"
LISTEN_BACKLOG = 128  # the standard library's 5 resets connections under a monitoring burst
IDLE_TIMEOUT_S = 10  # a connection that sends nothing is closed after this long


class HealthServer(ThreadingHTTPServer):
    """The standard threading HTTP server with a normal listen backlog and daemon threads."""

    request_queue_size = LISTEN_BACKLOG
    daemon_threads = True


def start_health_server(service: Service) -> HealthServer | None:
    """Serve /healthz and /metrics on the configured loopback port (0 turns the endpoint off)."""
    settings = service.config.service
    if settings.health_port == 0:
        return None
    handler = type("HealthHandler", (HealthHandler,), {"service": service})
    try:
        server = HealthServer((settings.health_host, settings.health_port), handler)
    except OSError as exc:
        raise ConfigError(
            f"{service.config.path or 'cấu hình'}: 'service.health_port' = {settings.health_port}: "
            f"không mở được cổng ({exc.strerror or exc})"
        ) from exc
    threading.Thread(target=server.serve_forever, name="dondoc-health", daemon=True).start()
    log.info("health endpoint on http://%s:%d/healthz", settings.health_host, server.server_address[1])
    return server


class HealthHandler(BaseHTTPRequestHandler):
    """GET /healthz (is the service up) and /metrics (Prometheus text format)."""

    service: Service
    timeout = IDLE_TIMEOUT_S

    def do_GET(self) -> None:
        """Answer the two paths; anything else is 404."""
        path = self.path.split("?", 1)[0]
        if path == "/healthz":
            stopping = self.service.stopping.is_set()
            body, status = ("đang dừng\n" if stopping else "ok\n"), (503 if stopping else 200)
            self._reply(status, body, PLAIN_TEXT)
        elif path == "/metrics":
            openmetrics = wants_openmetrics(self.headers.get("Accept"))
            with self.service.sessions() as session:
                metrics = collect_metrics(session, self.service.config, self.service.clock())
            self._reply(200, metrics_text(metrics, openmetrics), metrics_content_type(openmetrics))
        else:
            self._reply(404, "không có trang này (chỉ có /healthz và /metrics)\n", PLAIN_TEXT)

    def _reply(self, status: int, body: str, content_type: str) -> None:
        """Send a complete response."""
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep request lines out of the service log (they would drown the job events)."""
