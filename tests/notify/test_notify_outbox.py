"""Outbox: idempotent enqueueing, retries with backoff, permanent failures, crash recovery."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import pytest
from notify_helpers import AS_OF, add_document, add_task
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from crawler.config import ChannelConfig, Config, GeneralConfig, RecipientConfig
from crawler.errors import AddressGoneError, MessageHeldError, PermanentDeliveryError, RetryLaterError
from crawler.storage.schema import ChannelAddress, OutboxMessage, Recipient
from notifier.channels.base import Channel, OutgoingMessage, SendResult
from notifier.channels.console import FileChannel
from notifier.outbox import LEASE, backoff, deliver_pending, enqueue_digests, recover_interrupted

NOW = dt.datetime(2025, 10, 1, 7, 30, tzinfo=dt.UTC)
Behaviour = Callable[[OutgoingMessage], SendResult]


class Crash(BaseException):
    """Stands for the process dying (kill -9) right after the channel accepted a message."""


class FakeChannel:
    """A channel that records what it accepted and follows a script of failures."""

    name: ClassVar[str] = "fake"
    part_limit: ClassVar[int | None] = None
    max_tags: ClassVar[int | None] = None

    def __init__(
        self, script: list[Exception | None] | None = None, crash_after_accept: bool = False
    ) -> None:
        """Fail with the scripted errors in order (None = accept), then accept everything."""
        self.script = list(script or [])
        self.accepted: list[OutgoingMessage] = []
        self.crash_after_accept = crash_after_accept

    def send(self, message: OutgoingMessage) -> SendResult:
        """Accept or fail as scripted."""
        step = self.script.pop(0) if self.script else None
        if step is not None:
            raise step
        self.accepted.append(message)
        if self.crash_after_accept:
            self.crash_after_accept = False
            raise Crash()
        return SendResult()


def make_config(tmp_path: Path, *, with_operator: bool = True) -> Config:
    """Two recipients on the fake channel, and an operator reading a file."""
    recipients = [
        RecipientConfig("Sở KH&CN Nghệ An", ("Sở Khoa học và Công nghệ",), (ChannelConfig("fake", "kh"),)),
        RecipientConfig(
            "Công an tỉnh", ("Công an tỉnh",), (ChannelConfig("fake", "ca"),), digests=("weekly",)
        ),
        RecipientConfig("Sở Nội vụ", ("Sở Nội vụ",), (ChannelConfig("fake", "nv"),)),
    ]
    if with_operator:
        recipients.append(
            RecipientConfig("Vận hành", (), (ChannelConfig("file", str(tmp_path / "operator.txt")),))
        )
    return Config(general=GeneralConfig(operator_recipient="Vận hành"), recipients=tuple(recipients))


def seed_tasks(session: Session) -> None:
    """Tasks of 10447/UBND-VX as of 01/10/2025, plus one overdue and one far away."""
    doc = add_document(session, "10447/UBND-VX", "http://127.0.0.1/vb?docid=10447")
    add_task(
        session,
        "t1",
        "Triển khai nhiệm vụ tại Mục V",
        ["Sở Khoa học và Công nghệ"],
        dt.date(2025, 10, 16),
        support=["Sở Tài chính"],
        document=doc,
        raw="trước ngày 16/10/2025",
        new_on=AS_OF,
    )
    add_task(session, "t2", "Triển khai điểm 6, Mục V", ["Công an tỉnh"], dt.date(2025, 10, 16), document=doc)
    add_task(
        session, "t3", "Báo cáo quý III", ["Sở Khoa học và Công nghệ"], dt.date(2025, 9, 30), document=doc
    )
    add_task(session, "t4", "Việc xa", ["Sở Nội vụ"], dt.date(2026, 6, 30), document=doc)
    session.commit()


def outbox(session: Session) -> list[OutboxMessage]:
    """All outbox rows in id order, freshly read."""
    session.expire_all()
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_enqueue_is_idempotent_and_quiet_recipients_get_nothing(any_engine: Engine, tmp_path: Path) -> None:
    """One message per recipient with something to say; rerunning the run adds nothing (SQLite, PG)."""
    config = make_config(tmp_path)
    with Session(any_engine) as session:
        seed_tasks(session)
        assert enqueue_digests(session, config, AS_OF, "daily", now=NOW) == 1
        assert enqueue_digests(session, config, AS_OF, "daily", now=NOW) == 0
        rows = outbox(session)
        assert [(r.channel, r.address, r.period, r.status) for r in rows] == [
            ("fake", "kh", "daily:2025-10-01", "pending")
        ]
        assert "Báo cáo quý III" in rows[0].body and "trễ 1 ngày" in rows[0].body
        assert "Triển khai nhiệm vụ tại Mục V" in rows[0].body
        assert enqueue_digests(session, config, AS_OF, "weekly", now=NOW) == 1  # Công an tỉnh, weekly only


def test_deliver_marks_sent_and_rerun_sends_nothing(any_engine: Engine, tmp_path: Path) -> None:
    """A delivered message is never delivered again (SQLite, PostgreSQL)."""
    channel = FakeChannel()
    with Session(any_engine) as session:
        seed_tasks(session)
        enqueue_digests(session, make_config(tmp_path), AS_OF, "daily", now=NOW)
        assert deliver_pending(session, {"fake": channel}, NOW).sent == 1
        assert deliver_pending(session, {"fake": channel}, NOW + dt.timedelta(hours=1)).sent == 0
        enqueue_digests(session, make_config(tmp_path), AS_OF, "daily", now=NOW)
        assert deliver_pending(session, {"fake": channel}, NOW + dt.timedelta(hours=2)).sent == 0
        assert len(channel.accepted) == 1
        row = outbox(session)[0]
        assert row.status == "sent" and row.sent_at is not None and row.attempts == 1


def test_next_day_digest_only_shows_changes_since_last(session: Session, tmp_path: Path) -> None:
    """The "new" section covers events since the recipient's previous digest, not older ones."""
    config = make_config(tmp_path)
    seed_tasks(session)
    enqueue_digests(session, config, AS_OF, "daily", now=NOW)
    next_day = AS_OF + dt.timedelta(days=1)
    enqueue_digests(session, config, next_day, "daily", now=NOW + dt.timedelta(days=1))
    rows = outbox(session)
    assert [r.period for r in rows] == ["daily:2025-10-01", "daily:2025-10-02"]
    assert "[Mới]" in rows[0].body and "[Mới]" not in rows[1].body


def test_retry_with_exponential_backoff_then_success(session: Session, tmp_path: Path) -> None:
    """Transient failures wait 1, 2, 4 minutes (or the server's retry_after) before the next try."""
    seed_tasks(session)
    enqueue_digests(session, make_config(tmp_path), AS_OF, "daily", now=NOW)
    channel = FakeChannel(
        [RetryLaterError("busy"), OSError("reset"), RetryLaterError("flood", retry_after=30)]
    )
    channels = {"fake": channel}
    assert deliver_pending(session, channels, NOW).retried == 1
    assert outbox(session)[0].next_attempt_at is not None
    assert deliver_pending(session, channels, NOW + dt.timedelta(seconds=59)).waiting == 1
    t = NOW + dt.timedelta(minutes=1)
    assert deliver_pending(session, channels, t).retried == 1
    t += dt.timedelta(minutes=2)
    assert deliver_pending(session, channels, t).retried == 1
    assert deliver_pending(session, channels, t + dt.timedelta(seconds=29)).waiting == 1
    assert deliver_pending(session, channels, t + dt.timedelta(seconds=30)).sent == 1
    row = outbox(session)[0]
    assert row.attempts == 4 and row.status == "sent" and len(channel.accepted) == 1
    assert [backoff(n) for n in (1, 2, 3)] == [dt.timedelta(minutes=m) for m in (1, 2, 4)]
    assert backoff(30) == dt.timedelta(hours=6)


def test_give_up_after_max_attempts_and_tell_operator(session: Session, tmp_path: Path) -> None:
    """After the last attempt the row is failed and the operator gets a notice in Vietnamese."""
    config = make_config(tmp_path)
    seed_tasks(session)
    enqueue_digests(session, config, AS_OF, "daily", now=NOW)
    channels: dict[str, Channel] = {"fake": FakeChannel([RetryLaterError("busy")] * 3), "file": FileChannel()}
    t = NOW
    for _ in range(3):
        deliver_pending(session, channels, t, config=config, max_attempts=3)
        t += dt.timedelta(hours=7)
    rows = outbox(session)
    assert rows[0].status == "failed" and "hết 3 lần thử" in (rows[0].last_error or "")
    deliver_pending(session, channels, t, config=config)
    notice = (tmp_path / "operator.txt").read_text(encoding="utf-8")
    assert "Không gửi được tin nhắn tới fake:kh" in notice


def test_permanent_failure_and_gone_address(session: Session, tmp_path: Path) -> None:
    """A blocked chat is deactivated, its queued messages dropped, and later digests skip it."""
    config = make_config(tmp_path)
    seed_tasks(session)
    recipient = session.scalar(select(Recipient).where(Recipient.name == "Sở KH&CN Nghệ An"))
    assert recipient is None
    enqueue_digests(session, config, AS_OF, "daily", now=NOW)  # syncs the config's addresses first
    deliver_pending(session, {"fake": FakeChannel([AddressGoneError("bot bị chặn")])}, NOW, config=config)
    address = session.scalar(select(ChannelAddress).where(ChannelAddress.address == "kh"))
    assert address is not None and address.active is False
    assert enqueue_digests(session, config, AS_OF + dt.timedelta(days=1), "daily", now=NOW) == 0
    assert outbox(session)[0].status == "failed"
    with pytest.raises(PermanentDeliveryError):
        raise AddressGoneError("x")


def test_held_message_tells_operator(session: Session, tmp_path: Path) -> None:
    """A message the channel may not deliver now is held, not retried, and the operator is told."""
    config = make_config(tmp_path)
    seed_tasks(session)
    enqueue_digests(session, config, AS_OF, "daily", now=NOW)
    channels: dict[str, Channel] = {
        "fake": FakeChannel([MessageHeldError("ngoài 48 giờ")]),
        "file": FileChannel(),
    }
    assert deliver_pending(session, channels, NOW, config=config).held == 1
    assert (
        deliver_pending(session, channels, NOW + dt.timedelta(days=1), config=config).sent == 1
    )  # the notice
    assert outbox(session)[0].status == "held"
    assert "đang bị giữ lại" in (tmp_path / "operator.txt").read_text(encoding="utf-8")


def test_later_parts_wait_for_earlier_ones(session: Session, tmp_path: Path) -> None:
    """Parts to one address go out in order: part 2 waits while part 1 is being retried."""
    config = make_config(tmp_path)
    seed_tasks(session)
    enqueue_digests(session, config, AS_OF, "daily", now=NOW)
    enqueue_digests(session, config, AS_OF + dt.timedelta(days=1), "daily", now=NOW)
    channel = FakeChannel([RetryLaterError("busy")])
    report = deliver_pending(session, {"fake": channel}, NOW)
    assert (report.retried, report.waiting, report.sent) == (1, 1, 0)
    deliver_pending(session, {"fake": channel}, NOW + dt.timedelta(minutes=5))
    assert [m.key for m in channel.accepted] == [r.idempotency_key for r in outbox(session)]


def test_crash_between_accept_and_mark_sent(session: Session, tmp_path: Path) -> None:
    """Honest exactly-once: a crash after acceptance leaves "sending"; recovery resends it (at least
    once) on a plain channel, while the file channel deduplicates by key (exactly once)."""
    config = make_config(tmp_path)
    seed_tasks(session)
    enqueue_digests(session, config, AS_OF, "daily", now=NOW)
    channel = FakeChannel(crash_after_accept=True)
    with pytest.raises(Crash):
        deliver_pending(session, {"fake": channel}, NOW)
    session.rollback()
    assert outbox(session)[0].status == "sending"
    assert deliver_pending(session, {"fake": channel}, NOW + dt.timedelta(minutes=1)).waiting == 1  # leased
    assert deliver_pending(session, {"fake": channel}, NOW + LEASE).sent == 1
    assert len(channel.accepted) == 2  # the ambiguous message was sent twice

    file_config = Config(
        recipients=(RecipientConfig("Tệp", ("Sở Nội vụ",), (ChannelConfig("file", "nv.txt"),)),)
    )
    add_task(session, "t5", "Việc gấp", ["Sở Nội vụ"], dt.date(2025, 10, 2))
    session.commit()
    enqueue_digests(session, file_config, AS_OF, "daily", now=NOW)

    class CrashingFile(FileChannel):
        def send(self, message: OutgoingMessage) -> SendResult:
            super().send(message)
            raise Crash()

    with pytest.raises(Crash):
        deliver_pending(session, {"file": CrashingFile(tmp_path)}, NOW)
    session.rollback()
    assert recover_interrupted(session, NOW) == 1
    assert deliver_pending(session, {"file": FileChannel(tmp_path)}, NOW).sent == 1
    assert (tmp_path / "nv.txt").read_text(encoding="utf-8").count("Việc gấp") == 1


def test_should_stop_ends_the_run_before_the_next_message(session: Session, tmp_path: Path) -> None:
    """Once should_stop answers True no further message is claimed; the rest stays pending, untouched."""
    config = make_config(tmp_path)
    seed_tasks(session)
    enqueue_digests(session, config, AS_OF, "daily", now=NOW)
    enqueue_digests(session, config, AS_OF, "weekly", now=NOW)
    channel = FakeChannel()
    report = deliver_pending(session, {"fake": channel}, NOW, should_stop=lambda: len(channel.accepted) >= 1)
    assert (report.sent, report.waiting) == (1, 1)
    assert [(r.status, r.attempts) for r in outbox(session)] == [("sent", 1), ("pending", 0)]
    assert deliver_pending(session, {"fake": channel}, NOW, should_stop=lambda: False).sent == 1
    assert [m.key for m in channel.accepted] == [r.idempotency_key for r in outbox(session)]
