"""Wiring of the stages after a crawl: stored documents -> extracted tasks -> differ events.

The crawl subprocess leaves documents with `extracted_at` unset; this module turns each into
task records and hands them to the differ, one document at a time, so one unreadable document
is logged and skipped instead of stopping the run. A scan (no text layer, an image) is OCR'd here,
after the crawl, and then goes the same way as any other document; a scan whose OCR fails keeps
its reason on the document and in the report.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crawler.documents.ocr import DEFAULT_OCR, OcrLimits, with_ocr
from crawler.errors import UnusableInputError
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
    scans: int = 0  # scans read by OCR
    ocr_failures: tuple[str, ...] = ()  # why each scan that could not be read was not


def extract_pending_documents(
    session: Session, gazetteer: Gazetteer, as_of: dt.date, now: dt.datetime, ocr: OcrLimits = DEFAULT_OCR
) -> ExtractionReport:
    """Extract tasks from every document not yet extracted and record the differ's events.

    A story republished under a new address (or a site that moved host) carries the same tasks as
    the copy already extracted: it is marked extracted without tracking each task twice."""
    pending = documents.pending_documents(session)
    tasks = failed = scans = 0
    ocr_failures: list[str] = []
    for row in pending:
        if row.needs_ocr:
            reason = read_scan(session, row.id, ocr)
            if reason is not None:
                ocr_failures.append(reason)
                documents.mark_extracted(session, row.id, now)
                session.commit()
                continue
            scans += 1
        elif row.blank:
            documents.mark_extracted(session, row.id, now)
            continue
        original = documents.republished_original(session, row.id)
        if original is not None and not row.needs_ocr:  # same text elsewhere: its tasks are tracked
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
    return ExtractionReport(documents=len(pending), tasks=tasks, failed=failed, scans=scans,
                            ocr_failures=tuple(ocr_failures))


def read_scan(session: Session, document_id: int, limits: OcrLimits) -> str | None:
    """OCR a stored scan from its raw bytes and keep the text on its row; the Vietnamese reason if not."""
    content = documents.document_content(session, document_id)
    document = documents.document_text(session, document_id)
    try:
        if content is None:
            raise UnusableInputError(f"{document.name}: tệp gốc của bản quét đã bị xóa, không nhận dạng được")
        documents.store_ocr(session, document_id, with_ocr(document, content, limits))
    except UnusableInputError as exc:
        log.warning("ocr failed document_id=%s url=%s: %s", document_id, document.url, exc)
        documents.store_ocr_error(session, document_id, str(exc))
        return str(exc)
    return None
