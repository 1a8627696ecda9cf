"""What the web pages read besides the task model: a task's document, and its events with detail."""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.storage.schema import Document, Task, TaskEvent


@dataclass(frozen=True)
class DocumentSummary:
    """The document a task was read from, as its page shows it."""

    id: int
    kind: str
    number: str | None
    title: str | None
    issuer: str | None
    issued: dt.date | None
    url: str
    ocr_confidence: float | None = None  # a scan read by OCR: Tesseract's mean word confidence
    page: int | None = None  # the scan's page the task was read on

    @property
    def page_url(self) -> str:
        """The original file at the scanned page the task is on (PDF viewers open `#page=N`)."""
        return f"{self.url}#page={self.page}" if self.page and "#" not in self.url else self.url


@dataclass(frozen=True)
class EventLine:
    """One event of a task's history, with what its detail says."""

    kind: str
    on: dt.date
    old: str | None
    new: str | None
    note: str
    by: str
    at: dt.datetime | None = None  # when a person made the change (reports from units), if recorded


def task_document(session: Session, task_id: int) -> DocumentSummary | None:
    """The document a task was last read from, if it is stored."""
    query = (select(Document.id, Document.kind, Document.number, Document.title, Document.issuer,
                    Document.issued, Document.url, Document.ocr_confidence, Document.ocr_pages, Task.line)
             .join(Task, Task.document_id == Document.id).where(Task.id == task_id))
    row = session.execute(query).first()
    if row is None:
        return None
    doc_id, kind, number, title, issuer, issued, url, confidence, pages, line = row
    page = None
    if confidence is not None and pages:
        page = max(bisect.bisect_right([int(p) for p in pages], line), 1)
    return DocumentSummary(doc_id, kind, number, title, issuer, issued, url, confidence, page)


def task_history(session: Session, task_id: int) -> list[EventLine]:
    """Every event of a task, oldest first."""
    query = (select(TaskEvent.kind, TaskEvent.on, TaskEvent.detail)
             .where(TaskEvent.task_id == task_id).order_by(TaskEvent.on, TaskEvent.id))
    lines = []
    for kind, on, detail in session.execute(query):
        detail = detail or {}
        old, new = detail.get("old"), detail.get("new")
        lines.append(EventLine(kind, on, None if old is None else str(old), None if new is None else str(new),
                               str(detail.get("note") or ""), str(detail.get("by") or ""),
                               _moment(detail.get("at"))))
    return lines


def _moment(value: object) -> dt.datetime | None:
    """A detail's ISO timestamp in Asia/Ho_Chi_Minh, else None."""
    from crawler.storage.tasks import TIMEZONE

    try:
        return dt.datetime.fromisoformat(value).astimezone(TIMEZONE) if isinstance(value, str) else None
    except ValueError:
        return None
