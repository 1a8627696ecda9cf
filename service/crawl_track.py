"""Crawl and track: crawl the sources (in a subprocess), then extract tasks from the new documents
and record the differ's events."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from crawler.config import Config
from service.context import now, open_session, today
from service.locks import acquire_lock, holding

if TYPE_CHECKING:
    from crawler.crawl import CrawlReport
    from crawler.pipeline import ExtractionReport


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
    config: Config, source_names: Sequence[str] | None, as_of: dt.date | None = None
) -> CrawlOutcome:
    """Crawl (in a subprocess), then extract tasks from new documents and record the differ's events."""
    day = as_of or today()
    from crawler.crawl import run_crawl
    from crawler.extract.units import load_gazetteer
    from crawler.pipeline import extract_pending_documents
    from crawler.storage.differ import record_time_events
    from crawler.storage.recipients import sync_config
    from crawler.storage.units import default_directory

    url = config.database_url()
    gazetteer = load_gazetteer(tuple((u.name, u.aliases) for u in config.units))
    with open_session(url) as session:
        sync_config(session, config.units, config.recipients, default_directory())
        session.commit()
    report = run_crawl(config, url, source_names, crawl_time_limit(config, source_names))
    with holding(acquire_lock(url, "extract", wait=True)), open_session(url) as session:
        extraction = extract_pending_documents(session, gazetteer, day, now())
        record_time_events(session, day)
        session.commit()
    return CrawlOutcome(crawl=report, extraction=extraction)


def print_crawl_outcome(outcome: CrawlOutcome) -> None:
    """One line per source (ok or the failure's reason), then the extraction totals."""
    for source in outcome.crawl.sources:
        if source.ok:
            print(f"Nguồn {source.name}: {source.pages} trang, {source.new_documents} văn bản mới")
        else:
            print(f"Nguồn {source.name}: LỖI: {source.reason}", file=sys.stderr)
    extraction = outcome.extraction
    print(f"Trích xuất: {extraction.documents} văn bản, {extraction.tasks} nhiệm vụ"
          + (f", {extraction.failed} văn bản lỗi" if extraction.failed else ""))


def crawl_time_limit(config: Config, source_names: Sequence[str] | None) -> int:
    """The crawl time limit of the chosen sources: the largest per-source limit, else the general one."""
    chosen = [s for s in config.sources if not source_names or s.name in source_names]
    limits = [s.time_limit_s for s in chosen if s.time_limit_s > 0]
    return max(limits) if limits else config.general.crawl_time_limit_s
