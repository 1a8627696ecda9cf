"""The service's own state: each scheduled job's runs and next run, each source's crawl health, and
the PostgreSQL advisory lock that keeps one `dondoc run` per database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from crawler.storage.schema import ServiceJob, Source


@dataclass(frozen=True)
class JobState:
    """One job's stored state, for `dondoc status` and /metrics."""

    job_id: str
    next_run_at: dt.datetime | None
    last_started_at: dt.datetime | None
    last_finished_at: dt.datetime | None
    last_outcome: str | None
    last_error: str | None
    runs: int
    failures: int


@dataclass(frozen=True)
class SourceHealth:
    """One source's stored crawl health."""

    name: str
    last_success_at: dt.datetime | None
    last_failure_at: dt.datetime | None
    last_error: str | None
    consecutive_failures: int
    last_item_at: dt.datetime | None
    items_last_run: int
    last_warning: str | None = None


def _job(session: Session, job_id: str) -> ServiceJob:
    """The stored row of a job, added (no runs yet) when missing."""
    row = session.get(ServiceJob, job_id)
    if row is None:
        row = ServiceJob(job_id=job_id, runs=0, failures=0)
        session.add(row)
    return row


def record_job_start(session: Session, job_id: str, started: dt.datetime) -> None:
    """Mark a job running."""
    row = _job(session, job_id)
    row.last_started_at, row.last_outcome = started, "running"


def record_job_end(session: Session, job_id: str, outcome: str, error: str | None, finished: dt.datetime,
                   next_run: dt.datetime | None) -> None:
    """Record a job's outcome and counters; the stored next run stays when `next_run` is None."""
    row = _job(session, job_id)
    row.last_finished_at, row.last_outcome, row.last_error = finished, outcome, error
    row.runs = (row.runs or 0) + 1
    row.failures = (row.failures or 0) + (0 if outcome == "ok" else 1)
    row.next_run_at = next_run or row.next_run_at


def record_next_runs(session: Session, next_runs: Mapping[str, dt.datetime | None]) -> None:
    """Store each job's next run time."""
    for job_id, moment in next_runs.items():
        _job(session, job_id).next_run_at = moment


def stored_next_runs(session: Session) -> dict[str, dt.datetime]:
    """The stored next run time of every job that has one, by job id."""
    rows = session.execute(select(ServiceJob.job_id, ServiceJob.next_run_at)).all()
    return {job_id: moment for job_id, moment in rows if moment is not None}


def job_states(session: Session) -> list[JobState]:
    """Every stored job's state, by job id."""
    return [
        JobState(r.job_id, r.next_run_at, r.last_started_at, r.last_finished_at, r.last_outcome,
                 r.last_error, r.runs or 0, r.failures or 0)
        for r in session.scalars(select(ServiceJob).order_by(ServiceJob.job_id))
    ]


def source_health(session: Session) -> dict[str, SourceHealth]:
    """Every stored source's crawl health, by source name."""
    return {
        r.name: SourceHealth(r.name, r.last_success_at, r.last_failure_at, r.last_error,
                             r.consecutive_failures or 0, r.last_item_at, r.items_last_run or 0,
                             r.last_warning)
        for r in session.scalars(select(Source))
    }


def record_crawl(session: Session, name: str, family: str, start_url: str, *, ok: bool, error: str | None,
                 items_listed: int, found_new: bool, now: dt.datetime, warning: str | None = None) -> int:
    """Update a source's health after one crawl; return how many items its listing had the run before."""
    row = session.scalars(select(Source).where(Source.name == name)).first()
    if row is None:
        row = Source(name=name, items_last_run=0, consecutive_failures=0)
        session.add(row)
    before = row.items_last_run or 0
    row.family, row.start_url, row.items_last_run = family, start_url, items_listed
    row.last_warning = warning
    if ok:
        row.last_success_at, row.consecutive_failures = now, 0
    else:
        row.last_failure_at, row.last_error = now, error
        row.consecutive_failures = (row.consecutive_failures or 0) + 1
    if found_new:
        row.last_item_at = now
    return before


def try_advisory_lock(connection: Connection, key: int) -> bool:
    """Take a session-level PostgreSQL advisory lock if it is free; False when another session holds it."""
    return bool(connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())


def advisory_lock(connection: Connection, key: int) -> None:
    """Wait for a session-level PostgreSQL advisory lock and take it."""
    connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})


def advisory_unlock(connection: Connection, key: int) -> None:
    """Release a session-level PostgreSQL advisory lock this connection holds."""
    connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
