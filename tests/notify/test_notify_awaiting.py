"""No address, no message: a chat channel whose id is not learned holds its digests (stored, never
attempted); onboarding delivers the latest of each kind; `dondoc status` lists who is waiting."""

from __future__ import annotations

import datetime as dt

from fake_apis import serve
from notify_helpers import add_task
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_notify_onboarding import NOW, UNIT, _seed
from test_notify_telegram import TOKEN, BotApi

from crawler.config import ChannelConfig, Config, RecipientConfig
from crawler.storage.schema import OutboxMessage
from notifier.channels.telegram import TelegramChannel
from notifier.onboarding import Inbound, handle_inbound, invite
from notifier.outbox import deliver_pending, enqueue_digests
from service.status import status_lines

HEAD = "Giám đốc Sở KH&CN Nghệ An"
CONFIG = Config(
    recipients=(RecipientConfig(HEAD, (UNIT,), (ChannelConfig("telegram"),), digests=("daily",)),)
)


def _rows(session: Session) -> list[tuple[str, str, str]]:
    """(period, address, status) of every outbox row, oldest first."""
    rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return [(row.period or "", row.address, row.status) for row in rows]


def test_digests_wait_for_onboarding_then_only_the_latest_goes(session: Session) -> None:
    """Two daily digests before the unit head onboards are held and never sent to a placeholder;
    `/start CODE` addresses the newest to the learned chat and supersedes the older one."""
    _seed(session)
    day_one, day_two = NOW, NOW + dt.timedelta(days=1)
    assert enqueue_digests(session, CONFIG, day_one.date(), "daily", now=day_one) == 1
    assert enqueue_digests(session, CONFIG, day_two.date(), "daily", now=day_two) == 1
    assert [(address, status) for _, address, status in _rows(session)] == [("-", "held"), ("-", "held")]
    api = BotApi()
    with serve(api) as server:
        channels = {"telegram": TelegramChannel(TOKEN, api_base=server.base_url, sleep=lambda s: None)}
        assert deliver_pending(session, channels, day_two).sent == 0
        assert api.delivered == []
        lines = status_lines(session, CONFIG, None, day_two)
        assert f"  - {HEAD} (telegram): 2 bản nhắc đang giữ" in lines
        code = invite(session, UNIT, day_two, recipient=HEAD)
        answer = handle_inbound(session, Inbound("telegram", "4242", f"/start {code}", day_two))
        assert "Đăng ký thành công" in answer
        session.commit()
        assert _rows(session) == [
            ("daily:2025-10-01", "4242", "superseded"),
            ("daily:2025-10-02", "4242", "pending"),
        ]
        assert deliver_pending(session, channels, day_two).sent == 1
    assert [chat for chat, _ in api.delivered] == ["4242"]
    assert not any("Chờ đăng ký" in line for line in status_lines(session, CONFIG, None, day_two))


def test_after_onboarding_digests_go_to_the_learned_chat_only(session: Session) -> None:
    """Once the chat id is learned, the next digest goes to it alone: nothing more is held for the
    placeholder, and `dondoc status` no longer lists the recipient as waiting."""
    _seed(session)
    code = invite(session, UNIT, NOW, recipient=HEAD)
    assert "Đăng ký thành công" in handle_inbound(session, Inbound("telegram", "4242", f"/start {code}", NOW))
    session.commit()
    later = NOW + dt.timedelta(days=1)
    assert enqueue_digests(session, CONFIG, later.date(), "daily", now=later) == 1
    assert [(address, status) for _, address, status in _rows(session)] == [("4242", "pending")]
    assert not any("Chờ đăng ký" in line for line in status_lines(session, CONFIG, None, later))


def test_a_held_digest_in_several_messages_goes_whole(session: Session) -> None:
    """A held digest long enough for several Telegram messages is delivered whole on onboarding:
    every message of the newest digest, in order, none of the older one."""
    _seed(session)
    for n in range(12):
        add_task(session, f"late{n}", f"Báo cáo chuyên đề số {n}", [UNIT], dt.date(2025, 9, 1 + n))
    session.commit()
    day_one, day_two = NOW, NOW + dt.timedelta(days=1)
    first = enqueue_digests(session, CONFIG, day_one.date(), "daily", now=day_one)
    parts = enqueue_digests(session, CONFIG, day_two.date(), "daily", now=day_two)
    assert first > 1 and parts > 1
    api = BotApi()
    with serve(api) as server:
        channels = {"telegram": TelegramChannel(TOKEN, api_base=server.base_url, sleep=lambda s: None)}
        code = invite(session, UNIT, day_two, recipient=HEAD)
        answer = handle_inbound(session, Inbound("telegram", "4242", f"/start {code}", day_two))
        assert "Đăng ký thành công" in answer
        session.commit()
        statuses = [status for _, _, status in _rows(session)]
        assert statuses == ["superseded"] * first + ["pending"] * parts
        assert deliver_pending(session, channels, day_two).sent == parts
    newest = session.scalars(select(OutboxMessage.body).where(OutboxMessage.status == "sent")
                             .order_by(OutboxMessage.id)).all()  # fmt: skip
    assert [text for _, text in api.delivered] == list(newest) and len(newest) == parts
