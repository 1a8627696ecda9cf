"""Sources, raw pages and documents: what a crawl stores, what extraction reads back, the articles a
bulletin reads, counts, and the pruning of old raw pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from crawler.models import DocumentKind, DocumentText, FetchedPage
from crawler.revisit import KnownPage
from crawler.storage.schema import Document, Page, Source
from crawler.storage.tablecells import decode_tables, encode_tables


@dataclass(frozen=True)
class StoredArticle:
    """One stored version of an article, with the configured name of its source."""

    id: int
    url: str
    title: str | None
    summary: str | None
    text: str
    author: str | None
    published_at: dt.datetime
    source_name: str | None
    outlet: str | None = None  # the source's outlet name from its site profile
    section: str | None = None  # the outlet's section the article was published under


@dataclass(frozen=True)
class PendingDocument:
    """A stored document version not extracted yet."""

    id: int
    url: str
    needs_ocr: bool
    blank: bool


# --- what a crawl stores ----------------------------------------------------------------------------


def source_id(session: Session, name: str, family: str, start_url: str, outlet: str = "") -> int:
    """The id of a configured source's row, created on first use; a given outlet name is kept on it."""
    row = session.scalars(select(Source).where(Source.name == name)).first()
    if row is None:
        row = Source(name=name, family=family, start_url=start_url, consecutive_failures=0, items_last_run=0)
        session.add(row)
    if outlet and row.outlet != outlet:
        row.outlet = outlet
    session.flush()
    return row.id


def store_page(session: Session, source: int, page: FetchedPage, digest: str) -> tuple[int, bool]:
    """Store a page once per (url, content hash); return its id and whether the content is new."""
    row = session.scalars(select(Page).where(Page.url == page.url, Page.content_hash == digest)).first()
    if row is not None:
        row.etag, row.last_modified, row.fetched_at = page.etag, page.last_modified, page.fetched_at
        row.checked_at = page.fetched_at
        return row.id, False
    row = Page(source_id=source, url=page.url, content_hash=digest, content=page.content,
               content_type=page.content_type, status=page.status, etag=page.etag,
               last_modified=page.last_modified, fetched_at=page.fetched_at, checked_at=page.fetched_at)
    session.add(row)
    session.flush()
    return row.id, True


def store_document(session: Session, source: int, page: int, url: str, doc: DocumentText, digest: str,
                   now: dt.datetime) -> int | None:
    """Add a document version unless the latest version of `url` has the same text hash; the new id."""
    versions = select(Document).where(Document.url == url).order_by(Document.version.desc())
    latest = session.scalars(versions).first()
    if latest is not None and latest.text_hash == digest:
        return None
    row = Document(
        source_id=source, page_id=page, url=url, version=(latest.version + 1) if latest else 1,
        kind=str(doc.kind), number=doc.number, issuer=doc.issuer, issued=doc.issued,
        published_at=doc.published, title=doc.title, summary=doc.summary, author=doc.author,
        section=doc.section, signer=doc.signer, text=doc.text, text_hash=digest, needs_ocr=doc.needs_ocr,
        tables=encode_tables(doc.tables), extracted_at=None, created_at=now,
    )
    session.add(row)
    session.flush()
    return row.id


def known_pages(session: Session) -> dict[str, KnownPage]:
    """URL -> validators of its latest copy, its last check and its document's age (published, else
    issued, else first fetched): what the revisit schedule decides on."""
    first = session.execute(select(Page.url, func.min(Page.fetched_at)).group_by(Page.url))
    born: dict[str, dt.datetime] = {url: fetched for url, fetched in first}
    dated = select(Document.url, Document.published_at, Document.issued).order_by(Document.version.desc())
    for url, published, issued in session.execute(dated):
        if published is not None:
            born[url] = published
        elif issued is not None:
            born[url] = dt.datetime.combine(issued, dt.time(), dt.UTC)
    owned = session.execute(select(Document.url, Source.name).join(Source, Source.id == Document.source_id))
    owners = {url: name for url, name in owned}
    rows = session.execute(select(Page.url, Page.etag, Page.last_modified, Page.fetched_at, Page.checked_at,
                                  Page.content_type).order_by(Page.fetched_at))
    return {url: KnownPage(etag, modified, checked or fetched, born.get(url, fetched),
                           owners.get(url) if "html" in (kind or "") else None)
            for url, etag, modified, fetched, checked, kind in rows}


def record_checks(session: Session, checks: Collection[tuple[str, dt.datetime]]) -> None:
    """Record when URLs answered 304 (unchanged): their stored copies count as checked then."""
    for url, at in checks:
        session.execute(update(Page).where(Page.url == url).values(checked_at=at)
                        .execution_options(synchronize_session=False))


def latest_content(session: Session, url: str) -> bytes | None:
    """The newest stored content of a URL, or None."""
    query = select(Page.content).where(Page.url == url).order_by(Page.fetched_at.desc()).limit(1)
    return session.scalars(query).first()


# --- what extraction reads --------------------------------------------------------------------------


def pending_documents(session: Session) -> list[PendingDocument]:
    """Every document version not extracted yet, oldest first."""
    rows = session.scalars(select(Document).where(Document.extracted_at.is_(None)).order_by(Document.id))
    return [PendingDocument(r.id, r.url, r.needs_ocr, not r.text.strip()) for r in rows]


def document_text(session: Session, document_id: int) -> DocumentText:
    """The extractor's view of a stored document."""
    row = session.get_one(Document, document_id)
    return DocumentText(
        name=row.url, text=row.text, kind=DocumentKind(row.kind), number=row.number, issuer=row.issuer,
        issued=row.issued, title=row.title, url=row.url, published=row.published_at, author=row.author,
        section=row.section,
        signer=row.signer, summary=row.summary, tables=decode_tables(row.tables), needs_ocr=row.needs_ocr,
        ocr_confidence=row.ocr_confidence, ocr_pages=tuple(row.ocr_pages or ()),
    )


def pending_ids(session: Session) -> list[int]:
    """The ids of the document versions not extracted yet, oldest first."""
    return list(session.scalars(select(Document.id).where(Document.extracted_at.is_(None))
                                .order_by(Document.id)))


def held_documents(session: Session, ids: Collection[int]) -> list[object]:
    """Load these document versions in one query; while the caller holds the list, the session finds
    each row by id without asking the database again (its identity map holds rows weakly)."""
    return list(session.scalars(select(Document).where(Document.id.in_(list(ids)))))


def pending_document(session: Session, document_id: int) -> PendingDocument:
    """One stored document version as the extraction step sees it."""
    row = session.get_one(Document, document_id)
    return PendingDocument(row.id, row.url, row.needs_ocr, not row.text.strip())


def document_content(session: Session, document_id: int) -> bytes | None:
    """The raw bytes a document was read from (its stored page), or None once pruned."""
    row = session.get_one(Document, document_id)
    page = session.get(Page, row.page_id) if row.page_id is not None else None
    return page.content if page is not None else None


def store_ocr(session: Session, document_id: int, doc: DocumentText) -> None:
    """Keep a scan's OCR'd text and confidence on its document row (its text hash stays the file's)."""
    row = session.get_one(Document, document_id)
    row.text, row.tables, row.ocr_confidence = doc.text, encode_tables(doc.tables), doc.ocr_confidence
    row.ocr_pages = list(doc.ocr_pages) or None
    row.ocr_error = None


def store_ocr_error(session: Session, document_id: int, reason: str) -> None:
    """Record why a scan's OCR failed, so the document is reported instead of silently dropped."""
    session.get_one(Document, document_id).ocr_error = reason


def republished_original(session: Session, document_id: int) -> int | None:
    """The id of an already extracted document with the same text under another URL, if any."""
    row = session.get_one(Document, document_id)
    return session.scalar(
        select(Document.id)
        .where(Document.text_hash == row.text_hash, Document.url != row.url)
        .where(Document.extracted_at.is_not(None))
        .order_by(Document.id)
        .limit(1)
    )


def mark_extracted(session: Session, document_id: int, now: dt.datetime) -> None:
    """Record that a document's tasks were extracted (or that it has none to extract)."""
    session.get_one(Document, document_id).extracted_at = now


def reopen_for_extraction(session: Session, document_id: int) -> None:
    """Have the next extraction run read a document again (as after its crawl)."""
    session.get_one(Document, document_id).extracted_at = None


# --- what the bulletin reads ------------------------------------------------------------------------


def articles_published(session: Session, start: dt.datetime, end: dt.datetime) -> list[StoredArticle]:
    """Every version of the articles published in [start, end), by URL then version."""
    query = (
        select(Document, Source.name, Source.outlet)
        .outerjoin(Source, Source.id == Document.source_id)
        .where(Document.kind == "article", Document.published_at.is_not(None))
        .where(Document.published_at >= start, Document.published_at < end)
        .order_by(Document.url, Document.version)
    )
    return [
        StoredArticle(d.id, d.url, d.title, d.summary, d.text, d.author, d.published_at, name, outlet,
                      d.section)
        for d, name, outlet in session.execute(query)
        if d.published_at is not None
    ]


def known_articles(session: Session, ids: Collection[int]) -> set[int]:
    """Which of these document ids are stored articles."""
    query = select(Document.id).where(Document.id.in_(list(ids)), Document.kind == "article")
    return set(session.scalars(query))


def document_count(session: Session) -> int:
    """How many documents are stored (all versions)."""
    return session.scalar(select(func.count(Document.id))) or 0


def prune_raw_pages(session: Session, cutoff: dt.datetime) -> int:
    """Delete stored raw pages fetched before `cutoff`, except each URL's latest copy (its ETag keeps
    conditional requests working) and pages a document was read from."""
    latest = select(func.max(Page.id)).group_by(Page.url)
    used = select(Document.page_id).where(Document.page_id.is_not(None))
    result = session.execute(
        delete(Page)
        .where(Page.fetched_at < cutoff, Page.id.not_in(latest), Page.id.not_in(used))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
