"""Task events in bulk for the web feeds: the Atom feed of a unit's new and changed tasks and the
history the JSON API gives beside each task."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.storage.schema import TaskEvent


@dataclass(frozen=True)
class StoredEvent:
    """One task event with its row id (a stable feed entry id), day, and who and when if recorded."""

    id: int
    task_id: int
    kind: str
    on: dt.date
    old: str | None
    new: str | None
    note: str
    by: str
    at: dt.datetime | None


def task_events(session: Session, task_ids: Collection[int], *, kinds: Collection[str] | None = None,
                since: dt.date | None = None) -> list[StoredEvent]:
    """The events of these tasks (of these kinds, on or after `since`), oldest first."""
    if not task_ids:
        return []
    query = (select(TaskEvent.id, TaskEvent.task_id, TaskEvent.kind, TaskEvent.on, TaskEvent.detail)
             .where(TaskEvent.task_id.in_(list(task_ids))).order_by(TaskEvent.on, TaskEvent.id))
    if kinds is not None:
        query = query.where(TaskEvent.kind.in_(list(kinds)))
    if since is not None:
        query = query.where(TaskEvent.on >= since)
    return [_event(*row) for row in session.execute(query)]


def _event(event_id: int, task_id: int, kind: str, on: dt.date,
           detail: dict[str, object] | None) -> StoredEvent:
    """A row as a record; the detail's optional fields as text, its `at` as an aware time."""
    detail = detail or {}
    old, new, at = detail.get("old"), detail.get("new"), detail.get("at")
    return StoredEvent(event_id, task_id, kind, on, None if old is None else str(old),
                       None if new is None else str(new), str(detail.get("note") or ""),
                       str(detail.get("by") or ""), _moment(at))


def _moment(value: object) -> dt.datetime | None:
    """An ISO timestamp stored in a detail (UTC when it carries no zone), else None."""
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
