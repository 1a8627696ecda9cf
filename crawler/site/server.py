"""A small threaded HTTP server for a static site described by a routes.json manifest.

It serves the bundled demo site (used by `dondoc demo`) and the test and benchmark sites. URLs with
query strings (`/?pageid=27160&docid=N`) map to flat files; a route may also ask for a status code,
a redirect, a delay, extra headers (Retry-After, Content-Encoding) or a generated oversized body, so
failure cases are reproducible on loopback; the server keeps when each route was asked for and how
many bytes it sent (benchmarks compare crawlers by their requests and bytes).
Every file answer carries an ETag and Last-Modified and honours conditional requests with a 304
(unless the route says no_validators); a `counter` route changes on every fetch like a live
visitor counter.
"""

from __future__ import annotations

import email.utils
import hashlib
import io
import itertools
import json
import logging
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

logger = logging.getLogger(__name__)

SITE_DIR = Path(__file__).with_name("www")
ROUTES_FILE = "routes.json"
_TYPES = {
    ".htm": "text/html; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".json": "application/json",
}
_CHUNK = 1 << 20


def route_key(target: str) -> str:
    """Canonical key of a request target: the path plus its query pairs in sorted order."""
    parts = urlsplit(target)
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return f"{parts.path or '/'}?{query}" if query else (parts.path or "/")


def load_routes(root: Path) -> dict[str, dict[str, Any]]:
    """Read the manifest of a site directory, keyed by canonical request target."""
    raw = json.loads((root / ROUTES_FILE).read_text(encoding="utf-8"))
    return {route_key(target): spec for target, spec in raw.items()}


@dataclass
class RunningSite:
    """A site being served on loopback; `stop()` shuts it down and frees the port."""

    base_url: str
    server: _SiteServer
    thread: threading.Thread

    def traffic(self) -> tuple[int, int]:
        """Requests answered and bytes sent (headers and bodies) since the server started."""
        with self.server.lock:
            return sum(map(len, self.server.arrivals.values())), self.server.sent_bytes

    def arrivals(self, target: str) -> list[float]:
        """The monotonic times at which `target` (path and query) was requested, in order."""
        with self.server.lock:
            return list(self.server.arrivals.get(route_key(target), ()))

    def stop(self) -> None:
        """Stop serving and wait for the server thread to end."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class _SiteHandler(BaseHTTPRequestHandler):
    """Answers GET/HEAD/POST from the routes manifest of the server's site directory."""

    server: _SiteServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms delayed-ACK stall

    def setup(self) -> None:
        """Count every byte written to the client into the server's total."""
        super().setup()
        self.wfile = _CountingWriter(self.wfile, self.server)

    def handle(self) -> None:
        """Serve the connection; a client hanging up early (timeouts, size limits) is not an error."""
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            logger.debug("client closed the connection early")

    def do_GET(self) -> None:
        """Serve a route (file, status, redirect, delay or oversized body)."""
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        """Like GET without the body."""
        self._answer(send_body=False)

    def do_POST(self) -> None:
        """ASP.NET-style postbacks: the form body selects the route through its __EVENTARGUMENT."""
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(self.rfile.read(length).decode("utf-8", "replace")))
        argument = form.get("__EVENTARGUMENT", "")
        target = self.path + ("&" if "?" in self.path else "?") + urlencode({"postback": argument})
        self._answer(send_body=True, target=target)

    def log_message(self, format: str, *args: Any) -> None:
        """Route the access log to logging at debug level instead of stderr."""
        logger.debug("%s " + format, self.address_string(), *args)

    def _answer(self, send_body: bool, target: str | None = None) -> None:
        """Look up the route for the request target and write the response."""
        key = route_key(target or self.path)
        with self.server.lock:
            self.server.arrivals.setdefault(key, []).append(time.monotonic())
        spec = self.server.routes().get(key)
        if spec is None:
            self._send_plain(404, "Không tìm thấy trang", send_body)
            return
        if spec.get("delay_s"):
            time.sleep(float(spec["delay_s"]))
        if "redirect" in spec:
            self.send_response(int(spec.get("status", 302)))
            self.send_header("Location", str(spec["redirect"]))
            self.send_header("Content-Length", "0")
            self._send_extra_headers(spec)
            self.end_headers()
            return
        if "size_mb" in spec:
            self._send_oversized(int(spec["size_mb"]), send_body, announced=not spec.get("unannounced"))
            return
        if "file" not in spec:
            self._send_plain(int(spec.get("status", 500)), "Lỗi máy chủ", send_body, spec)
            return
        self._send_file(spec, send_body)

    def _send_file(self, spec: dict[str, Any], send_body: bool) -> None:
        """Send a file with validators, or 304 when the client's validators still match."""
        path = self.server.root / str(spec["file"])
        body = path.read_bytes()
        if spec.get("templated"):
            body = body.replace(b"{{base_url}}", self.server.base_url.encode("ascii"))
        if spec.get("counter"):  # a live visitor counter: different bytes on every fetch
            body = body.replace(b"{{counter}}", str(next(self.server.hits)).encode("ascii"))
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        modified = email.utils.formatdate(int(path.stat().st_mtime), usegmt=True)
        if self.headers.get("If-None-Match") == etag or (
            "If-None-Match" not in self.headers and self.headers.get("If-Modified-Since") == modified
        ):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(int(spec.get("status", 200)))
        content_type = spec.get("type") or _TYPES.get(path.suffix, "application/octet-stream")
        self.send_header("Content-Type", str(content_type))
        self.send_header("Content-Length", str(len(body)))
        if not spec.get("no_validators"):
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", modified)
        self._send_extra_headers(spec)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _send_oversized(self, size_mb: int, send_body: bool, announced: bool = True) -> None:
        """Send a generated body of `size_mb` megabytes (for the response size limit), its length in
        Content-Length or, unannounced, only known when the server closes the connection."""
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        if announced:
            self.send_header("Content-Length", str(size_mb * _CHUNK))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if not send_body:
            return
        chunk = b"0" * _CHUNK
        try:
            for _ in range(size_mb):
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            logger.debug("client closed an oversized download")

    def _send_plain(self, status: int, text: str, send_body: bool,
                    spec: dict[str, Any] | None = None) -> None:
        """Send a short text answer with the given status (and the route's extra headers)."""
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self._send_extra_headers(spec or {})
        self.end_headers()
        if send_body:
            self.wfile.write(body)


    def _send_extra_headers(self, spec: dict[str, Any]) -> None:
        """The route's own headers, e.g. Retry-After or Content-Encoding."""
        for name, value in dict(spec.get("headers", {})).items():
            self.send_header(str(name), str(value))


class _CountingWriter(io.BufferedIOBase):
    """The connection's writer, adding what is written to the server's byte count."""

    def __init__(self, raw: io.BufferedIOBase, server: _SiteServer) -> None:
        """Wrap the handler's writer."""
        super().__init__()
        self.raw, self.server = raw, server

    def write(self, data: ReadableBuffer, /) -> int:
        """Write through and count the bytes."""
        written = self.raw.write(data)
        with self.server.lock:
            self.server.sent_bytes += len(memoryview(data))
        return written

    def flush(self) -> None:
        """Flush the wrapped writer."""
        self.raw.flush()

    def close(self) -> None:
        """Close the wrapped writer."""
        super().close()
        self.raw.close()


class _SiteServer(ThreadingHTTPServer):
    """A threading server that knows its site directory and rereads the manifest when it changes."""

    daemon_threads = True
    request_queue_size = 128  # crawlers open dozens of connections at once: Python's default 5 drops them

    def __init__(self, address: tuple[str, int], root: Path) -> None:
        """Bind to `address` and serve the site in `root`."""
        super().__init__(address, _SiteHandler)
        self.root = root
        host, port = self.server_address[:2]
        self.base_url = f"http://{host!s}:{port}"
        self.hits = itertools.count(1)
        self.lock = threading.Lock()
        self.arrivals: dict[str, list[float]] = {}
        self.sent_bytes = 0
        self._routes: dict[str, dict[str, Any]] = {}
        self._routes_mtime = -1.0

    def routes(self) -> dict[str, dict[str, Any]]:
        """The manifest, reloaded when the file changed (tests edit sites while they are served)."""
        mtime = (self.root / ROUTES_FILE).stat().st_mtime
        if mtime != self._routes_mtime:
            self._routes = load_routes(self.root)
            self._routes_mtime = mtime
        return self._routes


def serve_site(host: str = "127.0.0.1", port: int = 0, root: Path | None = None) -> RunningSite:
    """Serve a site directory (default: the bundled demo site) on a free loopback port, in a thread."""
    server = _SiteServer((host, port), root or SITE_DIR)
    thread = threading.Thread(target=server.serve_forever, name="dondoc-site", daemon=True)
    thread.start()
    logger.info("serving %s at %s", server.root, server.base_url)
    return RunningSite(base_url=server.base_url, server=server, thread=thread)
