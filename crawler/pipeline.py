"""Wiring of the stages after a crawl: stored documents -> extracted tasks -> differ events.

The crawl subprocess leaves documents with `extracted_at` unset; this module turns each into
task records and hands them to the differ, one document at a time, so one unreadable document
is logged and skipped instead of stopping the run.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.diff import apply_document_tasks
from crawler.extract import extract_tasks
from crawler.extract.units import Gazetteer
from crawler.models import DocumentKind, DocumentText
from crawler.storage.schema import Document
from crawler.storage.tablecells import decode_tables

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExtractionReport:
    """How many pending documents were read and how many tasks they gave."""

    documents: int
    tasks: int
    failed: int


def document_text(row: Document) -> DocumentText:
    """The extractor's view of a stored document row."""
    return DocumentText(
        name=row.url,
        text=row.text,
        kind=DocumentKind(row.kind),
        number=row.number,
        issuer=row.issuer,
        issued=row.issued,
        title=row.title,
        url=row.url,
        published=row.published_at,
        author=row.author,
        signer=row.signer,
        summary=row.summary,
        tables=decode_tables(row.tables),
        needs_ocr=row.needs_ocr,
    )


def republished_original(session: Session, row: Document) -> int | None:
    """The id of an already extracted document with the same text under another URL, if any.

    A story republished under a new address (or a site that moved host) carries the same tasks;
    extracting it again would track each of them twice.
    """
    return session.scalar(
        select(Document.id)
        .where(
            Document.text_hash == row.text_hash,
            Document.url != row.url,
            Document.extracted_at.is_not(None),
        )
        .order_by(Document.id)
        .limit(1)
    )


def extract_pending_documents(
    session: Session, gazetteer: Gazetteer, as_of: dt.date, now: dt.datetime
) -> ExtractionReport:
    """Extract tasks from every document not yet extracted and record the differ's events."""
    pending = session.scalars(
        select(Document).where(Document.extracted_at.is_(None)).order_by(Document.id)
    ).all()
    tasks = failed = 0
    for row in pending:
        if row.needs_ocr or not row.text.strip():
            row.extracted_at = now
            continue
        original = republished_original(session, row)
        if original is not None:  # same text under another URL: its tasks are already tracked
            log.info("document_id=%s url=%s repeats document_id=%s", row.id, row.url, original)
            row.extracted_at = now
            continue
        try:
            found = extract_tasks(document_text(row), gazetteer)
        except Exception:  # one bad document must not stop the others
            log.exception("extraction failed document_id=%s url=%s", row.id, row.url)
            failed += 1
            continue
        apply_document_tasks(session, row.id, found, as_of)
        row.extracted_at = now
        tasks += len(found)
        session.commit()
    session.commit()
    return ExtractionReport(documents=len(pending), tasks=tasks, failed=failed)
