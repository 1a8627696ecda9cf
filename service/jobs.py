"""The job runner: the running service's shared state, one recorded run per job (start, outcome,
counters and next run in service_jobs), and the stop of the crawl subprocesses in flight."""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crawler.config import Config
from crawler.processes import ChildGroups, signal_groups
from service.context import short_error

if TYPE_CHECKING:
    from notifier.channels.base import Channel

log = logging.getLogger("dondoc")

OUTCOME_LABELS = {
    "ok": "thành công",
    "failed": "lỗi",
    "timeout": "quá thời gian",
    "abandoned": "bỏ dở khi dừng",
    "running": "đang chạy",
}


@dataclass(frozen=True)
class JobResult:
    """How one job run ended: ok, failed, timeout or abandoned, with a one-line detail."""

    outcome: str
    detail: str = ""


@dataclass(frozen=True)
class JobSpec:
    """A job the service schedules: explicit id, trigger, the work, and whether a first run is due at once."""

    job_id: str
    trigger: Any
    work: Callable[[], JobResult]
    run_at_start: bool = False


class Service:
    """The running service's shared state: config, clock, database, stop flag and jobs in flight."""

    def __init__(self, config: Config, clock: Callable[[], dt.datetime]) -> None:
        """Bind to the configured database; nothing runs until `run_service` schedules the jobs."""
        from crawler.storage.engine import make_engine, session_factory

        self.config = config
        self.url = config.database_url()
        self.clock = clock
        self.engine = make_engine(self.url)
        self.sessions = session_factory(self.engine)
        self.stopping = threading.Event()
        self.in_flight: set[str] = set()
        self.children = ChildGroups()
        self.guard = threading.Condition()
        self.next_run: Callable[[str], dt.datetime | None] = lambda _job_id: None
        self._channels: dict[str, Channel] | None = None

    def pause(self, seconds: float) -> None:
        """Wait as a channel asks (Telegram's retry_after), waking at once when the service stops."""
        self.stopping.wait(seconds)

    def channels(self) -> dict[str, Channel]:
        """The delivery channels, built once per service run (their setup problems are logged once)."""
        from notifier.channels.factory import create_channels

        with self.guard:
            if self._channels is None:
                self._channels = create_channels(self.config, sessions=self.sessions, clock=self.clock,
                                                 sleep=self.pause)
            return self._channels

    def run_job(self, job_id: str, work: Callable[[], JobResult]) -> None:
        """Run one job: record its start and outcome, log one line each; a failure never escapes."""
        if self.stopping.is_set():
            return
        with self.guard:
            self.in_flight.add(job_id)
        try:
            self._run_recorded(job_id, work)
        except Exception:  # bookkeeping failed (database down): log it, keep the service alive
            log.exception("job bookkeeping failed", extra={"job_id": job_id})
        finally:
            with self.guard:
                self.in_flight.discard(job_id)
                self.guard.notify_all()

    def _run_recorded(self, job_id: str, work: Callable[[], JobResult]) -> None:
        """Record the start, run the work, record and log the outcome."""
        started = self.clock()
        record_job_start(self, job_id, started)
        log.info("job started", extra={"job_id": job_id})
        try:
            result = work()
        except Exception as exc:  # one failing job must not stop the service
            log.exception("job crashed", extra={"job_id": job_id})
            result = JobResult("failed", short_error(exc))
        if self.stopping.is_set() and result.outcome != "ok":
            result = JobResult("abandoned", result.detail)
        duration = round((self.clock() - started).total_seconds(), 3)
        record_job_end(self, job_id, result, self.clock())
        level = logging.INFO if result.outcome == "ok" else logging.WARNING
        log.log(level, "job finished: %s", result.detail or result.outcome,
                extra={"job_id": job_id, "outcome": result.outcome, "duration_s": duration})

    def stop_children(self) -> list[int]:
        """Ask every crawl worker in flight to stop (SIGTERM to its process group); return the groups
        for `reap_groups`."""
        groups = self.children.groups()
        signal_groups(groups, signal.SIGTERM)
        return groups

    def wait_idle(self, timeout_s: float) -> bool:
        """Wait until no job is in flight; False when some are still running after `timeout_s`."""
        with self.guard:
            return self.guard.wait_for(lambda: not self.in_flight, timeout=timeout_s)


def record_job_start(service: Service, job_id: str, started: dt.datetime) -> None:
    """Mark a job running in service_jobs (so `dondoc status` shows it in flight)."""
    from crawler.storage import service_state

    with service.sessions() as session:
        service_state.record_job_start(session, job_id, started)
        session.commit()


def record_job_end(service: Service, job_id: str, result: JobResult, finished: dt.datetime) -> None:
    """Record a job's outcome, its counters and its next run time; once the scheduler has stopped
    there is none, and the stored one (the run that just ended) stays, so a restart runs it again."""
    from crawler.storage import service_state

    error = None if result.outcome == "ok" else result.detail[:1000]
    with service.sessions() as session:
        service_state.record_job_end(session, job_id, result.outcome, error, finished,
                                     service.next_run(job_id))
        session.commit()


def record_next_runs(service: Service, job_ids: Sequence[str]) -> None:
    """Store every job's next run time (at start, so `dondoc status` and a restart can see it)."""
    from crawler.storage import service_state

    with service.sessions() as session:
        service_state.record_next_runs(session, {job_id: service.next_run(job_id) for job_id in job_ids})
        session.commit()


def stored_next_runs(service: Service) -> dict[str, dt.datetime]:
    """The next run times the previous service run stored, by job id (UTC-aware)."""
    from crawler.storage import service_state

    with service.sessions() as session:
        return service_state.stored_next_runs(session)
