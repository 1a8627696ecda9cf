"""The one item pipeline: store fetched pages by content hash and new document versions.

Thin on purpose: hashing, extraction and the database writes are plain functions below, so the
worker, tests and benchmarks can use them without Scrapy. A file that cannot be read is a warning of
its source (one line), never raised into the crawl and never silent: an attachment's document is
kept with its detail page's text.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
import logging
import multiprocessing
import os
import re
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from crawler.config import SourceConfig
from crawler.documents import ArticleProfile, document_from_bytes, sniff_kind, with_metadata
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
            content = re.sub(pattern.encode("utf-8"), b"", content, flags=re.DOTALL)
    return hashlib.sha256(content).hexdigest()


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


def read_document(item: FetchedItem, profile: ArticleProfile) -> DocumentText:
    """The document of a fetched item: its file's text with the source page's metadata laid over it."""
    if item.document_url is None:
        raise ValueError("item carries no document")
    name = PurePosixPath(urlsplit(item.page.url).path).name or urlsplit(item.page.url).netloc
    doc = document_from_bytes(item.page.content, name, item.document_url, item.page.content_type, profile)
    doc = with_metadata(doc, item.meta)
    if doc.published is None and item.listed_published is not None:
        doc = dataclasses.replace(doc, published=item.listed_published)
    return doc


@lru_cache(maxsize=4)
def _sessions(url: str) -> sessionmaker[Session]:
    """One engine and session factory per database URL for the whole worker process."""
    engine: Engine = make_engine(url)
    return session_factory(engine)


_POOL: list[ProcessPoolExecutor] = []
_POOL_MAX_WORKERS = 4
ATTACHMENT_TIME_LIMIT_S = 120


def _document_pool() -> ProcessPoolExecutor:
    """The worker's bounded process pool for attachments (PDF, Word): CPU-bound, kept off the reactor."""
    if not _POOL:
        workers = min(os.cpu_count() or 1, _POOL_MAX_WORKERS)  # the OS shares cores with the reactor
        context = multiprocessing.get_context("spawn")  # no fork of a process running a reactor
        _POOL.append(ProcessPoolExecutor(max_workers=workers, mp_context=context))
    return _POOL[0]


def shutdown_pool() -> None:
    """Stop the attachment process pool at the end of the crawl."""
    while _POOL:
        _POOL.pop().shutdown(cancel_futures=True)


async def read_document_async(item: FetchedItem, profile: ArticleProfile) -> DocumentText:
    """Read a document without blocking the crawl: attachments in the process pool within
    ATTACHMENT_TIME_LIMIT_S, HTML pages inline. Any failure of a pool process becomes
    UnusableInputError for this one document."""
    suffix = PurePosixPath(urlsplit(item.page.url).path).suffix.lower()
    if sniff_kind(item.page.content, suffix) == "html":
        return read_document(item, profile)
    future = asyncio.wrap_future(_document_pool().submit(read_document, item, profile))
    try:
        return await asyncio.wait_for(future, ATTACHMENT_TIME_LIMIT_S)
    except UnusableInputError:
        raise
    except TimeoutError as exc:
        raise UnusableInputError(f"đọc tệp đính kèm quá {ATTACHMENT_TIME_LIMIT_S} giây, đã bỏ qua") from exc
    except Exception as exc:  # per-document error boundary around a foreign process
        raise UnusableInputError(f"không đọc được tệp đính kèm ({type(exc).__name__})") from exc


CHECKS_PER_WRITE = 200


class StoragePipeline:
    """Stores each FetchedItem: the page by content hash, then a document version if its text is new;
    the checks of URLs answered 304 are written in batches."""

    def __init__(self, crawler: Any) -> None:
        """Bind to the crawl's database (setting DONDOC_DATABASE_URL) and keep the crawler for its spider."""
        self.crawler = crawler
        self.sessions = _sessions(str(crawler.settings["DONDOC_DATABASE_URL"]))
        self.source_id: int | None = None
        self.checks: list[tuple[str, dt.datetime]] = []

    @classmethod
    def from_crawler(cls, crawler: Any) -> StoragePipeline:
        """Scrapy's factory hook."""
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        """Store the item; warnings (unreadable files, OCR and other notices) go to the spider's records.
        The document is read first (PDFs off the reactor), then page and document are stored in one
        transaction."""
        if isinstance(item, CheckedItem):
            self.checks.append((item.url, item.checked_at))
            if len(self.checks) >= CHECKS_PER_WRITE:
                self.write_checks()
            return item
        if not isinstance(item, FetchedItem):
            return item
        spider = self.crawler.spider
        source: SourceConfig = spider.source
        doc = await self._read(spider, source, item) if item.document_url else None
        volatile = tuple(source.options.get("volatile_patterns", ()))
        with self.sessions() as session:
            source_id = self._source_id(session, source)
            page_id, changed = store_page(session, source_id, item.page, volatile)
            if doc is not None and changed:
                if doc.needs_ocr:
                    spider.warn(f"văn bản là bản quét không có lớp chữ, cần OCR: {item.page.url}")
                for notice in doc.notices:
                    spider.warn(f"{notice}: {item.page.url}")
                url = item.document_url or item.page.url
                if store_document(session, source_id, page_id, url, doc, spider.now()) is not None:
                    spider.crawler.stats.inc_value("dondoc/new_documents")
            session.commit()
        return item

    def close_spider(self) -> None:
        """Write the checks still waiting at the end of the source's crawl."""
        self.write_checks()

    def write_checks(self) -> None:
        """Record the waiting 304 checks in one transaction."""
        if self.checks:
            with self.sessions() as session:
                documents.record_checks(session, self.checks)
                session.commit()
            self.checks = []

    async def _read(self, spider: Any, source: SourceConfig, item: FetchedItem) -> DocumentText | None:
        """The item's document. A file that cannot be read is a warning of its source, never silent:
        the document is kept with its detail page's text (the stand-in) when there is one, with a
        notice naming the failure; without one it is skipped and the warning says so."""
        profile = ArticleProfile.from_options(dict(source.options.get("article", {})))
        try:
            return await read_document_async(item, profile)
        except UnusableInputError as exc:
            failure = exc
        if item.stand_in is not None:
            try:
                doc = read_document(dataclasses.replace(item, page=item.stand_in), profile)
            except UnusableInputError as exc:
                spider.warn(f"tệp đính kèm không đọc được ({failure}), trang chi tiết cũng không ({exc}), "
                            f"văn bản bị bỏ qua: {item.page.url}")
                return None
            notice = f"tệp đính kèm không đọc được ({failure}), văn bản được giữ với nội dung trang chi tiết"
            return dataclasses.replace(doc, notices=(*doc.notices, notice))
        spider.warn(f"tệp không đọc được, văn bản bị bỏ qua: {failure} ({item.page.url})")
        return None

    def _source_id(self, session: Session, source: SourceConfig) -> int:
        """The source's row id, looked up once per crawl."""
        if self.source_id is None:
            self.source_id = documents.source_id(session, source.name, source.family, source.start_url,
                                                source.outlet)
        return self.source_id
