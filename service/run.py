"""`dondoc run`: hold the instance lock, schedule the jobs, serve /healthz and /metrics, answer the
Telegram bot (polling) and the bot webhooks if asked, and stop cleanly on SIGTERM/SIGINT."""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from crawler.config import Config
from crawler.errors import ConfigError
from crawler.processes import reap_groups
from service.context import TIMEZONE, now, open_session, output_dir, safe_url
from service.health import start_health_server
from service.jobs import JobSpec, Service, record_next_runs, stored_next_runs
from service.locks import acquire_lock
from service.triggers import first_run_time

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from service.webhook_server import RunningServer

log = logging.getLogger("dondoc")

CHILD_STOP_GRACE_S = 5

JobTable = Callable[[Service], list[JobSpec]]
"""The jobs a service runs, built for that service (scheduler.job_specs)."""


def run_service(config: Config, job_table: JobTable, *, wait_for_lock: bool = False,
                clock: Callable[[], dt.datetime] = now) -> int:
    """`dondoc run`: hold the instance lock, schedule every job, serve /healthz, stop cleanly on a signal."""
    from crawler.storage.recipients import sync_config
    from crawler.storage.units import default_directory

    url = config.database_url()
    lock = acquire_lock(url, "run", wait_for_lock)
    log.info("service starting on %s (%s)", safe_url(url), lock.description)
    try:
        with open_session(url) as session:
            sync_config(session, config.units, config.recipients, default_directory())
            session.commit()
        return _serve(Service(config, clock), job_table)
    finally:
        lock.release()
        log.info("service stopped")


def _serve(service: Service, job_table: JobTable) -> int:
    """Run the scheduler until a stop signal, then finish or abandon the jobs in flight."""
    from notifier.outbox import recover_interrupted

    with service.sessions() as session:
        recovered = recover_interrupted(session, service.clock())
    if recovered:
        log.info("%d outbox messages left sending by the last run are due again", recovered)
    scheduler = schedule_jobs(service, job_table(service))
    health = start_health_server(service)
    if service.config.service.telegram_polling:
        start_telegram_polling(service)
    webhooks = start_webhooks(service) if service.config.service.webhook_port else None
    stop = threading.Event()
    install_stop_handlers(stop.set)
    scheduler.start(paused=True)  # jobs get their run times; none runs before they are recorded
    record_next_runs(service, [job.id for job in scheduler.get_jobs()])
    scheduler.resume()
    while not stop.wait(1.0):
        pass
    log.info("stop requested: finishing the jobs in flight")
    service.stopping.set()
    scheduler.shutdown(wait=False)
    groups = service.stop_children()
    idle = service.wait_idle(service.config.service.stop_timeout_s)
    reap_groups(groups, CHILD_STOP_GRACE_S)
    if health is not None:
        health.shutdown()
    if webhooks is not None:
        webhooks.stop()
    service.engine.dispose()
    if not idle:
        log.warning("jobs still running at the stop timeout were abandoned: %s", sorted(service.in_flight))
        logging.shutdown()
        os._exit(0)  # the outbox and the database make abandoning safe; do not wait for stuck threads
    return 0


def telegram_poller(config: Config, sessions: sessionmaker[Session],
                    stopping: threading.Event) -> Callable[[], None]:
    """A function answering the Telegram bot (/start CODE, task lists) by long polling until `stopping`
    is set; a missing token is a ConfigError now, not at the first poll."""
    from crawler.config import secret
    from notifier.onboarding import OffsetStore, poll_telegram

    settings = config.channels.telegram
    token = secret(settings.token_env)
    if not token:
        raise ConfigError(f"thiếu token Telegram trong biến môi trường {settings.token_env}")
    offsets = OffsetStore(output_dir(config) / "telegram-offset.json")

    def pause(seconds: float) -> None:
        """Back off after a network error, waking at once on stop."""
        stopping.wait(seconds)

    def poll() -> None:
        """Poll until stopped."""
        poll_telegram(sessions, token, settings.api_base, offsets, should_stop=stopping.is_set, sleep=pause)

    return poll


def start_telegram_polling(service: Service) -> None:
    """Answer the Telegram bot in a daemon thread until the service stops ([service] telegram_polling)."""
    poll = telegram_poller(service.config, service.sessions, service.stopping)

    def guarded() -> None:
        """Poll; an unexpected error is logged and ends polling only, never the service."""
        try:
            poll()
        except Exception:
            log.exception("telegram polling stopped")

    threading.Thread(target=guarded, name="dondoc-telegram", daemon=True).start()
    log.info("telegram polling started")


def start_webhooks(service: Service) -> RunningServer:
    """Serve the bot webhooks beside the jobs ([service] webhook_host, webhook_port)."""
    from service.webhook_server import start_webhook_server, webhook_app_for

    settings = service.config.service
    app = webhook_app_for(service.config, service.sessions)
    return start_webhook_server(app, settings.webhook_host, settings.webhook_port)


def schedule_jobs(service: Service, specs: Sequence[JobSpec]) -> Any:
    """A background scheduler (in-memory store, Asia/Ho_Chi_Minh) with every job added by explicit id."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.background import BackgroundScheduler

    config = service.config
    scheduler = BackgroundScheduler(
        timezone=TIMEZONE,
        executors={"default": ThreadPoolExecutor(max_workers=min(len(specs) + 2, 20))},
        job_defaults={"coalesce": True, "max_instances": 1,
                      "misfire_grace_time": config.service.misfire_grace_s},
    )
    service.next_run = lambda job_id: _next_run_of(scheduler, job_id)
    stored = stored_next_runs(service)
    now_ = service.clock()
    for spec in specs:
        start = first_run_time(spec, stored.get(spec.job_id), now_)
        extra = {} if start is None else {"next_run_time": start}
        scheduler.add_job(service.run_job, spec.trigger, args=(spec.job_id, spec.work), id=spec.job_id,
                          name=spec.job_id, replace_existing=True, **extra)
        log.info("job scheduled", extra={"job_id": spec.job_id})
    return scheduler


def _next_run_of(scheduler: Any, job_id: str) -> dt.datetime | None:
    """The next run time APScheduler holds for a job (None once it is gone or the scheduler stopped)."""
    job = scheduler.get_job(job_id)
    return job.next_run_time if job is not None else None


def install_stop_handlers(stop: Callable[[], None]) -> None:
    """Stop cleanly on SIGTERM and SIGINT; the handler only sets a flag, the main thread does the rest."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _signum, _frame: stop())
