"""The outbox table: messages written before sending, claimed with a lease, marked with their outcome.

Every function here runs its statements in the caller's session; the caller commits (the delivery
loop commits each step on its own, see notifier.outbox).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from crawler.storage.recipients import UNLEARNED
from crawler.storage.schema import OutboxMessage


@dataclass(frozen=True)
class PlannedMessage:
    """A message ready to be written to the outbox: one part for one address (a digest's parts each
    carry the digest's task ids in item order)."""

    key: str
    channel: str
    address: str
    subject: str
    body: str
    html: str | None
    period: str
    task_ids: tuple[int, ...] | None = None


@dataclass(frozen=True)
class QueuedMessage:
    """A row waiting to be sent (pending, or sending under a lease), in outbox order."""

    id: int
    channel: str
    address: str
    next_attempt_at: dt.datetime | None


@dataclass(frozen=True)
class StoredMessage:
    """One outbox row as the delivery loop sends it."""

    id: int
    key: str
    channel: str
    address: str
    subject: str
    body: str
    html: str | None
    period: str
    attempts: int


AWAITING_ONBOARDING = "chờ người nhận đăng ký qua bot (dondoc invite)"

def write_planned(
    session: Session, recipient_id: int | None, planned: Sequence[PlannedMessage], now: dt.datetime
) -> int:
    """Insert the planned messages whose key is not in the outbox yet; return how many were added."""
    keys = [message.key for message in planned]
    existing = set(
        session.scalars(select(OutboxMessage.idempotency_key).where(OutboxMessage.idempotency_key.in_(keys)))
    )
    added = 0
    for message in planned:
        if message.key in existing:
            continue
        existing.add(message.key)
        waiting = message.address == UNLEARNED
        session.add(
            OutboxMessage(
                idempotency_key=message.key,
                recipient_id=recipient_id,
                channel=message.channel,
                address=message.address,
                subject=message.subject,
                body=message.body,
                body_html=message.html,
                period=message.period,
                task_ids=list(message.task_ids) if message.task_ids is not None else None,
                status="held" if waiting else "pending",
                last_error=AWAITING_ONBOARDING if waiting else None,
                attempts=0,
                created_at=now,
            )
        )
        added += 1
    return added


def release_awaiting(session: Session, recipient_id: int, channel: str, address: str) -> int:
    """Address a recipient's digests held until it onboarded on a channel to the learned address:
    the latest of each kind (daily, weekly, …), every message of it, is due now, older ones are
    superseded; return how many messages are due."""
    rows = session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.recipient_id == recipient_id,
            OutboxMessage.channel == channel,
            OutboxMessage.address == UNLEARNED,
            OutboxMessage.status == "held",
        )
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    ).all()
    latest: dict[str, tuple[str, dt.datetime]] = {}  # kind -> the (period, written at) of its newest digest
    due = 0
    for row in rows:
        kind = (row.period or "").split(":", 1)[0]
        row.address = address
        if latest.setdefault(kind, (row.period, row.created_at)) != (row.period, row.created_at):
            row.status, row.last_error = "superseded", "thay bằng bản nhắc mới hơn"
            continue
        row.status, row.last_error, row.next_attempt_at = "pending", None, None
        due += 1
    session.flush()
    return due


def awaiting_onboarding(session: Session) -> list[tuple[int, str, int]]:
    """(recipient id, channel, held messages) of the recipients whose address is not learned yet."""
    query = (
        select(OutboxMessage.recipient_id, OutboxMessage.channel, func.count())
        .where(OutboxMessage.address == UNLEARNED, OutboxMessage.status == "held")
        .group_by(OutboxMessage.recipient_id, OutboxMessage.channel)
    )
    return [(int(r or 0), str(c), int(n)) for r, c, n in session.execute(query).all()]


def latest_periods_before(session: Session, kind: str, current: str) -> dict[int, str]:
    """The latest period label of this kind ("daily:2025-10-01") queued before `current`, for every
    recipient that has one, in one grouped query."""
    query = (select(OutboxMessage.recipient_id, func.max(OutboxMessage.period))
             .where(OutboxMessage.period.like(f"{kind}:%"), OutboxMessage.period < current)
             .group_by(OutboxMessage.recipient_id))
    return {recipient: period for recipient, period in session.execute(query) if recipient is not None}


def last_digest_order(
    session: Session, recipient_ids: Sequence[int], channel: str, address: str
) -> tuple[int, ...] | None:
    """The task ids, in item order, of the latest digest sent to these recipients: the one sent to
    this chat if any, else the latest on any of their channels; None when none was sent."""
    query = (
        select(OutboxMessage.task_ids)
        .where(
            OutboxMessage.recipient_id.in_(list(recipient_ids)),
            OutboxMessage.status == "sent",
            OutboxMessage.task_ids.is_not(None),
        )
        .order_by(OutboxMessage.sent_at.desc(), OutboxMessage.id.desc())
        .limit(1)
    )
    here = query.where(OutboxMessage.channel == channel, OutboxMessage.address == address)
    found = session.scalar(here)
    if found is None:
        found = session.scalar(query)
    return None if found is None else tuple(int(task_id) for task_id in found)


def queued_keys(
    session: Session, channel: str, period: str, addresses: Sequence[str]
) -> list[tuple[str, str]]:
    """The (address, idempotency key) pairs already queued to these addresses for one channel and period."""
    rows = session.execute(
        select(OutboxMessage.address, OutboxMessage.idempotency_key).where(
            OutboxMessage.channel == channel,
            OutboxMessage.period == period,
            OutboxMessage.address.in_(list(addresses)),
        )
    )
    return [(address, key) for address, key in rows]


def requeue_sending(session: Session, now: dt.datetime) -> int:
    """Make every row left "sending" pending and due now; return how many."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "sending")
        .values(status="pending", next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def claim(session: Session, row_id: int, now: dt.datetime, lease: dt.timedelta) -> bool:
    """Take a due row for sending (pending, or sending with an expired lease); False if someone else did."""
    due = or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now)
    claimable = or_(
        and_(OutboxMessage.status == "pending", due), and_(OutboxMessage.status == "sending", due)
    )
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, claimable)
        .values(status="sending", attempts=OutboxMessage.attempts + 1, next_attempt_at=now + lease)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def queued(session: Session) -> list[QueuedMessage]:
    """Every row still to send (pending or sending), oldest first."""
    rows = session.execute(
        select(OutboxMessage.id, OutboxMessage.channel, OutboxMessage.address, OutboxMessage.next_attempt_at)
        .where(OutboxMessage.status.in_(("pending", "sending")))
        .order_by(OutboxMessage.id)
    ).all()
    return [QueuedMessage(*row) for row in rows]


def stored_message(session: Session, row_id: int) -> StoredMessage:
    """A row as it is now in the database (after the claim that changed it behind the session)."""
    row = session.get_one(OutboxMessage, row_id, populate_existing=True)
    return StoredMessage(row.id, row.idempotency_key, row.channel, row.address, row.subject, row.body,
                         row.body_html, row.period, row.attempts)


def mark(session: Session, row_id: int, status: str, error: str | None, *,
         next_attempt_at: dt.datetime | None = None, sent_at: dt.datetime | None = None,
         address: str | None = None) -> None:
    """Record a row's outcome: its status, error, next attempt, when it was sent and where it went."""
    row = session.get_one(OutboxMessage, row_id)
    row.status, row.last_error, row.next_attempt_at = status, error, next_attempt_at
    if sent_at is not None:
        row.sent_at = sent_at
    if address is not None:
        row.address = address


def readdress_unsent(session: Session, channel: str, old: str, new: str) -> None:
    """Point the rows not sent yet to a moved address."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.channel == channel, OutboxMessage.address == old, OutboxMessage.status != "sent")
        .values(address=new)
        .execution_options(synchronize_session=False)
    )


def fail_pending(session: Session, channel: str, address: str, error: str) -> None:
    """Mark every pending row to an address failed (the address is gone)."""
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.address == address,
            OutboxMessage.status == "pending",
        )
        .values(status="failed", last_error=error)
        .execution_options(synchronize_session=False)
    )


def release_held(session: Session, channel: str, address: str, created_since: dt.datetime) -> int:
    """Make the held rows to an address, created since a time, due again; return how many."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.address == address,
            OutboxMessage.status == "held",
            OutboxMessage.created_at >= created_since,
        )
        .values(status="pending", next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def status_counts(session: Session) -> dict[str, int]:
    """How many outbox messages are in each status."""
    query = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    return {str(status): int(count) for status, count in session.execute(query).all()}
