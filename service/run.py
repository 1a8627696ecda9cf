"""`dondoc run`: hold the instance lock, schedule the jobs, serve /healthz and /metrics, answer the
Telegram bot (polling), serve the bot webhooks and the web application if asked, and stop cleanly on
SIGTERM/SIGINT."""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from crawler.config import Config
from crawler.processes import reap_groups
from service.context import TIMEZONE, now, open_session, safe_url
from service.health import start_health_server
from service.jobs import JobSpec, Service, record_next_runs, stored_next_runs
from service.locks import acquire_lock
from service.triggers import first_run_time

if TYPE_CHECKING:
    from notifier.telegram_bot import PollingThread
    from service.http_server import RunningServer

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
    polling = start_telegram_polling(service) if service.config.service.telegram_polling else None
    servers = start_servers(service)
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
    if polling is not None:
        polling.stop()
    for server in servers:
        server.stop()
    service.engine.dispose()
    if not idle:
        log.warning("jobs still running at the stop timeout were abandoned: %s", sorted(service.in_flight))
        logging.shutdown()
        os._exit(0)  # the outbox and the database make abandoning safe; do not wait for stuck threads
    return 0


def start_telegram_polling(service: Service) -> PollingThread:
    """Answer the Telegram bot in a thread until the service stops ([service] telegram_polling); a bot
    token Telegram refuses stops polling only, and the operator is told."""
    from notifier.telegram_bot import PollingThread
    from service.cli_bot import telegram_application

    def told(exc: Exception) -> None:
        """Tell the operator why the bot stopped answering."""
        from notifier.outbox import notify_operator

        with service.sessions() as session:
            notify_operator(session, service.config, f"Bot Telegram ngừng trả lời: {exc}", service.clock())

    polling = PollingThread(telegram_application(service.config, service.sessions), told)
    polling.start()
    return polling


def start_servers(service: Service) -> list[RunningServer]:
    """The HTTP servers of `dondoc run`: the bot webhooks ([service] webhook_port) and the web
    application ([web] enabled), each on its port."""
    from service.http_server import start_server, web_app_for, webhook_app_for

    settings, web = service.config.service, service.config.web
    servers = []
    if settings.webhook_port:
        servers.append(start_server(webhook_app_for(service.config, service.sessions), settings.webhook_host,
                                    settings.webhook_port, what="webhook Telegram và Zalo"))
    if web.enabled:
        servers.append(start_server(web_app_for(service.config, service.engine, https_only=web.https_only),
                                    web.host, web.port, what="trang web dondoc"))
    return servers


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
