"""Readable digest items: each names its document (a news article by its title and day), long texts are
cut at a word, and a long digest reaches a chat as several messages of at most five items, most
urgent first, none lost or sent twice, not even across a crash of the delivery run."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import Counter
from pathlib import Path

import pytest
from fake_apis import BOT_USER, Reply, Request, serve, telegram_message, telegram_ok
from notify_helpers import AS_OF, add_task, event, tasks_for_unit, view
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.config import Config, RecipientConfig
from crawler.storage.recipients import recipient_id
from crawler.storage.schema import ChannelAddress, Document, OutboxMessage
from crawler.storage.units import unit_resolver
from notifier.channels.base import OutgoingMessage, SendResult
from notifier.channels.telegram import TelegramChannel
from notifier.digest import Digest, build_digest
from notifier.outbox import deliver_pending, enqueue_digests, recover_interrupted
from notifier.paging import ITEMS_PER_PART, MAX_PARTS, SCREEN_CHARS, digest_messages
from notifier.render import count_tags, plain, render_digest, utf16_len, visible
from notifier.routing import task_roles

TOKEN = "123456:SECRET-token-value"
NOW = dt.datetime(2025, 10, 1, 0, 30, tzinfo=dt.UTC)
ITEM = re.compile(r"^(\d+)\. ", re.MULTILINE)
LONG = ("Rà soát, tái cấu trúc quy trình đối với các thủ tục hành chính, dịch vụ công theo quy định tại "
        "Kế hoạch số 02-KH/BCĐTW ngày 19/6/2025, bảo đảm cung cấp dịch vụ công trực tuyến toàn trình, "
        "thuận lợi cho người dân, doanh nghiệp và báo cáo kết quả về Bộ Công an")


def stored_document(session: Session, **fields: object) -> Document:
    """Insert a document with the given kind, number, title and dates."""
    doc = Document(text="", text_hash="0" * 64, created_at=dt.datetime(2025, 9, 30, tzinfo=dt.UTC), **fields)
    session.add(doc)
    session.flush()
    return doc


def unit_digest(session: Session, unit: str) -> Digest:
    """`unit`'s digest as of AS_OF, its items marked as digests mark them (lead, support, shared)."""
    tasks = tasks_for_unit(session, unit)
    digest = build_digest(unit, AS_OF, "daily:2025-10-01", tasks, [],
                          roles=task_roles(tasks, [unit], unit_resolver(session)))  # fmt: skip
    assert digest is not None
    return digest


def one_item(session: Session, unit: str, channel: str) -> str:
    """The visible text of the only item of `unit`'s digest on `channel`."""
    digest = unit_digest(session, unit)
    assert digest.item_count == 1
    return visible(render_digest(digest, channel).body, channel)


def test_news_article_item_shows_its_title_and_day(session: Session) -> None:
    """A task read from a news article names the article and the day it was published (in Vietnam:
    20:15 UTC on 1 April is 2 April), with a link on the title: no "không rõ số hiệu"."""
    article = stored_document(
        session, url="http://127.0.0.1/tin/giai-ngan-von.htm", kind="article", number=None,
        title="Thủ tướng đôn đốc đẩy nhanh tiến độ giải ngân vốn đầu tư công",
        published_at=dt.datetime(2025, 4, 1, 20, 15, tzinfo=dt.UTC),
    )
    add_task(session, "a1", "Khẩn trương phân bổ chi tiết kế hoạch vốn", ["Bộ Tài chính"],
             dt.date(2025, 9, 15), document=article)  # fmt: skip
    session.commit()
    expected = ("Bài viết: “Thủ tướng đôn đốc đẩy nhanh tiến độ giải ngân vốn đầu tư công”"
                " đăng ngày 02/04/2025")
    for channel in ("console", "telegram", "zalo"):
        text = one_item(session, "Bộ Tài chính", channel)
        assert expected in text and "không rõ số hiệu" not in text, channel
    html = render_digest(unit_digest(session, "Bộ Tài chính"), "telegram").body
    assert '<a href="http://127.0.0.1/tin/giai-ngan-von.htm">“Thủ tướng đôn đốc' in html
    assert "Xem: http://127.0.0.1/tin/giai-ngan-von.htm" in one_item(session, "Bộ Tài chính", "zalo")


def test_numbered_document_shows_number_date_and_title(session: Session) -> None:
    """A task shows its document's number, issue day and title; a task citing another number (a
    cover letter forwarding a directive) shows that number and the letter that carried it. Each is
    marked by the reader's part in it: lead (Chủ trì) or support (Phối hợp)."""
    letter = stored_document(
        session, url="http://127.0.0.1/vb?docid=10447", kind="directive", number="10447/UBND-VX",
        issued=dt.date(2025, 9, 3), title="V/v thực hiện Thông báo kết luận về chuyển đổi số",
    )
    add_task(session, "n1", "Báo cáo kết quả chuyển đổi số", ["Sở Nội vụ"], dt.date(2025, 10, 5),
             document=letter)  # fmt: skip
    forwarded = add_task(session, "n2", "Triển khai nền tảng số", ["Sở Y tế"], dt.date(2025, 10, 5),
                         document=letter)  # fmt: skip
    forwarded.source_refs = ["46-TB/TGV"]
    add_task(session, "n3", "Phối hợp tập huấn", ["Sở Tư pháp"], dt.date(2025, 10, 5), support=["Sở Y tế"])
    session.commit()
    own = one_item(session, "Sở Nội vụ", "console")
    assert "Văn bản: 10447/UBND-VX ngày 03/09/2025 – V/v thực hiện Thông báo kết luận về chuyển đổi số" in own
    assert "1. [Chủ trì] Báo cáo kết quả chuyển đổi số" in own
    cited = visible(render_digest(unit_digest(session, "Sở Y tế"), "telegram").body, "telegram")
    assert "Văn bản: 46-TB/TGV, chuyển qua 10447/UBND-VX ngày 03/09/2025 – V/v thực hiện Thông báo" in cited
    assert "[Chủ trì] Triển khai nền tảng số" in cited and "[Phối hợp] Phối hợp tập huấn" in cited
    assert "Văn bản: không rõ số hiệu\n" in cited  # a task with no document at all


def thirty_item_digest() -> Digest:
    """12 overdue tasks (1 to 12 days late, in scrambled order), 10 due soon, 8 new without a date."""
    overdue = [view(100 + n, AS_OF - dt.timedelta(days=(n * 5) % 12 + 1), action=f"{LONG} (quá hạn {n})")
               for n in range(12)]  # fmt: skip
    soon = [view(200 + n, AS_OF + dt.timedelta(days=(n * 3) % 7), action=f"{LONG} (sắp đến hạn {n})")
            for n in range(10)]  # fmt: skip
    new = [view(300 + n, None, action=f"Nhiệm vụ mới {n}") for n in range(8)]
    events = [event(300 + n, "new", AS_OF) for n in range(8)]
    digest = build_digest("Sở Tài chính", AS_OF, "daily:2025-10-01", [*new, *soon, *overdue], events)
    assert digest is not None and digest.item_count == 30
    return digest


def test_thirty_items_for_telegram_are_split_most_urgent_first_none_lost() -> None:
    """Thirty items reach Telegram as messages under 4096 characters and 100 tags, five items at most
    each (about one screen), numbered on across messages: every task once, the most days late first,
    then the soonest due; long task texts are cut at a word with an ellipsis."""
    digest = thirty_item_digest()
    messages = digest_messages(digest, "telegram")
    assert 6 <= len(messages) <= MAX_PARTS
    numbers: list[int] = []
    for index, message in enumerate(messages, start=1):
        assert utf16_len(message.body) <= 4096 and count_tags(message.body) <= 100
        text = visible(message.body, "telegram")
        assert len(text) <= SCREEN_CHARS
        assert text.startswith(f"Nhắc việc – Sở Tài chính ({index}/{len(messages)})")
        found = [int(n) for n in ITEM.findall(text)]
        assert 1 <= len(found) <= 5
        numbers += found
        for line in text.splitlines():
            if ITEM.match(line) and "…" in line:
                kept = ITEM.sub("", line).removeprefix("[Mới] ").removesuffix("…")
                assert LONG.startswith(kept) and LONG[len(kept)] in " ,"  # cut between words
    assert numbers == list(range(1, 31))
    order = messages[0].task_ids
    assert sorted(order) == sorted([*range(100, 112), *range(200, 210), *range(300, 308)])
    tasks = {item.task_id: item for item in (*digest.overdue, *digest.due_soon, *digest.changes)}
    late = [tasks[t].days_late or 0 for t in order[:12]]
    left = [tasks[t].days_left or 0 for t in order[12:22]]
    assert late == sorted(late, reverse=True) and late[0] == 12 and left == sorted(left)
    assert "… và" not in plain(messages[-1].body) and "/xong N" in messages[-1].body


def test_a_digest_past_the_message_limit_counts_the_rest() -> None:
    """Beyond MAX_PARTS messages a chat gets no more: the last one says how many tasks are left, and
    the digest's item numbers (what /xong N answers) cover only the tasks shown."""
    tasks = [view(n, AS_OF - dt.timedelta(days=n), action=f"Nhiệm vụ {n}") for n in range(1, 61)]
    digest = build_digest("Sở Tài chính", AS_OF, "daily:2025-10-01", tasks, [])
    assert digest is not None
    messages = digest_messages(digest, "telegram")
    shown = messages[0].task_ids
    assert len(messages) == MAX_PARTS and len(shown) == MAX_PARTS * ITEMS_PER_PART
    assert shown == tuple(range(60, 60 - len(shown), -1))  # the most days late
    assert f"… và {60 - len(shown)} nhiệm vụ khác" in plain(messages[-1].body)
    assert all("… và" not in plain(m.body) for m in messages[:-1])


def test_zalo_messages_fit_2000_characters() -> None:
    """On Zalo (links shown in full) each message stays under 2000 characters and five items."""
    messages = digest_messages(thirty_item_digest(), "zalo")
    assert len(messages) > 1
    for message in messages:
        assert len(message.body) <= 2000 and 1 <= len(ITEM.findall(message.body)) <= ITEMS_PER_PART


def test_console_and_email_keep_the_whole_digest_in_one_message() -> None:
    """Channels with no length limit get every item in one message."""
    for channel in ("console", "email"):
        (message,) = digest_messages(thirty_item_digest(), channel)
        assert len(ITEM.findall(plain(message.body))) == 30


class BotApi:
    """A local Telegram Bot API server that records every message it accepted."""

    def __init__(self) -> None:
        """No message yet."""
        self.ids = itertools.count(1)
        self.delivered: list[str] = []

    def __call__(self, request: Request) -> Reply:
        """Answer getMe and sendMessage."""
        method = request.path.rsplit("/", 1)[1]
        if method == "getMe":
            return telegram_ok(BOT_USER)
        text = str(request.params["text"])
        self.delivered.append(text)
        return telegram_ok(telegram_message(str(request.params["chat_id"]), text, next(self.ids)))


class Crash(BaseException):
    """Stands for the delivery process dying (kill -9) after it claimed a message, before sending it."""


class CrashingTelegram(TelegramChannel):
    """The real Telegram channel, except that the process "dies" when it is about to send part `at`."""

    def __init__(self, token: str, *, api_base: str, at: int) -> None:
        """Count the messages it is given."""
        super().__init__(token, api_base=api_base, sleep=lambda s: None)
        self.at, self.seen = at, 0

    def send(self, message: OutgoingMessage) -> SendResult:
        """Send, or crash on the `at`-th message."""
        self.seen += 1
        if self.seen == self.at:
            raise Crash()
        return super().send(message)


def seed_thirty(session: Session) -> Config:
    """Thirty tasks of one unit (12 overdue, 18 due soon) and its head's Telegram chat (learned by
    onboarding)."""
    for n in range(30):
        due = AS_OF + dt.timedelta(days=n - 12 if n < 12 else (n % 7))
        add_task(session, f"r{n}", f"{LONG} ({n})", ["Sở Tài chính"], due)
    head = recipient_id(session, "Giám đốc Sở Tài chính")
    session.add(ChannelAddress(recipient_id=head, channel="telegram", address="4242", origin="invite"))
    session.commit()
    return Config(recipients=(RecipientConfig("Giám đốc Sở Tài chính", ("Sở Tài chính",)),))


def test_redelivery_after_a_crash_sends_no_part_twice(session: Session, tmp_path: Path) -> None:
    """A digest in several parts is one outbox row per part: the run crashing on part 3 (claimed, not
    sent), the digest job running again and the restarted delivery send every part exactly once, in
    order, so the unit head reads each of the thirty items once."""
    config = seed_thirty(session)
    added = enqueue_digests(session, config, AS_OF, "daily", now=NOW)
    rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    bodies = [row.body for row in rows]
    assert added == len(rows) >= 6
    api = BotApi()
    with serve(api) as server:
        with pytest.raises(Crash):
            deliver_pending(session, {"telegram": CrashingTelegram(TOKEN, api_base=server.base_url, at=3)},
                            NOW, config=config)  # fmt: skip
        session.rollback()
        assert api.delivered == bodies[:2]
        assert enqueue_digests(session, config, AS_OF, "daily", now=NOW) == 0  # the job ran again
        assert recover_interrupted(session, NOW) == 1
        channel = TelegramChannel(TOKEN, api_base=server.base_url, sleep=lambda s: None)
        deliver_pending(session, {"telegram": channel}, NOW, config=config)
        deliver_pending(session, {"telegram": channel}, NOW, config=config)
    assert api.delivered == bodies
    items = Counter(int(n) for text in api.delivered for n in ITEM.findall(visible(text, "telegram")))
    assert items == Counter(range(1, 31))
    session.expire_all()
    assert {row.status for row in session.scalars(select(OutboxMessage))} == {"sent"}
