"""`dondoc run` as a real subprocess on the bundled local site, with second-level schedules.

Waits poll the database, files or servers with a generous safety limit; nothing asserts on time.
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sqlite3
import sys
import threading
import urllib.request
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from service_helpers import (
    BKHCN_RECIPIENT,
    OPERATOR_RECIPIENT,
    dondoc_env,
    free_port,
    run_dondoc,
    source_tables,
    start_dondoc,
    toml_value,
    wait_until,
    write_config,
)
from sqlalchemy import text

from crawler.site import RunningSite, serve_site
from crawler.storage.engine import make_engine
from notifier.onboarding import NOT_SUBSCRIBED

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notify"))

from fake_apis import BotServer, serve, telegram_update

pytestmark = pytest.mark.slow

HOOK_SECRET = "run-hook-secret-51c"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
BOT_TOKEN = "77:run-bot-token"
START_UPDATE = json.dumps(telegram_update(9, "77", "/viec", 1759280000)).encode()
VANBAN = "demo-vanban-chinhphu"  # the demo source that carries the directive with tasks
STOP_LIMIT_S = 120


@pytest.fixture()
def site() -> Iterator[RunningSite]:
    """The bundled demo site on a free loopback port."""
    running = serve_site()
    yield running
    running.stop()


def vanban_source(site: RunningSite, **extra: Any) -> list[str]:
    """The [[sources]] table of the demo vanban source, crawled once at start (long interval)."""
    return source_tables(site.base_url, [VANBAN], {"interval_seconds": 3600, **extra})


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a read-only query on the service's SQLite database; none while it is not created yet."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
            return connection.execute(sql).fetchall()
    except sqlite3.OperationalError:
        return []


def stop(process: Any) -> int:
    """SIGTERM the service and return its exit code."""
    process.send_signal(signal.SIGTERM)
    return int(process.wait(timeout=STOP_LIMIT_S))


def file_has(path: Path, text: str) -> bool:
    """True once `path` exists and contains `text`."""
    return path.exists() and text in path.read_text(encoding="utf-8")


def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a query on the service's database, SQLite or PostgreSQL."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


def test_run_crawls_sends_a_digest_refuses_a_second_instance_and_stops_cleanly(
    site: RunningSite, tmp_path: Path, db_url: str
) -> None:
    """A crawl and a digest happen; a second `dondoc run` exits at once; the bot webhooks answer beside
    the jobs ([service] webhook_port), the bot replying through the Bot API; SIGTERM: exit 0, a sound
    DB (on SQLite with its file lock and on PostgreSQL with its advisory lock)."""
    port, hook_port = free_port(), free_port()
    bot = BotServer()
    with serve(bot) as bot_api:
        config = write_config(
            tmp_path, vanban_source(site),
            schedules={"daily_digest": "*/2 * * * * *", "delivery_interval_seconds": 2},
            service={"health_port": port, "webhook_port": hook_port},
            recipients=BKHCN_RECIPIENT + OPERATOR_RECIPIENT,
            tables=f'[channels.telegram]\napi_base = "{bot_api.base_url}"\n',
        )
        env = dondoc_env(DONDOC_DATABASE_URL=db_url, DONDOC_TELEGRAM_WEBHOOK_SECRET=HOOK_SECRET,
                         DONDOC_TELEGRAM_TOKEN=BOT_TOKEN)
        code, second, health, answered, refused = _run_with_webhooks(config, env, tmp_path, port, hook_port)
    assert code == 0
    assert second.returncode == 2
    assert "“dondoc run” khác đang chạy" in second.stderr and "Traceback" not in second.stderr
    assert "job started" not in second.stderr
    assert health == b"ok\n"
    assert (answered.status_code, refused.status_code) == (200, 403)
    assert bot.sent == [("77", NOT_SUBSCRIBED)]
    _check_stopped_cleanly(db_url, tmp_path / "out" / "bkhcn.txt")


def _run_with_webhooks(config: Path, env: dict[str, str], tmp_path: Path, port: int,
                       hook_port: int) -> tuple[int, Any, bytes, httpx.Response, httpx.Response]:
    """Run the service until a digest is written, probe a second instance, /healthz and the Telegram
    webhook (with and without its secret), then stop it."""
    digest_file = tmp_path / "out" / "bkhcn.txt"
    service = start_dondoc(config, "run", env=env)
    try:
        wait_until(lambda: file_has(digest_file, "Khung Kiến trúc tổng thể quốc gia số"), service,
                   what="a digest")
        second = run_dondoc(config, "run", timeout=120, env=env)
        health = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30).read()
        hook = f"http://127.0.0.1:{hook_port}/telegram"
        answered = httpx.post(hook, content=START_UPDATE, headers={SECRET_HEADER: HOOK_SECRET}, timeout=30)
        refused = httpx.post(hook, content=START_UPDATE, timeout=30)
    finally:
        code = stop(service)
    return code, second, health, answered, refused


def _check_stopped_cleanly(db_url: str, digest_file: Path) -> None:
    """A sound database, no row left sending or running, the crawl recorded, each digest written once."""
    if db_url.startswith("sqlite"):
        assert rows(db_url, "PRAGMA integrity_check") == [("ok",)]
    assert rows(db_url, "SELECT count(*) FROM outbox WHERE status = 'sending'") == [(0,)]
    outcomes = rows(db_url, "SELECT job_id, last_outcome FROM service_jobs")
    assert ("crawl:demo-vanban-chinhphu", "ok") in outcomes
    assert rows(db_url, "SELECT count(*) FROM service_jobs WHERE last_outcome = 'running'") == [(0,)]
    lines = digest_file.read_text(encoding="utf-8").splitlines()
    markers = [line for line in lines if line.startswith("-----")]
    assert markers and len(markers) == len(set(markers))


class GatedSmtpHandler:
    """An SMTP server handler that accepts the first message at once and holds later ones at a gate."""

    def __init__(self) -> None:
        """Start with the gate closed and nothing received."""
        self.gate = threading.Event()
        self.entered = 0
        self.message_ids: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Keep the message's Message-ID once the gate lets it through."""
        self.entered += 1
        while self.entered > 1 and not self.gate.is_set():
            await asyncio.sleep(0.05)
        self.message_ids.append(str(message_from_bytes(envelope.content)["Message-ID"]))
        return "250 OK"


UNITS = ("Bộ Khoa học và Công nghệ", "Bộ Công an", "Bộ Y tế", "Bộ Tư pháp", "Bộ Giáo dục và Đào tạo",
         "Tòa án nhân dân tối cao")


def email_recipients() -> str:
    """One email recipient per unit with tasks in the demo directive."""
    tables = [
        f"[[recipients]]\nname = {toml_value('VP ' + unit)}\nunits = [{toml_value(unit)}]\n"
        f'digests = ["daily"]\nchannels = [{{ type = "email", address = "vp{i}@example.gov.vn" }}]\n'
        for i, unit in enumerate(UNITS)
    ]
    return "\n".join(tables) + OPERATOR_RECIPIENT


def test_restart_after_a_stop_in_the_middle_of_a_delivery_sends_nothing_twice(
    site: RunningSite, tmp_path: Path
) -> None:
    """SIGTERM while the SMTP server holds a message: that one finishes, the rest wait; a restart sends
    the rest; the server receives every outbox message exactly once."""
    handler = GatedSmtpHandler()
    smtp = Controller(handler, hostname="127.0.0.1", port=free_port())
    smtp.start()
    email = (f"\n[channels.email]\nhost = \"127.0.0.1\"\nport = {smtp.port}\nsecurity = \"none\"\n"
             "sender = \"dondoc@example.gov.vn\"\n")
    config = write_config(
        tmp_path, vanban_source(site),
        schedules={"daily_digest": "*/2 * * * * *", "delivery_interval_seconds": 2},
        recipients=email_recipients() + email,
    )
    db = tmp_path / "dondoc.sqlite3"
    try:
        first = start_dondoc(config, "run")
        wait_until(lambda: handler.entered >= 2, first, what="a delivery in flight")
        first.send_signal(signal.SIGTERM)
        handler.gate.set()
        assert first.wait(timeout=STOP_LIMIT_S) == 0
        received_before_restart = len(handler.message_ids)
        total = query(db, "SELECT count(*) FROM outbox WHERE channel = 'email'")[0][0]
        assert received_before_restart < total
        second = start_dondoc(config, "run")
        wait_until(lambda: len(handler.message_ids) >= total, second, what="the rest of the outbox")
        assert stop(second) == 0
    finally:
        smtp.stop()
    assert len(handler.message_ids) == len(set(handler.message_ids)) == total
    assert query(db, "SELECT status, count(*) FROM outbox WHERE channel = 'email' GROUP BY status") == [
        ("sent", total)
    ]


@pytest.fixture()
def hanging_server() -> Iterator[int]:
    """A loopback TCP server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop_flag = threading.Event()

    def accept() -> None:
        """Accept and keep connections open without reading or writing."""
        server.settimeout(0.2)
        while not stop_flag.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop_flag.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


def test_hanging_source_is_killed_at_its_limit_and_reported(
    site: RunningSite, hanging_server: int, tmp_path: Path
) -> None:
    """A source that hangs is stopped at its time limit and recorded; the other jobs go on; status and
    /metrics report the broken source."""
    port = free_port()
    hanging = source_tables(f"http://127.0.0.1:{hanging_server}", ["demo-baochinhphu"],
                            {"name": "trang-treo", "interval_seconds": 3600, "time_limit_s": 3})
    config = write_config(
        tmp_path, [*hanging, *vanban_source(site)],
        schedules={"daily_digest": "*/2 * * * * *", "delivery_interval_seconds": 2},
        service={"health_port": port}, recipients=BKHCN_RECIPIENT + OPERATOR_RECIPIENT,
    )
    db = tmp_path / "dondoc.sqlite3"
    service = start_dondoc(config, "run")
    try:
        wait_until(lambda: query(db, "SELECT consecutive_failures FROM sources WHERE name = 'trang-treo'")
                   == [(1,)], service, what="the hanging source's failure")
        wait_until(lambda: file_has(tmp_path / "out" / "bkhcn.txt", "Khung Kiến trúc"), service,
                   what="a digest")
        status = run_dondoc(config, "status", timeout=120)
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30).read().decode()
    finally:
        code = stop(service)
    assert code == 0
    error = query(db, "SELECT last_error FROM sources WHERE name = 'trang-treo'")[0][0]
    assert "quá thời gian" in error
    assert ("crawl:trang-treo", "timeout") in query(db, "SELECT job_id, last_outcome FROM service_jobs")
    assert crawl_workers(str(tmp_path)) == []
    assert status.returncode == 0
    assert "Dịch vụ: đang chạy" in status.stdout
    assert "trang-treo: LỖI 1 lần liên tiếp" in status.stdout and "quá thời gian" in status.stdout
    assert "crawl:trang-treo" in status.stdout and "demo-vanban-chinhphu: tốt" in status.stdout
    assert 'dondoc_source_up{source="trang-treo"} 0' in metrics
    assert 'dondoc_source_consecutive_failures{source="trang-treo"} 1' in metrics
    assert 'dondoc_job_failures_total{job="crawl:trang-treo"} 1' in metrics
    assert 'dondoc_source_up{source="demo-vanban-chinhphu"} 1' in metrics


def crawl_workers(marker: str) -> list[int]:
    """Pids of live crawl worker processes whose command line mentions `marker` (a test's folder)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "crawler.crawl_worker" in command and marker in command:
            pids.append(int(entry.name))
    return pids


def parent_of(pid: int) -> int:
    """The parent process id of `pid` (Linux /proc)."""
    return int(Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()[1])


def test_stop_during_a_crawl_abandons_it_and_leaves_no_crawler_behind(
    hanging_server: int, tmp_path: Path
) -> None:
    """SIGTERM while a crawl hangs: exit 0, the crawl recorded as abandoned, no crawl process left."""
    hanging = source_tables(f"http://127.0.0.1:{hanging_server}", ["demo-baochinhphu"],
                            {"name": "trang-treo", "interval_seconds": 3600, "time_limit_s": 600})
    config = write_config(tmp_path, hanging)
    service = start_dondoc(config, "run")
    try:
        wait_until(lambda: bool(crawl_workers(str(tmp_path))), service, what="a crawl worker")
        assert [parent_of(pid) for pid in crawl_workers(str(tmp_path))] == [service.pid]  # one boundary
    finally:
        code = stop(service)
    assert code == 0
    wait_until(lambda: not crawl_workers(str(tmp_path)), what="the crawl worker to be gone", limit_s=30)
    assert query(tmp_path / "dondoc.sqlite3", "SELECT job_id, last_outcome FROM service_jobs") == [
        ("crawl:trang-treo", "abandoned")
    ]


def _answers(url: str) -> bool:
    """True once `url` answers at all (the server listens)."""
    try:
        httpx.get(url, timeout=10)
    except httpx.HTTPError:
        return False
    return True


def test_run_serves_the_web_application_when_web_is_enabled(tmp_path: Path) -> None:
    """`[web] enabled = true`: `dondoc run` serves the login page on `[web] port` beside its jobs, and
    stops with exit 0 on SIGTERM."""
    web_port = free_port()
    config = write_config(tmp_path, [], tables=f"[web]\nenabled = true\nport = {web_port}\n")
    service = start_dondoc(config, "run", env=dondoc_env(DONDOC_WEB_SECRET="run-web-secret-8d2"))
    login = f"http://127.0.0.1:{web_port}/dang-nhap"
    try:
        wait_until(lambda: _answers(login), service, what="the web application")
        page = httpx.get(login, timeout=30)
    finally:
        code = stop(service)
    assert page.status_code == 200 and "<h1>Đăng nhập</h1>" in page.text
    assert code == 0
