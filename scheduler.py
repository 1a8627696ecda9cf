"""dondoc's command line and service entry: the argument parser, the commands and the job table.

The work lives in crawler/ (crawl, extract, store), notifier/ (digests, channels, reports) and
service/ (the runtime behind `dondoc run`, and the larger command groups). Every command reports
problems as one Vietnamese line on stderr with a non-zero exit code, never a traceback; every command
that depends on "today" takes --as-of so old documents can be replayed.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from crawler.config import Config, GeneralConfig
from crawler.errors import ConfigError, DondocError
from crawler.redaction import redact
from service.cli import (
    DEMO_AS_OF,
    VietnameseArgumentParser,
    accept_config_everywhere,
    configured_database_url,
    dondoc_version,
    load_cli_config,
    parse_date,
)
from service.cli_bot import cmd_bot_poll, cmd_bot_webhook, cmd_invite
from service.cli_extract import cmd_extract
from service.cli_reports import cmd_bulletin_draft, cmd_bulletin_render, cmd_bulletin_send, cmd_report
from service.cli_web import add_web_commands
from service.context import now, open_session, safe_url, short_error, sqlite_file, today
from service.crawl_track import crawl_and_track, print_crawl_outcome
from service.crawl_view import crawl_progress
from service.iofaults import io_fault_message
from service.jobs import JobResult, JobSpec, Service
from service.locks import service_is_running
from service.logs import configure_logging
from service.previews import print_unit_digests, require_known_unit, units_with_digests
from service.run import run_service
from service.status import no_database_lines, status_lines, unplaced_lines
from service.triggers import crawl_jobs, job_triggers
from service.work import bulletin_job, crawl_job, deliver_job, digest_job, housekeeping_job

log = logging.getLogger("dondoc")


# --- commands -------------------------------------------------------------------------------


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Apply the database migrations to the configured database."""
    from crawler.storage.engine import upgrade_database

    url = load_cli_config(args).database_url()
    upgrade_database(url)
    print(f"Cơ sở dữ liệu đã được cập nhật: {safe_url(url)}")
    return 0


def cmd_crawl(args: argparse.Namespace) -> int:
    """Crawl the configured sources once, then extract and track tasks from new documents."""
    config = load_cli_config(args)
    if not config.sources:
        raise ConfigError(f"{config.path or 'cấu hình mặc định'}: chưa khai báo nguồn nào ([[sources]])")
    with crawl_progress() as progress:
        outcome = crawl_and_track(config, args.source or None, args.as_of or today(), progress=progress)
    print_crawl_outcome(outcome)
    return 0 if outcome.all_ok else 1


def cmd_digest(args: argparse.Namespace) -> int:
    """Print the digest a unit (or every unit with tasks) would receive, sending nothing."""
    config = load_cli_config(args)
    with open_session(config.database_url()) as session:
        if args.unit:
            require_known_unit(session, config, args.unit)
        units = [args.unit] if args.unit else units_with_digests(session)
        printed = print_unit_digests(session, units, args.as_of or today(), args.channel, None)
    if args.unit and not printed:
        print(f"Đơn vị “{args.unit}” không có nhiệm vụ quá hạn, sắp đến hạn hay mới.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the whole pipeline once against the bundled local site and print each unit's digest; the
    temporary folder is removed at the end, --db and --out keep the database and the digests."""
    work_dir = Path(tempfile.mkdtemp(prefix="dondoc-demo-"))
    try:
        code = demo_in(work_dir, args)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    if not (args.db and args.out):
        print(f"Đã xóa thư mục tạm {work_dir} (--db giữ lại cơ sở dữ liệu, --out giữ lại bản tin).")
    return code


def demo_in(work_dir: Path, args: argparse.Namespace) -> int:
    """The demo's work, with what --db and --out do not name kept in `work_dir`."""
    from crawler.site import demo_sources, serve_site

    db_path = Path(args.db).resolve() if args.db else work_dir / "dondoc.sqlite3"
    out_dir = Path(args.out).resolve() if args.out else work_dir / "digests"
    site = serve_site()
    try:
        print(f"Trang mẫu cục bộ đang chạy tại {site.base_url}")
        config = Config(
            general=GeneralConfig(database=str(db_path), output_dir=str(out_dir), crawl_time_limit_s=300),
            sources=demo_sources(site.base_url),
        )
        with crawl_progress() as progress:
            outcome = crawl_and_track(config, None, args.as_of, progress=progress)
    finally:
        site.stop()
    print_crawl_outcome(outcome)
    with open_session(config.database_url()) as session:
        printed = print_unit_digests(session, units_with_digests(session), args.as_of, "console",
                                     out_dir if args.out else None)
        unplaced = unplaced_lines(session)
    print(f"\nĐã in bản tin nhắc việc của {printed} đơn vị (ngày tính: {args.as_of:%d/%m/%Y}).")
    if unplaced:
        print("\n".join(unplaced[1:]))
    if args.db:
        print(f"Cơ sở dữ liệu: {db_path}")
    if args.out:
        print(f"Bản tin của từng đơn vị: {out_dir}")
    return 0 if outcome.all_ok else 1


def cmd_run(args: argparse.Namespace) -> int:
    """Run the scheduler service until SIGTERM/SIGINT."""
    config = load_cli_config(args)
    job_triggers(config)  # a bad schedule stops here, as one line, before any log
    level = logging.DEBUG if args.verbose else logging.INFO
    configure_logging(level, args.log_json or config.service.log_json)
    return run_service(config, job_specs, wait_for_lock=args.wait)


def cmd_status(args: argparse.Namespace) -> int:
    """Print the service's state: jobs (last/next run, outcome), source health, the outbox."""
    config = load_cli_config(args)
    url = config.database_url()
    running = service_is_running(url)
    database = sqlite_file(url)
    if database is not None and not database.exists():  # nothing ran yet: report it, create nothing
        print("\n".join(no_database_lines(database, running)))
        return 0
    with open_session(url) as session:
        lines = status_lines(session, config, running, now())
    print("\n".join(lines))
    return 0


# --- the job table --------------------------------------------------------------------------


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


# --- argument parsing -----------------------------------------------------------------------


DIGEST_CHANNELS = ("console", "telegram", "zalo", "email")


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
    demo.add_argument("--out", help="lưu bản tin của từng đơn vị vào thư mục này")
    demo.set_defaults(handler=cmd_demo)

    extract = commands.add_parser("extract", help="in các nhiệm vụ trích xuất từ tệp (JSONL)")
    extract.add_argument("files", nargs="+", metavar="TỆP", help="tệp .txt, .html, .pdf, .docx hoặc .xlsx")
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
    invite.add_argument("--qr-dir", default=".", help="thư mục ghi ảnh mã QR (mặc định: thư mục hiện tại)")
    invite.set_defaults(handler=cmd_invite)

    bot = commands.add_parser("bot", help="bot Telegram và Zalo: nhận /start MÃ, trả lời lệnh người dùng")
    bot_commands = bot.add_subparsers(
        dest="bot_command", required=True, metavar="LỆNH", parser_class=VietnameseArgumentParser
    )
    poll = bot_commands.add_parser("poll", help="nhận tin nhắn Telegram bằng long polling đến khi dừng")
    poll.set_defaults(handler=cmd_bot_poll)
    hook = bot_commands.add_parser("webhook", help="nhận webhook Telegram và Zalo OA đến khi dừng")
    hook.add_argument("--host", help="địa chỉ lắng nghe (mặc định: [service] webhook_host, 127.0.0.1)")
    hook.add_argument("--port", type=int, help="cổng lắng nghe (mặc định: [service] webhook_port, hoặc 8788)")
    hook.set_defaults(handler=cmd_bot_webhook)

    add_web_commands(commands)

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
    length = draft.add_mutually_exclusive_group()
    length.add_argument("--lead-only", dest="lead_only", action="store_const", const=True,
                        help="mỗi tin chỉ lấy phần mở đầu (mặc định theo bulletin.lead_only trong cấu hình)")
    length.add_argument("--full-text", dest="lead_only", action="store_const", const=False,
                        help="mỗi tin lấy toàn văn bài (đã bỏ chú thích ảnh, tên tác giả cuối bài)")
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
        parser.add_argument("--report-number", help="số báo cáo kèm theo, ghi dưới tiêu đề (vd: 164/BC-UBND)")
        parser.add_argument("--report-date", type=parse_date, help="ngày của báo cáo kèm theo (YYYY-MM-DD)")
        parser.add_argument("--report-issuer", help="cơ quan ban hành báo cáo kèm theo")
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
        print(redact(f"Lỗi: {exc}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the user gets one line; -v shows the traceback in the log
        log.debug("unexpected error", exc_info=True)
        fault = io_fault_message(exc, configured_database_url(args))
        if fault is not None:
            print(redact(f"Lỗi: {fault}"), file=sys.stderr)
            return 1
        problem = f"Lỗi không mong đợi: {short_error(exc)} (chạy lại với -v để xem chi tiết)"
        print(redact(problem), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
