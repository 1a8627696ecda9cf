"""What unit heads report back through the bots (`/xong`, `/dang`, `/giahan`), stored as task events.

Each report is one task_events row: kind progress_reported (detail `new` = "done" or "in_progress")
or extension_requested (detail `new` = the requested due date, ISO), with who (`by`, the recipient;
`unit`, the unit it reported for), when (`at`, UTC), the note, and the channel. Its day (`on`) is
the day after the report in Asia/Ho_Chi_Minh: digests tell of the changes of the days after their
last one, and the report may come after the day's digest went out (the task leaves the overdue
lists at once all the same). The key derives from the message itself, so a message handled twice (an update
seen again after a crash) is stored once. An extension request is only recorded, for the operator:
the task's deadline changes when a document changes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.storage.schema import Task, TaskEvent
from crawler.storage.tasks import TIMEZONE, EventKind


@dataclass(frozen=True)
class UnitReport:
    """One report from a unit head: on which task, what (a state or a requested date), by whom, when."""

    task_id: int
    kind: EventKind
    value: str  # "done" / "in_progress", or the requested due date as YYYY-MM-DD
    note: str
    by: str
    unit: str
    channel: str
    address: str
    at: dt.datetime


@dataclass(frozen=True)
class ExtensionRequest:
    """A deadline extension a unit asked for, as the operator reads it."""

    task_id: int
    action: str
    due: dt.date | None
    requested: dt.date
    reason: str
    by: str
    unit: str
    at: dt.datetime


def report_key(report: UnitReport) -> str:
    """The event key: a hash of the message (chat, time, what was said), stable if it is seen twice."""
    fields = (report.channel, report.address, report.at.isoformat(), report.kind, report.value, report.note)
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()[:40]


def record_report(session: Session, report: UnitReport) -> bool:
    """Store a report as a task event unless the same message was stored already; True when added."""
    key = report_key(report)
    same = (TaskEvent.task_id == report.task_id, TaskEvent.kind == report.kind.value, TaskEvent.key == key)
    if session.scalars(select(TaskEvent.id).where(*same)).first() is not None:
        return False
    at = report.at.astimezone(dt.UTC)
    detail: dict[str, object] = {
        "new": report.value, "note": report.note, "by": report.by, "unit": report.unit,
        "channel": report.channel, "at": at.isoformat(),
    }
    session.add(TaskEvent(task_id=report.task_id, kind=report.kind.value, key=key,
                          on=at.astimezone(TIMEZONE).date() + dt.timedelta(days=1), detail=detail))
    session.flush()
    return True


def extension_requests(session: Session, since: dt.date | None = None) -> list[ExtensionRequest]:
    """The extension requests recorded (made on or after `since`), oldest first, with their task."""
    query = (
        select(TaskEvent.task_id, TaskEvent.detail, Task.action, Task.due)
        .join(Task, Task.id == TaskEvent.task_id)
        .where(TaskEvent.kind == EventKind.EXTENSION_REQUESTED.value)
        .order_by(TaskEvent.on, TaskEvent.id)
    )
    if since is not None:
        query = query.where(TaskEvent.on > since)
    return [
        ExtensionRequest(
            task_id=task_id, action=action, due=due, requested=dt.date.fromisoformat(str(detail["new"])),
            reason=str(detail.get("note") or ""), by=str(detail.get("by") or ""),
            unit=str(detail.get("unit") or ""), at=dt.datetime.fromisoformat(str(detail["at"])),
        )
        for task_id, detail, action, due in session.execute(query)
    ]
