"""The operator's "crawl this source now" requests: queued by the web application, then started and
finished by its runner through the service's crawl job."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import overload

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.storage.schema import CrawlRequest
from crawler.storage.tasks import TIMEZONE


@dataclass(frozen=True)
class QueuedCrawl:
    """A crawl request as the operator page shows it."""

    id: int
    job_id: str
    source: str
    requested_by: str
    requested_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    outcome: str | None
    detail: str | None


def _view(row: CrawlRequest) -> QueuedCrawl:
    """The record of a row, its times in Asia/Ho_Chi_Minh."""
    return QueuedCrawl(row.id, row.job_id, row.source, row.requested_by, _local(row.requested_at),
                       _local(row.started_at), _local(row.finished_at), row.outcome, row.detail)


@overload
def _local(moment: dt.datetime) -> dt.datetime: ...
@overload
def _local(moment: None) -> None: ...
def _local(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored instant in Asia/Ho_Chi_Minh."""
    return moment.astimezone(TIMEZONE) if moment is not None else None


def queue_crawl(session: Session, job_id: str, source: str, by: str,
                at: dt.datetime) -> tuple[QueuedCrawl, bool]:
    """Queue a crawl of a job unless one is waiting or running already; (the request, whether new)."""
    waiting = session.scalars(select(CrawlRequest).where(CrawlRequest.job_id == job_id,
                                                         CrawlRequest.finished_at.is_(None))).first()
    if waiting is not None:
        return _view(waiting), False
    row = CrawlRequest(job_id=job_id, source=source, requested_by=by, requested_at=at)
    session.add(row)
    session.flush()
    return _view(row), True


def take_next(session: Session, at: dt.datetime) -> QueuedCrawl | None:
    """The oldest request not started yet, marked started now."""
    row = session.scalars(select(CrawlRequest).where(CrawlRequest.started_at.is_(None))
                          .order_by(CrawlRequest.id)).first()
    if row is None:
        return None
    row.started_at = at
    session.flush()
    return _view(row)


def finish(session: Session, request_id: int, at: dt.datetime, outcome: str, detail: str) -> None:
    """Record how a request's crawl ended."""
    row = session.get_one(CrawlRequest, request_id)
    row.finished_at, row.outcome, row.detail = at, outcome, detail[:1000]
    session.flush()


def settle_interrupted(session: Session, at: dt.datetime, detail: str) -> int:
    """Mark the requests started but never finished (their process stopped) abandoned; how many."""
    rows = session.scalars(select(CrawlRequest).where(CrawlRequest.started_at.is_not(None),
                                                      CrawlRequest.finished_at.is_(None))).all()
    for row in rows:
        row.finished_at, row.outcome, row.detail = at, "abandoned", detail
    session.flush()
    return len(rows)


def pending(session: Session) -> bool:
    """Whether some request waits to be started."""
    waiting = select(CrawlRequest.id).where(CrawlRequest.started_at.is_(None))
    return session.scalars(waiting).first() is not None


def recent_requests(session: Session, limit: int = 10) -> list[QueuedCrawl]:
    """The latest requests, newest first."""
    rows = session.scalars(select(CrawlRequest).order_by(CrawlRequest.id.desc()).limit(limit))
    return [_view(row) for row in rows]
