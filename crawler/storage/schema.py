"""SQLAlchemy 2 typed tables: the database is the hand-off between crawl subprocesses and the service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Every timestamp column: stored as UTC, read back as an aware UTC datetime on any database.

    PostgreSQL keeps the instant (timestamptz); SQLite keeps the wall time only, so values are
    converted to UTC before they are written and marked UTC when read. A naive value is taken as UTC,
    as the stored naive values always were; comparisons in queries convert their operands the same way.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """The value as written: in UTC."""
        return None if value is None else as_utc(value)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """The value as read: aware, in UTC."""
        return None if value is None else as_utc(value)


def as_utc(moment: dt.datetime) -> dt.datetime:
    """An aware datetime in UTC; a naive one is taken to be UTC already."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base shared by every dondoc table."""


class Source(Base):
    """A site or feed from the config, with its crawl health."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    family: Mapped[str] = mapped_column(String(40))
    start_url: Mapped[str] = mapped_column(Text)
    outlet: Mapped[str | None] = mapped_column(Text)  # the outlet's name as bulletins credit it
    last_success_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    last_failure_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_item_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    items_last_run: Mapped[int] = mapped_column(Integer, default=0)
    last_warning: Mapped[str | None] = mapped_column(Text)  # of the last crawl; None when it had none


class Page(Base):
    """Raw fetched content, stored once per (url, content hash), with fetch metadata for refetching."""

    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("url", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    url: Mapped[str] = mapped_column(Text, index=True)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[int] = mapped_column(Integer)
    etag: Mapped[str | None] = mapped_column(String(400))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    fetched_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    checked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())  # last 200 or 304 for the URL


class Document(Base):
    """A document's clean text and metadata; a changed page yields a new version of the same URL."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("url", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id"))
    url: Mapped[str] = mapped_column(Text, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[str | None] = mapped_column(String(100), index=True)
    issuer: Mapped[str | None] = mapped_column(Text)
    issued: Mapped[dt.date | None] = mapped_column(Date)
    published_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    title: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(200))
    section: Mapped[str | None] = mapped_column(Text)  # an article's section on its outlet
    signer: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64), index=True)  # republished copies are found by it
    needs_ocr: Mapped[bool] = mapped_column(Boolean, default=False)
    ocr_confidence: Mapped[float | None] = mapped_column(Float)  # set once a scan's text was OCR'd
    ocr_error: Mapped[str | None] = mapped_column(Text)  # why a scan's OCR failed (Vietnamese)
    ocr_pages: Mapped[list[int] | None] = mapped_column(JSON)  # first text line of each scanned page
    tables: Mapped[list[Any] | None] = mapped_column(JSON)  # cells of its tables (storage.tablecells)
    extracted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class Unit(Base):
    """A body that receives tasks (Bộ, Sở, UBND…), by canonical name."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    aliases: Mapped[list[UnitAlias]] = relationship(back_populates="unit", cascade="all, delete-orphan")


class UnitAlias(Base):
    """Another spelling or abbreviation of a unit's name, normalized for matching."""

    __tablename__ = "unit_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(String(300), unique=True)
    unit: Mapped[Unit] = relationship(back_populates="aliases")


class Task(Base):
    """A tracked task: its identity links every sighting of the same work across documents and runs."""

    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    identity: Mapped[str] = mapped_column(String(64), unique=True)
    lead_key: Mapped[str] = mapped_column(Text, default="")
    action_key: Mapped[str] = mapped_column(Text, default="")
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    action: Mapped[str] = mapped_column(Text)
    lead: Mapped[list[str]] = mapped_column(JSON, default=list)
    support: Mapped[list[str]] = mapped_column(JSON, default=list)
    source_refs: Mapped[list[str]] = mapped_column(JSON, default=list)
    deadline_raw: Mapped[str | None] = mapped_column(Text)
    due: Mapped[dt.date | None] = mapped_column(Date, index=True)
    due_time: Mapped[str | None] = mapped_column(String(5))
    precision: Mapped[str] = mapped_column(String(20))
    status: Mapped[str | None] = mapped_column(String(30))
    required_result: Mapped[str] = mapped_column(Text, default="")
    line: Mapped[int] = mapped_column(Integer, default=0)
    char_start: Mapped[int] = mapped_column(Integer, default=0)
    char_end: Mapped[int] = mapped_column(Integer, default=0)
    listed: Mapped[bool] = mapped_column(Boolean, default=True)
    first_seen: Mapped[dt.date] = mapped_column(Date)
    last_seen: Mapped[dt.date] = mapped_column(Date)


class TaskRef(Base):
    """A source document number a task was assigned by (normalized): how later sightings find it."""

    __tablename__ = "task_refs"
    __table_args__ = (UniqueConstraint("task_id", "ref_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    ref_key: Mapped[str] = mapped_column(String(200), index=True)


class TaskSighting(Base):
    """One document (version) that lists a task: how re-crawls tell which tasks a document dropped."""

    __tablename__ = "task_sightings"
    __table_args__ = (UniqueConstraint("task_id", "document_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    line: Mapped[int] = mapped_column(Integer, default=0)
    seen_on: Mapped[dt.date] = mapped_column(Date)


class TaskEvent(Base):
    """Something that happened to a task (new, deadline changed, due soon, overdue…) on a given day."""

    __tablename__ = "task_events"
    __table_args__ = (UniqueConstraint("task_id", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    key: Mapped[str] = mapped_column(String(100), default="")
    on: Mapped[dt.date] = mapped_column(Date, index=True)
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


class Recipient(Base):
    """A person or office that receives digests, through one or more channel addresses."""

    __tablename__ = "recipients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    origin: Mapped[str] = mapped_column(String(10), default="config")
    due_soon_days: Mapped[list[int]] = mapped_column(JSON, default=lambda: [7, 3, 1])
    digests: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["daily", "weekly"])
    addresses: Mapped[list[ChannelAddress]] = relationship(
        back_populates="recipient", cascade="all, delete-orphan"
    )


class ChannelAddress(Base):
    """Where a recipient is reached on one channel (Telegram chat id, Zalo user id, email, file path)."""

    __tablename__ = "channel_addresses"
    __table_args__ = (UniqueConstraint("recipient_id", "channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    origin: Mapped[str] = mapped_column(String(10), default="config")
    last_interaction_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    recipient: Mapped[Recipient] = relationship(back_populates="addresses")


class Subscription(Base):
    """A recipient follows a unit's tasks."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("recipient_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    origin: Mapped[str] = mapped_column(String(10), default="config")


class InviteCode(Base):
    """A one-time onboarding code: a unit head sends it to the bot, which records their chat id."""

    __tablename__ = "invite_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    recipient_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    used_channel: Mapped[str | None] = mapped_column(String(20))
    used_address: Mapped[str | None] = mapped_column(String(300))


class OutboxMessage(Base):
    """A message written before sending and marked sent only after the channel accepted it."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("recipients.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    period: Mapped[str] = mapped_column(String(40), default="")
    # a digest's task ids in item order, so "/xong N" finds item N of the digest the reader last got
    task_ids: Mapped[list[int] | None] = mapped_column(JSON(none_as_null=True))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class ServiceJob(Base):
    """A job of the scheduler service: its last run and outcome and its next run, for `dondoc status`."""

    __tablename__ = "service_jobs"

    job_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    next_run_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    last_started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    last_finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    last_outcome: Mapped[str | None] = mapped_column(String(20))
    last_error: Mapped[str | None] = mapped_column(Text)
    runs: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)


class WebUser(Base):
    """An account of the web application (editor or operator); the password only as its argon2 hash."""

    __tablename__ = "web_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class WebToken(Base):
    """A personal link's secret, stored as its SHA-256: a unit head's pages (unit) or a recipient's
    calendar feed (recipient); revocable and expiring."""

    __tablename__ = "web_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("recipients.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class TaskCorrection(Base):
    """An editor's correction of an extracted task (lead, support, deadline, action, a false task or a
    task the extractor missed), with who and when: its own row, applied over every later extraction."""

    __tablename__ = "task_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    field: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(Text)  # the corrected value as JSON text
    by: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class WebLoginFailure(Base):
    """A failed web login, kept for the login throttle's window so a restart does not reset it; the key
    is the client address or "name:<login name>"."""

    __tablename__ = "web_login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(250), index=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)


class CrawlRequest(Base):
    """An operator's "crawl this source now": queued, then started and finished by the web's runner
    through the service's crawl job."""

    __tablename__ = "crawl_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(200), index=True)
    source: Mapped[str] = mapped_column(String(200))
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    outcome: Mapped[str | None] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(Text)
