"""The operator's "crawl this source now": the button queues a request (one per crawl job at a time)
and a background thread of the web application runs the queue through the service's own crawl job
(service.work.crawl_job under Service.run_job), so the run is recorded in service_jobs like a
scheduled one and the request answers at once."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Sequence

from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from crawler.config import Config, SourceConfig
from crawler.storage.crawl_requests import (
    QueuedCrawl,
    finish,
    pending,
    queue_crawl,
    settle_interrupted,
    take_next,
)
from service.jobs import JobResult, Service
from web.auth import csrf_ok, visitor
from web.pages import PageState, forbidden, to_login

log = logging.getLogger("dondoc")
INTERRUPTED = "trang web dừng giữa lúc thu thập; hãy bấm thu thập lại"


def job_of(config: Config, source: str) -> tuple[str, tuple[SourceConfig, ...]] | None:
    """The crawl job (id and sources) that crawls an enabled source: its own, or its group's."""
    from service.triggers import crawl_jobs

    return next(((job_id, sources) for job_id, sources in crawl_jobs(config).items()
                 if source in {s.name for s in sources}), None)


class CrawlRunner:
    """Runs the queued crawl requests one after another in one daemon thread."""

    def __init__(self, config: Config, sessions: sessionmaker[Session]) -> None:
        """Settle what a previous run of the application left: a crawl it was running is abandoned
        (its worker died with it), and requests still waiting are started."""
        self._config, self._sessions = config, sessions
        self._guard = threading.Lock()
        self._thread: threading.Thread | None = None
        with sessions() as session:
            settle_interrupted(session, dt.datetime.now(dt.UTC), INTERRUPTED)
            session.commit()
            waiting = pending(session)
        if waiting:
            self.wake()

    def wake(self) -> None:
        """Start the thread that drains the queue, unless it is running."""
        with self._guard:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._drain, name="dondoc-crawl-now", daemon=True)
                self._thread.start()

    def _drain(self) -> None:
        """Run each waiting request; an unexpected error ends this pass only, logged."""
        from service.context import now

        try:
            service = Service(self._config, now)
            while (request := self._next()) is not None:
                outcome, detail = self._run(service, request)
                with self._sessions() as session:
                    finish(session, request.id, dt.datetime.now(dt.UTC), outcome, detail)
                    session.commit()
        except Exception:
            log.exception("crawl-now runner stopped")

    def _next(self) -> QueuedCrawl | None:
        """The next waiting request, marked started."""
        with self._sessions() as session:
            request = take_next(session, dt.datetime.now(dt.UTC))
            session.commit()
        return request

    def _run(self, service: Service, request: QueuedCrawl) -> tuple[str, str]:
        """Crawl a request's job as the scheduler would; (outcome, detail)."""
        from crawler.storage.service_state import job_states
        from service.work import crawl_job

        found = job_of(self._config, request.source)
        if found is None:
            return "failed", f"nguồn {request.source} không còn trong cấu hình"
        job_id, sources = found
        with self._sessions() as session:
            if any(j.job_id == job_id and j.last_outcome == "running" for j in job_states(session)):
                return "skipped", "dịch vụ đang thu thập nguồn này"
        results: list[JobResult] = []

        def work() -> JobResult:
            """The crawl job, its result kept for the request."""
            results.append(crawl_job(service, sources))
            return results[-1]

        service.run_job(job_id, work)
        result = results[-1] if results else JobResult("failed", "lỗi khi thu thập, xem nhật ký dịch vụ")
        return result.outcome, result.detail


async def crawl_now(state: PageState, request: Request) -> Response:
    """Queue a crawl of the source the operator chose and start the runner (operators only)."""
    me = visitor(request)
    if not (me.staff or me.unit):
        return to_login(request)
    form = await request.form()
    if me.role != "operator" or not csrf_ok(request, form.get("csrf")):
        return forbidden(state, request)
    source = str(form.get("nguon", ""))
    runner = state.crawl_runner
    found = job_of(state.config, source) if state.config else None
    if runner is None or found is None:
        return state.render(request, "forbidden.html", status=404,
                            reason=f"Không có nguồn “{source[:100]}” đang bật trong cấu hình.")
    with state.sessions() as session:
        _, added = queue_crawl(session, found[0], source, me.name, dt.datetime.now(dt.UTC))
        session.commit()
    runner.wake()
    return RedirectResponse(f"/van-hanh?{'da-xep' if added else 'dang-cho'}=1#thu-thap", status_code=303)


def enabled_sources(config: Config | None) -> Sequence[str]:
    """The sources the operator page offers to crawl now."""
    return [s.name for s in config.sources if s.enabled] if config else []
