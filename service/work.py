"""What each job does: crawl (in one worker subprocess with a time limit), digests, delivery, the bulletin
draft and housekeeping."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence

from crawler.config import Config, SourceConfig
from crawler.crawl_progress import SteadyLog
from service.context import TIMEZONE, short_error
from service.crawl_track import CrawlOutcome, crawl_and_track, extraction_line, source_line
from service.jobs import JobResult, Service
from service.locks import acquire_lock, holding

log = logging.getLogger("dondoc")
PROGRESS_LOG_S = 60.0  # a running crawl's counters, per source, in the service log


def crawl_job(service: Service, sources: Sequence[SourceConfig]) -> JobResult:
    """Crawl sources in the one worker subprocess (killed at the time limit), then extract their tasks;
    the job's result comes from the structured crawl report."""
    steady = SteadyLog(log.info, PROGRESS_LOG_S, time.monotonic)
    outcome = crawl_and_track(service.config, tuple(source.name for source in sources),
                              children=service.children, sessions=service.sessions, progress=steady)
    for done in outcome.crawl.sources:
        log.info("crawl: %s", source_line(done), extra={"source": done.name})
    result = crawl_result(service, outcome)
    if result.outcome != "ok":
        for source in sources:
            alert_failing_source(service, source)
    return result


def crawl_result(service: Service, outcome: CrawlOutcome) -> JobResult:
    """The job result of one crawl-and-track pass: timeout, abandoned (service stopping), ok or failed."""
    report = outcome.crawl
    failed = [source for source in report.sources if not source.ok]
    if report.timed_out:
        return JobResult("timeout", source_line(failed[0]) if failed else "quá thời gian thu thập")
    if failed and service.stopping.is_set():
        return JobResult("abandoned", "dịch vụ dừng giữa lúc thu thập; lần sau sẽ thu thập lại")
    if failed:
        return JobResult("failed", source_line(failed[0]))
    lines = [*map(source_line, report.sources), extraction_line(outcome.extraction)]
    return JobResult("ok", "; ".join(lines))


def alert_failing_source(service: Service, source: SourceConfig) -> None:
    """Tell the operator once, when a source reaches its failures_before_alert in a row."""
    from crawler.storage.service_state import source_health
    from notifier.outbox import notify_operator

    with service.sessions() as session:
        row = source_health(session).get(source.name)
        if row is None or row.consecutive_failures != source.failures_before_alert:
            return
        text = f"Nguồn {source.name} lỗi {row.consecutive_failures} lần liên tiếp: {row.last_error}"
        notify_operator(session, service.config, text, service.clock())
        log.warning("operator alerted: source failing", extra={"source": source.name})


def digest_job(service: Service, period: str) -> JobResult:
    """Record today's due-soon/overdue events, queue the `period` digests, then deliver the outbox."""
    from crawler.storage.differ import record_time_events
    from crawler.storage.recipients import due_soon_offsets
    from notifier.outbox import enqueue_digests

    now_ = service.clock()
    day = now_.astimezone(TIMEZONE).date()
    with holding(acquire_lock(service.url, "extract", wait=True)), service.sessions() as session:
        record_time_events(session, day, due_soon_offsets(session))  # not alongside a crawl's differ
        session.commit()
        added = enqueue_digests(session, service.config, day, period, now=now_)
    delivered = deliver_job(service)
    return JobResult(delivered.outcome, f"{added} tin nhắn mới vào hộp thư đi; {delivered.detail}")


def deliver_job(service: Service) -> JobResult:
    """Send what the outbox holds; a permanent failure makes the run 'failed' (the operator is told)."""
    from notifier.outbox import deliver_pending

    with service.sessions() as session:
        report = deliver_pending(session, service.channels(), service.clock(), config=service.config,
                                 should_stop=service.stopping.is_set)
    detail = (f"đã gửi {report.sent}, thử lại {report.retried}, lỗi {report.failed}, "
              f"giữ lại {report.held}, đang chờ {report.waiting}")
    return JobResult("failed" if report.failed else "ok", detail)


def bulletin_job(service: Service) -> JobResult:
    """Draft this week's bulletin into the output directory for the editors."""
    from notifier.bulletin.draft import draft_from_config, week_period

    year, week, _ = service.clock().astimezone(TIMEZONE).date().isocalendar()
    period = week_period(f"{year}-W{week:02d}")
    path = service.config.output_path() / "bulletin" / f"ban-tin-{period.label}.toml"
    with service.sessions() as session:
        draft = draft_from_config(session, service.config, period, path)
    return JobResult("ok", f"bản nháp {len(draft.items)} bài: {path}")


def housekeeping_job(service: Service) -> JobResult:
    """Prune raw pages past their retention and tell the operator about stale sources and Zalo tokens
    about to expire (the operator notice's daily period key sends each text once a day)."""
    from crawler.crawl import health_alerts
    from crawler.storage.documents import prune_raw_pages
    from notifier.outbox import notify_operator

    now_ = service.clock()
    cutoff = now_ - dt.timedelta(days=service.config.general.raw_page_retention_days)
    with service.sessions() as session:
        pruned = prune_raw_pages(session, cutoff)
        session.commit()
        stale = [a for a in health_alerts(session, service.config.sources, now_) if a.kind == "stale"]
        for alert in stale:
            notify_operator(session, service.config, alert.message, now_)
        tokens = zalo_token_warnings(service.config, now_)
        for warning in tokens:
            notify_operator(session, service.config, warning, now_)
    return JobResult("ok", f"đã xóa {pruned} trang thô cũ; {len(stale)} nguồn lâu không có tin mới; "
                           f"{len(tokens)} cảnh báo token Zalo")


def zalo_token_warnings(config: Config, now_: dt.datetime) -> list[str]:
    """Warnings about the Zalo OA's stored tokens when Zalo is configured (an app id is set)."""
    from crawler.config import secret
    from notifier.channels.zalo import ZALO_TOKEN_FILE, FileTokenStore, token_warnings

    settings = config.channels.zalo
    if not settings.app_id:
        return []
    path = config.output_path() / ZALO_TOKEN_FILE
    try:
        stored = FileTokenStore(path).load()
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"Không đọc được tệp token Zalo {path}: {short_error(exc)}"]
    if stored is None and secret(settings.access_token_env) and secret(settings.refresh_token_env):
        return []  # the environment's pair seeds the store at the first send; its expiry is unknown
    return token_warnings(stored, now_)
