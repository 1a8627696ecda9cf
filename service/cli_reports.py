"""The commands that write documents for people: `dondoc bulletin draft | render | send` and
`dondoc report overdue | due`."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from crawler.config import EmailConfig
from crawler.errors import ConfigError
from service.cli import load_cli_config
from service.context import now, open_session, today


def cmd_bulletin_draft(args: argparse.Namespace) -> int:
    """Draft the bulletin of a week or a period into an editable TOML file."""
    from notifier.bulletin.draft import date_period, draft_from_config, week_period

    if args.week and (args.date_from or args.date_to):
        raise ConfigError("--week không dùng cùng --from/--to: chọn một trong hai cách")
    config = load_cli_config(args)
    if args.week:
        period = week_period(args.week)
    elif args.date_from and args.date_to:
        period = date_period(args.date_from, args.date_to)
    else:
        raise ConfigError("cần --week, hoặc cả --from và --to")
    path = Path(args.out) if args.out else config.output_path() / "bulletin" / f"ban-tin-{period.label}.toml"
    with open_session(config.database_url()) as session:
        draft = draft_from_config(session, config, period, path, lead_only=args.lead_only)
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
    if config.channels.email == EmailConfig():
        raise ConfigError(f"{config.path or 'cấu hình mặc định'}: chưa cấu hình gửi email: thêm bảng "
                          "[channels.email] (host, port, sender) vào tệp cấu hình rồi chạy lại")
    url = config.database_url()
    with open_session(url) as session:
        channels = create_channels(config, sessions=session_factory(make_engine(url)), clock=now,
                                   sleep=time.sleep)
        report = send_bulletin(session, config, Path(args.draft), channels, now(), recipients=args.to or None)
    delivery = report.delivery
    print(f"Bản tin: {report.queued} thư mới vào hộp thư đi cho {report.addresses} địa chỉ; "
          f"đã gửi {delivery.sent}, thử lại sau {delivery.retried}, lỗi {delivery.failed}, "
          f"chờ {delivery.waiting}.")
    if delivery.retried:
        print(f"Lỗi: chưa gửi được {delivery.retried} thư (máy chủ thư chưa nhận); thư vẫn nằm trong hộp "
              "thư đi, chạy lại lệnh này hoặc “dondoc run” để gửi lại.", file=sys.stderr)
    return 1 if delivery.failed or delivery.retried else 0


def split_formats(value: str) -> list[str]:
    """"html,docx" -> ["html", "docx"] (spaces and empty parts ignored)."""
    return [part.strip().lower() for part in value.split(",") if part.strip()]


def cmd_report(args: argparse.Namespace) -> int:
    """Write the overdue or due-between task report as DOCX, XLSX and/or HTML."""
    from notifier.report_files import write_report
    from notifier.reports import attachment_line, due_report, overdue_report

    config = load_cli_config(args)
    if (args.report_date or args.report_issuer) and not (args.report_number or config.report.number):
        raise ConfigError("--report-date và --report-issuer cần đi cùng --report-number (số báo cáo)")
    configured = config.report
    attachment = attachment_line(
        args.report_number or configured.number,
        args.report_date or (dt.date.fromisoformat(configured.date) if configured.date else None),
        args.report_issuer or configured.issuer,
    )
    filters = {"unit": args.unit, "document": args.document, "attachment": attachment}
    with open_session(config.database_url()) as session:
        if args.report_command == "overdue":
            as_of = args.as_of or today()
            report = overdue_report(session, as_of, **filters)
            stem = f"nhiem-vu-qua-han-{as_of.isoformat()}"
        else:
            report = due_report(session, args.date_from, args.date_to, **filters)
            stem = f"nhiem-vu-den-han-{args.date_from.isoformat()}-{args.date_to.isoformat()}"
    out_dir = Path(args.out) if args.out else config.output_path() / "reports"
    for path in write_report(report, out_dir, split_formats(args.format), stem=stem):
        print(f"Đã viết: {path}")
    return 0
