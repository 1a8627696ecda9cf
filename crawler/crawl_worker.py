"""The crawl subprocess: `python -m crawler.crawl_worker --spec S --db URL --report R --time-limit N`.

Runs one Scrapy crawler per source in one CrawlerProcess, each with its own settings, stores pages
and documents through the pipeline, records every source's health and writes the JSON report that
`crawler.crawl.run_crawl` reads. Per-source problems are collected by the spiders, never raised.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import logging
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from sqlalchemy.orm import Session, sessionmaker

from crawler.config import Config, SourceConfig, config_from_dict
from crawler.crawl import SourceOutcome, record_outcome
from crawler.crawl_extract import CrawlExtraction, ExtractionPlan, Lock
from crawler.crawl_progress import ProgressWriter, SourceProgress
from crawler.crawl_settings import local_hosts, process_settings, source_settings
from crawler.document_pool import DocumentPool, units_of
from crawler.errors import ConfigError
from crawler.pipelines import Reading, start_reading, stop_reading
from crawler.profiles import resolve_source
from crawler.redaction import protect_config, register_database_url
from crawler.revisit import KnownPage
from crawler.spiders import SPIDERS, option_problem
from crawler.spiders.base import Clock, SourceSpider, StoredCopy
from crawler.spiders.robots import reset_shared_robots
from crawler.spiders.urls import host_allowed
from crawler.storage.documents import known_pages, latest_content, source_id
from crawler.storage.engine import make_engine, session_factory

logger = logging.getLogger(__name__)


def for_source(known: Mapping[str, KnownPage], source: SourceConfig) -> dict[str, KnownPage]:
    """What is known of the URLs on the source's allowed hosts (sources share URLs)."""
    allowed = source.allowed_domains
    return {url: v for url, v in known.items() if host_allowed(urlsplit(url).hostname or "", allowed)}


def stored_copy(sessions: sessionmaker[Session]) -> StoredCopy:
    """A reader of the latest stored body of a URL, for list pages answered with 304."""
    def read(url: str) -> bytes | None:
        """The newest stored content of `url`, or None."""
        with sessions() as session:
            return latest_content(session, url)
    return read


def resolved_source(source: SourceConfig) -> tuple[SourceConfig, str | None]:
    """The source with its profile filled in, and a one-line reason if it cannot be crawled."""
    try:
        source = resolve_source(source)
    except ConfigError as exc:
        return source, str(exc)
    return source, option_problem(source)


def spider_class(source: SourceConfig, config: Config, db_url: str, time_limit_s: int) -> type[SourceSpider]:
    """The family's spider class specialised with this source's settings (one crawler per source)."""
    base = SPIDERS[source.family]
    settings = source_settings(source, config.general, db_url, time_limit_s)
    return type(f"{base.__name__}_{source.name}", (base,), {"custom_settings": settings})


def outcome_of(crawler: Crawler, source: SourceConfig) -> SourceOutcome:
    """A source's outcome from its spider's records and its crawler's stats."""
    spider = crawler.spider
    stats = crawler.stats.get_stats() if crawler.stats else {}
    if not isinstance(spider, SourceSpider) or "start_time" not in stats:
        return SourceOutcome(source.name, False, "không khởi động được trình thu thập cho nguồn này")
    problems = list(spider.problems)
    if stats.get("finish_reason") == "closespider_timeout":
        problems.append("quá thời gian thu thập, đã dừng giữa chừng")
    fetched = int(stats.get("response_received_count", 0)) - int(stats.get("robotstxt/response_count", 0))
    if not problems and fetched <= 0:
        problems.append(spider.warnings[0] if spider.warnings else "không tải được trang nào")
    errors = sum(v for k, v in stats.items() if k.startswith("spider_exceptions/"))
    if errors and not problems:
        problems.append(f"{errors} lỗi khi phân tích trang (HTML không đúng cấu trúc?), xem nhật ký")
    reason = None
    if problems:
        reason = problems[0] + (f" (và {len(problems) - 1} lỗi khác)" if len(problems) > 1 else "")
    return SourceOutcome(
        name=source.name, ok=not problems, reason=reason,
        pages=int(stats.get("downloader/response_count", 0)),
        bytes=int(stats.get("downloader/response_bytes", 0)),
        new_documents=int(stats.get("dondoc/new_documents", 0)), items_listed=spider.items_listed,
        warnings=tuple(spider.warnings), empty_listing=spider.empty_listing,
    )


class CrawlerProgress:
    """Reports one source's crawler to a writer on every response, stored item, error and at its end."""

    def __init__(self, crawler: Crawler, name: str, writer: ProgressWriter) -> None:
        """Connect to the crawler's signals (Scrapy holds handlers weakly: keep this object alive)."""
        self.crawler, self.name, self.writer = crawler, name, writer
        for signal in (signals.response_received, signals.item_scraped, signals.spider_error):
            crawler.signals.connect(self.changed, signal=signal)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    def changed(self, *args: Any, **kwargs: Any) -> None:
        """Something counted changed: write a snapshot."""
        self.writer.write(self.snapshot(done=False))

    def closed(self, *args: Any, **kwargs: Any) -> None:
        """The source's crawl ended: write its last snapshot."""
        self.writer.write(self.snapshot(done=True))

    def snapshot(self, done: bool) -> SourceProgress:
        """The source's counters from its crawler's stats and its spider's recorded problems."""
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        problems = len(getattr(self.crawler.spider, "problems", ()))
        exceptions = sum(int(v) for k, v in stats.items() if k.startswith("spider_exceptions/"))
        return SourceProgress(
            name=self.name, pages=int(stats.get("downloader/response_count", 0)),
            bytes=int(stats.get("downloader/response_bytes", 0)),
            documents=int(stats.get("dondoc/new_documents", 0)), errors=problems + exceptions, done=done,
        )


def with_extracted(outcome: SourceOutcome, extraction: CrawlExtraction) -> SourceOutcome:
    """The outcome with the documents and tasks extracted beside its crawl."""
    extracted = extraction.done.get(outcome.name)
    if extracted is None:
        return outcome
    return dataclasses.replace(outcome, extracted_documents=extracted.documents,
                               extracted_tasks=extracted.tasks)


def crawl_clock(start: dt.datetime | None) -> Clock:
    """The crawl's clock: the real time, or the time running on from `start` (a replayed crawl)."""
    if start is None:
        return lambda: dt.datetime.now(dt.UTC)
    offset = start - dt.datetime.now(dt.UTC)
    return lambda: dt.datetime.now(dt.UTC) + offset


def extraction_lock(db_url: str) -> Lock:
    """The database's extraction lock, the one `dondoc` takes around the differ and the digests."""
    from service.locks import acquire_lock, holding  # the service owns its database-wide locks

    return lambda: holding(acquire_lock(db_url, "extract", wait=True))


def reading(plan: ExtractionPlan | None, sessions: sessionmaker[Session], db_url: str) -> Reading:
    """The pool every source reads documents in and, with a plan, the extraction beside the crawl."""
    if plan is None:
        return Reading(DocumentPool())
    return Reading(DocumentPool(plan.units), CrawlExtraction(plan, sessions, extraction_lock(db_url)))


def plan_of(spec: Mapping[str, Any]) -> ExtractionPlan | None:
    """The extraction plan of a worker spec ({"as_of": ISO date, "units": [[name, [aliases]]]}), if any."""
    raw = spec.get("extraction")
    if not raw:
        return None
    return ExtractionPlan(dt.date.fromisoformat(str(raw["as_of"])), units_of(raw.get("units", ())))


def crawl(config: Config, db_url: str, time_limit_s: int,
          progress: ProgressWriter | None = None, clock: Clock | None = None,
          plan: ExtractionPlan | None = None) -> list[SourceOutcome]:
    """Crawl every source of `config` concurrently and record each one's outcome in the database,
    writing each source's counters to `progress` as they change; `clock` decides which known
    documents are due and stamps what is stored; with `plan` the stored documents' tasks are
    extracted as the crawl goes."""
    clock = clock or crawl_clock(None)
    sessions = session_factory(make_engine(db_url))
    reset_shared_robots()
    with sessions() as session:
        for source in config.sources:
            outlet = resolved_source(source)[0].outlet
            source_id(session, source.name, source.family, source.start_url, outlet)
        session.commit()
        known = known_pages(session)
    shared = reading(plan, sessions, db_url)
    start_reading(shared)  # before the crawlers make their pipelines
    process = CrawlerProcess(process_settings(config.general, time_limit_s, local_hosts(config.sources)))
    crawlers = []
    reporters = []  # kept alive for the whole crawl: Scrapy holds signal handlers weakly
    resolved = [resolved_source(source) for source in config.sources]
    rejected = {s.name: SourceOutcome(s.name, False, problem) for s, problem in resolved if problem}
    for source, _problem in resolved:
        if source.name in rejected:
            continue
        crawler = process.create_crawler(spider_class(source, config, db_url, time_limit_s))
        if progress is not None:
            reporters.append(CrawlerProgress(crawler, source.name, progress))
        process.crawl(crawler, source=source, known=for_source(known, source), stored=stored_copy(sessions),
                      clock=clock)
        crawlers.append((crawler, source))
    if crawlers:
        try:
            process.start()
        finally:
            stop_reading(clock())
    done = {source.name: outcome_of(crawler, source) for crawler, source in crawlers} | rejected
    if shared.extraction is not None:
        done = {name: with_extracted(outcome, shared.extraction) for name, outcome in done.items()}
    now = clock()
    outcomes = []
    with sessions() as session:
        for source in config.sources:
            outcome = done[source.name]
            alert = record_outcome(session, source, outcome, now)
            outcomes.append(dataclasses.replace(outcome, alerts=(alert.message,)) if alert else outcome)
        session.commit()
    return outcomes


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the worker subprocess."""
    parser = argparse.ArgumentParser(prog="crawler.crawl_worker")
    parser.add_argument("--spec", required=True, type=Path)
    parser.add_argument("--db", required=True)
    parser.add_argument("--report", required=True, type=Path)
    parser.add_argument("--time-limit", required=True, type=int)
    parser.add_argument("--progress", type=Path, help="append live per-source counters here (JSON lines)")
    parser.add_argument("--now", type=dt.datetime.fromisoformat, help="the crawl's start (aware ISO)")
    args = parser.parse_args(argv)
    logging.getLogger("pdfminer").setLevel(logging.WARNING)  # its debug records cost more than parsing
    spec = json.loads(args.spec.read_text(encoding="utf-8"))
    config = config_from_dict({k: v for k, v in spec.items() if k != "extraction"}, str(args.spec))
    protect_config(config)  # Scrapy logs its settings, which hold the database URL
    register_database_url(args.db)
    writer = ProgressWriter(args.progress) if args.progress else None
    try:
        outcomes = crawl(config, args.db, args.time_limit, writer, crawl_clock(args.now), plan_of(spec))
    finally:
        if writer is not None:
            writer.close()
    args.report.write_text(json.dumps([dataclasses.asdict(o) for o in outcomes], ensure_ascii=False),
                           encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
