"""dondoc's command line and service entry: wiring only, the work lives in crawler/ and notifier/.

Every command reports problems as one Vietnamese line on stderr with a non-zero exit code, never a
traceback; every command that depends on "today" takes --as-of so old documents can be replayed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import json
import logging
import math
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from zoneinfo import ZoneInfo

from crawler.config import Config, GeneralConfig, SourceConfig, find_config_path, load_config
from crawler.errors import AlreadyRunningError, ConfigError, DondocError, UnusableInputError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from crawler.crawl import CrawlReport
    from crawler.pipeline import ExtractionReport
    from notifier.channels.base import Channel

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DEMO_AS_OF = dt.date(2025, 10, 1)

log = logging.getLogger("dondoc")  # this module also runs as __main__ (crawl subprocesses)


def today() -> dt.date:
    """Today's date in Asia/Ho_Chi_Minh, the default of every --as-of."""
    return dt.datetime.now(TIMEZONE).date()


def now() -> dt.datetime:
    """The current time, UTC-aware: SQLite keeps datetimes naive, so everything stored must be UTC."""
    return dt.datetime.now(dt.UTC)


def parse_date(value: str) -> dt.date:
    """argparse type for --as-of and friends: YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"ngày không hợp lệ '{value}', cần dạng YYYY-MM-DD") from exc


def load_cli_config(args: argparse.Namespace) -> Config:
    """The config named by --config / DONDOC_CONFIG / ./dondoc.toml, or the built-in defaults."""
    path = find_config_path(getattr(args, "config", None))
    return load_config(path) if path else Config()


# --- commands -------------------------------------------------------------------------------


def cmd_extract(args: argparse.Namespace) -> int:
    """Print one task record (FORMAT.md) per line for each input file; bad files are reported."""
    from crawler.extract import extract_tasks
    from crawler.extract.records import task_record
    from crawler.extract.text import document_from_file
    from crawler.extract.units import load_gazetteer

    config = load_cli_config(args)
    gazetteer = load_gazetteer(tuple((u.name, u.aliases) for u in config.units))
    failures = 0
    for name in args.files:
        path = Path(name)
        try:
            document = document_from_file(path)
        except (UnusableInputError, OSError) as exc:
            print(f"Lỗi: {_reason(path, exc)}", file=sys.stderr)
            failures += 1
            continue
        for task in extract_tasks(document, gazetteer):
            print(json.dumps(task_record(task, path.name), ensure_ascii=False))
    return 1 if failures else 0


def _reason(path: Path, exc: BaseException) -> str:
    """A one-line reason why a file could not be read, naming the file once, without a traceback."""
    if isinstance(exc, OSError):
        return f"{path}: không đọc được tệp ({exc.strerror or exc})"
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return message if str(path) in message else f"{path}: {message}"


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Apply the database migrations to the configured database."""
    from crawler.storage.engine import upgrade_database

    url = load_cli_config(args).database_url()
    upgrade_database(url)
    print(f"Cơ sở dữ liệu đã được cập nhật: {_safe_url(url)}")
    return 0


def _safe_url(url: str) -> str:
    """A database URL with any password removed, fit for printing and logs."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def cmd_crawl(args: argparse.Namespace) -> int:
    """Crawl the configured sources once, then extract and track tasks from new documents."""
    config = load_cli_config(args)
    if not config.sources:
        raise ConfigError(f"{config.path or 'cấu hình mặc định'}: chưa khai báo nguồn nào ([[sources]])")
    outcome = crawl_and_track(config, args.source or None, args.as_of or today())
    print_crawl_outcome(outcome)
    return 0 if outcome.all_ok else 1


def cmd_digest(args: argparse.Namespace) -> int:
    """Print the digest a unit (or every unit with tasks) would receive, sending nothing."""
    config = load_cli_config(args)
    with open_session(config.database_url()) as session:
        units = [args.unit] if args.unit else units_with_tasks(session)
        printed = print_unit_digests(session, units, args.as_of or today(), args.channel, None)
    if args.unit and not printed:
        print(f"Đơn vị “{args.unit}” không có nhiệm vụ quá hạn, sắp đến hạn hay mới.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the whole pipeline once against the bundled local site and print each unit's digest."""
    from crawler.site import demo_sources, serve_site

    work_dir = Path(tempfile.mkdtemp(prefix="dondoc-demo-"))
    db_path = Path(args.db).resolve() if args.db else work_dir / "dondoc.sqlite3"
    out_dir = work_dir / "digests"
    site = serve_site()
    try:
        print(f"Trang mẫu cục bộ đang chạy tại {site.base_url}")
        config = Config(
            general=GeneralConfig(database=str(db_path), output_dir=str(out_dir), crawl_time_limit_s=300),
            sources=demo_sources(site.base_url),
        )
        outcome = crawl_and_track(config, None, args.as_of)
    finally:
        site.stop()
    print_crawl_outcome(outcome)
    with open_session(config.database_url()) as session:
        printed = print_unit_digests(session, units_with_tasks(session), args.as_of, "console", out_dir)
    print(f"\nĐã in bản tin nhắc việc của {printed} đơn vị (ngày tính: {args.as_of:%d/%m/%Y}).")
    print(f"Cơ sở dữ liệu: {db_path}")
    print(f"Bản tin của từng đơn vị: {out_dir}")
    return 0 if outcome.all_ok else 1


def cmd_bulletin_draft(args: argparse.Namespace) -> int:
    """Draft the bulletin of a week or a period into an editable TOML file."""
    from notifier.bulletin.draft import date_period, draft_bulletin, week_period

    if args.week and (args.date_from or args.date_to):
        raise ConfigError("--week không dùng cùng --from/--to: chọn một trong hai cách")
    config = load_cli_config(args)
    if args.week:
        period = week_period(args.week)
    elif args.date_from and args.date_to:
        period = date_period(args.date_from, args.date_to)
    else:
        raise ConfigError("cần --week, hoặc cả --from và --to")
    path = Path(args.out) if args.out else output_dir(config) / "bulletin" / f"ban-tin-{period.label}.toml"
    with open_session(config.database_url()) as session:
        draft = draft_bulletin(session, period, path)
    print(f"Đã viết bản nháp bản tin {draft.issue} ({len(draft.items)} bài): {path}")
    print("Sửa tệp này (bỏ bài: include = false; đổi thứ tự: order), rồi chạy “dondoc bulletin render”.")
    return 0


def cmd_bulletin_render(args: argparse.Namespace) -> int:
    """Render an edited draft as HTML and/or Word."""
    from notifier.bulletin.render import render_bulletin_file

    config = load_cli_config(args)
    draft = Path(args.draft)
    out_dir = Path(args.out) if args.out else draft.parent
    with open_session(config.database_url()) as session:
        written = render_bulletin_file(session, draft, out_dir, split_formats(args.format))
    for path in written:
        print(f"Đã viết: {path}")
    return 0


def cmd_bulletin_send(args: argparse.Namespace) -> int:
    """Send a rendered draft to the mailing list (or the given addresses) through the email channel."""
    from crawler.storage.engine import make_engine, session_factory
    from notifier.bulletin.send import send_bulletin
    from notifier.channels.factory import create_channels

    config = load_cli_config(args)
    url = config.database_url()
    with open_session(url) as session:
        channels = create_channels(config, sessions=session_factory(make_engine(url)), clock=now,
                                   sleep=time.sleep)
        report = send_bulletin(session, config, Path(args.draft), channels, now(), recipients=args.to or None)
    print(f"Bản tin: {report.queued} thư mới vào hộp thư đi cho {report.addresses} địa chỉ; "
          f"đã gửi {report.delivery.sent}, lỗi {report.delivery.failed}, chờ {report.delivery.waiting}.")
    return 1 if report.delivery.failed else 0


def split_formats(value: str) -> list[str]:
    """"html,docx" -> ["html", "docx"] (spaces and empty parts ignored)."""
    return [part.strip().lower() for part in value.split(",") if part.strip()]


def cmd_report(args: argparse.Namespace) -> int:
    """Write the overdue or due-between task report as DOCX, XLSX and/or HTML."""
    from notifier.reports import due_report, overdue_report, write_report

    config = load_cli_config(args)
    filters = {"unit": args.unit, "document": args.document}
    with open_session(config.database_url()) as session:
        if args.report_command == "overdue":
            as_of = args.as_of or today()
            report = overdue_report(session, as_of, **filters)
            stem = f"nhiem-vu-qua-han-{as_of.isoformat()}"
        else:
            report = due_report(session, args.date_from, args.date_to, **filters)
            stem = f"nhiem-vu-den-han-{args.date_from.isoformat()}-{args.date_to.isoformat()}"
    out_dir = Path(args.out) if args.out else output_dir(config) / "reports"
    for path in write_report(report, out_dir, split_formats(args.format), stem=stem):
        print(f"Đã viết: {path}")
    return 0


def cmd_invite(args: argparse.Namespace) -> int:
    """Print a one-time code a unit head sends to the Telegram bot or Zalo OA to subscribe."""
    from notifier.onboarding import invite, invite_text

    config = load_cli_config(args)
    with open_session(config.database_url()) as session:
        code = invite(session, args.unit, now(), recipient=args.recipient)
    print(invite_text(code, args.unit))
    return 0


def cmd_bot_poll(args: argparse.Namespace) -> int:
    """Answer Telegram bot messages (/start CODE, task lists) by long polling until SIGTERM/SIGINT."""
    from crawler.storage.engine import make_engine, session_factory

    config = load_cli_config(args)
    configure_logging(logging.DEBUG if args.verbose else logging.INFO, config.service.log_json)
    url = config.database_url()
    stop = threading.Event()
    poll = telegram_poller(config, session_factory(make_engine(url)), stop)
    with open_session(url):
        pass  # migrations first
    install_stop_handlers(stop.set)
    poll()
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run the scheduler service until SIGTERM/SIGINT."""
    config = load_cli_config(args)
    job_triggers(config)  # a bad schedule stops here, as one line, before any log
    level = logging.DEBUG if args.verbose else logging.INFO
    configure_logging(level, args.log_json or config.service.log_json)
    return run_service(config, wait_for_lock=args.wait)


# --- service wiring -------------------------------------------------------------------------


@dataclass(frozen=True)
class CrawlOutcome:
    """What one crawl-and-track pass did: the crawl report and the extraction that followed."""

    crawl: CrawlReport
    extraction: ExtractionReport

    @property
    def all_ok(self) -> bool:
        """True when every source crawled without failure."""
        return all(source.ok for source in self.crawl.sources)


@contextmanager
def open_session(url: str) -> Iterator[Session]:
    """A session on an up-to-date database: migrations are applied first, at every start."""
    from crawler.storage.engine import make_engine, session_factory, upgrade_database

    upgrade_database(url)
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def crawl_and_track(
    config: Config, source_names: Sequence[str] | None, as_of: dt.date | None = None
) -> CrawlOutcome:
    """Crawl (in a subprocess), then extract tasks from new documents and record the differ's events."""
    day = as_of or today()
    from crawler.crawl import run_crawl
    from crawler.diff import record_time_events
    from crawler.extract.units import load_gazetteer
    from crawler.pipeline import extract_pending_documents
    from crawler.storage.repository import default_directory, sync_config

    url = config.database_url()
    gazetteer = load_gazetteer(tuple((u.name, u.aliases) for u in config.units))
    with open_session(url) as session:
        sync_config(session, config.units, config.recipients, default_directory())
        session.commit()
    report = run_crawl(config, url, source_names, crawl_time_limit(config, source_names))
    with holding(acquire_lock(url, "extract", wait=True)), open_session(url) as session:
        extraction = extract_pending_documents(session, gazetteer, day, now())
        record_time_events(session, day)
        session.commit()
    return CrawlOutcome(crawl=report, extraction=extraction)


def print_crawl_outcome(outcome: CrawlOutcome) -> None:
    """One line per source (ok or the failure's reason), then the extraction totals."""
    for source in outcome.crawl.sources:
        if source.ok:
            print(f"Nguồn {source.name}: {source.pages} trang, {source.new_documents} văn bản mới")
        else:
            print(f"Nguồn {source.name}: LỖI: {source.reason}", file=sys.stderr)
    extraction = outcome.extraction
    print(f"Trích xuất: {extraction.documents} văn bản, {extraction.tasks} nhiệm vụ"
          + (f", {extraction.failed} văn bản lỗi" if extraction.failed else ""))


def units_with_tasks(session: Session) -> list[str]:
    """Every unit named as lead or support of a tracked task, in a stable order."""
    from notifier.queries import load_task_views

    names = {unit for view in load_task_views(session) for unit in (*view.lead, *view.support)}
    return sorted(names)


def print_unit_digests(
    session: Session, units: Sequence[str], as_of: dt.date, channel: str, out_dir: Path | None
) -> int:
    """Print (and optionally save) each unit's digest as it would be sent; return how many had one."""
    from notifier.planning import preview_unit_digest

    printed = 0
    for unit in units:
        text = preview_unit_digest(session, unit, as_of, channel=channel)
        if not text:
            continue
        printed += 1
        print(f"\n{'=' * 78}\n{text}")
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            (out_dir / f"{printed:03d}-{slug(unit)}.txt").write_text(text, encoding="utf-8")
    return printed


def slug(name: str) -> str:
    """An ASCII file name for a unit name."""
    ascii_name = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_name).split())[:80] or "don-vi"


# --- service: instance lock -----------------------------------------------------------------

LOCKS = {"run": ("lock", 0x646F6E646F63), "extract": ("extract.lock", 0x646F6E646F64)}
"""Database-wide locks: purpose -> (suffix of the file next to a SQLite database, PostgreSQL advisory key)."""


@dataclass(frozen=True)
class InstanceLock:
    """A held database-wide lock: what it is (for logs) and how to let it go."""

    description: str
    release: Callable[[], None]


def sqlite_lock_path(url: str, suffix: str) -> Path | None:
    """The lock file next to a SQLite database file; None for other databases and in-memory SQLite."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    database = Path(parsed.database).resolve()
    return database.with_name(f"{database.name}.{suffix}")


def acquire_lock(url: str, purpose: str, wait: bool) -> InstanceLock:
    """Take a database-wide lock ("run": one service per database; "extract": one extraction at a time):
    a file lock for SQLite, an advisory lock for PostgreSQL; AlreadyRunningError when busy and not waiting."""
    from sqlalchemy.engine import make_url

    suffix, key = LOCKS[purpose]
    path = sqlite_lock_path(url, suffix)
    if path is not None:
        return _file_lock(path, wait)
    if make_url(url).get_backend_name() == "postgresql":
        return _postgres_lock(url, key, wait)
    return InstanceLock("không khóa (cơ sở dữ liệu trong bộ nhớ)", lambda: None)


def busy_message(where: str) -> str:
    """The one line a second `dondoc run` prints before it exits."""
    return (f"một tiến trình “dondoc run” khác đang chạy trên cơ sở dữ liệu này ({where}); "
            "dừng tiến trình đó trước, hoặc dùng --wait để chờ")


def _file_lock(path: Path, wait: bool) -> InstanceLock:
    """flock() on a file next to the database; the kernel frees it if the process dies."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        if not wait:
            handle.close()
            raise AlreadyRunningError(busy_message(f"khóa {path}")) from None
        log.info("waiting for the lock %s held by another dondoc process", path)
        fcntl.flock(handle, fcntl.LOCK_EX)
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()

    def release() -> None:
        """Unlock and close the lock file (the file itself stays, it is harmless)."""
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()

    return InstanceLock(f"tệp khóa {path}", release)


def _postgres_lock(url: str, key: int, wait: bool) -> InstanceLock:
    """A session-level advisory lock held on a dedicated connection until released."""
    from sqlalchemy import text

    from crawler.storage.engine import make_engine

    engine = make_engine(url)
    connection = engine.connect()
    got = bool(connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
    if not got and not wait:
        connection.close()
        engine.dispose()
        raise AlreadyRunningError(busy_message(f"khóa advisory {key} của PostgreSQL"))
    if not got:
        log.info("waiting for the PostgreSQL advisory lock %d held by another dondoc process", key)
        connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
    connection.commit()

    def release() -> None:
        """Unlock, then close the connection that held the lock."""
        connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        connection.commit()
        connection.close()
        engine.dispose()

    return InstanceLock(f"khóa advisory {key} của PostgreSQL", release)


@contextmanager
def holding(lock: InstanceLock) -> Iterator[InstanceLock]:
    """Release a lock when the block ends, however it ends."""
    try:
        yield lock
    finally:
        lock.release()


def service_is_running(url: str) -> bool | None:
    """Whether some `dondoc run` holds the instance lock of this database (for `dondoc status`);
    None when this user cannot tell (the lock file is not readable)."""
    try:
        lock = acquire_lock(url, "run", wait=False)
    except AlreadyRunningError:
        return True
    except OSError as exc:
        log.info("cannot check the instance lock: %s", exc)
        return None
    lock.release()
    return False


# --- service: jobs --------------------------------------------------------------------------

OUTCOME_LABELS = {
    "ok": "thành công",
    "failed": "lỗi",
    "timeout": "quá thời gian",
    "abandoned": "bỏ dở khi dừng",
    "running": "đang chạy",
}
WORKER_MARGIN_S = 60
CHILD_STOP_GRACE_S = 5


@dataclass(frozen=True)
class JobResult:
    """How one job run ended: ok, failed, timeout or abandoned, with a one-line detail."""

    outcome: str
    detail: str = ""


@dataclass(frozen=True)
class JobSpec:
    """A job the service schedules: explicit id, trigger, the work, and whether a first run is due at once."""

    job_id: str
    trigger: Any
    work: Callable[[], JobResult]
    run_at_start: bool = False


class Service:
    """The running service's shared state: config, clock, database, stop flag and jobs in flight."""

    def __init__(self, config: Config, clock: Callable[[], dt.datetime]) -> None:
        """Bind to the configured database; nothing runs until `run_service` schedules the jobs."""
        from crawler.storage.engine import make_engine, session_factory

        self.config = config
        self.url = config.database_url()
        self.clock = clock
        self.engine = make_engine(self.url)
        self.sessions = session_factory(self.engine)
        self.stopping = threading.Event()
        self.in_flight: set[str] = set()
        self.children: set[subprocess.Popen[str]] = set()
        self.guard = threading.Condition()
        self.next_run: Callable[[str], dt.datetime | None] = lambda _job_id: None
        self._channels: dict[str, Channel] | None = None

    def pause(self, seconds: float) -> None:
        """Wait as a channel asks (Telegram's retry_after), waking at once when the service stops."""
        self.stopping.wait(seconds)

    def channels(self) -> dict[str, Channel]:
        """The delivery channels, built once per service run (their setup problems are logged once)."""
        from notifier.channels.factory import create_channels

        with self.guard:
            if self._channels is None:
                self._channels = create_channels(self.config, sessions=self.sessions, clock=self.clock,
                                                 sleep=self.pause)
            return self._channels

    def run_job(self, job_id: str, work: Callable[[], JobResult]) -> None:
        """Run one job: record its start and outcome, log one line each; a failure never escapes."""
        if self.stopping.is_set():
            return
        with self.guard:
            self.in_flight.add(job_id)
        try:
            self._run_recorded(job_id, work)
        except Exception:  # bookkeeping failed (database down): log it, keep the service alive
            log.exception("job bookkeeping failed", extra={"job_id": job_id})
        finally:
            with self.guard:
                self.in_flight.discard(job_id)
                self.guard.notify_all()

    def _run_recorded(self, job_id: str, work: Callable[[], JobResult]) -> None:
        """Record the start, run the work, record and log the outcome."""
        started = self.clock()
        record_job_start(self, job_id, started)
        log.info("job started", extra={"job_id": job_id})
        try:
            result = work()
        except Exception as exc:  # one failing job must not stop the service
            log.exception("job crashed", extra={"job_id": job_id})
            result = JobResult("failed", short_error(exc))
        if self.stopping.is_set() and result.outcome != "ok":
            result = JobResult("abandoned", result.detail)
        duration = round((self.clock() - started).total_seconds(), 3)
        record_job_end(self, job_id, result, self.clock())
        level = logging.INFO if result.outcome == "ok" else logging.WARNING
        log.log(level, "job finished: %s", result.detail or result.outcome,
                extra={"job_id": job_id, "outcome": result.outcome, "duration_s": duration})

    def stop_children(self) -> list[int]:
        """Ask every crawl subprocess to stop (SIGTERM to its process group and to the groups of its
        descendants: the crawl worker runs in a group of its own); return the groups for `reap_groups`."""
        with self.guard:
            roots = [child.pid for child in self.children]
        groups = sorted({group for root in roots for group in tree_groups(root)})
        signal_groups(groups, signal.SIGTERM)
        return groups

    def wait_idle(self, timeout_s: float) -> bool:
        """Wait until no job is in flight; False when some are still running after `timeout_s`."""
        with self.guard:
            return self.guard.wait_for(lambda: not self.in_flight, timeout=timeout_s)


def signal_groups(groups: Sequence[int], signum: signal.Signals) -> None:
    """Send a signal to each process group that still exists."""
    for group in groups:
        with suppress(ProcessLookupError):
            os.killpg(group, signum)


def tree_groups(root: int) -> set[int]:
    """The process groups of `root` and of all its descendants (Linux /proc): what must be signalled
    to stop a crawl whose worker runs in a process group of its own."""
    children: dict[int, list[int]] = {}
    group_of: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text(encoding="ascii", errors="replace").rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        pid, parent, group = int(entry.name), int(fields[1]), int(fields[2])
        children.setdefault(parent, []).append(pid)
        group_of[pid] = group
    found: set[int] = {root}
    pending = [root]
    while pending:
        current = pending.pop()
        found.add(group_of.get(current, root))
        pending += children.get(current, [])
    return found


def group_alive(group: int) -> bool:
    """True while some process of the group still exists."""
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_groups(groups: Sequence[int], grace_s: float) -> None:
    """Give stopped process groups `grace_s` to exit, then kill what is left (e.g. a Scrapy worker
    shutting down "gracefully" on a site that never answers) and wait for it, so no crawl outlives
    the service."""
    if not groups_gone(groups, grace_s):
        signal_groups([g for g in groups if group_alive(g)], signal.SIGKILL)
        groups_gone(groups, grace_s)


def groups_gone(groups: Sequence[int], limit_s: float) -> bool:
    """Wait up to `limit_s` for every process group to be gone; True when they are."""
    deadline = time.monotonic() + limit_s
    while any(group_alive(g) for g in groups):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True


def short_error(exc: BaseException) -> str:
    """An exception as one short line (type and first line of the message)."""
    first = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {first}"[:300]


def record_job_start(service: Service, job_id: str, started: dt.datetime) -> None:
    """Mark a job running in service_jobs (so `dondoc status` shows it in flight)."""
    from crawler.storage.schema import ServiceJob

    with service.sessions() as session:
        row = session.get(ServiceJob, job_id) or ServiceJob(job_id=job_id, runs=0, failures=0)
        row.last_started_at, row.last_outcome = utc(started), "running"
        session.add(row)
        session.commit()


def record_job_end(service: Service, job_id: str, result: JobResult, finished: dt.datetime) -> None:
    """Record a job's outcome, its counters and its next run time; once the scheduler has stopped
    there is none, and the stored one (the run that just ended) stays, so a restart runs it again."""
    from crawler.storage.schema import ServiceJob

    with service.sessions() as session:
        row = session.get(ServiceJob, job_id) or ServiceJob(job_id=job_id, runs=0, failures=0)
        row.last_finished_at, row.last_outcome = utc(finished), result.outcome
        row.last_error = None if result.outcome == "ok" else result.detail[:1000]
        row.runs = (row.runs or 0) + 1
        row.failures = (row.failures or 0) + (0 if result.outcome == "ok" else 1)
        row.next_run_at = utc(service.next_run(job_id)) or row.next_run_at
        session.add(row)
        session.commit()


def record_next_runs(service: Service, job_ids: Sequence[str]) -> None:
    """Store every job's next run time (at start, so `dondoc status` and a restart can see it)."""
    from crawler.storage.schema import ServiceJob

    with service.sessions() as session:
        for job_id in job_ids:
            row = session.get(ServiceJob, job_id) or ServiceJob(job_id=job_id, runs=0, failures=0)
            row.next_run_at = utc(service.next_run(job_id))
            session.add(row)
        session.commit()


def stored_next_runs(service: Service) -> dict[str, dt.datetime]:
    """The next run times the previous service run stored, by job id (UTC-aware)."""
    from sqlalchemy import select

    from crawler.storage.schema import ServiceJob

    with service.sessions() as session:
        rows = session.execute(select(ServiceJob.job_id, ServiceJob.next_run_at)).all()
    return {job_id: aware(moment) for job_id, moment in rows if moment is not None}


def aware(moment: dt.datetime) -> dt.datetime:
    """A datetime read back from SQLite (naive, UTC) made timezone-aware."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A datetime as stored: UTC (SQLite drops the zone, so every stored time must be UTC)."""
    return moment.astimezone(dt.UTC) if moment is not None else None


def cron_trigger(expression: str, key: str, config: Config) -> Any:
    """An APScheduler cron trigger from 5 fields, or 6 with seconds first; a bad one is a ConfigError."""
    from apscheduler.triggers.cron import CronTrigger

    parts = expression.split()
    try:
        if len(parts) == 6:
            second, minute, hour, day, month, weekday = parts
            return CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month,
                               day_of_week=weekday, timezone=TIMEZONE)
        return CronTrigger.from_crontab(expression, timezone=TIMEZONE)
    except ValueError as exc:
        raise ConfigError(
            f"{config.path or 'cấu hình'}: '{key}' không phải biểu thức cron hợp lệ: {expression!r} ({exc})"
        ) from exc


def source_trigger(source: SourceConfig, index: int, config: Config) -> Any:
    """A source's trigger: its cron when set, else interval_seconds, else interval_minutes."""
    from apscheduler.triggers.interval import IntervalTrigger

    if source.cron.strip():
        return cron_trigger(source.cron, f"sources[{index}].cron", config)
    if source.interval_seconds > 0:
        return IntervalTrigger(seconds=source.interval_seconds, timezone=TIMEZONE)
    return IntervalTrigger(minutes=max(source.interval_minutes, 1), timezone=TIMEZONE)


def job_triggers(config: Config) -> dict[str, Any]:
    """Every job's trigger by explicit id; a bad schedule is a ConfigError before anything runs."""
    from apscheduler.triggers.interval import IntervalTrigger

    triggers = {job_id: source_trigger(sources[0], config.sources.index(sources[0]), config)
                for job_id, sources in crawl_jobs(config).items()}
    schedules = config.schedules
    for job_id, key, cron in (
        ("digest:daily", "schedules.daily_digest", schedules.daily_digest),
        ("digest:weekly", "schedules.weekly_digest", schedules.weekly_digest),
        ("bulletin:draft", "schedules.bulletin_draft", schedules.bulletin_draft),
        ("housekeeping", "schedules.housekeeping", schedules.housekeeping),
    ):
        if cron.strip():
            triggers[job_id] = cron_trigger(cron, key, config)
    if schedules.delivery_interval_seconds > 0:
        triggers["deliver"] = IntervalTrigger(seconds=schedules.delivery_interval_seconds, timezone=TIMEZONE)
    return triggers


def crawl_jobs(config: Config) -> dict[str, tuple[SourceConfig, ...]]:
    """The crawl jobs: `crawl:<source>` per enabled source, or `crawl-group:<group>` for the sources
    sharing a `group` (crawled together, on the schedule of the group's first source)."""
    jobs: dict[str, list[SourceConfig]] = {}
    for source in config.sources:
        if source.enabled:
            job_id = f"crawl-group:{source.group}" if source.group else f"crawl:{source.name}"
            jobs.setdefault(job_id, []).append(source)
    return {job_id: tuple(sources) for job_id, sources in jobs.items()}


def job_work(service: Service, job_id: str) -> Callable[[], JobResult]:
    """The work behind a job id."""
    crawls = crawl_jobs(service.config)
    if job_id in crawls:
        return partial(crawl_job, service, crawls[job_id])
    work: dict[str, Callable[[], JobResult]] = {
        "digest:daily": partial(digest_job, service, "daily"),
        "digest:weekly": partial(digest_job, service, "weekly"),
        "bulletin:draft": partial(bulletin_job, service),
        "housekeeping": partial(housekeeping_job, service),
        "deliver": partial(deliver_job, service),
    }
    return work[job_id]


def job_specs(service: Service) -> list[JobSpec]:
    """Every job of the service: crawls (first run at once), digests, bulletin, housekeeping, delivery."""
    return [
        JobSpec(job_id, trigger, job_work(service, job_id),
                run_at_start=job_id.startswith(("crawl:", "crawl-group:")) or job_id == "deliver")
        for job_id, trigger in job_triggers(service.config).items()
    ]


def first_run_time(spec: JobSpec, stored: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    """When a job first runs: at once if a run was missed while stopped (once, coalesced) or if it is
    a crawl never run; else the earlier of the stored next run and the trigger's; None = the trigger's."""
    if stored is not None and stored <= now:
        return now
    planned = spec.trigger.get_next_fire_time(None, now)
    if stored is not None:
        return min(stored, planned) if planned is not None else stored
    return now if spec.run_at_start else None


def crawl_time_limit(config: Config, source_names: Sequence[str] | None) -> int:
    """The crawl time limit of the chosen sources: the largest per-source limit, else the general one."""
    chosen = [s for s in config.sources if not source_names or s.name in source_names]
    limits = [s.time_limit_s for s in chosen if s.time_limit_s > 0]
    return max(limits) if limits else config.general.crawl_time_limit_s


def crawl_command(config: Config, sources: Sequence[SourceConfig]) -> list[str]:
    """The `dondoc crawl --source NAME...` command line the service runs as a subprocess."""
    prefix = ["--config", str(Path(config.path).resolve())] if config.path else []
    chosen = [arg for source in sources for arg in ("--source", source.name)]
    return [sys.executable, "-m", "scheduler", *prefix, "crawl", *chosen]


def crawl_job(service: Service, sources: Sequence[SourceConfig]) -> JobResult:
    """Crawl sources (and extract their tasks) in a subprocess group, killed if it overruns."""
    names = tuple(source.name for source in sources)
    limit = crawl_time_limit(service.config, names)
    hard_limit = limit + max(WORKER_MARGIN_S, limit // 2)
    child = subprocess.Popen(
        crawl_command(service.config, sources), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, encoding="utf-8", errors="replace", start_new_session=True,
    )
    with service.guard:
        service.children.add(child)
    try:
        output, killed = _wait_child(child, hard_limit)
    finally:
        with service.guard:
            service.children.discard(child)
    for line in output.splitlines()[-20:]:
        if line.strip():
            log.info("crawl output: %s", line.strip(), extra={"source": ",".join(names)})
    result = _crawl_result(service, sources, child.returncode, output, killed, hard_limit)
    if result.outcome != "ok":
        for source in sources:
            alert_failing_source(service, source)
    return result


def _wait_child(child: subprocess.Popen[str], limit_s: int) -> tuple[str, bool]:
    """Collect a child's output; at the time limit kill its whole process group. (output, killed)."""
    try:
        output, _ = child.communicate(timeout=limit_s)
        return output or "", False
    except subprocess.TimeoutExpired:
        signal_groups(sorted(tree_groups(child.pid)), signal.SIGKILL)
        output, _ = child.communicate()
        return output or "", True


def _crawl_result(service: Service, sources: Sequence[SourceConfig], returncode: int, output: str,
                  killed: bool, hard_limit: int) -> JobResult:
    """The job result of a crawl subprocess; a killed crawl is recorded on its sources' health too."""
    if killed:
        reason = f"quá thời gian ({hard_limit} giây), tiến trình thu thập đã bị dừng"
        for source in sources:
            record_source_failure(service, source, reason)
        return JobResult("timeout", reason)
    if service.stopping.is_set() and returncode < 0:
        return JobResult("abandoned", "dịch vụ dừng giữa lúc thu thập; lần sau sẽ thu thập lại")
    if returncode == 0:
        last = [line for line in output.splitlines() if line.startswith("Nguồn ")]
        return JobResult("ok", last[-1] if last else "")
    errors = [line for line in output.splitlines() if "LỖI" in line or line.startswith("Lỗi")]
    return JobResult("failed", errors[-1] if errors else f"tiến trình thu thập thoát với mã {returncode}")


def record_source_failure(service: Service, source: SourceConfig, reason: str) -> None:
    """Record a failure on a source's health row (for crawls the service itself had to kill)."""
    from crawler.crawl import SourceOutcome, record_outcome

    with service.sessions() as session:
        record_outcome(session, source, SourceOutcome(source.name, False, reason), service.clock())
        session.commit()


def alert_failing_source(service: Service, source: SourceConfig) -> None:
    """Tell the operator once, when a source reaches its failures_before_alert in a row."""
    from sqlalchemy import select

    from crawler.storage.schema import Source
    from notifier.outbox import notify_operator

    with service.sessions() as session:
        row = session.scalars(select(Source).where(Source.name == source.name)).first()
        if row is None or row.consecutive_failures != source.failures_before_alert:
            return
        text = f"Nguồn {source.name} lỗi {row.consecutive_failures} lần liên tiếp: {row.last_error}"
        notify_operator(session, service.config, text, service.clock())
        log.warning("operator alerted: source failing", extra={"source": source.name})


def output_dir(config: Config) -> Path:
    """The output directory, relative to the config file's folder when not absolute."""
    path = Path(config.general.output_dir)
    return path if path.is_absolute() or not config.path else Path(config.path).parent / path


def digest_job(service: Service, period: str) -> JobResult:
    """Record today's due-soon/overdue events, queue the `period` digests, then deliver the outbox."""
    from crawler.diff import record_time_events
    from crawler.storage.repository import due_soon_offsets
    from notifier.outbox import enqueue_digests

    now_ = service.clock()
    day = now_.astimezone(TIMEZONE).date()
    with service.sessions() as session:
        record_time_events(session, day, due_soon_offsets(session))
        session.commit()
        added = enqueue_digests(session, service.config, day, period, now=now_)
    delivered = deliver_job(service)
    return JobResult(delivered.outcome, f"{added} tin nhắn mới vào hộp thư đi; {delivered.detail}")


def deliver_job(service: Service) -> JobResult:
    """Send what the outbox holds; a permanent failure makes the run 'failed' (the operator is told)."""
    from notifier.outbox import deliver_pending

    with service.sessions() as session:
        report = deliver_pending(session, service.channels(), service.clock(), config=service.config,
                                 should_stop=service.stopping.is_set)
    detail = (f"đã gửi {report.sent}, thử lại {report.retried}, lỗi {report.failed}, "
              f"giữ lại {report.held}, đang chờ {report.waiting}")
    return JobResult("failed" if report.failed else "ok", detail)


def bulletin_job(service: Service) -> JobResult:
    """Draft this week's bulletin into the output directory for the editors."""
    from notifier.bulletin.draft import draft_bulletin, week_period

    year, week, _ = service.clock().astimezone(TIMEZONE).date().isocalendar()
    period = week_period(f"{year}-W{week:02d}")
    path = output_dir(service.config) / "bulletin" / f"ban-tin-{period.label}.toml"
    with service.sessions() as session:
        draft = draft_bulletin(session, period, path)
    return JobResult("ok", f"bản nháp {len(draft.items)} bài: {path}")


def housekeeping_job(service: Service) -> JobResult:
    """Prune raw pages past their retention and tell the operator about stale sources and Zalo tokens
    about to expire (the operator notice's daily period key sends each text once a day)."""
    from crawler.crawl import health_alerts
    from notifier.outbox import notify_operator

    now_ = service.clock()
    cutoff = now_ - dt.timedelta(days=service.config.general.raw_page_retention_days)
    with service.sessions() as session:
        pruned = prune_raw_pages(session, cutoff)
        session.commit()
        stale = [a for a in health_alerts(session, service.config.sources, now_) if a.kind == "stale"]
        for alert in stale:
            notify_operator(session, service.config, alert.message, now_)
        tokens = zalo_token_warnings(service.config, now_)
        for warning in tokens:
            notify_operator(session, service.config, warning, now_)
    return JobResult("ok", f"đã xóa {pruned} trang thô cũ; {len(stale)} nguồn lâu không có tin mới; "
                           f"{len(tokens)} cảnh báo token Zalo")


def zalo_token_warnings(config: Config, now_: dt.datetime) -> list[str]:
    """Warnings about the Zalo OA's stored tokens when Zalo is configured (an app id is set)."""
    from crawler.config import secret
    from notifier.channels.factory import ZALO_TOKEN_FILE
    from notifier.channels.zalo import FileTokenStore, token_warnings

    settings = config.channels.zalo
    if not settings.app_id:
        return []
    path = output_dir(config) / ZALO_TOKEN_FILE
    try:
        stored = FileTokenStore(path).load()
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"Không đọc được tệp token Zalo {path}: {short_error(exc)}"]
    if stored is None and secret(settings.access_token_env) and secret(settings.refresh_token_env):
        return []  # the environment's pair seeds the store at the first send; its expiry is unknown
    return token_warnings(stored, now_)


def prune_raw_pages(session: Session, cutoff: dt.datetime) -> int:
    """Delete stored raw pages fetched before `cutoff`, except each URL's latest copy (its ETag keeps
    conditional requests working) and pages a document was read from."""
    from sqlalchemy import delete, func, select

    from crawler.storage.schema import Document, Page

    latest = select(func.max(Page.id)).group_by(Page.url)
    used = select(Document.page_id).where(Document.page_id.is_not(None))
    result = session.execute(
        delete(Page)
        .where(Page.fetched_at < utc(cutoff), Page.id.not_in(latest), Page.id.not_in(used))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- service: the scheduler -----------------------------------------------------------------


def run_service(config: Config, *, wait_for_lock: bool = False,
                clock: Callable[[], dt.datetime] = now) -> int:
    """`dondoc run`: hold the instance lock, schedule every job, serve /healthz, stop cleanly on a signal."""
    from crawler.storage.repository import default_directory, sync_config

    url = config.database_url()
    lock = acquire_lock(url, "run", wait_for_lock)
    log.info("service starting on %s (%s)", _safe_url(url), lock.description)
    try:
        with open_session(url) as session:
            sync_config(session, config.units, config.recipients, default_directory())
            session.commit()
        return _serve(Service(config, clock))
    finally:
        lock.release()
        log.info("service stopped")


def _serve(service: Service) -> int:
    """Run the scheduler until a stop signal, then finish or abandon the jobs in flight."""
    from notifier.outbox import recover_interrupted

    with service.sessions() as session:
        recovered = recover_interrupted(session, service.clock())
    if recovered:
        log.info("%d outbox messages left sending by the last run are due again", recovered)
    scheduler = schedule_jobs(service)
    health = start_health_server(service)
    if service.config.service.telegram_polling:
        start_telegram_polling(service)
    stop = threading.Event()
    install_stop_handlers(stop.set)
    scheduler.start(paused=True)  # jobs get their run times; none runs before they are recorded
    record_next_runs(service, [job.id for job in scheduler.get_jobs()])
    scheduler.resume()
    while not stop.wait(1.0):
        pass
    log.info("stop requested: finishing the jobs in flight")
    service.stopping.set()
    scheduler.shutdown(wait=False)
    groups = service.stop_children()
    idle = service.wait_idle(service.config.service.stop_timeout_s)
    reap_groups(groups, CHILD_STOP_GRACE_S)
    if health is not None:
        health.shutdown()
    service.engine.dispose()
    if not idle:
        log.warning("jobs still running at the stop timeout were abandoned: %s", sorted(service.in_flight))
        logging.shutdown()
        os._exit(0)  # the outbox and the database make abandoning safe; do not wait for stuck threads
    return 0


def telegram_poller(config: Config, sessions: sessionmaker[Session],
                    stopping: threading.Event) -> Callable[[], None]:
    """A function answering the Telegram bot (/start CODE, task lists) by long polling until `stopping`
    is set; a missing token is a ConfigError now, not at the first poll."""
    from crawler.config import secret
    from notifier.onboarding import OffsetStore, poll_telegram

    settings = config.channels.telegram
    token = secret(settings.token_env)
    if not token:
        raise ConfigError(f"thiếu token Telegram trong biến môi trường {settings.token_env}")
    offsets = OffsetStore(output_dir(config) / "telegram-offset.json")

    def pause(seconds: float) -> None:
        """Back off after a network error, waking at once on stop."""
        stopping.wait(seconds)

    def poll() -> None:
        """Poll until stopped."""
        poll_telegram(sessions, token, settings.api_base, offsets, should_stop=stopping.is_set, sleep=pause)

    return poll


def start_telegram_polling(service: Service) -> None:
    """Answer the Telegram bot in a daemon thread until the service stops ([service] telegram_polling)."""
    poll = telegram_poller(service.config, service.sessions, service.stopping)

    def guarded() -> None:
        """Poll; an unexpected error is logged and ends polling only, never the service."""
        try:
            poll()
        except Exception:
            log.exception("telegram polling stopped")

    threading.Thread(target=guarded, name="dondoc-telegram", daemon=True).start()
    log.info("telegram polling started")


def schedule_jobs(service: Service) -> Any:
    """A background scheduler (in-memory store, Asia/Ho_Chi_Minh) with every job added by explicit id."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.background import BackgroundScheduler

    config = service.config
    specs = job_specs(service)
    scheduler = BackgroundScheduler(
        timezone=TIMEZONE,
        executors={"default": ThreadPoolExecutor(max_workers=min(len(specs) + 2, 20))},
        job_defaults={"coalesce": True, "max_instances": 1,
                      "misfire_grace_time": config.service.misfire_grace_s},
    )
    service.next_run = lambda job_id: _next_run_of(scheduler, job_id)
    stored = stored_next_runs(service)
    now_ = service.clock()
    for spec in specs:
        start = first_run_time(spec, stored.get(spec.job_id), now_)
        extra = {} if start is None else {"next_run_time": start}
        scheduler.add_job(service.run_job, spec.trigger, args=(spec.job_id, spec.work), id=spec.job_id,
                          name=spec.job_id, replace_existing=True, **extra)
        log.info("job scheduled", extra={"job_id": spec.job_id})
    return scheduler


def _next_run_of(scheduler: Any, job_id: str) -> dt.datetime | None:
    """The next run time APScheduler holds for a job (None once it is gone or the scheduler stopped)."""
    job = scheduler.get_job(job_id)
    return job.next_run_time if job is not None else None


def install_stop_handlers(stop: Callable[[], None]) -> None:
    """Stop cleanly on SIGTERM and SIGINT; the handler only sets a flag, the main thread does the rest."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _signum, _frame: stop())


# --- service: health endpoint and metrics ---------------------------------------------------


PLAIN_TEXT = "text/plain; charset=utf-8"


def start_health_server(service: Service) -> ThreadingHTTPServer | None:
    """Serve /healthz and /metrics on the configured loopback port (0 turns the endpoint off)."""
    settings = service.config.service
    if settings.health_port == 0:
        return None
    handler = type("HealthHandler", (HealthHandler,), {"service": service})
    try:
        server = ThreadingHTTPServer((settings.health_host, settings.health_port), handler)
    except OSError as exc:
        raise ConfigError(
            f"{service.config.path or 'cấu hình'}: 'service.health_port' = {settings.health_port}: "
            f"không mở được cổng ({exc.strerror or exc})"
        ) from exc
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="dondoc-health", daemon=True).start()
    log.info("health endpoint on http://%s:%d/healthz", settings.health_host, server.server_address[1])
    return server


class HealthHandler(BaseHTTPRequestHandler):
    """GET /healthz (is the service up) and /metrics (Prometheus text format)."""

    service: Service

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


@dataclass(frozen=True)
class Metric:
    """One Prometheus sample: metric name, labels, value, with the metric's type and help."""

    name: str
    kind: str
    help: str
    value: float
    labels: tuple[tuple[str, str], ...] = ()


def collect_metrics(session: Session, config: Config, now_: dt.datetime) -> list[Metric]:
    """Every figure /metrics exposes, read from the database (so they survive restarts)."""
    return [*_job_metrics(session), *_volume_metrics(session), *_source_metrics(session, config, now_)]


def _job_metrics(session: Session) -> list[Metric]:
    """Runs and failures per job."""
    from sqlalchemy import select

    from crawler.storage.schema import ServiceJob

    metrics: list[Metric] = []
    for row in session.scalars(select(ServiceJob).order_by(ServiceJob.job_id)):
        labels = (("job", row.job_id),)
        metrics.append(Metric("dondoc_job_runs_total", "counter", "Job runs.", row.runs or 0, labels))
        metrics.append(Metric("dondoc_job_failures_total", "counter", "Job runs that did not succeed.",
                              row.failures or 0, labels))
    return metrics


def _volume_metrics(session: Session) -> list[Metric]:
    """Documents, tasks and outbox messages by status."""
    from sqlalchemy import func, select

    from crawler.storage.schema import Document, Task

    metrics = [
        Metric("dondoc_documents", "gauge", "Stored documents (all versions).",
               session.scalar(select(func.count(Document.id))) or 0),
        Metric("dondoc_tasks", "gauge", "Tracked tasks.", session.scalar(select(func.count(Task.id))) or 0),
    ]
    counts = outbox_counts(session)
    for status in ("pending", "sending", "sent", "failed", "held"):
        metrics.append(Metric("dondoc_outbox_messages", "gauge", "Outbox messages by status.",
                              counts.get(status, 0), (("status", status),)))
    metrics.append(Metric("dondoc_messages_sent_total", "counter", "Messages a channel accepted.",
                          counts.get("sent", 0)))
    metrics.append(Metric("dondoc_messages_failed_total", "counter", "Messages that failed for good.",
                          counts.get("failed", 0)))
    return metrics


def _source_metrics(session: Session, config: Config, now_: dt.datetime) -> list[Metric]:
    """Per configured source: up, consecutive failures, seconds since its last success (+Inf: never)."""
    from sqlalchemy import select

    from crawler.storage.schema import Source

    rows = {row.name: row for row in session.scalars(select(Source))}
    metrics: list[Metric] = []
    for source in config.sources:
        row = rows.get(source.name)
        labels = (("source", source.name),)
        failures = row.consecutive_failures if row else 0
        last = row.last_success_at if row else None
        staleness = (now_ - aware(last)).total_seconds() if last else math.inf
        metrics += [
            Metric("dondoc_source_up", "gauge", "1 when the source's last crawl succeeded.",
                   1 if row is not None and last is not None and not failures else 0, labels),
            Metric("dondoc_source_consecutive_failures", "gauge", "Failed crawls in a row.", failures or 0,
                   labels),
            Metric("dondoc_source_staleness_seconds", "gauge", "Seconds since the last successful crawl.",
                   staleness, labels),
        ]
    return metrics


OPENMETRICS = "application/openmetrics-text"


def metrics_text(metrics: Sequence[Metric], openmetrics: bool = False) -> str:
    """Metrics rendered by prometheus_client: Prometheus text format, or OpenMetrics on request."""
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.openmetrics.exposition import generate_latest as generate_openmetrics

    registry = CollectorRegistry(auto_describe=False)
    registry.register(_MetricsCollector(metrics))
    data = generate_openmetrics(registry) if openmetrics else generate_latest(registry)  # type: ignore[no-untyped-call]
    return data.decode("utf-8")


def metrics_content_type(openmetrics: bool) -> str:
    """The Content-Type matching the exposition format metrics_text produced."""
    from prometheus_client import CONTENT_TYPE_LATEST
    from prometheus_client.openmetrics.exposition import CONTENT_TYPE_LATEST as OPENMETRICS_TYPE

    return str(OPENMETRICS_TYPE if openmetrics else CONTENT_TYPE_LATEST)


def wants_openmetrics(accept: str | None) -> bool:
    """True when the request's Accept header asks for the OpenMetrics exposition."""
    return bool(accept) and OPENMETRICS in (accept or "")


class _MetricsCollector:
    """A prometheus_client collector yielding one family per metric name, samples in order."""

    def __init__(self, metrics: Sequence[Metric]) -> None:
        """Keep the samples to expose."""
        self.metrics = list(metrics)

    def collect(self) -> Iterator[Any]:
        """Group samples by name into counter or gauge families."""
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        families: dict[str, Any] = {}
        for metric in self.metrics:
            family = families.get(metric.name)
            if family is None:
                kind = CounterMetricFamily if metric.kind == "counter" else GaugeMetricFamily
                family = kind(metric.name, metric.help, labels=[key for key, _ in metric.labels])
                families[metric.name] = family
            family.add_metric([value for _, value in metric.labels], metric.value)
        yield from families.values()


# --- service: status ------------------------------------------------------------------------


def cmd_status(args: argparse.Namespace) -> int:
    """Print the service's state: jobs (last/next run, outcome), source health, the outbox."""
    config = load_cli_config(args)
    url = config.database_url()
    running = service_is_running(url)
    with open_session(url) as session:
        lines = status_lines(session, config, running, now())
    print("\n".join(lines))
    return 0


SERVICE_STATES = {True: "đang chạy", False: "không chạy", None: "không rõ (không mở được tệp khóa)"}


def status_lines(session: Session, config: Config, running: bool | None, now_: dt.datetime) -> list[str]:
    """The `dondoc status` report as lines of Vietnamese text."""
    lines = [f"Dịch vụ: {SERVICE_STATES[running]}", "", "Công việc theo lịch:"]
    lines += _job_lines(session) or ["  (chưa có công việc nào chạy; hãy khởi động “dondoc run”)"]
    lines += ["", "Nguồn thu thập:"]
    lines += _source_lines(session, config, now_) or ["  (chưa khai báo nguồn nào)"]
    lines += ["", _outbox_line(session)]
    return lines


def _when(moment: dt.datetime | None) -> str:
    """A stored time shown in Asia/Ho_Chi_Minh as dd/mm/yyyy HH:MM:SS, or a dash."""
    return aware(moment).astimezone(TIMEZONE).strftime("%d/%m/%Y %H:%M:%S") if moment else "–"


def _job_lines(session: Session) -> list[str]:
    """One line per job: last start, outcome, counters, next run, last error."""
    from sqlalchemy import select

    from crawler.storage.schema import ServiceJob

    lines = []
    for row in session.scalars(select(ServiceJob).order_by(ServiceJob.job_id)):
        outcome = OUTCOME_LABELS.get(row.last_outcome or "", "chưa chạy")
        line = (f"  {row.job_id}: lần cuối {_when(row.last_started_at)} – {outcome} "
                f"({row.runs} lần chạy, {row.failures} lần không thành công); "
                f"lần tới {_when(row.next_run_at)}")
        if row.last_error:
            line += f"\n      lỗi gần nhất: {row.last_error}"
        lines.append(line)
    return lines


def _source_lines(session: Session, config: Config, now_: dt.datetime) -> list[str]:
    """One line per configured source: healthy, failing (with the reason) or stale."""
    from sqlalchemy import select

    from crawler.storage.schema import Source

    rows = {row.name: row for row in session.scalars(select(Source))}
    lines = []
    for source in config.sources:
        row = rows.get(source.name)
        if row is None:
            lines.append(f"  {source.name}: chưa thu thập lần nào")
        elif row.consecutive_failures:
            lines.append(f"  {source.name}: LỖI {row.consecutive_failures} lần liên tiếp "
                         f"(lần cuối {_when(row.last_failure_at)}): {row.last_error}")
        else:
            lines.append(f"  {source.name}: tốt, thành công lần cuối {_when(row.last_success_at)}, "
                         f"{row.items_last_run} mục ở lần gần nhất" + _stale_note(row, source, now_))
    return lines


def _stale_note(row: Any, source: SourceConfig, now_: dt.datetime) -> str:
    """A warning when a source has had no new item for longer than its stale_after_days."""
    since = row.last_item_at or row.last_success_at
    if since is None or now_ - aware(since) <= dt.timedelta(days=source.stale_after_days):
        return ""
    return f"; CẢNH BÁO: {(now_ - aware(since)).days} ngày không có tin mới"


def outbox_counts(session: Session) -> dict[str, int]:
    """How many outbox messages are in each status."""
    from sqlalchemy import func, select

    from crawler.storage.schema import OutboxMessage

    query = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    return {str(status): int(count) for status, count in session.execute(query).all()}


def _outbox_line(session: Session) -> str:
    """The outbox by status, in one line."""
    counts = outbox_counts(session)
    return (f"Hộp thư đi: {counts.get('pending', 0)} chờ gửi, {counts.get('sending', 0)} đang gửi, "
            f"{counts.get('failed', 0)} lỗi, {counts.get('held', 0)} bị giữ lại, "
            f"{counts.get('sent', 0)} đã gửi")


# --- logging --------------------------------------------------------------------------------

EVENT_FIELDS = ("job_id", "source", "unit", "outcome", "duration_s")
QUIET_LOGGERS = ("alembic", "apscheduler")


def _event_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The structured fields (job, source, unit, outcome, duration) a log call passed in `extra`."""
    return {name: getattr(record, name) for name in EVENT_FIELDS if hasattr(record, name)}


class KeyValueFormatter(logging.Formatter):
    """One line per event: time, level, logger, message, then key=value fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Append the event fields to the classic line; tracebacks are folded onto the same line."""
        line = super().format(record).replace("\n", " | ")
        fields = " ".join(f"{key}={value}" for key, value in _event_fields(record).items())
        return f"{line} {fields}" if fields else line


class JsonFormatter(logging.Formatter):
    """One JSON object per line (--log-json), for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        """The event as JSON: ts, level, logger, message, the event fields, and the error if any."""
        entry: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, TIMEZONE).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
            **_event_fields(record),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: int, as_json: bool) -> None:
    """Send logs to stderr, one line per event, as key=value text or JSON."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if as_json else KeyValueFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for chatty in QUIET_LOGGERS:
        logging.getLogger(chatty).setLevel(max(level, logging.WARNING))


# --- argument parsing -----------------------------------------------------------------------


class VietnameseHelpFormatter(argparse.HelpFormatter):
    """argparse's formatter with the usage line in Vietnamese, so help reads in one language."""

    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        """Prefix the usage line with "Cách dùng:" instead of argparse's English "usage:"."""
        super().add_usage(usage, actions, groups, "Cách dùng: " if prefix is None else prefix)


class VietnameseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose help and section titles are in Vietnamese."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Use the Vietnamese formatter, a Vietnamese -h text and section titles."""
        kwargs.setdefault("formatter_class", VietnameseHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "tham số"
        self._optionals.title = "tùy chọn"
        self.add_argument("-h", "--help", action="help", help="in hướng dẫn này rồi thoát")

    def error(self, message: str) -> NoReturn:
        """Report a command-line mistake in one Vietnamese line and exit 2."""
        self.print_usage(sys.stderr)
        self.exit(2, f"Lỗi: tham số không hợp lệ: {translate_argparse(message)}\n")


ARGPARSE_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"the following arguments are required: ", "thiếu tham số bắt buộc: "),
    (r"invalid choice: (.*) \(choose from (.*)\)", r"lựa chọn không hợp lệ: \1 (chọn một trong: \2)"),
    (r"unrecognized arguments: ", "tham số không nhận ra: "),
    (r"expected one argument", "cần một giá trị"),
    (r"expected at least one argument", "cần ít nhất một giá trị"),
    (r"not allowed with argument ", "không dùng cùng tham số "),
    (r"ambiguous option: (.*) could match (.*)", r"tùy chọn mơ hồ: \1 có thể là \2"),
    (r"invalid (\w+) value: ", r"giá trị \1 không hợp lệ: "),
    (r"^argument (.*?): ", r"tham số \1: "),
)


def translate_argparse(message: str) -> str:
    """argparse's English error message with its known phrases put into Vietnamese."""
    import re

    for pattern, replacement in ARGPARSE_MESSAGES:
        message = re.sub(pattern, replacement, message)
    return message


def dondoc_version() -> str:
    """The installed package's version (or "?" when running from an uninstalled tree)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dondoc")
    except PackageNotFoundError:
        return "?"


DIGEST_CHANNELS = ("console", "telegram", "zalo", "email")


def accept_config_everywhere(parser: argparse.ArgumentParser) -> None:
    """Let every subcommand take --config after its name too (`dondoc status --config f`)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for subparser in action.choices.values():
                subparser.add_argument("--config", default=argparse.SUPPRESS,
                                       help="tệp cấu hình TOML (như --config trước tên lệnh)")
                accept_config_everywhere(subparser)


def build_parser() -> argparse.ArgumentParser:
    """The dondoc command line, with Vietnamese help texts."""
    parser = VietnameseArgumentParser(
        prog="dondoc",
        description="dondoc: thu thập văn bản, tin cải cách hành chính; trích xuất nhiệm vụ; "
        "đôn đốc đơn vị qua Telegram, Zalo, email.",
    )
    parser.add_argument("--config", help="tệp cấu hình TOML (mặc định: $DONDOC_CONFIG hoặc ./dondoc.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="ghi nhật ký chi tiết")
    parser.add_argument("--version", action="version", version=f"dondoc {dondoc_version()}",
                        help="in phiên bản rồi thoát")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="LỆNH", parser_class=VietnameseArgumentParser
    )

    demo = commands.add_parser("demo", help="chạy thử toàn bộ quy trình trên trang mẫu cục bộ")
    demo.add_argument("--as-of", type=parse_date, default=DEMO_AS_OF, help="ngày \"hôm nay\" (YYYY-MM-DD)")
    demo.add_argument("--db", help="giữ cơ sở dữ liệu SQLite tại đường dẫn này")
    demo.set_defaults(handler=cmd_demo)

    extract = commands.add_parser("extract", help="in các nhiệm vụ trích xuất từ tệp (JSONL)")
    extract.add_argument("files", nargs="+", metavar="TỆP", help="tệp .txt, .html, .pdf hoặc .docx")
    extract.set_defaults(handler=cmd_extract)

    crawl = commands.add_parser("crawl", help="thu thập các nguồn một lần và cập nhật nhiệm vụ")
    crawl.add_argument("--source", action="append", help="chỉ thu thập nguồn này (lặp lại được)")
    crawl.add_argument("--as-of", type=parse_date, help="ngày \"hôm nay\" (YYYY-MM-DD)")
    crawl.set_defaults(handler=cmd_crawl)

    digest = commands.add_parser("digest", help="in bản tin nhắc việc của đơn vị, không gửi")
    digest.add_argument("--as-of", type=parse_date, help="ngày \"hôm nay\" (YYYY-MM-DD)")
    digest.add_argument("--unit", help="tên đơn vị (mặc định: mọi đơn vị có nhiệm vụ)")
    digest.add_argument("--channel", default="console", choices=DIGEST_CHANNELS,
                        help="định dạng kênh: console, telegram, zalo, email")
    digest.set_defaults(handler=cmd_digest)

    run = commands.add_parser("run", help="chạy dịch vụ theo lịch (thu thập, nhắc việc, gửi tin)")
    run.add_argument("--wait", action="store_true",
                     help="nếu đã có tiến trình khác đang chạy thì chờ, không thoát")
    run.add_argument("--log-json", action="store_true", help="ghi nhật ký dạng JSON, mỗi sự kiện một dòng")
    run.set_defaults(handler=cmd_run)

    status = commands.add_parser("status", help="xem tình trạng dịch vụ: công việc, nguồn, hộp thư đi")
    status.set_defaults(handler=cmd_status)

    add_bulletin_commands(commands)
    add_report_commands(commands)

    invite = commands.add_parser("invite", help="tạo mã mời để lãnh đạo đơn vị đăng ký nhận tin qua bot")
    invite.add_argument("--unit", required=True, help="tên đơn vị")
    invite.add_argument("--recipient", help="tên người nhận (mặc định: theo đơn vị)")
    invite.set_defaults(handler=cmd_invite)

    bot = commands.add_parser("bot", help="bot Telegram: nhận /start MÃ và trả lời lệnh của người dùng")
    bot_commands = bot.add_subparsers(
        dest="bot_command", required=True, metavar="LỆNH", parser_class=VietnameseArgumentParser
    )
    poll = bot_commands.add_parser("poll", help="nhận tin nhắn Telegram bằng long polling đến khi dừng")
    poll.set_defaults(handler=cmd_bot_poll)

    db = commands.add_parser("db", help="quản lý cơ sở dữ liệu")
    db_commands = db.add_subparsers(
        dest="db_command", required=True, metavar="LỆNH", parser_class=VietnameseArgumentParser
    )
    upgrade = db_commands.add_parser("upgrade", help="áp dụng các bản chuyển đổi (migration)")
    upgrade.set_defaults(handler=cmd_db_upgrade)
    return _finish_parser(parser)


def add_bulletin_commands(commands: Any) -> None:
    """`dondoc bulletin draft | render | send`."""
    bulletin = commands.add_parser("bulletin", help="bản tin cải cách hành chính hằng tuần")
    sub = bulletin.add_subparsers(
        dest="bulletin_command", required=True, metavar="LỆNH", parser_class=VietnameseArgumentParser
    )
    draft = sub.add_parser("draft", help="soạn bản nháp (TOML) từ các bài trong tuần hoặc khoảng ngày")
    draft.add_argument("--week", help="tuần ISO, ví dụ 2025-W14")
    draft.add_argument("--from", dest="date_from", type=parse_date, help="từ ngày (YYYY-MM-DD)")
    draft.add_argument("--to", dest="date_to", type=parse_date, help="đến ngày (YYYY-MM-DD)")
    draft.add_argument("--out", help="tệp bản nháp (mặc định: <output_dir>/bulletin/ban-tin-<kỳ>.toml)")
    draft.set_defaults(handler=cmd_bulletin_draft)
    render = sub.add_parser("render", help="xuất bản tin từ bản nháp đã sửa")
    render.add_argument("draft", metavar="BẢN_NHÁP", help="tệp bản nháp TOML")
    render.add_argument("--format", default="html,docx", help="html, docx hoặc cả hai (mặc định: html,docx)")
    render.add_argument("--out", help="thư mục kết quả (mặc định: thư mục của bản nháp)")
    render.set_defaults(handler=cmd_bulletin_render)
    send = sub.add_parser("send", help="gửi bản tin qua email cho danh sách nhận")
    send.add_argument("draft", metavar="BẢN_NHÁP", help="tệp bản nháp TOML")
    send.add_argument("--to", action="append",
                      help="địa chỉ nhận (lặp lại được; mặc định: danh sách trong cấu hình)")
    send.set_defaults(handler=cmd_bulletin_send)


def add_report_commands(commands: Any) -> None:
    """`dondoc report overdue | due`."""
    report = commands.add_parser("report", help="báo cáo nhiệm vụ quá hạn hoặc đến hạn (DOCX, XLSX, HTML)")
    sub = report.add_subparsers(
        dest="report_command", required=True, metavar="LỆNH", parser_class=VietnameseArgumentParser
    )
    overdue = sub.add_parser("overdue", help="nhiệm vụ quá hạn, chưa hoàn thành đến một ngày")
    overdue.add_argument("--as-of", type=parse_date, help="tính đến hết ngày này (mặc định: hôm nay)")
    due = sub.add_parser("due", help="nhiệm vụ có thời hạn trong một khoảng ngày")
    due.add_argument("--from", dest="date_from", type=parse_date, required=True, help="từ ngày (YYYY-MM-DD)")
    due.add_argument("--to", dest="date_to", type=parse_date, required=True, help="đến ngày (YYYY-MM-DD)")
    for parser in (overdue, due):
        parser.add_argument("--unit", help="chỉ nhiệm vụ của đơn vị này")
        parser.add_argument("--document", help="chỉ nhiệm vụ của văn bản này (số ký hiệu)")
        parser.add_argument("--format", default="docx,xlsx,html", help="docx, xlsx, html (mặc định: cả ba)")
        parser.add_argument("--out", help="thư mục kết quả (mặc định: <output_dir>/reports)")
        parser.set_defaults(handler=cmd_report)


def _finish_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Apply the options every subcommand shares."""
    accept_config_everywhere(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `dondoc` console script."""
    args = build_parser().parse_args(argv)
    configure_logging(logging.DEBUG if args.verbose else logging.WARNING, False)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except DondocError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the user gets one line; -v shows the traceback in the log
        log.debug("unexpected error", exc_info=True)
        print(f"Lỗi không mong đợi: {short_error(exc)} (chạy lại với -v để xem chi tiết)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
