"""Run a crawl in a subprocess and report per source; record and query source health.

Scrapy's reactor cannot be restarted inside a long-running process, so `run_crawl` starts
`python -m crawler.crawl_worker` and kills it at the time limit. The database is the hand-off: the
worker stores pages and documents (extracted_at NULL) and each source's outcome, and writes a JSON
report that becomes a `CrawlReport`. One bad source never stops the others; every failure is one line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from crawler.config import Config, SourceConfig, load_config
from crawler.crawl_extract import ExtractionPlan
from crawler.crawl_progress import ProgressReader, ProgressSink
from crawler.errors import ConfigError
from crawler.processes import ChildExit, ChildGroups, run_in_group
from crawler.storage.engine import make_engine, session_factory
from crawler.storage.service_state import SourceHealth, record_crawl, source_health

logger = logging.getLogger(__name__)

WORKER_MAIN = "import sys; from crawler.crawl_worker import main; sys.exit(main())"
"""The worker's entry, run with -c rather than -m: a main module without a spec is not imported again
into each of its document pool's processes (they then load only the readers and the extractor)."""

@dataclass(frozen=True)
class SourceOutcome:
    """How one source's crawl went: ok or failed (with a one-line reason), and what it fetched."""

    name: str
    ok: bool
    reason: str | None = None
    pages: int = 0
    bytes: int = 0
    new_documents: int = 0
    items_listed: int = 0
    warnings: tuple[str, ...] = ()
    empty_listing: bool = False
    alerts: tuple[str, ...] = ()
    extracted_documents: int = 0  # extracted beside the crawl (with an extraction plan)
    extracted_tasks: int = 0


@dataclass(frozen=True)
class CrawlReport:
    """The outcome of one crawl run, per source in config order."""

    sources: tuple[SourceOutcome, ...]
    started_at: dt.datetime
    finished_at: dt.datetime
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        """True when every source succeeded."""
        return all(outcome.ok for outcome in self.sources)

    @property
    def total_bytes(self) -> int:
        """Bytes received over all sources."""
        return sum(outcome.bytes for outcome in self.sources)

    @property
    def new_documents(self) -> int:
        """New documents (or versions) over all sources."""
        return sum(outcome.new_documents for outcome in self.sources)

    def outcome(self, name: str) -> SourceOutcome:
        """The outcome of the source called `name`."""
        return next(outcome for outcome in self.sources if outcome.name == name)


@dataclass(frozen=True)
class HealthAlert:
    """Something the operator must hear about a source: repeated failures or staleness."""

    source: str
    kind: str  # "failing", "stale" or "selector"
    message: str


def select_sources(config: Config, names: Sequence[str] | None) -> tuple[SourceConfig, ...]:
    """The enabled sources, or exactly the named ones (an unknown name is a ConfigError)."""
    if not names:
        return tuple(source for source in config.sources if source.enabled)
    by_name = {source.name: source for source in config.sources}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise ConfigError(f"không có nguồn tên: {', '.join(unknown)}")
    return tuple(by_name[name] for name in names)


def run_crawl(config: Config | str | Path, db_url: str, source_names: Sequence[str] | None = None,
              time_limit_s: int | None = None, children: ChildGroups | None = None,
              progress: ProgressSink | None = None, now: dt.datetime | None = None,
              extraction: ExtractionPlan | None = None) -> CrawlReport:
    """Crawl the chosen sources in one worker subprocess killed at `time_limit_s` (registered in
    `children` while it runs), passing each source's live counters to `progress` as the worker reports
    them; `now` (default: the real time) is when the crawl happens for the revisit schedule, so tests
    and benchmarks can crawl when known documents fall due; with `extraction` the worker extracts the
    stored documents' tasks beside the fetching (what it leaves is extracted by the pass after, as
    without). Never raises per source."""
    cfg = config if isinstance(config, Config) else load_config(config)
    sources = select_sources(cfg, source_names)
    limit = time_limit_s or cfg.general.crawl_time_limit_s
    started = dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory(prefix="dondoc-crawl-") as tmp:
        spec, report, log = Path(tmp, "spec.json"), Path(tmp, "report.json"), Path(tmp, "worker.log")
        spec.write_text(json.dumps(worker_spec(cfg, sources, extraction)), encoding="utf-8")
        command = [sys.executable, "-c", WORKER_MAIN, "--spec", str(spec), "--db", db_url,
                   "--report", str(report), "--time-limit", str(limit)]
        if now is not None:
            command += ["--now", now.astimezone(dt.UTC).isoformat()]
        tick = None
        if progress is not None:
            command += ["--progress", str(Path(tmp, "progress.jsonl"))]
            tick = ProgressReader(Path(tmp, "progress.jsonl"), progress).poll
        exit_ = run_in_group(command, log, limit, children, tick)
        failure = _worker_failure(exit_, log, limit)
        outcomes = _read_report(report) if report.exists() else {}
    finished = dt.datetime.now(dt.UTC)
    missing = [source for source in sources if source.name not in outcomes]
    if missing:
        _record_missing(db_url, missing, failure or "tiến trình thu thập dừng mà không báo cáo", finished)
    return CrawlReport(
        sources=tuple(outcomes.get(s.name) or SourceOutcome(s.name, False, failure) for s in sources),
        started_at=started, finished_at=finished, timed_out=exit_.killed,
    )


def worker_spec(config: Config, sources: Sequence[SourceConfig],
                extraction: ExtractionPlan | None = None) -> dict[str, Any]:
    """The config subset the worker needs (channels name the secrets it masks), as TOML-shaped data it
    validates again, and the extraction plan if any."""
    spec = {"general": dataclasses.asdict(config.general), "channels": dataclasses.asdict(config.channels),
            "sources": [dataclasses.asdict(source) for source in sources]}
    if extraction is not None:
        spec["extraction"] = {"as_of": extraction.as_of.isoformat(),
                              "units": [[name, list(aliases)] for name, aliases in extraction.units]}
    return spec


def _worker_failure(exit_: ChildExit, log: Path, limit: int) -> str | None:
    """A one-line reason if the worker was killed at its time limit or crashed, else None."""
    if exit_.killed:
        logger.warning("crawl worker killed at its time limit (%d s)", limit)
        return f"quá thời gian thu thập ({limit} giây), tiến trình đã bị dừng"
    if exit_.returncode != 0:
        text = log.read_text(encoding="utf-8", errors="replace")
        lines = [line for line in text.splitlines() if line.strip()] or ["không có nhật ký"]
        logger.error("crawl worker failed (exit %d); log tail: %s", exit_.returncode, "\n".join(lines[-20:]))
        return f"tiến trình thu thập lỗi (mã {exit_.returncode}): {lines[-1]}"
    return None


def _read_report(path: Path) -> dict[str, SourceOutcome]:
    """The worker's JSON report as outcomes by source name."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {
        entry["name"]: SourceOutcome(**{**entry, "warnings": tuple(entry.get("warnings", ())),
                                        "alerts": tuple(entry.get("alerts", ()))})
        for entry in raw
    }


def _record_missing(db_url: str, sources: Sequence[SourceConfig], reason: str, now: dt.datetime) -> None:
    """Record a failure for sources the worker never reported (killed or crashed)."""
    sessions = session_factory(make_engine(db_url))
    with sessions() as session:
        for source in sources:
            record_outcome(session, source, SourceOutcome(source.name, False, reason), now)
        session.commit()


def record_outcome(session: Session, source: SourceConfig, outcome: SourceOutcome,
                   now: dt.datetime) -> HealthAlert | None:
    """Update a source's health (last success or failure, consecutive failures, items, last new item);
    returns a "selector" alert when a list that had items last run now parses to none."""
    before = record_crawl(session, source.name, source.family, source.start_url, ok=outcome.ok,
                          error=outcome.reason, items_listed=outcome.items_listed,
                          found_new=bool(outcome.new_documents), now=now, warning=warning_line(outcome))
    if not (outcome.empty_listing and before > 0):
        return None
    return HealthAlert(source.name, "selector",
                       f"Nguồn {source.name}: trang danh sách không còn mục nào dù lần trước có "
                       f"{before} (bộ chọn trong hồ sơ trang có thể đã lỗi thời): {outcome.reason}")


def warning_line(outcome: SourceOutcome) -> str | None:
    """A source's warnings in one line (the first, and how many more), or None."""
    if not outcome.warnings:
        return None
    more = len(outcome.warnings) - 1
    return outcome.warnings[0] + (f" (và {more} cảnh báo khác)" if more else "")


def health_alerts(session: Session, sources: Sequence[SourceConfig],
                  now: dt.datetime) -> tuple[HealthAlert, ...]:
    """Alerts for sources failing N times in a row or with no new item for longer than their limit."""
    alerts = []
    rows = source_health(session)
    for source in sources:
        row = rows.get(source.name)
        if row is None:
            continue
        if row.consecutive_failures >= source.failures_before_alert:
            alerts.append(HealthAlert(source.name, "failing",
                                      f"Nguồn {source.name} lỗi {row.consecutive_failures} lần liên tiếp: "
                                      f"{row.last_error}"))
        quiet = stale_days(row, source, now)
        if quiet is not None:
            alerts.append(HealthAlert(source.name, "stale",
                                      f"Nguồn {source.name} không có tin mới trong {quiet} ngày "
                                      f"(ngưỡng {source.stale_after_days} ngày)"))
    return tuple(alerts)


def stale_days(row: SourceHealth, source: SourceConfig, now: dt.datetime) -> int | None:
    """Days without a new item (or success) when longer than the source's stale_after_days, else None."""
    since = row.last_item_at or row.last_success_at
    if since is None or now - since <= dt.timedelta(days=source.stale_after_days):
        return None
    return (now - since).days
