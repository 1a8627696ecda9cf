"""Read-only feeds: a recipient's iCalendar of open deadlines and the JSON API of tasks and units."""

from __future__ import annotations

import datetime as dt
from typing import Any

from icalendar import Alarm, Calendar, Event
from sqlalchemy.orm import Session

from crawler.storage.recipients import subscribed_units
from crawler.storage.tasks import TrackedTask, index_by_unit, load_tasks, tasks_for_units
from crawler.storage.units import unit_resolver
from notifier.digest import is_open, shorten

ALARM_BEFORE = dt.timedelta(days=1)


def recipient_calendar(session: Session, recipient_id: int, name: str, stamp: dt.datetime) -> bytes:
    """The .ics of a recipient's units: one all-day event per open task with a deadline, with an alarm
    the day before; a done task is left out."""
    resolver = unit_resolver(session)
    units = subscribed_units(session, [recipient_id], by_name=True)
    tasks = tasks_for_units(index_by_unit(load_tasks(session), resolver), units, resolver)
    calendar = Calendar()
    calendar.add("prodid", "-//dondoc//lich nhiem vu//VI")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Hạn nhiệm vụ – {name}")
    for task in sorted(tasks, key=lambda t: t.id):
        if is_open(task) and task.deadline.due is not None:
            calendar.add_component(_event(task, task.deadline.due, stamp))
    body: bytes = calendar.to_ical()
    return body


def _event(task: TrackedTask, due: dt.date, stamp: dt.datetime) -> Event:
    """One task's all-day event on its due day."""
    event = Event()
    event.add("uid", f"nhiem-vu-{task.id}@dondoc")
    event.add("dtstamp", stamp)
    event.add("dtstart", due)
    event.add("dtend", due + dt.timedelta(days=1))
    event.add("summary", f"Hạn: {shorten(task.action, 120)}")
    event.add("description", f"Chủ trì: {', '.join(task.lead) or 'chưa rõ'}. "
                             f"Văn bản: {task.document_number or 'chưa rõ'}. Mã nhiệm vụ #{task.id}.")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"Ngày mai đến hạn: {shorten(task.action, 80)}")
    alarm.add("trigger", -ALARM_BEFORE)
    event.add_component(alarm)
    return event


def task_json(task: TrackedTask, as_of: dt.date) -> dict[str, Any]:
    """A task in the fields of FORMAT.md plus id, status and whether it is open."""
    due = task.deadline.due
    return {
        "id": task.id, "action": task.action, "lead": list(task.lead), "support": list(task.support),
        "deadline": {"raw": task.deadline.raw, "due": due.isoformat() if due else None,
                     "precision": str(task.deadline.precision)},
        "status": task.state, "open": is_open(task),
        "overdue": bool(is_open(task) and due is not None and due < as_of),
        "documents": list(task.documents), "url": task.document_url,
        "required_result": task.required_result,
    }
