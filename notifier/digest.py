"""Pure digest building: from tracked tasks and their events to what one unit or recipient should read.

A digest has three sections, in this order: overdue tasks (most days late first), tasks due within
N days (soonest first), then tasks that are new or changed since the recipient's last digest. A task
appears once, in the first section it belongs to; a new or changed task that is also overdue or due
soon carries its event kind there. Nothing here touches the database, the clock or a channel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from crawler.models import Precision, Status
from crawler.storage.tasks import CHANGE_KINDS, ReportedProgress, SourceDocument, TaskEventRecord, TrackedTask

LEAD, SUPPORT, SHARED = "lead", "support", "shared"
ACTION_LIMIT = 160  # about four lines on a phone: what the task is, not all of its wording
_CLOSED_STATUSES = frozenset({Status.DONE.value})
_FINAL_KINDS = frozenset({"done", "no_longer_listed"})


@dataclass(frozen=True)
class DigestItem:
    """One line of a digest: a task with its deadline, lateness, source and units."""

    task_id: int
    action: str
    deadline_raw: str | None
    due: dt.date | None
    due_time: dt.time | None
    precision: Precision
    days_late: int | None
    days_left: int | None
    document_number: str | None
    document_url: str | None
    lead: tuple[str, ...]
    support: tuple[str, ...]
    status: str | None
    event_kind: str | None
    progress: ReportedProgress | None = None
    shared: bool = False  # reached the reader through a group it belongs to ("giao chung")
    role: str | None = None  # LEAD or SUPPORT: the reader's own unit is named to lead or to support it
    source: SourceDocument | None = None  # the document it was read from: kind, own number, title, date


@dataclass(frozen=True)
class DigestSection:
    """A titled group of items; `key` is overdue, due_soon or changes (templates pick the title).

    Items are numbered through the whole digest, `start` being this section's first number: the
    reader answers "/xong N" with that number (outbox rows keep the digest's task order). A message
    of a digest split in several may hold part of a section: `total` counts the whole section and
    `continued` says an earlier message began it."""

    key: str
    items: tuple[DigestItem, ...]
    start: int = 1
    total: int = 0
    continued: bool = False


@dataclass(frozen=True)
class DigestPage:
    """One message of a digest: some of its items, section by section and numbered as in the whole
    digest, its place among the digest's messages, and (on the last) how many items none shows."""

    sections: tuple[DigestSection, ...]
    number: int = 1
    total: int = 1
    rest: int = 0
    last: bool = True  # the digest's last message: it carries the count of the rest and how to answer

    @property
    def task_ids(self) -> tuple[int, ...]:
        """The task ids of this message's items, in item order."""
        return tuple(item.task_id for section in self.sections for item in section.items)


@dataclass(frozen=True)
class UnitLink:
    """A personal link the digest offers: the unit it opens and its address (see personal_links)."""

    unit: str
    url: str


@dataclass(frozen=True)
class Digest:
    """Everything one recipient (or unit) is told at one time, section by section."""

    name: str
    as_of: dt.date
    period: str
    due_soon_days: int
    overdue: tuple[DigestItem, ...]
    due_soon: tuple[DigestItem, ...]
    changes: tuple[DigestItem, ...]
    units: tuple[str, ...] = ()
    links: tuple[UnitLink, ...] = ()

    @property
    def sections(self) -> tuple[DigestSection, ...]:
        """The non-empty sections in reading order, numbered on from one another, for templates."""
        sections: list[DigestSection] = []
        start = 1
        for key, items in (("overdue", self.overdue), ("due_soon", self.due_soon), ("changes", self.changes)):
            if items:
                sections.append(DigestSection(key, items, start, len(items)))
                start += len(items)
        return tuple(sections)

    @property
    def whole(self) -> DigestPage:
        """The whole digest as a single message (channels with no length limit)."""
        return DigestPage(self.sections)

    @property
    def task_order(self) -> tuple[int, ...]:
        """The task ids in item order: item N of the digest is task_order[N - 1]."""
        return tuple(item.task_id for section in self.sections for item in section.items)

    @property
    def item_count(self) -> int:
        """How many tasks the digest mentions."""
        return len(self.overdue) + len(self.due_soon) + len(self.changes)


def shorten(text: str, limit: int = ACTION_LIMIT) -> str:
    """Collapse whitespace and cut at a word boundary so one task stays one short paragraph."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.") + "…"


def is_open(task: TrackedTask) -> bool:
    """A task still to be done: listed and not done (by its unit's report or its documents' status)."""
    return task.listed and (task.state or "") not in _CLOSED_STATUSES


def latest_changes(
    events: Iterable[TaskEventRecord], since: dt.date | None, as_of: dt.date
) -> dict[int, str]:
    """The change kind to show per task for (since, as_of]: the most recent one, except that a task
    first seen in the window stays "new" (the reader never saw its earlier state) unless it was
    done or delisted since. due_soon/overdue events are ignored."""
    chosen: dict[int, TaskEventRecord] = {}
    fresh: set[int] = set()
    for event in events:
        if event.kind not in CHANGE_KINDS or event.on > as_of:
            continue
        if since is not None and event.on <= since:
            continue
        if event.kind == "new":
            fresh.add(event.task_id)
        current = chosen.get(event.task_id)
        if current is None or (event.on, _kind_rank(event.kind)) >= (current.on, _kind_rank(current.kind)):
            chosen[event.task_id] = event
    return {
        task_id: "new" if task_id in fresh and event.kind not in _FINAL_KINDS else str(event.kind)
        for task_id, event in chosen.items()
    }


def _kind_rank(kind: str) -> int:
    """Order of change kinds on the same day: the later in CHANGE_KINDS wins (done beats new)."""
    return CHANGE_KINDS.index(kind)


def make_item(
    task: TrackedTask, as_of: dt.date, event_kind: str | None, *, role: str | None = None
) -> DigestItem:
    """Turn a tracked task into a digest item, computing days late or left against `as_of`."""
    due = task.deadline.due
    days = (due - as_of).days if due is not None else None
    return DigestItem(
        task_id=task.id,
        action=shorten(task.action),
        deadline_raw=task.deadline.raw,
        due=due,
        due_time=task.deadline.time,
        precision=task.deadline.precision,
        days_late=-days if days is not None and days < 0 else None,
        days_left=days if days is not None and days >= 0 else None,
        document_number=task.document_number,
        document_url=task.page_url,
        lead=task.lead,
        support=task.support,
        status=task.state,
        event_kind=event_kind,
        progress=task.progress,
        shared=role == SHARED,
        role=role if role in (LEAD, SUPPORT) else None,
        source=task.source,
    )


def build_digest(
    name: str,
    as_of: dt.date,
    period: str,
    tasks: Sequence[TrackedTask],
    events: Iterable[TaskEventRecord],
    *,
    due_soon_days: int = 7,
    since: dt.date | None = None,
    units: tuple[str, ...] = (),
    roles: Mapping[int, str] | None = None,
) -> Digest | None:
    """Build the digest for `name` as of a day; None when there is nothing to say (quiet). Tasks whose
    `roles` says how a task concerns the reader (LEAD, SUPPORT, or SHARED: through a group), for
    its marker."""
    changes = latest_changes(events, since, as_of)
    overdue: list[DigestItem] = []
    due_soon: list[DigestItem] = []
    changed: list[DigestItem] = []
    horizon = as_of + dt.timedelta(days=due_soon_days)
    sections = {"overdue": overdue, "due_soon": due_soon, "changes": changed}
    for task in _unique(tasks):
        event_kind = changes.get(task.id)
        key = section_of(task, as_of, horizon, event_kind)
        if key is not None:
            sections[key].append(make_item(task, as_of, event_kind, role=(roles or {}).get(task.id)))
    if not (overdue or due_soon or changed):
        return None
    return Digest(
        name=name,
        as_of=as_of,
        period=period,
        due_soon_days=due_soon_days,
        overdue=tuple(sorted(overdue, key=lambda i: (-(i.days_late or 0), i.task_id))),
        due_soon=tuple(sorted(due_soon, key=lambda i: (i.due or as_of, i.task_id))),
        changes=tuple(sorted(changed, key=_change_order)),
        units=units,
    )


def section_of(task: TrackedTask, as_of: dt.date, horizon: dt.date, event_kind: str | None) -> str | None:
    """Which section a task belongs to (overdue, due_soon, changes) or None; decided before building
    its item, so the many tasks a digest leaves out cost almost nothing."""
    due = task.deadline.due
    if is_open(task) and due is not None and due < as_of:
        return "overdue"
    if is_open(task) and due is not None and due <= horizon:
        return "due_soon"
    return "changes" if event_kind is not None else None


def _change_order(item: DigestItem) -> tuple[int, dt.date, int]:
    """Changes grouped by kind (new first), then by due date (undated last), then by id."""
    return (_kind_rank(item.event_kind or "new"), item.due or dt.date.max, item.task_id)


def _unique(tasks: Iterable[TrackedTask]) -> list[TrackedTask]:
    """Drop repeated task ids (a task reached through two followed units appears once)."""
    seen: set[int] = set()
    unique: list[TrackedTask] = []
    for task in tasks:
        if task.id not in seen:
            seen.add(task.id)
            unique.append(task)
    return unique
