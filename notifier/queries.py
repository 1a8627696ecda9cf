"""Read the task views and events that digests need, from a SQLAlchemy session.

Tasks are read once, as plain column tuples (not ORM objects, so 100,000 tasks load quickly), and
indexed in one pass by every unit their lead and support lists reach, through the repository's
resolver: aliases ("Bộ KH&CN") resolve to the canonical unit, a collective addressee ("Các bộ, cơ
quan ngang bộ, cơ quan thuộc Chính phủ") reaches each unit it covers, and a province stands for its
People's Committee. Reach is computed once per distinct lead/support list, not once per task.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.models import Deadline, Precision
from crawler.storage.repository import UnitDirectory, UnitResolver, default_directory, load_resolver
from crawler.storage.schema import Document, Task, TaskEvent
from notifier.digest import CHANGE_KINDS, EventView, TaskView


def _parse_time(value: str | None) -> dt.time | None:
    """Parse the stored "HH:MM" due time, tolerating junk as no time."""
    if not value:
        return None
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        return None


def _precision(value: str | None) -> Precision:
    """Map the stored precision string to the enum, unknown values to NONE."""
    try:
        return Precision(value or "none")
    except ValueError:
        return Precision.NONE


def load_task_views(session: Session) -> list[TaskView]:
    """Every stored task as a TaskView with its source document's number and URL."""
    query = (
        select(
            Task.id,
            Task.action,
            Task.lead,
            Task.support,
            Task.deadline_raw,
            Task.due,
            Task.due_time,
            Task.precision,
            Task.status,
            Task.listed,
            Task.source_refs,
            Document.number,
            Document.url,
        )
        .outerjoin(Document, Document.id == Task.document_id)
        .order_by(Task.id)
    )
    return [_view(row) for row in session.execute(query)]


def _view(row: Sequence[object]) -> TaskView:
    """Build one TaskView from a result row of load_task_views."""
    (task_id, action, lead, support, raw, due, due_time, precision, status, listed, refs, number, url) = row
    refs_list = list(refs) if isinstance(refs, list) else []
    return TaskView(
        task_id=int(str(task_id)),
        action=str(action),
        lead=tuple(str(u) for u in (lead if isinstance(lead, list) else [])),
        support=tuple(str(u) for u in (support if isinstance(support, list) else [])),
        deadline=Deadline(
            raw=str(raw) if raw else None,
            due=due if isinstance(due, dt.date) else None,
            precision=_precision(str(precision) if precision else None),
            time=_parse_time(str(due_time) if due_time else None),
        ),
        status=str(status) if status else None,
        # The assigning document (a cover letter may carry the directive it forwards) names the task.
        document_number=str(refs_list[0]) if refs_list else (str(number) if number else None),
        document_url=str(url) if url else None,
        listed=bool(listed),
    )


def load_events(session: Session, since: dt.date | None, until: dt.date) -> list[EventView]:
    """Change events (new, deadline changed, ...) recorded in (since, until]."""
    query = select(TaskEvent.task_id, TaskEvent.kind, TaskEvent.on).where(
        TaskEvent.kind.in_(CHANGE_KINDS), TaskEvent.on <= until
    )
    if since is not None:
        query = query.where(TaskEvent.on > since)
    return [EventView(task_id=t, kind=k, on=o) for t, k, o in session.execute(query)]


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
