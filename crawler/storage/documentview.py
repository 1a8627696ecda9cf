"""What the Văn bản page reads: a stored document with its text, and every task sighted in it with
where it was read (the sighting's line; the column too when the task was first read from it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from crawler.storage.schema import Document, Source, Task, TaskSighting, Unit


@dataclass(frozen=True)
class StoredDocument:
    """A document as its page shows it: metadata, text, and the newest version of the same URL."""

    id: int
    kind: str
    number: str | None
    title: str | None
    issuer: str | None
    issued: dt.date | None
    published: dt.datetime | None
    url: str
    version: int
    source: str | None
    text: str
    latest_id: int


@dataclass(frozen=True)
class SightedTask:
    """A task listed by the document, with the extractor's words (action_key) and its place."""

    id: int
    action: str
    action_key: str
    lead: tuple[str, ...]
    support: tuple[str, ...]
    due: dt.date | None
    deadline_raw: str | None
    listed: bool
    line: int
    column: int


def stored_document(session: Session, document_id: int) -> StoredDocument | None:
    """The document of that id, if stored."""
    query = (select(Document, Source.name).outerjoin(Source, Source.id == Document.source_id)
             .where(Document.id == document_id))
    found = session.execute(query).first()
    if found is None:
        return None
    row, source = found
    latest = session.scalar(select(func.max(Document.id)).where(Document.url == row.url)) or row.id
    return StoredDocument(row.id, row.kind, row.number, row.title, row.issuer, row.issued, row.published_at,
                          row.url, row.version, source, row.text, latest)


def sighted_tasks(session: Session, document_id: int) -> list[SightedTask]:
    """Every task this document lists or was first read from (false ones too), in the order of the text."""
    here = TaskSighting.document_id == document_id
    line = select(TaskSighting.line).where(TaskSighting.task_id == Task.id, here).scalar_subquery()
    sighted = select(TaskSighting.task_id).where(here)
    query = (select(Task.id, Task.action, Task.action_key, Task.lead, Task.support, Task.due,
                    Task.deadline_raw, Task.listed, line, Task.document_id, Task.line, Task.char_start)
             .where(or_(Task.id.in_(sighted), Task.document_id == document_id)))
    tasks = []
    for (task_id, action, key, lead, support, due, raw, listed, seen_line, first_document, first_line,
         column) in session.execute(query):
        here = first_document == document_id
        at = seen_line if seen_line is not None else (first_line if here else 0)
        tasks.append(SightedTask(task_id, action, key, tuple(lead or ()), tuple(support or ()), due, raw,
                                 bool(listed), at, column if here and first_line == at else 0))
    return sorted(tasks, key=lambda task: (task.line or 10**9, task.id))


def known_unit_names(session: Session) -> list[str]:
    """The stored units' names, for the correction forms' suggestions."""
    return list(session.scalars(select(Unit.name).order_by(Unit.name)))
