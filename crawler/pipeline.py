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
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crawler.documents.ocr import DEFAULT_OCR, OcrLimits, with_ocr
from crawler.errors import UnusableInputError
from crawler.extract import extract_tasks
from crawler.extract.units import Gazetteer
from crawler.models import ExtractedTask
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
    """Extract tasks from every document not yet extracted and record the differ's events (a
    republished copy's tasks are tracked once, see `repeats_tracked`)."""
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
        elif repeats_tracked(session, row, now):
            continue
        try:
            found = extract_tasks(documents.document_text(session, row.id), gazetteer)
        except Exception:  # one bad document must not stop the others
            log.exception("extraction failed document_id=%s url=%s", row.id, row.url)
            failed += 1
            continue
        record_tasks(session, row.id, found, as_of, now)
        tasks += len(found)
        session.commit()
    session.commit()
    return ExtractionReport(documents=len(pending), tasks=tasks, failed=failed, scans=scans,
                            ocr_failures=tuple(ocr_failures))


def extract_read_document(session: Session, row: documents.PendingDocument,
                          found: Sequence[ExtractedTask] | None, as_of: dt.date,
                          now: dt.datetime, aliases: dict[str, str] | None = None) -> int | None:
    """Extract one stored document whose tasks were read beside the crawl (`found`, None if they could
    not be), exactly as `extract_pending_documents` would; its task count, or None when it must wait
    for that pass (a scan to OCR, a failed extraction). `aliases`: the unit alias map, read once."""
    if row.needs_ocr:
        return None
    if row.blank:
        documents.mark_extracted(session, row.id, now)
        return 0
    if repeats_tracked(session, row, now):
        return 0
    if found is None:
        return None
    record_tasks(session, row.id, found, as_of, now, aliases)
    return len(found)


def repeats_tracked(session: Session, row: documents.PendingDocument, now: dt.datetime) -> bool:
    """Whether the document repeats the text of one extracted under another URL (a story republished
    under a new address, a site that moved host): its tasks are tracked already, so it is marked
    extracted without tracking each task twice."""
    original = documents.republished_original(session, row.id)
    if original is None:
        return False
    log.info("document_id=%s url=%s repeats document_id=%s", row.id, row.url, original)
    documents.mark_extracted(session, row.id, now)
    return True


def record_tasks(session: Session, document_id: int, found: Sequence[ExtractedTask], as_of: dt.date,
                 now: dt.datetime, aliases: dict[str, str] | None = None) -> None:
    """Hand a document's tasks to the differ and mark it extracted."""
    apply_document_tasks(session, document_id, found, as_of, aliases)
    documents.mark_extracted(session, document_id, now)


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
