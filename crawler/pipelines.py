"""The one item pipeline: store fetched pages by content hash and new document versions.

Thin on purpose: hashing, extraction and the database writes are plain functions below, so the
worker, tests and benchmarks can use them without Scrapy. A file that cannot be read is a warning of
its source (one line), never raised into the crawl and never silent: an attachment's document is
kept with its detail page's text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from crawler.config import SourceConfig
from crawler.crawl_extract import CrawlExtraction
from crawler.document_pool import DocumentPool, ReadJob, ReadResult
from crawler.documents import ArticleProfile
from crawler.errors import UnusableInputError
from crawler.models import DocumentText, FetchedPage
from crawler.spiders.items import CheckedItem, FetchedItem
from crawler.storage import documents
from crawler.storage.engine import make_engine, session_factory

logger = logging.getLogger(__name__)


LIVE_COUNTERS = (
    r"(?:Số )?[Ll]ượt (?:xem|đọc|truy cập|thích|chia sẻ)\s*:?\s*[\d.,]+",
    r"[\d.,]+\s*lượt (?:xem|đọc|truy cập|thích|chia sẻ)",
    r"(?:Đang|Trực) tuyến\s*:?\s*[\d.,]+",
    r"(?:Cập nhật|cập nhật) lúc\s*:?[^<]{0,40}",
    r"Hôm nay\s*:?[^<]{0,40}",
)
"""Live parts of pages that change without their document changing (view counts, visitors online,
"Cập nhật lúc …", today's date), removed before hashing on every source: a page without validators
is unchanged when its hash is."""


def content_hash(content: bytes, content_type: str | None, volatile: Sequence[str] = ()) -> str:
    """SHA-256 of the content after removing live counters and the profile's volatile parts (comments,
    site-specific counters); files (PDF, Office, images) are hashed as they are."""
    if not (content_type or "").startswith(("application/pdf", "application/vnd", "image/")):
        for pattern in (*LIVE_COUNTERS, *volatile):
            content = _compiled(pattern).sub(b"", content)
    return hashlib.sha256(content).hexdigest()


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[bytes]:
    """A live-counter or volatile pattern compiled once for the bytes of pages."""
    return re.compile(pattern.encode("utf-8"), flags=re.DOTALL)


def text_hash(text: str) -> str:
    """SHA-256 of a document's text, the identity of one version."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def store_page(session: Session, source_id: int, page: FetchedPage,
               volatile: Sequence[str]) -> tuple[int, bool]:
    """Store a page once per (url, content hash); returns its id and whether the content is new."""
    digest = content_hash(page.content, page.content_type, volatile)
    return documents.store_page(session, source_id, page, digest)


def store_document(session: Session, source_id: int, page_id: int, url: str, doc: DocumentText,
                   now: dt.datetime) -> int | None:
    """Add a document version unless the latest version of `url` has the same text; returns its id."""
    return documents.store_document(session, source_id, page_id, url, doc, text_hash(doc.text), now)


def read_job(item: FetchedItem, profile: ArticleProfile, extract: bool = False) -> ReadJob:
    """The pool's job for a fetched item that carries a document."""
    if item.document_url is None:
        raise ValueError("item carries no document")
    return ReadJob(page=item.page, document_url=item.document_url, meta=item.meta,
                   listed_published=item.listed_published, profile=profile, extract=extract)


@lru_cache(maxsize=4)
def _sessions(url: str) -> sessionmaker[Session]:
    """One engine and session factory per database URL for the whole worker process."""
    engine: Engine = make_engine(url)
    return session_factory(engine)


@dataclass(frozen=True)
class Reading:
    """What every source's pipeline shares in one worker: the document pool and, when the crawl
    extracts as it goes, the one extraction queue."""

    pool: DocumentPool
    extraction: CrawlExtraction | None = None


_READING: list[Reading] = []


def start_reading(reading: Reading) -> None:
    """Give the worker's pipelines their shared pool and extraction (before the crawl starts)."""
    _READING[:] = [reading]


def stop_reading(now: dt.datetime) -> None:
    """Apply what the extraction queue still holds and stop the pool, at the end of the crawl."""
    while _READING:
        reading = _READING.pop()
        if reading.extraction is not None:
            reading.extraction.flush(now)
        reading.pool.shutdown()


def _reading() -> Reading:
    """The shared pool and extraction; a pool of its own without extraction when none was started."""
    if not _READING:
        _READING.append(Reading(DocumentPool()))
    return _READING[0]


CHECKS_PER_WRITE = 200
STORES_PER_WRITE = 25


class StoragePipeline:
    """Stores each FetchedItem: the page by content hash, then a document version if its text is new;
    pages and documents are written STORES_PER_WRITE at a time, the checks of URLs answered 304
    CHECKS_PER_WRITE at a time."""

    def __init__(self, crawler: Any) -> None:
        """Bind to the crawl's database (setting DONDOC_DATABASE_URL) and keep the crawler for its spider."""
        self.crawler = crawler
        self.sessions = _sessions(str(crawler.settings["DONDOC_DATABASE_URL"]))
        self.source_id: int | None = None
        self.checks: list[tuple[str, dt.datetime]] = []
        self.fetched: list[tuple[FetchedItem, ReadResult | None]] = []
        self.reading = _reading()

    @classmethod
    def from_crawler(cls, crawler: Any) -> StoragePipeline:
        """Scrapy's factory hook."""
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        """Read the item's document (in the pool, off the reactor) and queue it for storing;
        warnings (unreadable files, OCR and other notices) go to the spider's records when it is."""
        if isinstance(item, CheckedItem):
            self.checks.append((item.url, item.checked_at))
            if len(self.checks) >= CHECKS_PER_WRITE:
                self.write_checks()
            return item
        if not isinstance(item, FetchedItem):
            return item
        spider = self.crawler.spider
        read = await self._read(spider, spider.source, item) if item.document_url else None
        self.fetched.append((item, read))
        if len(self.fetched) >= STORES_PER_WRITE:
            self.write_fetched()
        return item

    def close_spider(self) -> None:
        """Write the pages and checks still waiting at the end of the source's crawl."""
        self.write_fetched()
        self.write_checks()

    def write_fetched(self) -> None:
        """Store the waiting pages (by content hash) and new document versions in one transaction, then
        hand the new documents to the extraction beside the crawl, in storing order."""
        batch, self.fetched = self.fetched, []
        if not batch:
            return
        spider = self.crawler.spider
        source: SourceConfig = spider.source
        volatile = tuple(source.options.get("volatile_patterns", ()))
        stored: list[tuple[int, ReadResult]] = []
        with self.sessions() as session:
            source_id = self._source_id(session, source)
            for item, read in batch:
                document_id = self._store(session, spider, source_id, item, read, volatile)
                if document_id is not None and read is not None:
                    stored.append((document_id, read))
            session.commit()
        extraction = self.reading.extraction
        if extraction is not None:
            for document_id, read in stored:
                extraction.add(source.name, document_id, read.tasks)
            extraction.flush_when_full(spider.now())

    def _store(self, session: Session, spider: Any, source_id: int, item: FetchedItem,
               read: ReadResult | None, volatile: tuple[str, ...]) -> int | None:
        """Store one page and, when its content is new, its document's new version (the new id)."""
        page_id, changed = store_page(session, source_id, item.page, volatile)
        if read is None or not changed:
            return None
        doc = read.doc
        if doc.needs_ocr:
            spider.warn(f"văn bản là bản quét không có lớp chữ, cần OCR: {item.page.url}")
        for notice in doc.notices:
            spider.warn(f"{notice}: {item.page.url}")
        url = item.document_url or item.page.url
        document_id = store_document(session, source_id, page_id, url, doc, spider.now())
        if document_id is not None:
            spider.crawler.stats.inc_value("dondoc/new_documents")
        return document_id

    def write_checks(self) -> None:
        """Record the waiting 304 checks in one transaction."""
        if self.checks:
            with self.sessions() as session:
                documents.record_checks(session, self.checks)
                session.commit()
            self.checks = []

    async def _read(self, spider: Any, source: SourceConfig, item: FetchedItem) -> ReadResult | None:
        """The item's document (and its tasks when the crawl extracts), read in the pool. A file that
        cannot be read is a warning of its source, never silent: the document is kept with its detail
        page's text (the stand-in) when there is one, with a notice naming the failure; without one it
        is skipped and the warning says so."""
        profile = ArticleProfile.from_options(dict(source.options.get("article", {})))
        extract = self.reading.extraction is not None
        try:
            return await self.reading.pool.run(read_job(item, profile, extract))
        except UnusableInputError as exc:
            failure = exc
        if item.stand_in is not None:
            try:
                read = await self.reading.pool.run(read_job(dataclasses.replace(item, page=item.stand_in),
                                                            profile, extract))
            except UnusableInputError as exc:
                spider.warn(f"tệp đính kèm không đọc được ({failure}), trang chi tiết cũng không ({exc}), "
                            f"văn bản bị bỏ qua: {item.page.url}")
                return None
            notice = f"tệp đính kèm không đọc được ({failure}), văn bản được giữ với nội dung trang chi tiết"
            kept = dataclasses.replace(read.doc, notices=(*read.doc.notices, notice))
            return dataclasses.replace(read, doc=kept)
        spider.warn(f"tệp không đọc được, văn bản bị bỏ qua: {failure} ({item.page.url})")
        return None

    def _source_id(self, session: Session, source: SourceConfig) -> int:
        """The source's row id, looked up once per crawl."""
        if self.source_id is None:
            self.source_id = documents.source_id(session, source.name, source.family, source.start_url,
                                                source.outlet)
        return self.source_id
