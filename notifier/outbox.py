"""The outbox: every message is stored before it is sent and marked sent only after the channel accepted it.

Enqueueing is idempotent: a message's key hashes (recipient, channel, address, period, digest content,
part), and the key is unique in the table, so a rerun of the same digest run adds nothing. Delivery
claims a row (pending -> sending, with a lease) in its own transaction, sends, and records the
outcome in another; a row left in "sending" by a crash is retried once its lease expires (or at
once after `recover_interrupted`). That is exactly once for every message whose outcome was
recorded; a crash in the short gap between the channel's acceptance and the commit of "sent" makes
the message be sent again (at least once), except on channels that deduplicate by key (file) or let
the receiver deduplicate (email's Message-ID derives from the key).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from crawler.config import Config, RecipientConfig
from crawler.errors import DeliveryError, PermanentDeliveryError
from crawler.storage.repository import INVITE
from crawler.storage.schema import ChannelAddress, OutboxMessage, Recipient, Subscription, Unit
from notifier.channels import part_limits
from notifier.channels.base import (
    AddressGoneError,
    Channel,
    MessageHeldError,
    OutgoingMessage,
    SendResult,
)
from notifier.digest import Digest
from notifier.planning import default_since, digest_for, load_inputs, period_label
from notifier.render import render_digest, split_parts

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = dt.timedelta(minutes=1)
BACKOFF_CAP = dt.timedelta(hours=6)
LEASE = dt.timedelta(minutes=5)
OPERATOR_PERIOD = "operator"
ERROR_LIMIT = 500


@dataclass(frozen=True)
class PlannedMessage:
    """A message ready to be written to the outbox: one part for one address."""

    key: str
    channel: str
    address: str
    subject: str
    body: str
    html: str | None
    period: str


@dataclass(frozen=True)
class DeliveryReport:
    """What one delivery run did, for logs and tests."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    held: int = 0
    waiting: int = 0


def message_key(*fields: str) -> str:
    """A stable idempotency key: the SHA-256 of the fields joined by a separator they cannot contain."""
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()


def content_hash(digest: Digest) -> str:
    """A hash of what the digest says (not of how it is rendered), for its idempotency key."""
    return hashlib.sha256(repr(digest).encode("utf-8")).hexdigest()


def plan_digest(recipient: str, digest: Digest, addresses: Iterable[tuple[str, str]]) -> list[PlannedMessage]:
    """Render a digest for each (channel, address) and split it into the parts the channel allows."""
    planned: list[PlannedMessage] = []
    digest_hash = content_hash(digest)
    for channel, address in addresses:
        rendered = render_digest(digest, channel)
        limit, max_tags = part_limits(channel)
        parts = split_parts(rendered.body, limit, max_tags) if limit else [rendered.body]
        for index, part in enumerate(parts, start=1):
            key = message_key(
                recipient, channel, address, digest.period, digest_hash, f"{index}/{len(parts)}"
            )
            subject = rendered.subject if len(parts) == 1 else f"{rendered.subject} ({index}/{len(parts)})"
            planned.append(PlannedMessage(key, channel, address, subject, part, rendered.html, digest.period))
    return planned


def plan_text(
    recipient: str, subject: str, text: str, period: str, addresses: Iterable[tuple[str, str]]
) -> list[PlannedMessage]:
    """Plan a plain-text message (operator notices) for each address, split as each channel needs."""
    planned: list[PlannedMessage] = []
    for channel, address in addresses:
        limit, _ = part_limits(channel)
        parts = split_parts(text, limit) if limit else [text]
        for index, part in enumerate(parts, start=1):
            key = message_key(recipient, channel, address, period, text, f"{index}/{len(parts)}")
            planned.append(PlannedMessage(key, channel, address, subject, part, None, period))
    return planned


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
                status="pending",
                attempts=0,
                created_at=now,
            )
        )
        added += 1
    return added


def recipient_row(session: Session, name: str) -> Recipient:
    """The stored recipient of that name, created when the config sync has not run yet."""
    row = session.scalar(select(Recipient).where(Recipient.name == name))
    if row is None:
        row = Recipient(name=name)
        session.add(row)
        session.flush()
    return row


def addresses_of(
    session: Session, recipient: Recipient, configured: RecipientConfig | None
) -> list[tuple[str, str]]:
    """Active addresses of a recipient: learned ones (Telegram, Zalo) and the config's, minus deactivated."""
    rows = session.scalars(select(ChannelAddress).where(ChannelAddress.recipient_id == recipient.id)).all()
    inactive = {(row.channel, row.address) for row in rows if not row.active}
    found = [(row.channel, row.address) for row in rows if row.active]
    for channel in configured.channels if configured else ():
        pair = (channel.type, channel.address or "-")
        if pair not in inactive and pair not in found:
            found.append(pair)
    return found


def units_of(session: Session, recipient: Recipient, configured: RecipientConfig) -> list[str]:
    """Units a recipient follows: from the config and from subscriptions made through the bots."""
    subscribed = session.scalars(
        select(Unit.name)
        .join(Subscription, Subscription.unit_id == Unit.id)
        .where(Subscription.recipient_id == recipient.id)
    ).all()
    return list(dict.fromkeys([*configured.units, *subscribed]))


def last_period(session: Session, recipient_id: int, kind: str, as_of: dt.date) -> dt.date | None:
    """The day of the recipient's latest earlier digest of this kind, from the outbox."""
    current = period_label(kind, as_of)
    latest = session.scalar(
        select(OutboxMessage.period)
        .where(
            OutboxMessage.recipient_id == recipient_id,
            OutboxMessage.period.like(f"{kind}:%"),
            OutboxMessage.period < current,
        )
        .order_by(OutboxMessage.period.desc())
        .limit(1)
    )
    return dt.date.fromisoformat(latest.split(":", 1)[1]) if latest else None


def digest_recipients(session: Session, config: Config) -> list[RecipientConfig]:
    """The config's recipients, then those onboarded by invite only (their settings from the database)."""
    named = {r.name for r in config.recipients}
    onboarded = session.scalars(
        select(Recipient)
        .where(Recipient.origin == INVITE, Recipient.name.not_in(named))
        .order_by(Recipient.id)
    )
    return [
        *config.recipients,
        *(RecipientConfig(r.name, (), (), tuple(r.due_soon_days), tuple(r.digests)) for r in onboarded),
    ]


def enqueue_digests(
    session: Session, config: Config, as_of: dt.date, period: str, *, now: dt.datetime | None = None
) -> int:
    """Write the `period` (daily, weekly) digests as of a day to the outbox; return messages added."""
    created = now or dt.datetime.combine(as_of, dt.time(), tzinfo=dt.UTC)
    label = period_label(period, as_of)
    targets: list[tuple[RecipientConfig, Recipient, dt.date]] = []
    for configured in digest_recipients(session, config):
        if period not in configured.digests:
            continue
        row = recipient_row(session, configured.name)
        since = last_period(session, row.id, period, as_of) or default_since(period, as_of)
        targets.append((configured, row, since))
    if not targets:
        return 0
    inputs = load_inputs(session, min(since for _, _, since in targets), as_of)
    added = 0
    for configured, row, since in targets:
        units = units_of(session, row, configured)
        digest = digest_for(
            inputs, configured.name, units, as_of, label, due_soon_days=configured.due_soon_days, since=since
        )
        if digest is None:
            log.info("nothing to tell %s for %s", configured.name, label)
            continue
        added += write_planned(
            session,
            row.id,
            plan_digest(configured.name, digest, addresses_of(session, row, configured)),
            created,
        )
    session.commit()
    return added


def notify_operator(session: Session, config: Config | None, text: str, now: dt.datetime) -> int:
    """Log a problem and queue it for the operator recipient named in the config (if any)."""
    log.warning("operator notice: %s", text)
    name = config.general.operator_recipient if config else ""
    if not config or not name:
        return 0
    configured = next((r for r in config.recipients if r.name == name), None)
    row = recipient_row(session, name)
    subject = "[dondoc] Cần người vận hành xử lý"
    period = f"{OPERATOR_PERIOD}:{now.date().isoformat()}"
    added = write_planned(
        session, row.id, plan_text(name, subject, text, period, addresses_of(session, row, configured)), now
    )
    session.commit()
    return added


def backoff(attempts: int) -> dt.timedelta:
    """Exponential backoff after the n-th failed attempt: 1, 2, 4... minutes, capped at 6 hours."""
    factor: int = 2 ** max(attempts - 1, 0)
    return min(BACKOFF_BASE * factor, BACKOFF_CAP)


def recover_interrupted(session: Session, now: dt.datetime) -> int:
    """Make rows left "sending" by a crashed run due now (call at start, under the instance lock)."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "sending")
        .values(status="pending", next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def _claim(session: Session, row_id: int, now: dt.datetime) -> bool:
    """Take a due row for sending (pending, or sending with an expired lease); False if someone else did."""
    due = or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now)
    claimable = or_(
        and_(OutboxMessage.status == "pending", due), and_(OutboxMessage.status == "sending", due)
    )
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, claimable)
        .values(status="sending", attempts=OutboxMessage.attempts + 1, next_attempt_at=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0) == 1


def deliver_pending(
    session: Session,
    channels: Mapping[str, Channel],
    now: dt.datetime,
    *,
    config: Config | None = None,
    max_attempts: int = MAX_ATTEMPTS,
    should_stop: Callable[[], bool] | None = None,
) -> DeliveryReport:
    """Send every due outbox row in order; later parts to an address wait while an earlier one waits.

    `should_stop` is asked before each message: once it answers True the run ends and the rows not
    reached stay in the outbox (counted as waiting) for the next run."""
    rows = session.execute(
        select(OutboxMessage.id, OutboxMessage.channel, OutboxMessage.address, OutboxMessage.next_attempt_at)
        .where(OutboxMessage.status.in_(("pending", "sending")))
        .order_by(OutboxMessage.id)
    ).all()
    counts = {"sent": 0, "retried": 0, "failed": 0, "held": 0, "waiting": 0}
    blocked: set[tuple[str, str]] = set()
    for index, (row_id, channel_name, address, next_at) in enumerate(rows):
        if should_stop is not None and should_stop():
            log.info("delivery run stopped early; %d messages stay in the outbox", len(rows) - index)
            counts["waiting"] += len(rows) - index
            break
        target = (channel_name, address)
        channel = channels.get(channel_name)
        if target in blocked or channel is None or (next_at is not None and _aware(next_at) > now):
            if channel is None:
                log.info("channel %s is not configured; message %s waits", channel_name, row_id)
            blocked.add(target)
            counts["waiting"] += 1
            continue
        if not _claim(session, row_id, now):
            blocked.add(target)
            counts["waiting"] += 1
            continue
        outcome = _deliver_one(session, channel, row_id, now, config, max_attempts)
        counts[outcome] += 1
        if outcome != "sent":
            blocked.add(target)
    report = DeliveryReport(**counts)
    log.info("delivery run: %s", report)
    return report


def _aware(value: dt.datetime) -> dt.datetime:
    """Treat naive datetimes read back from SQLite as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _deliver_one(
    session: Session,
    channel: Channel,
    row_id: int,
    now: dt.datetime,
    config: Config | None,
    max_attempts: int,
) -> str:
    """Send one claimed row and record the outcome; returns sent, retried, failed or held."""
    row = session.get_one(OutboxMessage, row_id, populate_existing=True)
    message = OutgoingMessage(
        row.idempotency_key, row.channel, row.address, row.subject, row.body, row.body_html
    )
    try:
        result = channel.send(message)
    except AddressGoneError as exc:
        _deactivate(session, row.channel, row.address)
        return _fail(session, row, str(exc), now, config)
    except MessageHeldError as exc:
        row.status, row.last_error, row.next_attempt_at = "held", _short(exc), None
        session.commit()
        _tell_operator(
            session, row, f"Tin nhắn tới {row.channel}:{row.address} đang bị giữ lại: {exc}", now, config
        )
        return "held"
    except PermanentDeliveryError as exc:
        return _fail(session, row, str(exc), now, config)
    except (DeliveryError, OSError) as exc:
        return _retry(session, row, exc, now, config, max_attempts)
    except Exception as exc:  # one broken message must not stop the run: retry it with backoff
        log.exception("unexpected error sending message %s", row.id)
        return _retry(session, row, exc, now, config, max_attempts)
    _mark_sent(session, row, result, now)
    return "sent"


def _mark_sent(session: Session, row: OutboxMessage, result: SendResult, now: dt.datetime) -> None:
    """Record acceptance; follow a moved chat by updating the address everywhere it is used."""
    row.status, row.sent_at, row.last_error, row.next_attempt_at = "sent", now, None, None
    if result.new_address and result.new_address != row.address:
        old = row.address
        session.execute(
            update(ChannelAddress)
            .where(ChannelAddress.channel == row.channel, ChannelAddress.address == old)
            .values(address=result.new_address)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.channel == row.channel,
                OutboxMessage.address == old,
                OutboxMessage.status != "sent",
            )
            .values(address=result.new_address)
            .execution_options(synchronize_session=False)
        )
        row.address = result.new_address
        log.info("%s address moved to a new chat id", row.channel)
    session.commit()


def _retry(
    session: Session,
    row: OutboxMessage,
    exc: Exception,
    now: dt.datetime,
    config: Config | None,
    max_attempts: int,
) -> str:
    """Schedule another attempt with backoff (or the server's retry_after); give up after max_attempts."""
    if row.attempts >= max_attempts:
        return _fail(session, row, f"hết {row.attempts} lần thử: {exc}", now, config)
    wait = getattr(exc, "retry_after", None)
    delay = dt.timedelta(seconds=float(wait)) if wait else backoff(row.attempts)
    row.status, row.last_error, row.next_attempt_at = "pending", _short(exc), now + delay
    session.commit()
    log.info("message %s will be retried in %s: %s", row.id, delay, _short(exc))
    return "retried"


def _fail(session: Session, row: OutboxMessage, error: str, now: dt.datetime, config: Config | None) -> str:
    """Record a permanent failure and tell the operator."""
    row.status, row.last_error, row.next_attempt_at = "failed", error[:ERROR_LIMIT], None
    session.commit()
    _tell_operator(
        session, row, f"Không gửi được tin nhắn tới {row.channel}:{row.address}: {error}", now, config
    )
    return "failed"


def _tell_operator(
    session: Session, row: OutboxMessage, text: str, now: dt.datetime, config: Config | None
) -> None:
    """Notify the operator, except about the operator's own notices (no loops)."""
    if row.period.startswith(OPERATOR_PERIOD):
        log.error("operator notice could not be delivered: %s", text)
        return
    notify_operator(session, config, text, now)


def _deactivate(session: Session, channel: str, address: str) -> None:
    """Stop using an address the channel says is gone, and drop its other queued messages."""
    session.execute(
        update(ChannelAddress)
        .where(ChannelAddress.channel == channel, ChannelAddress.address == address)
        .values(active=False)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.address == address,
            OutboxMessage.status == "pending",
        )
        .values(status="failed", last_error="địa chỉ đã ngừng nhận tin")
        .execution_options(synchronize_session=False)
    )


def _short(exc: BaseException) -> str:
    """An error as stored: type and message, bounded in length."""
    return f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT]
