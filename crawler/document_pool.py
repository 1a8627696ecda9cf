"""The crawl worker's pool of document readers: bounded processes beside the fetching that read fetched
bytes (HTML, PDF, Office) into a document and, when the crawl extracts as it goes, its tasks.

Jobs and results are plain frozen dataclasses of light modules (no Scrapy, no SQLAlchemy), so a pool
process loads only the readers and the extractor. The reactor keeps a core of its own: the pool has one
process fewer than the machine has cores (at least one). A job over its time limit, or a pool process
that dies, fails that one document with an UnusableInputError; the crawl goes on.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from crawler.documents import ArticleProfile, DocumentMeta, document_from_bytes, with_metadata
from crawler.errors import UnusableInputError
from crawler.extract import Gazetteer, extract_tasks, load_gazetteer
from crawler.extract.deadlines import clear_cache as deadline_cache_clear
from crawler.extract.normalize import fold
from crawler.models import DocumentKind, DocumentText, ExtractedTask, FetchedPage
from crawler.storage.tablecells import decode_tables, encode_tables

Units = tuple[tuple[str, tuple[str, ...]], ...]
"""The operator's units (name, aliases) the gazetteer adds to its packaged ones."""

POOL_MAX_WORKERS = 4
JOB_TIME_LIMIT_S = 120


@dataclass(frozen=True)
class ReadJob:
    """One fetched document to read: its page, the URL it is stored under, what its source page says,
    and whether its tasks are extracted too."""

    page: FetchedPage
    document_url: str
    meta: DocumentMeta = field(default_factory=DocumentMeta)
    listed_published: dt.datetime | None = None
    profile: ArticleProfile = field(default_factory=ArticleProfile)
    extract: bool = False


@dataclass(frozen=True)
class ReadResult:
    """A read document and, when asked for and it has text, the tasks of its stored view (None when it
    needs OCR first, was not asked for, or the extractor failed: it is then left to the pass after)."""

    doc: DocumentText
    tasks: tuple[ExtractedTask, ...] | None = None


_GAZETTEER: list[Gazetteer] = []


def read_page(job: ReadJob) -> DocumentText:
    """The job's document: its file's text with the source page's metadata laid over it."""
    url = job.page.url
    name = PurePosixPath(urlsplit(url).path).name or urlsplit(url).netloc
    doc = document_from_bytes(job.page.content, name, job.document_url, job.page.content_type, job.profile)
    doc = with_metadata(doc, job.meta)
    if doc.published is None and job.listed_published is not None:
        doc = dataclasses.replace(doc, published=job.listed_published)
    return doc


def run_job(job: ReadJob) -> ReadResult:
    """Read the job's document, then extract the tasks of the view extraction will read once it is
    stored (an extractor failure is not this document's end: the pass after the crawl retries it)."""
    doc = read_page(job)
    if not job.extract or doc.needs_ocr or not doc.text.strip():
        return ReadResult(doc)
    try:
        tasks = extract_tasks(stored_view(doc, job.document_url), _gazetteer())
    except Exception:  # the extraction pass after the crawl logs it with the document's id
        return ReadResult(doc)
    finally:
        forget_texts()
    return ReadResult(doc, tuple(tasks))


def forget_texts() -> None:
    """Empty the extractor's caches of block texts: they pay within a document, and in a process that
    reads thousands they would only grow (by tens of MB)."""
    fold.cache_clear()
    deadline_cache_clear()


def stored_view(doc: DocumentText, url: str) -> DocumentText:
    """The extractor's view of `doc` once stored under `url`, as `storage.documents.document_text` reads
    it back: named by its URL, its time in UTC, its tables through their JSON cells, no notices (so its
    tasks can be extracted before the row exists)."""
    cells = encode_tables(doc.tables)
    published = doc.published
    if published is not None:  # as the UTC timestamp columns store and read it
        published = published.astimezone(dt.UTC) if published.tzinfo else published.replace(tzinfo=dt.UTC)
    return DocumentText(
        name=url, text=doc.text, kind=DocumentKind(str(doc.kind)), number=doc.number, issuer=doc.issuer,
        issued=doc.issued, title=doc.title, url=url, published=published, author=doc.author,
        section=doc.section, signer=doc.signer, summary=doc.summary,
        tables=decode_tables(json.loads(json.dumps(cells)) if cells is not None else None),
        needs_ocr=doc.needs_ocr,
    )


def _gazetteer() -> Gazetteer:
    """This process's gazetteer (set by the pool's initializer; the packaged one otherwise)."""
    if not _GAZETTEER:
        _GAZETTEER.append(load_gazetteer())
    return _GAZETTEER[0]


def _start(units: Units) -> None:
    """Pool initializer: build the gazetteer with the operator's units once per process."""
    _GAZETTEER[:] = [load_gazetteer(units)]


class DocumentPool:
    """A lazily started, bounded process pool, spawned (never forked from the process running the
    reactor)."""

    def __init__(self, units: Units = (), workers: int | None = None) -> None:
        """Remember the gazetteer's units; the pool starts on the first job."""
        self.units = units
        self.workers = workers or max(1, min((os.cpu_count() or 1) - 1, POOL_MAX_WORKERS))
        self._executor: ProcessPoolExecutor | None = None

    def executor(self) -> ProcessPoolExecutor:
        """The running executor, started on first use."""
        if self._executor is None:
            context = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=context,
                                                 initializer=_start, initargs=(self.units,))
        return self._executor

    async def run(self, job: ReadJob, limit_s: float = JOB_TIME_LIMIT_S) -> ReadResult:
        """The job's result without blocking the reactor; any failure of the pool or the time limit
        becomes UnusableInputError for this one document. A job past its limit is stopped with its
        process; a pool a dead process broke is replaced, and the job tried once more on the new one."""
        for attempt in (1, 2):
            executor = self.executor()
            future = asyncio.wrap_future(executor.submit(run_job, job))
            try:
                return await asyncio.wait_for(future, limit_s)
            except UnusableInputError:
                raise
            except TimeoutError as exc:
                self._replace(executor)
                raise UnusableInputError(f"đọc tệp quá {limit_s:g} giây, đã bỏ qua") from exc
            except BrokenProcessPool as exc:
                self._replace(executor)
                if attempt == 2:
                    raise UnusableInputError("không đọc được tệp (tiến trình đọc bị dừng)") from exc
            except Exception as exc:  # per-document error boundary around a foreign process
                raise UnusableInputError(f"không đọc được tệp ({type(exc).__name__})") from exc
        raise AssertionError("unreachable")

    def _replace(self, executor: ProcessPoolExecutor) -> None:
        """Stop a pool's processes (a hung job with them); the next job starts a new pool."""
        if self._executor is not executor:
            return  # already replaced for another job of the same pool
        for process in list(getattr(executor, "_processes", {}).values()):
            process.terminate()
        executor.shutdown(wait=False, cancel_futures=True)
        self._executor = None

    def shutdown(self) -> None:
        """Stop the pool's processes (jobs not started are cancelled)."""
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)
            self._executor = None


def units_of(pairs: Sequence[Sequence[object]]) -> Units:
    """Units from their JSON form ([name, [aliases]] pairs)."""
    return tuple((str(name), tuple(str(a) for a in aliases))  # type: ignore[attr-defined]
                 for name, aliases in pairs)
