"""Wiring of the stages after a crawl: stored documents -> extracted tasks -> differ events.

The crawl subprocess leaves documents with `extracted_at` unset; this module turns each into
task records and hands them to the differ, one document at a time, so one unreadable document
is logged and skipped instead of stopping the run.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crawler.extract import extract_tasks
from crawler.extract.units import Gazetteer
from crawler.storage import documents
from crawler.storage.differ import apply_document_tasks

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExtractionReport:
    """How many pending documents were read and how many tasks they gave."""

    documents: int
    tasks: int
    failed: int


def extract_pending_documents(
    session: Session, gazetteer: Gazetteer, as_of: dt.date, now: dt.datetime
) -> ExtractionReport:
    """Extract tasks from every document not yet extracted and record the differ's events.

    A story republished under a new address (or a site that moved host) carries the same tasks as
    the copy already extracted: it is marked extracted without tracking each task twice."""
    pending = documents.pending_documents(session)
    tasks = failed = 0
    for row in pending:
        if row.needs_ocr or row.blank:
            documents.mark_extracted(session, row.id, now)
            continue
        original = documents.republished_original(session, row.id)
        if original is not None:  # same text under another URL: its tasks are already tracked
            log.info("document_id=%s url=%s repeats document_id=%s", row.id, row.url, original)
            documents.mark_extracted(session, row.id, now)
            continue
        try:
            found = extract_tasks(documents.document_text(session, row.id), gazetteer)
        except Exception:  # one bad document must not stop the others
            log.exception("extraction failed document_id=%s url=%s", row.id, row.url)
            failed += 1
            continue
        apply_document_tasks(session, row.id, found, as_of)
        documents.mark_extracted(session, row.id, now)
        tasks += len(found)
        session.commit()
    session.commit()
    return ExtractionReport(documents=len(pending), tasks=tasks, failed=failed)
