"""Tasks and their events as every reader sees them: one read model (`TrackedTask`), one query that
builds it (`load_tasks`), and the index of tasks by the units they reach.

Digests, reports and bot commands all read tasks through `load_tasks` and pick a unit's tasks through
`tasks_for_units`, so they agree on which tasks concern a unit: its own name or an alias ("Bộ
KH&CN"), a collective addressee covering it ("Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ"),
and a province standing for its People's Committee. Tasks are read once, as plain column tuples (not
ORM objects, so 100,000 tasks load quickly); JSON name lists are parsed once per distinct text and
reach is computed once per distinct lead/support list.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import gc
import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, Text, cast, func, or_, select
from sqlalchemy.orm import Session

from crawler.models import Deadline, Precision, Status
from crawler.storage.schema import Document, Task, TaskCorrection, TaskEvent
from crawler.storage.units import UnitResolver

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")


class EventKind(StrEnum):
    """What happened to a task; stored in task_events.kind."""

    NEW = "new"
    DEADLINE_CHANGED = "deadline_changed"
    STATUS_CHANGED = "status_changed"
    LEAD_CHANGED = "lead_changed"
    DONE = "done"
    NO_LONGER_LISTED = "no_longer_listed"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    PROGRESS_REPORTED = "progress_reported"  # a unit head's /xong or /dang (crawler.storage.progress)
    EXTENSION_REQUESTED = "extension_requested"  # a unit head's /giahan, for the operator
    CORRECTED = "corrected"  # an editor's correction on the web (crawler.storage.corrections)


CHANGE_KINDS = (
    EventKind.NEW,
    EventKind.DEADLINE_CHANGED,
    EventKind.STATUS_CHANGED,
    EventKind.LEAD_CHANGED,
    EventKind.CORRECTED,
    EventKind.DONE,
    EventKind.NO_LONGER_LISTED,
    EventKind.PROGRESS_REPORTED,
)


@dataclass(frozen=True)
class TaskEventRecord:
    """One recorded task event: unique per (task, kind, key), dated `on` (the as_of day it was seen).

    old/new: the changed value (due date, status, lead names) before and after; for due_soon and
    overdue, new is the due date and `days` the due-soon offset that was crossed.
    """

    task_id: int
    kind: EventKind
    key: str
    on: dt.date
    old: str | None = None
    new: str | None = None
    days: int | None = None


@dataclass(frozen=True)
class ReportedProgress:
    """The latest progress a unit head reported on a task through a bot: who, when and the note.

    `state` is a Status value ("done" or "in_progress"); it takes precedence over the status read
    from documents, being the unit's own word and more recent than the document that assigned it.
    """

    state: str
    note: str
    by: str
    unit: str
    at: dt.datetime

    @property
    def day(self) -> dt.date:
        """The day of the report in Asia/Ho_Chi_Minh."""
        return self.at.astimezone(TIMEZONE).date()


@dataclass(frozen=True)
class SourceDocument:
    """The document a task was read from, as a reader recognises it: its kind (article, directive,
    report), own number, title and date (an article's publication day, else the day it was issued)."""

    kind: str
    number: str | None
    title: str | None
    date: dt.date | None
    ocr_confidence: float | None = None  # a scan read by OCR: Tesseract's mean word confidence
    page: int | None = None  # a scan's page the task was read on

    @property
    def is_article(self) -> bool:
        """A news article: known by its title and date, not by a number."""
        return self.kind == "article"


@dataclass(frozen=True)
class TrackedTask:
    """A stored task as digests, reports and bot commands read it.

    `documents` are the numbers of the documents that assigned it, the assigning ones first (a cover
    letter may carry the directive it forwards), then the number of the document it was read from.
    """

    id: int
    action: str
    lead: tuple[str, ...]
    support: tuple[str, ...]
    deadline: Deadline
    status: str | None
    documents: tuple[str, ...]
    document_url: str | None
    required_result: str = ""
    listed: bool = True
    progress: ReportedProgress | None = None
    source: SourceDocument | None = None
    document_id: int | None = None  # the stored document it was first read from (its Văn bản page)

    @property
    def state(self) -> str | None:
        """The task's progress: what its unit reported through a bot, else the documents' status."""
        return self.progress.state if self.progress else self.status

    @property
    def document_number(self) -> str | None:
        """The number that names the task's source: the first of `documents`, if any."""
        return self.documents[0] if self.documents else None

    @property
    def units(self) -> tuple[str, ...]:
        """Lead then support units, as written."""
        return (*self.lead, *self.support)

    @property
    def page_url(self) -> str | None:
        """The document's address, at the page of a scanned PDF the task was read on (PDF viewers
        open `#page=N`), so a reader can check what OCR read against the image."""
        page = self.source.page if self.source else None
        if self.document_url and page and "#" not in self.document_url:
            return f"{self.document_url}#page={page}"
        return self.document_url


# --- events -----------------------------------------------------------------------------------------


def event_record(task_id: int, kind: str, key: str, on: dt.date,
                 detail: Mapping[str, object] | None) -> TaskEventRecord:
    """The frozen record of a stored event's columns."""
    detail = detail or {}
    old, new, days = detail.get("old"), detail.get("new"), detail.get("days")
    return TaskEventRecord(task_id=task_id, kind=EventKind(kind), key=key, on=on,
                           old=None if old is None else str(old), new=None if new is None else str(new),
                           days=int(str(days)) if days is not None else None)


def load_events(session: Session, since: dt.date | None, until: dt.date, *,
                kinds: Collection[EventKind] | None = CHANGE_KINDS,
                task_ids: Collection[int] | None = None) -> list[TaskEventRecord]:
    """Events recorded in (since, until] (all up to `until` when since is None), oldest first;
    change events only unless `kinds` says otherwise (None: every kind)."""
    query = (select(TaskEvent.task_id, TaskEvent.kind, TaskEvent.key, TaskEvent.on, TaskEvent.detail)
             .where(TaskEvent.on <= until).order_by(TaskEvent.on, TaskEvent.id))
    if since is not None:
        query = query.where(TaskEvent.on > since)
    if kinds is not None:
        query = query.where(TaskEvent.kind.in_([str(k) for k in kinds]))
    if task_ids is not None:
        query = query.where(TaskEvent.task_id.in_(list(task_ids)))
    return [event_record(*row) for row in session.execute(query)]


# --- tasks ------------------------------------------------------------------------------------------


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


class _RowParts:
    """Memos of what tasks share when loaded together: name lists, cited numbers, source documents
    (100,000 tasks come from a few thousand documents and lead lists)."""

    def __init__(self, progress: Mapping[int, ReportedProgress]) -> None:
        """Empty memos, and the reported progress by task id."""
        self.names = _NameLists()
        self.progress = progress
        self._cited: dict[tuple[str | None, str | None], tuple[str, ...]] = {}
        self._sources: dict[tuple[Any, ...], SourceDocument | None] = {}
        self._deadlines: dict[tuple[Any, ...], Deadline] = {}
        self._pages: dict[str | None, list[int]] = {}

    def deadline(self, raw: str | None, due: dt.date | None, precision: str | None,
                 due_time: str | None) -> Deadline:
        """The deadline of the stored columns (tasks share a few hundred distinct deadlines)."""
        key = (raw, due, precision, due_time)
        found = self._deadlines.get(key)
        if found is None:
            found = self._deadlines[key] = Deadline(raw=raw or None, due=due, precision=_precision(precision),
                                                    time=_parse_time(due_time))
        return found

    def cited(self, refs: str | None, number: str | None) -> tuple[str, ...]:
        """The document numbers a task cites (its refs, then its document's number), each once."""
        found = self._cited.get((refs, number))
        if found is None:
            stripped = (str(d).strip() for d in (*self.names(refs), number) if d)
            found = self._cited[(refs, number)] = tuple(dict.fromkeys(d for d in stripped if d))
        return found

    def page(self, pages: str | None, line: int | None) -> int | None:
        """The page of a scan (its pages' first lines, as stored JSON) that holds a task's line."""
        starts = self._pages.get(pages)
        if starts is None:
            value = json.loads(pages) if pages else []
            starts = self._pages[pages] = [int(v) for v in value] if isinstance(value, list) else []
        if not starts:
            return None
        return max(bisect.bisect_right(starts, line or 0), 1)

    def source(self, parts: tuple[Any, ...]) -> SourceDocument | None:
        """The source document of (kind, number, title, issued, published_at, OCR confidence, page)."""
        if parts not in self._sources:
            self._sources[parts] = _source(*parts)
        return self._sources[parts]


def load_tasks(session: Session, task_ids: Collection[int] | None = None) -> list[TrackedTask]:
    """Every stored task (listed or not; only `task_ids` when given) as a TrackedTask, in id order,
    with the progress its units reported; a task an editor marked false is left out.

    Rows come through the session's connection (Core rows, no ORM loading), and the JSON columns
    are read as text and parsed once per distinct value: 100,000 tasks load in a few seconds."""
    query = (
        select(
            Task.id, Task.action, cast(Task.lead, Text), cast(Task.support, Text), Task.deadline_raw,
            Task.due, Task.due_time, Task.precision, Task.status, Task.listed, cast(Task.source_refs, Text),
            Task.required_result, Document.number, Document.url, Document.kind, Document.title,
            Document.issued, Document.published_at, Document.ocr_confidence, cast(Document.ocr_pages, Text),
            Task.line, Task.document_id,
        )
        .outerjoin(Document, Document.id == Task.document_id)
        .where(Task.id.not_in(_false_tasks()))
        .order_by(Task.id)
    )
    if task_ids is not None:
        query = query.where(Task.id.in_(list(task_ids)))
    parts = _RowParts(reported_progress(session, task_ids))
    with _collector_paused():
        return [_task(row, parts) for row in session.connection().execute(query).all()]


def _false_tasks() -> Select[int]:
    """The ids of tasks whose latest false-task correction (crawler.storage.corrections) marks them false."""
    latest = (select(func.max(TaskCorrection.id)).where(TaskCorrection.field == "false")
              .group_by(TaskCorrection.task_id))
    return select(TaskCorrection.task_id).where(TaskCorrection.id.in_(latest), TaskCorrection.value == "true")


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the block runs: loading 100,000 tasks creates
    millions of acyclic objects, and the full collections their growth triggers cost half the load."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def reported_progress(session: Session,
                      task_ids: Collection[int] | None = None) -> dict[int, ReportedProgress]:
    """The latest progress reported per task (the last event wins), from the progress events."""
    query = (select(TaskEvent.task_id, TaskEvent.detail)
             .where(TaskEvent.kind == EventKind.PROGRESS_REPORTED.value).order_by(TaskEvent.on, TaskEvent.id))
    if task_ids is not None:
        query = query.where(TaskEvent.task_id.in_(list(task_ids)))
    latest: dict[int, ReportedProgress] = {}
    for task_id, detail in session.execute(query):
        latest[task_id] = ReportedProgress(
            state=str(detail.get("new") or ""), note=str(detail.get("note") or ""),
            by=str(detail.get("by") or ""), unit=str(detail.get("unit") or ""),
            at=dt.datetime.fromisoformat(str(detail["at"])),
        )
    return latest


def _task(row: Sequence[Any], parts: _RowParts) -> TrackedTask:
    """Build one TrackedTask from a result row of load_tasks."""
    (task_id, action, lead, support, raw, due, due_time, precision, status, listed, refs, result, number,
     url, kind, title, issued, published, confidence, pages, line, document_id) = row
    return TrackedTask(
        id=task_id,
        action=action,
        lead=parts.names(lead),
        support=parts.names(support),
        deadline=parts.deadline(raw, due, precision, due_time),
        status=status or None,
        documents=parts.cited(refs, number),
        document_url=url or None,
        required_result=result or "",
        listed=bool(listed),
        progress=parts.progress.get(task_id),
        source=parts.source((kind, number, title, issued, published, confidence,
                             parts.page(pages, line) if confidence is not None else None)),
        document_id=document_id,
    )


def _source(kind: str | None, number: str | None, title: str | None, issued: dt.date | None,
            published: dt.datetime | None, confidence: float | None = None,
            page: int | None = None) -> SourceDocument | None:
    """The source document of a loaded row (None for a task with no document): an article is dated
    by its publication day in Asia/Ho_Chi_Minh, anything else by its issue day first."""
    if kind is None:
        return None
    published_day = published.astimezone(TIMEZONE).date() if published is not None else None
    day = (published_day or issued) if kind == "article" else (issued or published_day)
    return SourceDocument(kind=kind, number=(number or "").strip() or None,
                          title=" ".join((title or "").split()) or None, date=day,
                          ocr_confidence=confidence, page=page)


def open_addressees(session: Session) -> list[tuple[tuple[str, ...], int]]:
    """Each distinct list of units (lead then support) of the open tasks (listed, not done as read),
    with how many open tasks carry it: one grouped query, for the operator's list of names to place."""
    lead, support = cast(Task.lead, Text), cast(Task.support, Text)
    query = (
        select(lead, support, func.count(Task.id))
        .where(Task.listed.is_(True), or_(Task.status.is_(None), Task.status != Status.DONE.value))
        .group_by(lead, support)
    )
    names = _NameLists()
    return [((*names(lead_text), *names(support_text)), int(count))
            for lead_text, support_text, count in session.execute(query)]


def task_count(session: Session) -> int:
    """How many tasks are tracked."""
    return session.scalar(select(func.count(Task.id))) or 0


# --- tasks by unit ----------------------------------------------------------------------------------


def index_by_unit(tasks: Iterable[TrackedTask], resolver: UnitResolver) -> dict[str, list[TrackedTask]]:
    """Map each unit key a task reaches (directly, by alias or through a collective) to its tasks."""
    index: dict[str, list[TrackedTask]] = defaultdict(list)
    reach: dict[tuple[str, ...], frozenset[str]] = {}
    for task in tasks:
        names = task.units
        keys = reach.get(names)
        if keys is None:
            keys = reach[names] = resolver.reached_by(names)
        for key in keys:
            index[key].append(task)
    return dict(index)


def tasks_for_units(
    index: Mapping[str, list[TrackedTask]], units: Iterable[str], resolver: UnitResolver
) -> list[TrackedTask]:
    """The tasks concerning any of `units` (any spelling or alias), each once, in task id order.

    Following a collective addressee follows every unit it covers, as the resolver's reach says."""
    found: dict[int, TrackedTask] = {}
    for unit in units:
        for key in resolver.reach(unit):
            for task in index.get(key, ()):
                found[task.id] = task
    return [found[task_id] for task_id in sorted(found)]
