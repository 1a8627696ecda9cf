"""Read the task views and events that digests need, from a SQLAlchemy session.

Tasks are read once, as plain column tuples (not ORM objects, so 100,000 tasks load quickly), and
indexed in one pass by every unit their lead and support lists reach, through the repository's
resolver: aliases ("Bộ KH&CN") resolve to the canonical unit, a collective addressee ("Các bộ, cơ
quan ngang bộ, cơ quan thuộc Chính phủ") reaches each unit it covers, and a province stands for its
People's Committee. Reach is computed once per distinct lead/support list, not once per task.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from crawler.models import Deadline, Precision
from crawler.storage.repository import UnitDirectory, UnitResolver, default_directory, load_resolver
from crawler.storage.schema import Document, Task, TaskEvent
from notifier.digest import CHANGE_KINDS, EventView, TaskView


@functools.cache
def _parse_time(value: str | None) -> dt.time | None:
    """Parse the stored "HH:MM" due time, tolerating junk as no time (memoized: few distinct values)."""
    if not value:
        return None
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        return None


@functools.cache
def _precision(value: str | None) -> Precision:
    """Map the stored precision string to the enum, unknown values to NONE."""
    try:
        return Precision(value or "none")
    except ValueError:
        return Precision.NONE


class _NameLists:
    """Parses stored JSON name lists once per distinct text: tasks share a few thousand lead lists."""

    def __init__(self) -> None:
        """Start with an empty memo."""
        self._seen: dict[str | None, tuple[str, ...]] = {}

    def __call__(self, raw: str | None) -> tuple[str, ...]:
        """The names in a JSON list's text (an empty tuple for NULL or anything but a list)."""
        found = self._seen.get(raw)
        if found is None:
            value = json.loads(raw) if raw else []
            found = self._seen[raw] = tuple(str(v) for v in value) if isinstance(value, list) else ()
        return found


def load_task_views(session: Session) -> list[TaskView]:
    """Every stored task as a TaskView with its source document's number and URL.

    Rows come through the session's connection (Core rows, no ORM loading), and the JSON columns
    are read as text and parsed once per distinct value: 100,000 tasks load in a few seconds."""
    query = (
        select(
            Task.id,
            Task.action,
            cast(Task.lead, Text),
            cast(Task.support, Text),
            Task.deadline_raw,
            Task.due,
            Task.due_time,
            Task.precision,
            Task.status,
            Task.listed,
            cast(Task.source_refs, Text),
            Document.number,
            Document.url,
        )
        .outerjoin(Document, Document.id == Task.document_id)
        .order_by(Task.id)
    )
    names = _NameLists()
    return [_view(row, names) for row in session.connection().execute(query)]


def _view(row: Sequence[Any], names: Callable[[str | None], tuple[str, ...]]) -> TaskView:
    """Build one TaskView from a result row of load_task_views."""
    (task_id, action, lead, support, raw, due, due_time, precision, status, listed, refs, number, url) = row
    refs_list = names(refs)
    return TaskView(
        task_id=task_id,
        action=action,
        lead=names(lead),
        support=names(support),
        deadline=Deadline(
            raw=raw or None, due=due, precision=_precision(precision), time=_parse_time(due_time)
        ),
        status=status or None,
        # The assigning document (a cover letter may carry the directive it forwards) names the task.
        document_number=refs_list[0] if refs_list else (number or None),
        document_url=url or None,
        listed=bool(listed),
    )


def load_events(session: Session, since: dt.date | None, until: dt.date) -> list[EventView]:
    """Change events (new, deadline changed, ...) recorded in (since, until]."""
    query = select(TaskEvent.task_id, TaskEvent.kind, TaskEvent.on).where(
        TaskEvent.kind.in_(CHANGE_KINDS), TaskEvent.on <= until
    )
    if since is not None:
        query = query.where(TaskEvent.on > since)
    return [EventView(task_id=t, kind=k, on=o) for t, k, o in session.connection().execute(query)]


def index_by_unit(tasks: Iterable[TaskView], resolver: UnitResolver) -> dict[str, list[TaskView]]:
    """Map each unit key a task reaches (directly, by alias or through a collective) to its tasks."""
    index: dict[str, list[TaskView]] = defaultdict(list)
    reach: dict[tuple[str, ...], frozenset[str]] = {}
    for task in tasks:
        names = (*task.lead, *task.support)
        keys = reach.get(names)
        if keys is None:
            keys = reach[names] = resolver.reached_by(names)
        for key in keys:
            index[key].append(task)
    return dict(index)


def tasks_for_units(
    index: Mapping[str, list[TaskView]], units: Iterable[str], resolver: UnitResolver
) -> list[TaskView]:
    """The tasks concerning any of `units` (any spelling or alias), each once, in task id order.

    Following a collective addressee follows every unit it covers, as the resolver's reach says."""
    found: dict[int, TaskView] = {}
    for unit in units:
        for key in resolver.reach(unit):
            for task in index.get(key, ()):
                found[task.task_id] = task
    return [found[task_id] for task_id in sorted(found)]


def unit_resolver(session: Session, directory: UnitDirectory | None = None) -> UnitResolver:
    """The repository's resolver over stored aliases and the gazetteer (the packaged one by default)."""
    return load_resolver(session, directory or default_directory())


def tasks_for_unit(session: Session, unit: str, directory: UnitDirectory | None = None) -> list[TaskView]:
    """The tasks concerning one unit, read from the session (for `dondoc digest --unit`)."""
    resolver = unit_resolver(session, directory)
    return tasks_for_units(index_by_unit(load_task_views(session), resolver), [unit], resolver)
