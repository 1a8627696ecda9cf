"""Extraction as the crawl goes: the tasks the document pool read beside the fetching are handed to the
differ in batches, under the database's extraction lock, in the order the documents were stored.

The result is the one `extract_pending_documents` gives after the crawl: a document is extracted here
only while every earlier document is; from the first one that must wait (a scan to OCR, a failed
extraction, one pending before the crawl) the rest wait too, for the pass after the crawl.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from crawler.document_pool import Units
from crawler.models import ExtractedTask
from crawler.pipeline import extract_read_document
from crawler.storage import documents
from crawler.storage.units import alias_map

log = logging.getLogger(__name__)

DOCUMENTS_PER_WRITE = 100

Lock = Callable[[], AbstractContextManager[object]]
"""Takes the database's extraction lock for one batch (one differ at a time, no digest alongside)."""


@dataclass(frozen=True)
class ExtractionPlan:
    """Extract during the crawl: the day the differ dates events with and the operator's units."""

    as_of: dt.date
    units: Units = ()


@dataclass(frozen=True)
class Extracted:
    """A source's documents extracted during the crawl and the tasks they gave."""

    documents: int = 0
    tasks: int = 0


@dataclass(frozen=True)
class _Stored:
    """A stored document version waiting for the differ, with the tasks read beside the crawl."""

    source: str
    document_id: int
    tasks: tuple[ExtractedTask, ...] | None


class CrawlExtraction:
    """The worker's one queue of stored documents, shared by every source's pipeline (the ids it gets
    are in storing order), applied every DOCUMENTS_PER_WRITE documents and at the end."""

    def __init__(self, plan: ExtractionPlan, sessions: sessionmaker[Session], lock: Lock) -> None:
        """Start with an empty queue, extracting."""
        self.plan, self.sessions, self.lock = plan, sessions, lock
        self.queue: list[_Stored] = []
        self.active = True
        self.done: dict[str, Extracted] = {}

    def add(self, source: str, document_id: int, tasks: Sequence[ExtractedTask] | None) -> None:
        """Queue a stored (committed) document, in storing order."""
        if self.active:
            self.queue.append(_Stored(source, document_id, tuple(tasks) if tasks is not None else None))

    def flush_when_full(self, now: dt.datetime) -> None:
        """Apply the queue once it holds DOCUMENTS_PER_WRITE documents."""
        if len(self.queue) >= DOCUMENTS_PER_WRITE:
            self.flush(now)

    def flush(self, now: dt.datetime) -> None:
        """Apply the queued documents in one transaction; stop at the first that must wait. A failure
        rolls the batch back and leaves it, and what follows, to the pass after the crawl."""
        queue, self.queue = self.queue, []
        if not queue or not self.active:
            return
        try:
            with self.lock(), self.sessions() as session:
                counts = self._apply(session, queue, now)
                session.commit()
        except Exception:  # the crawl goes on; the pass after it extracts these documents
            log.exception("extraction during the crawl failed; the rest waits for the pass after it")
            self.active = False
            return
        for source, (docs, tasks) in counts.items():
            before = self.done.get(source, Extracted())
            self.done[source] = Extracted(before.documents + docs, before.tasks + tasks)

    def _apply(self, session: Session, queue: Sequence[_Stored],
               now: dt.datetime) -> dict[str, tuple[int, int]]:
        """Extract the queued documents while each is the oldest one pending; per source, how many
        documents and tasks."""
        pending = documents.pending_ids(session)
        held = documents.held_documents(session, [stored.document_id for stored in queue])
        aliases = alias_map(session)  # units do not change during a crawl
        counts: dict[str, tuple[int, int]] = {}
        for position, stored in enumerate(queue):
            if position >= len(pending) or pending[position] != stored.document_id:
                self.active = False
                break
            row = documents.pending_document(session, stored.document_id)
            found = extract_read_document(session, row, stored.tasks, self.plan.as_of, now, aliases)
            if found is None:
                self.active = False
                break
            docs, tasks = counts.get(stored.source, (0, 0))
            counts[stored.source] = (docs + 1, tasks + found)
        del held
        return counts
