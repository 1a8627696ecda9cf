"""`dondoc status` as text: the service, its jobs, the sources' health and the outbox."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from crawler.config import Config, SourceConfig
from service.context import TIMEZONE
from service.jobs import OUTCOME_LABELS

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from crawler.storage.service_state import SourceHealth


EXTENSION_DAYS = 30
SERVICE_STATES = {True: "đang chạy", False: "không chạy", None: "không rõ (không mở được tệp khóa)"}


def status_lines(session: Session, config: Config, running: bool | None, now_: dt.datetime) -> list[str]:
    """The `dondoc status` report as lines of Vietnamese text."""
    lines = [f"Dịch vụ: {SERVICE_STATES[running]}", "", "Công việc theo lịch:"]
    lines += _job_lines(session) or ["  (chưa có công việc nào chạy; hãy khởi động “dondoc run”)"]
    lines += ["", "Nguồn thu thập:"]
    lines += _source_lines(session, config, now_) or ["  (chưa khai báo nguồn nào)"]
    lines += ["", _outbox_line(session)]
    lines += _awaiting_lines(session)
    lines += _extension_lines(session, now_)
    lines += unplaced_lines(session)
    return lines


def _extension_lines(session: Session, now_: dt.datetime) -> list[str]:
    """The deadline extensions units asked for through the bots (`/giahan`) in the last 30 days."""
    from crawler.storage.progress import extension_requests

    since = now_.astimezone(TIMEZONE).date() - dt.timedelta(days=EXTENSION_DAYS)
    requests = extension_requests(session, since)
    if not requests:
        return []
    lines = ["", f"Đề nghị gia hạn của các đơn vị ({EXTENSION_DAYS} ngày qua; chỉ ghi nhận, chưa áp dụng):"]
    for request in requests:
        due = f"{request.due:%d/%m/%Y}" if request.due else "chưa có"
        lines.append(f"  - #{request.task_id} {request.action[:80]}: {request.unit} ({request.by}) xin đến "
                     f"{request.requested:%d/%m/%Y} (hạn hiện tại {due}), lý do: {request.reason}; "
                     f"gửi lúc {_when(request.at)}")
    return lines


UNPLACED_SHOWN = 20


def unplaced_lines(session: Session) -> list[str]:
    """The operator's "cần xác định đơn vị" list: names on open tasks that no digest takes (a provincial
    body without its province, a group nobody can list), most tasks first."""
    from crawler.storage.tasks import open_addressees
    from crawler.storage.units import unit_resolver
    from notifier.routing import unplaced_names

    names = unplaced_names(open_addressees(session), unit_resolver(session))
    if not names:
        return []
    lines = ["", "Cần xác định đơn vị (tên không chỉ rõ đơn vị nào nên không có bản tin riêng; "
             "ghi tên này vào aliases của đơn vị đúng trong [[units]]):"]
    for name in names[:UNPLACED_SHOWN]:
        alone = f", {name.unrouted} nhiệm vụ chưa đến đơn vị nào" if name.unrouted else ""
        lines.append(f"  - {name.name}: {name.tasks} nhiệm vụ đang mở{alone}")
    if len(names) > UNPLACED_SHOWN:
        lines.append(f"  … và {len(names) - UNPLACED_SHOWN} tên khác")
    return lines


def _awaiting_lines(session: Session) -> list[str]:
    """The recipients whose digests wait for them to onboard (no chat or user id learned yet)."""
    from crawler.storage.outbox import awaiting_onboarding
    from crawler.storage.recipients import recipient_display_names

    waiting = awaiting_onboarding(session)
    if not waiting:
        return []
    names = recipient_display_names(session, [recipient for recipient, _, _ in waiting])
    lines = ["", "Chờ đăng ký qua bot (chưa có địa chỉ nhận; gửi “dondoc invite” cho họ):"]
    for recipient, channel, count in waiting:
        lines.append(f"  - {names.get(recipient, f'#{recipient}')} ({channel}): {count} bản nhắc đang giữ")
    return lines


def no_database_lines(database: Path, running: bool | None) -> list[str]:
    """The `dondoc status` report when the SQLite database does not exist yet (nothing has run)."""
    return [f"Dịch vụ: {SERVICE_STATES[running]}", "",
            f"Cơ sở dữ liệu chưa có: {database}",
            "  (chưa chạy “dondoc crawl” hay “dondoc run” lần nào với cấu hình này)"]


def _when(moment: dt.datetime | None) -> str:
    """A stored time shown in Asia/Ho_Chi_Minh as dd/mm/yyyy HH:MM:SS, or a dash."""
    return moment.astimezone(TIMEZONE).strftime("%d/%m/%Y %H:%M:%S") if moment else "–"


def _job_lines(session: Session) -> list[str]:
    """One line per job: last start, outcome, counters, next run, last error."""
    from crawler.storage.service_state import job_states

    lines = []
    for row in job_states(session):
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
    from crawler.storage.service_state import source_health

    rows = source_health(session)
    lines = []
    for source in config.sources:
        row = rows.get(source.name)
        if row is None:
            lines.append(f"  {source.name}: chưa thu thập lần nào")
        elif row.consecutive_failures:
            lines.append(f"  {source.name}: LỖI {row.consecutive_failures} lần liên tiếp "
                         f"(lần cuối {_when(row.last_failure_at)}): {row.last_error}")
        elif row.last_warning:
            lines.append(f"  {source.name}: CẢNH BÁO (thu thập lần cuối {_when(row.last_success_at)}): "
                         f"{row.last_warning}")
        else:
            lines.append(f"  {source.name}: tốt, thành công lần cuối {_when(row.last_success_at)}, "
                         f"{row.items_last_run} mục ở lần gần nhất" + _stale_note(row, source, now_))
    return lines


def _stale_note(row: SourceHealth, source: SourceConfig, now_: dt.datetime) -> str:
    """A warning when a source has had no new item for longer than its stale_after_days."""
    from crawler.crawl import stale_days

    quiet = stale_days(row, source, now_)
    return "" if quiet is None else f"; CẢNH BÁO: {quiet} ngày không có tin mới"


def outbox_counts(session: Session) -> dict[str, int]:
    """How many outbox messages are in each status."""
    from crawler.storage.outbox import status_counts

    return status_counts(session)


def _outbox_line(session: Session) -> str:
    """The outbox by status, in one line."""
    counts = outbox_counts(session)
    return (f"Hộp thư đi: {counts.get('pending', 0)} chờ gửi, {counts.get('sending', 0)} đang gửi, "
            f"{counts.get('failed', 0)} lỗi, {counts.get('held', 0)} bị giữ lại, "
            f"{counts.get('sent', 0)} đã gửi")
