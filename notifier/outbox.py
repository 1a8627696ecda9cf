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

import dataclasses
import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crawler.config import Config, WebConfig
from crawler.errors import (
    AddressGoneError,
    DeliveryError,
    MessageHeldError,
    PermanentDeliveryError,
)
from crawler.storage import outbox as store
from crawler.storage import recipients
from crawler.storage.outbox import PlannedMessage, StoredMessage, write_planned
from crawler.storage.units import default_directory
from crawler.storage.webaccess import unit_ids
from notifier.channels import part_limits
from notifier.channels.base import Channel, OutgoingMessage, SendResult
from notifier.digest import Digest
from notifier.paging import digest_messages
from notifier.personal_links import fill_links, has_links, unit_links
from notifier.planning import default_since, digest_for, load_inputs, period_label
from notifier.render import split_parts

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = dt.timedelta(minutes=1)
BACKOFF_CAP = dt.timedelta(hours=6)
LEASE = dt.timedelta(minutes=5)
OPERATOR_PERIOD = "operator"
ERROR_LIMIT = 500


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
    """The messages of a digest for each (channel, address), one outbox row each: a digest a chat
    channel sends in several messages is several rows, each keyed by its place ("2/6"), so a rerun
    adds none and a crash between two parts resends neither."""
    planned: list[PlannedMessage] = []
    digest_hash = content_hash(digest)
    for channel, address in addresses:
        messages = digest_messages(digest, channel)
        for index, message in enumerate(messages, start=1):
            key = message_key(
                recipient, channel, address, digest.period, digest_hash, f"{index}/{len(messages)}"
            )
            planned.append(PlannedMessage(key, channel, address, message.subject, message.body, message.html,
                                          digest.period, message.task_ids))
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


def last_periods(session: Session, kind: str, as_of: dt.date) -> dict[int, dt.date]:
    """The day of each recipient's latest earlier digest of this kind, from the outbox (one query)."""
    latest = store.latest_periods_before(session, kind, period_label(kind, as_of))
    return {recipient: dt.date.fromisoformat(period.split(":", 1)[1]) for recipient, period in latest.items()}


def sync_recipients(session: Session, config: Config) -> None:
    """Bring the stored units and recipients in line with the config: from here on, the database is
    the one source of who gets what, where (addresses learned by onboarding included)."""
    recipients.sync_config(session, config.units, config.recipients, default_directory())


def enqueue_digests(
    session: Session, config: Config, as_of: dt.date, period: str, *, now: dt.datetime | None = None
) -> int:
    """Write the `period` (daily, weekly) digests as of a day to the outbox; return messages added.
    Tasks, subscriptions, addresses and earlier periods are each read once for all recipients."""
    created = now or dt.datetime.combine(as_of, dt.time(), tzinfo=dt.UTC)
    label = period_label(period, as_of)
    sync_recipients(session, config)
    earlier = last_periods(session, period, as_of)
    targets = [(stored, earlier.get(stored.id) or default_since(period, as_of))
               for stored in recipients.digest_recipients(session) if period in stored.digests]
    if not targets:
        session.commit()
        return 0
    inputs = load_inputs(session, min(since for _, since in targets), as_of)
    followed = recipients.units_by_recipient(session)
    reached = recipients.delivery_addresses_by_recipient(session)
    ids = unit_ids(session) if config.web.base_url else {}
    added = 0
    for stored, since in targets:
        units = followed.get(stored.id, [])
        digest = digest_for(
            inputs, stored.name, units, as_of, label, due_soon_days=stored.due_soon_days, since=since
        )
        if digest is None:
            log.info("nothing to tell %s for %s", stored.name, label)
            continue
        digest = dataclasses.replace(digest, links=unit_links(config.web.base_url, units, ids))
        addresses = reached.get(stored.id, [])
        added += write_planned(session, stored.id, plan_digest(stored.name, digest, addresses), created)
    session.commit()
    return added


def notify_operator(session: Session, config: Config | None, text: str, now: dt.datetime) -> int:
    """Log a problem and queue it for the operator recipient named in the config (if any)."""
    log.warning("operator notice: %s", text)
    name = config.general.operator_recipient if config else ""
    if not config or not name:
        return 0
    sync_recipients(session, config)
    recipient = recipients.recipient_id(session, name)
    subject = "[dondoc] Cần người vận hành xử lý"
    period = f"{OPERATOR_PERIOD}:{now.date().isoformat()}"
    planned = plan_text(name, subject, text, period, recipients.delivery_addresses(session, recipient))
    added = write_planned(session, recipient, planned, now)
    session.commit()
    return added


def backoff(attempts: int) -> dt.timedelta:
    """Exponential backoff after the n-th failed attempt: 1, 2, 4... minutes, capped at 6 hours."""
    factor: int = 2 ** max(attempts - 1, 0)
    return min(BACKOFF_BASE * factor, BACKOFF_CAP)


def recover_interrupted(session: Session, now: dt.datetime) -> int:
    """Make rows left "sending" by a crashed run due now (call at start, under the instance lock)."""
    count = store.requeue_sending(session, now)
    session.commit()
    return count


def _claim(session: Session, row_id: int, now: dt.datetime) -> bool:
    """Take a due row for sending (pending, or sending with an expired lease); False if someone else did."""
    claimed = store.claim(session, row_id, now, LEASE)
    session.commit()
    return claimed


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
    rows = store.queued(session)
    counts = {"sent": 0, "retried": 0, "failed": 0, "held": 0, "waiting": 0}
    blocked: set[tuple[str, str]] = set()
    for index, queued in enumerate(rows):
        row_id, channel_name, next_at = queued.id, queued.channel, queued.next_attempt_at
        if should_stop is not None and should_stop():
            log.info("delivery run stopped early; %d messages stay in the outbox", len(rows) - index)
            counts["waiting"] += len(rows) - index
            break
        target = (channel_name, queued.address)
        channel = channels.get(channel_name)
        if target in blocked or channel is None or (next_at is not None and next_at > now):
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


def _deliver_one(
    session: Session,
    channel: Channel,
    row_id: int,
    now: dt.datetime,
    config: Config | None,
    max_attempts: int,
) -> str:
    """Send one claimed row and record the outcome; returns sent, retried, failed or held."""
    row = store.stored_message(session, row_id)
    body, html = row.body, row.html
    if has_links(body, html):
        days = (config.web if config else WebConfig()).link_days
        filled_body, html = fill_links(session, (body, html), now, days)
        body = filled_body or ""
        session.commit()
    message = OutgoingMessage(row.key, row.channel, row.address, row.subject, body, html)
    try:
        result = channel.send(message)
    except AddressGoneError as exc:
        _deactivate(session, row.channel, row.address)
        return _fail(session, row, str(exc), now, config)
    except MessageHeldError as exc:
        store.mark(session, row.id, "held", _short(exc))
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


def _mark_sent(session: Session, row: StoredMessage, result: SendResult, now: dt.datetime) -> None:
    """Record acceptance; follow a moved chat by updating the address everywhere it is used."""
    store.mark(session, row.id, "sent", None, sent_at=now)
    if result.new_address and result.new_address != row.address:
        recipients.move_address(session, row.channel, row.address, result.new_address)
        store.readdress_unsent(session, row.channel, row.address, result.new_address)
        store.mark(session, row.id, "sent", None, sent_at=now, address=result.new_address)
        log.info("%s address moved to a new chat id", row.channel)
    session.commit()


def _retry(
    session: Session,
    row: StoredMessage,
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
    store.mark(session, row.id, "pending", _short(exc), next_attempt_at=now + delay)
    session.commit()
    log.info("message %s will be retried in %s: %s", row.id, delay, _short(exc))
    return "retried"


def _fail(session: Session, row: StoredMessage, error: str, now: dt.datetime, config: Config | None) -> str:
    """Record a permanent failure and tell the operator."""
    store.mark(session, row.id, "failed", error[:ERROR_LIMIT])
    session.commit()
    _tell_operator(
        session, row, f"Không gửi được tin nhắn tới {row.channel}:{row.address}: {error}", now, config
    )
    return "failed"


def _tell_operator(
    session: Session, row: StoredMessage, text: str, now: dt.datetime, config: Config | None
) -> None:
    """Notify the operator, except about the operator's own notices (no loops)."""
    if row.period.startswith(OPERATOR_PERIOD):
        log.error("operator notice could not be delivered: %s", text)
        return
    notify_operator(session, config, text, now)


def _deactivate(session: Session, channel: str, address: str) -> None:
    """Stop using an address the channel says is gone, and drop its other queued messages."""
    recipients.deactivate_address(session, channel, address)
    store.fail_pending(session, channel, address, "địa chỉ đã ngừng nhận tin")


def _short(exc: BaseException) -> str:
    """An error as stored: type and message, bounded in length."""
    return f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT]
