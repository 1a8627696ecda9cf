"""Schedules -> APScheduler triggers: every job's trigger by explicit id, and when a job first runs."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from crawler.config import Config, SourceConfig
from crawler.errors import ConfigError
from service.context import TIMEZONE

if TYPE_CHECKING:
    from service.jobs import JobSpec


def cron_trigger(expression: str, key: str, config: Config) -> Any:
    """An APScheduler cron trigger from 5 fields, or 6 with seconds first; a bad one is a ConfigError."""
    from apscheduler.triggers.cron import CronTrigger

    parts = expression.split()
    try:
        if len(parts) == 6:
            second, minute, hour, day, month, weekday = parts
            return CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month,
                               day_of_week=weekday, timezone=TIMEZONE)
        return CronTrigger.from_crontab(expression, timezone=TIMEZONE)
    except ValueError as exc:
        raise ConfigError(
            f"{config.path or 'cấu hình'}: '{key}' không phải biểu thức cron hợp lệ: {expression!r} ({exc})"
        ) from exc


def source_trigger(source: SourceConfig, index: int, config: Config) -> Any:
    """A source's trigger: its cron when set, else interval_seconds, else interval_minutes."""
    from apscheduler.triggers.interval import IntervalTrigger

    if source.cron.strip():
        return cron_trigger(source.cron, f"sources[{index}].cron", config)
    if source.interval_seconds > 0:
        return IntervalTrigger(seconds=source.interval_seconds, timezone=TIMEZONE)
    return IntervalTrigger(minutes=max(source.interval_minutes, 1), timezone=TIMEZONE)


def job_triggers(config: Config) -> dict[str, Any]:
    """Every job's trigger by explicit id; a bad schedule is a ConfigError before anything runs."""
    from apscheduler.triggers.interval import IntervalTrigger

    triggers = {job_id: source_trigger(sources[0], config.sources.index(sources[0]), config)
                for job_id, sources in crawl_jobs(config).items()}
    schedules = config.schedules
    for job_id, key, cron in (
        ("digest:daily", "schedules.daily_digest", schedules.daily_digest),
        ("digest:weekly", "schedules.weekly_digest", schedules.weekly_digest),
        ("bulletin:draft", "schedules.bulletin_draft", schedules.bulletin_draft),
        ("housekeeping", "schedules.housekeeping", schedules.housekeeping),
    ):
        if cron.strip():
            triggers[job_id] = cron_trigger(cron, key, config)
    if schedules.delivery_interval_seconds > 0:
        triggers["deliver"] = IntervalTrigger(seconds=schedules.delivery_interval_seconds, timezone=TIMEZONE)
    return triggers


def crawl_jobs(config: Config) -> dict[str, tuple[SourceConfig, ...]]:
    """The crawl jobs: `crawl:<source>` per enabled source, or `crawl-group:<group>` for the sources
    sharing a `group` (crawled together, on the schedule of the group's first source)."""
    jobs: dict[str, list[SourceConfig]] = {}
    for source in config.sources:
        if source.enabled:
            job_id = f"crawl-group:{source.group}" if source.group else f"crawl:{source.name}"
            jobs.setdefault(job_id, []).append(source)
    return {job_id: tuple(sources) for job_id, sources in jobs.items()}


def first_run_time(spec: JobSpec, stored: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    """When a job first runs: at once if a run was missed while stopped (once, coalesced) or if it is
    a crawl never run; else the earlier of the stored next run and the trigger's; None = the trigger's."""
    if stored is not None and stored <= now:
        return now
    planned = spec.trigger.get_next_fire_time(None, now)
    if stored is not None:
        return min(stored, planned) if planned is not None else stored
    return now if spec.run_at_start else None
