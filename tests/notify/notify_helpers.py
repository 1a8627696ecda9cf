"""Sample data builders shared by the notifier tests (tracked tasks, events, stored tasks, documents)
and the webhook server they talk to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, sessionmaker

from crawler.config import Config
from crawler.models import Deadline, Precision
from crawler.storage.schema import Document, Task, TaskEvent
from crawler.storage.tasks import (
    EventKind,
    TaskEventRecord,
    TrackedTask,
    index_by_unit,
    load_tasks,
    tasks_for_units,
)
from crawler.storage.units import UnitDirectory, unit_resolver
from notifier.channels.base import Channel

AS_OF = dt.date(2025, 10, 1)


def view(
    task_id: int,
    due: dt.date | None,
    *,
    action: str = "Triển khai nhiệm vụ",
    lead: tuple[str, ...] = ("Sở Tài chính",),
    support: tuple[str, ...] = (),
    status: str | None = None,
    raw: str | None = None,
    precision: Precision = Precision.DAY,
    listed: bool = True,
) -> TrackedTask:
    """A tracked task with sensible defaults, for digest tests."""
    return TrackedTask(
        id=task_id,
        action=action,
        lead=lead,
        support=support,
        deadline=Deadline(raw=raw, due=due, precision=precision if due else Precision.NONE),
        status=status,
        documents=("46-TB/TGV",),
        document_url=f"http://127.0.0.1/vb?docid={task_id}",
        listed=listed,
    )


def tasks_for_unit(session: Session, unit: str, directory: UnitDirectory | None = None) -> list[TrackedTask]:
    """The tasks concerning one unit, as digests pick them."""
    resolver = unit_resolver(session, directory)
    return tasks_for_units(index_by_unit(load_tasks(session), resolver), [unit], resolver)


def event(task_id: int, kind: str, on: dt.date) -> TaskEventRecord:
    """A change event of a task on a day, for digest tests."""
    return TaskEventRecord(task_id, EventKind(kind), "", on)


def add_task(
    session: Session,
    identity: str,
    action: str,
    lead: list[str],
    due: dt.date | None,
    *,
    support: list[str] | None = None,
    document: Document | None = None,
    status: str | None = None,
    raw: str | None = None,
    new_on: dt.date | None = None,
) -> Task:
    """Insert a task (and optionally its "new" event) the way the differ would."""
    task = Task(
        identity=identity,
        document_id=document.id if document else None,
        action=action,
        lead=lead,
        support=support or [],
        source_refs=[document.number] if document and document.number else [],
        deadline_raw=raw,
        due=due,
        precision="day" if due else "none",
        status=status,
        first_seen=new_on or dt.date(2025, 9, 1),
        last_seen=new_on or dt.date(2025, 9, 1),
    )
    session.add(task)
    session.flush()
    if new_on is not None:
        session.add(TaskEvent(task_id=task.id, kind="new", key="", on=new_on, detail={}))
    return task


def add_document(session: Session, number: str, url: str) -> Document:
    """Insert a source document."""
    doc = Document(
        url=url,
        kind="directive",
        number=number,
        text="",
        text_hash="0" * 64,
        created_at=dt.datetime(2025, 9, 30, tzinfo=dt.UTC),
    )
    session.add(doc)
    session.flush()
    return doc


@contextmanager
def webhook(
    config: Config, sessions: sessionmaker[Session], channels: dict[str, Channel], now: dt.datetime
) -> Iterator[str]:
    """The production webhook server (`dondoc bot webhook`) on a free loopback port, its clock at `now`;
    yields its base URL."""
    from notifier.webhooks import webhook_app
    from service.http_server import start_server

    app = webhook_app(config, sessions, channels, clock=lambda: now)
    server = start_server(app, "127.0.0.1", 0, what="webhooks")
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()


@contextmanager
def polling_bot(sessions: sessionmaker[Session], token: str, api_base: str) -> Iterator[list[Exception]]:
    """The production Telegram bot (`dondoc bot poll`, `dondoc run`) polling `api_base` in its thread
    for the duration of the block; yields the errors that ended polling on its own."""
    from notifier.telegram_bot import PollingThread, build_application

    failures: list[Exception] = []
    polling = PollingThread(build_application(token, api_base, sessions), failures.append)
    polling.start()
    try:
        yield failures
    finally:
        polling.stop()
    assert not polling.thread.is_alive()
