"""Digests from the database: load tasks and events once, then build one digest per unit or recipient.

Loading once and indexing by unit keeps 1,000 recipients over 100,000 tasks to one pass over the
tasks table; the digest itself is built by the pure `build_digest`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crawler.storage.tasks import (
    TaskEventRecord,
    TrackedTask,
    index_by_unit,
    load_events,
    load_tasks,
    tasks_for_units,
)
from crawler.storage.units import UnitDirectory, UnitResolver, unit_resolver
from notifier.digest import Digest, build_digest
from notifier.paging import digest_messages
from notifier.render import plain
from notifier.routing import task_roles

PERIOD_DAYS = {"daily": 1, "weekly": 7, "manual": 7}
DEFAULT_DUE_SOON_DAYS = 7
PREVIEW_RULE = "\n" + "-" * 40 + "\n"  # between the messages of a chat channel's digest


@dataclass(frozen=True)
class DigestInputs:
    """Every task indexed by the unit keys it reaches, the change events per task, and the resolver."""

    by_unit: dict[str, list[TrackedTask]]
    events: dict[int, list[TaskEventRecord]]
    resolver: UnitResolver


def period_label(kind: str, as_of: dt.date) -> str:
    """The period string stored with outbox rows, e.g. "daily:2025-10-01" (sortable by date)."""
    return f"{kind}:{as_of.isoformat()}"


def default_since(kind: str, as_of: dt.date) -> dt.date:
    """Start of the change window when a recipient never had a digest of this kind."""
    return as_of - dt.timedelta(days=PERIOD_DAYS.get(kind, 1))


def load_inputs(
    session: Session, since: dt.date | None, as_of: dt.date, directory: UnitDirectory | None = None
) -> DigestInputs:
    """Read all tasks and the change events in (since, as_of] once, with the unit resolver."""
    events: dict[int, list[TaskEventRecord]] = defaultdict(list)
    for event in load_events(session, since, as_of):
        events[event.task_id].append(event)
    resolver = unit_resolver(session, directory)
    return DigestInputs(
        by_unit=index_by_unit(load_tasks(session), resolver), events=dict(events), resolver=resolver
    )


def digest_for(
    inputs: DigestInputs,
    name: str,
    units: Sequence[str],
    as_of: dt.date,
    period: str,
    *,
    due_soon_days: Iterable[int] = (DEFAULT_DUE_SOON_DAYS,),
    since: dt.date | None = None,
) -> Digest | None:
    """The digest for a recipient or unit following `units`; None when there is nothing to say. A task
    reaching them through a group is there once, marked shared, its units as written; the others
    are marked by the reader's part in them (lead or support)."""
    tasks = tasks_for_units(inputs.by_unit, units, inputs.resolver)
    events = [event for task in tasks for event in inputs.events.get(task.id, ())]
    return build_digest(
        name,
        as_of,
        period,
        tasks,
        events,
        due_soon_days=max(due_soon_days, default=DEFAULT_DUE_SOON_DAYS),
        since=since,
        units=tuple(units),
        roles=task_roles(tasks, units, inputs.resolver),
    )


def preview_unit_digest(
    session: Session,
    unit: str,
    as_of: dt.date,
    *,
    channel: str = "console",
    kind: str = "manual",
    directory: UnitDirectory | None = None,
) -> str | None:
    """What `unit` would receive as of a day, rendered for `channel` as plain text, the messages of a
    chat channel one after the other under a rule; sends nothing."""
    since = default_since(kind, as_of)
    inputs = load_inputs(session, since, as_of, directory)
    digest = digest_for(inputs, unit, [unit], as_of, period_label(kind, as_of), since=since)
    if digest is None:
        return None
    return PREVIEW_RULE.join(plain(message.body).strip() for message in digest_messages(digest, channel))
