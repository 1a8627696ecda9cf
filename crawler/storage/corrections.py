"""Editors' corrections of extracted tasks: stored as their own rows, applied on top of every later
extraction of the document.

A correction names one field of a task (lead, support, deadline, action), marks it a false task, or
records a task the extractor missed ("added"). Making one writes the corrected value on the task row
at once (so digests, reports, feeds and the API read it through the one task model) and records a
"corrected" event with who and when. The differ reads the document's fixes before it applies a new
extraction: a re-seen task takes its corrected fields instead of the extractor's, a false task is
not updated (and stays out of every list), and an added task stays listed in each new version of
its document. A task's extraction keys (identity, lead_key, action_key) are never corrected, so the
extractor's next reading of the same task still finds it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.models import Deadline, ExtractedTask, Precision
from crawler.storage.schema import Document, Task, TaskCorrection, TaskEvent
from crawler.storage.tasks import TIMEZONE, EventKind


class Field(StrEnum):
    """What a correction changes; stored in task_corrections.field."""

    LEAD = "lead"
    SUPPORT = "support"
    DEADLINE = "deadline"
    ACTION = "action"
    FALSE = "false"  # value true: not a task at all; false: the mark undone
    ADDED = "added"  # a task the extractor missed, added by an editor


FIELD_LABELS = {
    Field.LEAD: "chủ trì", Field.SUPPORT: "phối hợp", Field.DEADLINE: "thời hạn", Field.ACTION: "nội dung",
    Field.FALSE: "không phải nhiệm vụ", Field.ADDED: "thêm nhiệm vụ bị bỏ sót",
}
Value = str | bool | list[str] | None


@dataclass(frozen=True)
class Correction:
    """One stored correction as pages show it: the field, its value, who made it and when."""

    id: int
    task_id: int
    field: Field
    value: Value
    by: str
    at: dt.datetime

    @property
    def label(self) -> str:
        """The field's Vietnamese name."""
        return FIELD_LABELS[self.field]

    @property
    def shown(self) -> str:
        """The corrected value as text."""
        return display(self.field, self.value)

    @property
    def note(self) -> str:
        """What the pages say of it: "đã sửa chủ trì thành … bởi … lúc HH:MM dd/mm/yyyy" (Việt Nam time)."""
        when = f"bởi {self.by} lúc {self.at.astimezone(TIMEZONE).strftime('%H:%M %d/%m/%Y')}"
        if self.field == Field.ADDED:
            return f"biên tập viên thêm (nhiệm vụ bị bỏ sót) {when}"
        if self.field == Field.FALSE:
            return f"{'đánh dấu' if self.value else 'bỏ đánh dấu'} không phải nhiệm vụ {when}"
        return f"đã sửa {self.label} thành “{self.shown}” {when}"


@dataclass(frozen=True)
class TaskFix:
    """The latest correction of each field of one task."""

    lead: tuple[str, ...] | None = None
    support: tuple[str, ...] | None = None
    deadline: Deadline | None = None
    action: str | None = None

    def corrected(self, task: ExtractedTask) -> ExtractedTask:
        """An extracted task with these corrections in place of what the extractor read."""
        return replace(task, lead=task.lead if self.lead is None else self.lead,
                       support=task.support if self.support is None else self.support,
                       deadline=task.deadline if self.deadline is None else self.deadline,
                       action=task.action if self.action is None else self.action)


@dataclass(frozen=True)
class DocumentFixes:
    """What the differ applies over a document's extraction: fields by task, false and added tasks."""

    by_task: Mapping[int, TaskFix] = field(default_factory=dict)
    false: frozenset[int] = frozenset()
    added: frozenset[int] = frozenset()

    def corrected(self, task_id: int, task: ExtractedTask) -> ExtractedTask:
        """The extracted task as the stored task's corrections say (unchanged without any)."""
        fix = self.by_task.get(task_id)
        return task if fix is None else fix.corrected(task)


def deadline_of(value: Value) -> Deadline:
    """The deadline of a stored deadline correction (an ISO day, or None for no deadline)."""
    if isinstance(value, str) and value:
        return Deadline(raw=None, due=dt.date.fromisoformat(value), precision=Precision.DAY)
    return Deadline(raw=None, due=None, precision=Precision.NONE)


def display(kind: Field, value: Value) -> str:
    """A field's value as the pages and the history show it."""
    if kind in (Field.LEAD, Field.SUPPORT):
        return "; ".join(value) if isinstance(value, list) and value else "không có"
    if kind == Field.DEADLINE:
        due = deadline_of(value).due
        return due.strftime("%d/%m/%Y") if due else "không có thời hạn"
    if kind == Field.FALSE:
        return "không phải nhiệm vụ" if value else "là nhiệm vụ"
    return str(value or "")


def _stored(session: Session, task_ids: Collection[int]) -> list[Correction]:
    """The corrections of these tasks, oldest first."""
    if not task_ids:
        return []
    query = (select(TaskCorrection.id, TaskCorrection.task_id, TaskCorrection.field, TaskCorrection.value,
                    TaskCorrection.by, TaskCorrection.at)
             .where(TaskCorrection.task_id.in_(list(task_ids))).order_by(TaskCorrection.id))
    return [Correction(row_id, task_id, Field(kind), json.loads(value), by, at)
            for row_id, task_id, kind, value, by, at in session.execute(query)]


def corrections_of(session: Session, task_ids: Collection[int]) -> dict[int, list[Correction]]:
    """Each task's corrections, oldest first (tasks without any are left out)."""
    found: dict[int, list[Correction]] = {}
    for correction in _stored(session, task_ids):
        found.setdefault(correction.task_id, []).append(correction)
    return found


def _fix(corrections: Sequence[Correction]) -> tuple[TaskFix, bool]:
    """One task's latest fields, and whether it is (still) marked false."""
    latest = {c.field: c.value for c in corrections}
    names = {kind: tuple(value) if isinstance(value := latest.get(kind), list) else None
             for kind in (Field.LEAD, Field.SUPPORT)}
    action = latest.get(Field.ACTION)
    fix = TaskFix(lead=names[Field.LEAD], support=names[Field.SUPPORT],
                  deadline=deadline_of(latest[Field.DEADLINE]) if Field.DEADLINE in latest else None,
                  action=action if isinstance(action, str) and action else None)
    return fix, bool(latest.get(Field.FALSE))


def fixes_for(session: Session, task_ids: Collection[int], url: str) -> DocumentFixes:
    """The fixes a new extraction of the document at `url` must keep: those of the stored tasks it may
    re-see (`task_ids`), and the tasks editors added to that document (any version)."""
    added_query = (select(TaskCorrection.task_id).join(Document, Document.id == TaskCorrection.document_id)
                   .where(TaskCorrection.field == Field.ADDED.value, Document.url == url))
    added = frozenset(session.scalars(added_query))
    by_task: dict[int, TaskFix] = {}
    false: set[int] = set()
    for task_id, corrections in corrections_of(session, {*task_ids, *added}).items():
        by_task[task_id], is_false = _fix(corrections)
        if is_false:
            false.add(task_id)
    return DocumentFixes(by_task, frozenset(false), added)


@dataclass(frozen=True)
class Change:
    """A correction an editor submits: the field and its new value."""

    field: Field
    value: Value


def _current(row: Task, kind: Field) -> Value:
    """A task row's present value of a field."""
    values: dict[Field, Value] = {
        Field.LEAD: list(row.lead), Field.SUPPORT: list(row.support), Field.ACTION: row.action,
        Field.DEADLINE: row.due.isoformat() if row.due else None, Field.FALSE: not row.listed,
    }
    return values.get(kind)


def _write(row: Task, change: Change) -> None:
    """Put a corrected value on the task row."""
    value = change.value
    if change.field in (Field.LEAD, Field.SUPPORT):
        setattr(row, change.field.value, list(value) if isinstance(value, list) else [])
    elif change.field == Field.ACTION and isinstance(value, str) and value:
        row.action = value
    elif change.field == Field.DEADLINE:
        deadline = deadline_of(value)
        row.deadline_raw, row.due, row.due_time = None, deadline.due, None
        row.precision = deadline.precision.value
    elif change.field == Field.FALSE:
        row.listed = not value


def correct_task(session: Session, task_id: int, document_id: int | None, changes: Sequence[Change],
                 by: str, at: dt.datetime, on: dt.date) -> list[Correction]:
    """Store each change that differs from the task's present value as a correction, write it on the
    task and record it as a "corrected" event (who, when, old and new); return the ones stored."""
    row = session.get_one(Task, task_id)
    stored: list[Correction] = []
    for change in changes:
        old = _current(row, change.field)
        if change.field != Field.ADDED and old == change.value:
            continue
        correction = TaskCorrection(task_id=task_id, document_id=document_id, field=change.field.value,
                                    value=json.dumps(change.value, ensure_ascii=False), by=by, at=at)
        session.add(correction)
        session.flush()
        _write(row, change)
        before = None if change.field == Field.ADDED else display(change.field, old)
        detail = {"old": before, "new": display(change.field, change.value), "by": by,
                  "note": FIELD_LABELS[change.field], "at": at.isoformat()}
        session.add(TaskEvent(task_id=task_id, kind=EventKind.CORRECTED.value,
                              key=f"correction:{correction.id}", on=on, detail=detail))
        stored.append(Correction(correction.id, task_id, change.field, change.value, by, at))
    session.flush()
    return stored


def false_task_ids(session: Session, task_ids: Collection[int] | None = None) -> set[int]:
    """The tasks whose latest false-task correction marks them false."""
    query = (select(TaskCorrection.task_id, TaskCorrection.value)
             .where(TaskCorrection.field == Field.FALSE.value).order_by(TaskCorrection.id))
    if task_ids is not None:
        query = query.where(TaskCorrection.task_id.in_(list(task_ids)))
    latest = {task_id: value for task_id, value in session.execute(query)}
    return {task_id for task_id, value in latest.items() if json.loads(value)}


def add_missed_task(session: Session, document_id: int, task: ExtractedTask, by: str, at: dt.datetime,
                    on: dt.date) -> int:
    """Track a task the extractor missed in a document, recorded as an editor's addition; its id."""
    from crawler.storage.differ import track_added_task  # the differ reads corrections: import here

    task_id = track_added_task(session, document_id, task, on)
    correct_task(session, task_id, document_id, [Change(Field.ADDED, True)], by, at, on)
    return task_id
