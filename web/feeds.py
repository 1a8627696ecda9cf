"""Read-only feeds: a recipient's iCalendar of open deadlines and the JSON API of tasks and units."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from icalendar import Alarm, Calendar, Event
from sqlalchemy.orm import Session

from crawler.storage.recipients import subscribed_units
from crawler.storage.tasks import TrackedTask, index_by_unit, load_tasks, tasks_for_units
from crawler.storage.units import unit_resolver
from crawler.storage.webfeeds import StoredEvent, task_events
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


def task_json(task: TrackedTask, as_of: dt.date, history: Sequence[StoredEvent] = ()) -> dict[str, Any]:
    """A task in the fields of FORMAT.md (status: the documents' word) plus id, its state now (a unit's
    report first), whether it is open or overdue, the latest report, and its history of events."""
    due, time = task.deadline.due, task.deadline.time
    progress = task.progress
    return {
        "id": task.id, "action": task.action, "lead": list(task.lead), "support": list(task.support),
        "source_refs": list(task.documents),
        "deadline": {"raw": task.deadline.raw, "due": due.isoformat() if due else None,
                     "time": time.strftime("%H:%M") if time else None,
                     "precision": str(task.deadline.precision)},
        "status": task.status, "state": task.state, "open": is_open(task),
        "overdue": bool(is_open(task) and due is not None and due < as_of),
        "progress": None if progress is None else {
            "state": progress.state, "note": progress.note, "by": progress.by, "unit": progress.unit,
            "at": progress.at.isoformat()},
        "documents": list(task.documents), "url": task.document_url,
        "required_result": task.required_result,
        "history": [event_json(event) for event in history],
    }


def event_json(event: StoredEvent) -> dict[str, Any]:
    """One event of a task's history: what, on which day, from and to what, by whom and when."""
    return {"kind": event.kind, "on": event.on.isoformat(), "old": event.old, "new": event.new,
            "note": event.note or None, "by": event.by or None,
            "at": event.at.isoformat() if event.at else None}


def histories(session: Session, task_ids: Sequence[int]) -> dict[int, list[StoredEvent]]:
    """Every event of these tasks, oldest first, by task."""
    found: dict[int, list[StoredEvent]] = {}
    for event in task_events(session, task_ids):
        found.setdefault(event.task_id, []).append(event)
    return found
