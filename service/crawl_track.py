"""Crawl and track: crawl the sources (in one worker subprocess), then extract tasks from the new
documents and record the differ's events."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from crawler.config import Config
from crawler.crawl import warning_line
from crawler.crawl_progress import human_bytes
from service.context import now, open_session, today
from service.locks import acquire_lock, holding

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from crawler.crawl import CrawlReport, SourceOutcome
    from crawler.crawl_progress import ProgressSink
    from crawler.pipeline import ExtractionReport
    from crawler.processes import ChildGroups


@dataclass(frozen=True)
class CrawlOutcome:
    """What one crawl-and-track pass did: the crawl report and the extraction that followed."""

    crawl: CrawlReport
    extraction: ExtractionReport

    @property
    def all_ok(self) -> bool:
        """True when every source crawled without failure."""
        return all(source.ok for source in self.crawl.sources)


def crawl_and_track(
    config: Config, source_names: Sequence[str] | None, as_of: dt.date | None = None,
    children: ChildGroups | None = None, sessions: sessionmaker[Session] | None = None,
    progress: ProgressSink | None = None,
) -> CrawlOutcome:
    """Crawl (in one worker subprocess, registered in `children`, its live counters passed to
    `progress`) extracting tasks from new documents beside the fetching, then extract what it left
    (scans to OCR, failures) and record the time events. Without
    `sessions` (a command) the database is upgraded and the config synced first; the service passes
    its own, synced at its start."""
    day = as_of or today()
    from crawler.crawl import run_crawl
    from crawler.crawl_extract import ExtractionPlan
    from crawler.documents.ocr import ocr_limits
    from crawler.extract.units import load_gazetteer
    from crawler.pipeline import extract_pending_documents
    from crawler.storage.differ import record_time_events

    url = config.database_url()
    units = tuple((u.name, tuple(u.aliases)) for u in config.units)
    gazetteer = load_gazetteer(units)
    if sessions is None:
        sessions = synced_sessions(config)
    report = run_crawl(config, url, source_names, crawl_time_limit(config, source_names), children, progress,
                       extraction=ExtractionPlan(day, units))
    with holding(acquire_lock(url, "extract", wait=True)), sessions() as session:
        extraction = extract_pending_documents(session, gazetteer, day, now(), ocr_limits(config.general))
        record_time_events(session, day)
        session.commit()
    return CrawlOutcome(crawl=report, extraction=with_crawl_extraction(extraction, report))


def with_crawl_extraction(after: ExtractionReport, report: CrawlReport) -> ExtractionReport:
    """The extraction totals of a crawl: what the worker extracted beside the fetching plus the pass after."""
    documents = sum(source.extracted_documents for source in report.sources)
    tasks = sum(source.extracted_tasks for source in report.sources)
    return replace(after, documents=after.documents + documents, tasks=after.tasks + tasks)


def synced_sessions(config: Config) -> sessionmaker[Session]:
    """Sessions on the upgraded database, with the config's units and recipients synced into it."""
    from crawler.storage.engine import make_engine, session_factory
    from crawler.storage.recipients import sync_config
    from crawler.storage.units import default_directory

    with open_session(config.database_url()) as session:
        sync_config(session, config.units, config.recipients, default_directory())
        session.commit()
    return session_factory(make_engine(config.database_url()))


def print_crawl_outcome(outcome: CrawlOutcome) -> None:
    """One line per source (ok or the failure's reason), then the extraction totals."""
    for source in outcome.crawl.sources:
        print(source_line(source), file=sys.stdout if source.ok else sys.stderr)
    print(extraction_line(outcome.extraction))


def source_line(source: SourceOutcome) -> str:
    """One source's line: pages, bytes and new documents, or its failure's reason."""
    if source.ok:
        warning = warning_line(source)
        return (f"Nguồn {source.name}: {source.pages} trang ({human_bytes(source.bytes)}), "
                f"{source.new_documents} văn bản mới"
                + (f"; CẢNH BÁO: {warning}" if warning else ""))
    return f"Nguồn {source.name}: LỖI: {source.reason}"


def extraction_line(extraction: ExtractionReport) -> str:
    """The extraction totals in one line, then one line per scan that OCR could not read."""
    line = (f"Trích xuất: {extraction.documents} văn bản, {extraction.tasks} nhiệm vụ"
            + (f", {extraction.scans} bản quét đã nhận dạng (OCR)" if extraction.scans else "")
            + (f", {extraction.failed} văn bản lỗi" if extraction.failed else ""))
    return "; ".join([line, *(f"Bản quét không đọc được: {reason}" for reason in extraction.ocr_failures)])


def crawl_time_limit(config: Config, source_names: Sequence[str] | None) -> int:
    """The crawl time limit of the chosen sources: the largest per-source limit, else the general one."""
    chosen = [s for s in config.sources if not source_names or s.name in source_names]
    limits = [s.time_limit_s for s in chosen if s.time_limit_s > 0]
    return max(limits) if limits else config.general.crawl_time_limit_s
