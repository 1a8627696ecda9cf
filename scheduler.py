"""dondoc's command line and service entry: wiring only, the work lives in crawler/ and notifier/.

Every command reports problems as one Vietnamese line on stderr with a non-zero exit code, never a
traceback; every command that depends on "today" takes --as-of so old documents can be replayed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import signal
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from zoneinfo import ZoneInfo

from crawler.config import Config, GeneralConfig, find_config_path, load_config
from crawler.errors import ConfigError, DondocError, UnusableInputError

if TYPE_CHECKING:
    from crawler.crawl import CrawlReport
    from sqlalchemy.orm import Session

    from crawler.pipeline import ExtractionReport

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DEMO_AS_OF = dt.date(2025, 10, 1)

log = logging.getLogger("dondoc")


def today() -> dt.date:
    """Today's date in Asia/Ho_Chi_Minh, the default of every --as-of."""
    return dt.datetime.now(TIMEZONE).date()


def now() -> dt.datetime:
    """The current time in Asia/Ho_Chi_Minh, for timestamps written to the database."""
    return dt.datetime.now(TIMEZONE)


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


def cmd_run(args: argparse.Namespace) -> int:
    """Run the scheduler service until SIGTERM/SIGINT."""
    return run_service(load_cli_config(args))


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
    from crawler.storage.repository import sync_config

    url = config.database_url()
    gazetteer = load_gazetteer(tuple((u.name, u.aliases) for u in config.units))
    with open_session(url) as session:
        sync_config(session, config.units, config.recipients)
        session.commit()
    report = run_crawl(config, url, source_names, config.general.crawl_time_limit_s)
    with open_session(url) as session:
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


def run_service(config: Config) -> int:
    """The scheduler: crawl each source on its interval, send digests and deliver the outbox."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    scheduler = BlockingScheduler(timezone=TIMEZONE)
    defaults = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
    for source in config.sources:
        if source.enabled:
            scheduler.add_job(
                crawl_and_track, "interval", minutes=source.interval_minutes, id=f"crawl:{source.name}",
                args=(config, (source.name,)), next_run_time=now(), **defaults,
            )
    schedules = config.schedules
    for period, cron in (("daily", schedules.daily_digest), ("weekly", schedules.weekly_digest)):
        scheduler.add_job(
            enqueue_and_deliver, CronTrigger.from_crontab(cron, timezone=TIMEZONE), id=f"digest:{period}",
            args=(config, period), **defaults,
        )
    install_stop_handlers(scheduler.shutdown)
    scheduler.start()
    return 0


def enqueue_and_deliver(config: Config, period: str) -> None:
    """Write today's digests of `period` to the outbox and deliver everything pending."""
    from notifier.channels import build_channels
    from notifier.outbox import deliver_pending, enqueue_digests

    with open_session(config.database_url()) as session:
        enqueue_digests(session, config, today(), period, now=now())
        deliver_pending(session, build_channels(config), now(), config=config)


def install_stop_handlers(stop: Callable[[], None]) -> None:
    """Stop cleanly on SIGTERM and SIGINT (the outbox makes abandoning a delivery safe)."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _signum, _frame: stop())


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
        self.exit(2, f"Lỗi: tham số không hợp lệ: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The dondoc command line, with Vietnamese help texts."""
    parser = VietnameseArgumentParser(
        prog="dondoc",
        description="dondoc: thu thập văn bản, tin cải cách hành chính; trích xuất nhiệm vụ; "
        "đôn đốc đơn vị qua Telegram, Zalo, email.",
    )
    parser.add_argument("--config", help="tệp cấu hình TOML (mặc định: $DONDOC_CONFIG hoặc ./dondoc.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="ghi nhật ký chi tiết")
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
    digest.add_argument("--channel", default="console", help="định dạng kênh: console, telegram, zalo, email")
    digest.set_defaults(handler=cmd_digest)

    run = commands.add_parser("run", help="chạy dịch vụ theo lịch (thu thập, nhắc việc)")
    run.set_defaults(handler=cmd_run)

    db = commands.add_parser("db", help="quản lý cơ sở dữ liệu")
    db_commands = db.add_subparsers(
        dest="db_command", required=True, metavar="LỆNH", parser_class=VietnameseArgumentParser
    )
    upgrade = db_commands.add_parser("upgrade", help="áp dụng các bản chuyển đổi (migration)")
    upgrade.set_defaults(handler=cmd_db_upgrade)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `dondoc` console script."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except DondocError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
