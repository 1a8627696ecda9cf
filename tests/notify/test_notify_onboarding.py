"""Onboarding and bot commands: invite codes, Telegram long polling and webhook, the signed Zalo webhook."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from fake_apis import BOT_USER, Reply, Request, serve, telegram_message, telegram_ok
from notify_helpers import add_document, add_task
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from crawler.config import Config, ZaloConfig
from crawler.storage.outbox import PlannedMessage, write_planned
from crawler.storage.recipients import recipient_id
from crawler.storage.schema import ChannelAddress, OutboxMessage, Subscription
from crawler.storage.units import default_directory, sync_units
from notifier.channels.base import OutgoingMessage
from notifier.channels.zalo import FileTokenStore, ZaloChannel, ZaloTokens, last_interaction_reader
from notifier.onboarding import (
    NOT_SUBSCRIBED,
    USED_CODE,
    Inbound,
    InvalidSignatureError,
    OffsetStore,
    handle_inbound,
    handle_telegram_webhook,
    handle_zalo_webhook,
    invite,
    parse_command,
    poll_telegram,
    poll_telegram_once,
    zalo_signature,
)
from notifier.outbox import enqueue_digests

TOKEN = "42:poll-token"
NOW = dt.datetime(2025, 10, 1, 2, 0, tzinfo=dt.UTC)  # 09:00 in Hà Nội, a Wednesday
UNIT = "Sở Khoa học và Công nghệ tỉnh Nghệ An"
APP_ID, SECRET = "app-1", "oa-secret-key"


def _seed(session: Session) -> None:
    """Gazetteer units and three tasks of the Nghệ An science department (overdue, this week, later)."""
    sync_units(session, (), default_directory())
    doc = add_document(session, "10447/UBND-VX", "http://127.0.0.1/vb/10447")
    add_task(session, "a", "Báo cáo tiến độ số hóa", ["Sở KH&CN Nghệ An"], dt.date(2025, 9, 25), document=doc)
    add_task(session, "b", "Triển khai Mục V", [UNIT], dt.date(2025, 10, 4), document=doc)
    add_task(session, "c", "Tổng kết năm", [UNIT], dt.date(2025, 12, 31), document=doc)
    add_task(session, "d", "Việc của đơn vị khác", ["Sở Tài chính tỉnh Nghệ An"], dt.date(2025, 10, 2))
    session.commit()


def test_parse_command_accepts_slashes_bot_names_and_bare_codes() -> None:
    """Commands work with or without a slash (Zalo users type them), and a bare code means /start."""
    assert parse_command("/start ABCD2345") == ("start", "ABCD2345")
    assert parse_command("/quahan@dondoc_bot") == ("overdue", "")
    assert parse_command("tuannay") == ("week", "")
    assert parse_command("abcd2345") == ("start", "abcd2345")
    assert parse_command("xin chào") == ("help", "")


def test_invite_then_commands(session: Session) -> None:
    """A code subscribes once; list, overdue, this week and unsubscribe answer in Vietnamese."""
    _seed(session)
    code = invite(session, "Sở KH&CN Nghệ An", NOW)

    def say(text: str, chat: str = "777") -> str:
        return handle_inbound(session, Inbound("telegram", chat, text, NOW))

    assert say("/viec") == NOT_SUBSCRIBED
    assert "Đăng ký thành công" in say(f"/start {code}") and UNIT in say(f"/start {code}")
    assert say(f"/start {code}", chat="888") == USED_CODE
    hint = "Báo cáo: /xong #mã [ghi chú], /dang #mã ghi chú, /giahan #mã NGÀY/THÁNG/NĂM lý do."
    assert say("/viec").splitlines() == [  # by task id: "/xong N" means item N of the digest
        "Nhiệm vụ đang thực hiện (ngày 01/10/2025): 3 nhiệm vụ",
        "#1 Báo cáo tiến độ số hóa (hạn 25/09/2025, trễ 6 ngày; 10447/UBND-VX)",
        "#2 Triển khai Mục V (hạn 04/10/2025; 10447/UBND-VX)",
        "#3 Tổng kết năm (hạn 31/12/2025; 10447/UBND-VX)",
        hint,
    ]
    assert say("/quahan").splitlines()[1:] == [
        "#1 Báo cáo tiến độ số hóa (hạn 25/09/2025, trễ 6 ngày; 10447/UBND-VX)", hint
    ]
    assert say("/tuannay").splitlines()[1:] == ["#2 Triển khai Mục V (hạn 04/10/2025; 10447/UBND-VX)", hint]
    assert "Đã hủy" in say("/huy")
    assert say("/viec") == NOT_SUBSCRIBED
    assert session.scalars(select(Subscription)).one() is not None


def test_long_polling_handles_each_update_once(engine: Engine, tmp_path: Path) -> None:
    """getUpdates with a persisted offset: a second poll (or a restarted poller) sees nothing again."""
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    with sessions() as session:
        _seed(session)
        code = invite(session, UNIT, NOW)
    bot = PollingBot([f"/start {code}", "/quahan"])
    offsets = OffsetStore(tmp_path / "offset.json")
    with serve(bot) as api:
        assert poll_telegram_once(sessions, TOKEN, api.base_url, offsets, timeout_s=0) == 2
        assert poll_telegram_once(sessions, TOKEN, api.base_url, OffsetStore(offsets.path), timeout_s=0) == 0
    assert offsets.load() == 102
    assert [chat for chat, _ in bot.replies] == ["555", "555"]
    assert "Đăng ký thành công" in bot.replies[0][1] and "trễ 6 ngày" in bot.replies[1][1]
    with sessions() as session:
        row = session.scalars(select(ChannelAddress)).one()
        assert (row.channel, row.address, row.active) == ("telegram", "555", True)


class PollingBot:
    """A Bot API server holding scripted updates for chat 555; it confirms those below the offset."""

    def __init__(self, texts: list[str]) -> None:
        """Queue one update per text, ids from 100."""
        self.updates = [_update(100 + i, text) for i, text in enumerate(texts)]
        self.replies: list[tuple[str, str]] = []
        self.ids = itertools.count(1)
        self.menu: list[dict[str, str]] = []

    def __call__(self, request: Request) -> Reply:
        """Answer getMe, setMyCommands, getUpdates (from the offset on) and sendMessage."""
        method = request.path.rsplit("/", 1)[1]
        if method == "getMe":
            return telegram_ok(BOT_USER)
        if method == "setMyCommands":
            commands = request.params["commands"]
            self.menu = json.loads(commands) if isinstance(commands, str) else commands
            return telegram_ok(True)
        if method == "getUpdates":
            offset = int(request.params.get("offset") or 0)
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            return telegram_ok(self.updates)
        assert method == "sendMessage" and "parse_mode" not in request.params
        chat, text = str(request.params["chat_id"]), str(request.params["text"])
        self.replies.append((chat, text))
        return telegram_ok(telegram_message(chat, text, next(self.ids)))


def _update(update_id: int, text: str) -> dict[str, Any]:
    """A Bot API Update with a private text message from chat 555."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(NOW.timestamp()),
            "chat": {"id": 555, "type": "private"},
            "from": {"id": 555, "is_bot": False, "first_name": "Lan"},
            "text": text,
        },
    }


def test_telegram_webhook_checks_the_secret_and_answers_with_a_method(session: Session) -> None:
    """A wrong secret token is rejected; a right one gets a sendMessage call as the HTTP answer."""
    _seed(session)
    code = invite(session, UNIT, NOW)
    body = json.dumps(_update(7, f"/start {code}")).encode()
    with pytest.raises(InvalidSignatureError):
        handle_telegram_webhook(session, body, {"X-Telegram-Bot-Api-Secret-Token": "nope"}, "s3cret")
    answer = handle_telegram_webhook(session, body, {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}, "s3cret")
    assert answer is not None and answer["method"] == "sendMessage" and answer["chat_id"] == "555"
    assert "Đăng ký thành công" in str(answer["text"])


def _zalo_event(user: str, text: str, at: dt.datetime) -> bytes:
    """A user_send_text webhook body as Zalo sends it."""
    event = {
        "app_id": APP_ID,
        "event_name": "user_send_text",
        "sender": {"id": user},
        "recipient": {"id": "oa-1"},
        "message": {"text": text, "msg_id": "x1"},
        "timestamp": str(int(at.timestamp() * 1000)),
    }
    return json.dumps(event, ensure_ascii=False).encode()


def _signed(body: bytes) -> dict[str, str]:
    """The X-ZEvent-Signature header for a body."""
    timestamp = json.loads(body)["timestamp"]
    return {"X-ZEvent-Signature": "mac=" + zalo_signature(APP_ID, body, timestamp, SECRET)}


def test_zalo_webhook_signature_subscription_and_48_hour_window(engine: Engine, tmp_path: Path) -> None:
    """Bad signatures are refused; a code subscribes the user, whose interaction opens the window."""
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    with sessions() as session:
        _seed(session)
        code = invite(session, UNIT, NOW)
    sent_at = NOW - dt.timedelta(hours=47)
    body = _zalo_event("u-9", code, sent_at)
    with sessions() as session:
        with pytest.raises(InvalidSignatureError):
            handle_zalo_webhook(
                session,
                body,
                {"X-ZEvent-Signature": "mac=" + "0" * 64},
                app_id=APP_ID,
                secret_key=SECRET,
                now=NOW,
            )
        with pytest.raises(InvalidSignatureError):
            handle_zalo_webhook(
                session, body + b" ", _signed(body), app_id=APP_ID, secret_key=SECRET, now=NOW
            )
        with pytest.raises(InvalidSignatureError):  # the same signed event 47 hours on: a replay
            handle_zalo_webhook(session, body, _signed(body), app_id=APP_ID, secret_key=SECRET, now=NOW)
        reply = handle_zalo_webhook(session, body, _signed(body), app_id=APP_ID, secret_key=SECRET,
                                    now=sent_at + dt.timedelta(seconds=2))
    assert reply is not None and reply.address == "u-9" and "Đăng ký thành công" in reply.text
    sent: list[tuple[str, str]] = []

    def oa(request: Request) -> Reply:
        sent.append((request.params["recipient"]["user_id"], request.params["message"]["text"]))
        return 200, {"error": 0, "message": "Success", "data": {"message_id": "m1"}}

    with serve(oa) as api:
        zalo = ZaloChannel(
            ZaloConfig(app_id=APP_ID, api_base=api.base_url, oauth_base=api.base_url),
            secret_key=SECRET,
            tokens=FileTokenStore(tmp_path / "tokens.json"),
            initial=ZaloTokens("A1", "R1"),
            last_interaction=last_interaction_reader(sessions),
            clock=lambda: NOW,
        )
        zalo.send(OutgoingMessage("k", "zalo", reply.address, "", reply.text))
        later = _zalo_event("u-9", "quahan", NOW)
        with sessions() as session:
            overdue = handle_zalo_webhook(
                session, later, _signed(later), app_id=APP_ID, secret_key=SECRET, now=NOW
            )
        assert overdue is not None and "trễ 6 ngày" in overdue.text
    assert [user for user, _ in sent] == ["u-9"]
    with sessions() as session:
        stored = session.scalars(select(ChannelAddress.last_interaction_at)).one()
        assert stored is not None and stored.replace(tzinfo=dt.UTC) == NOW


def test_poll_loop_survives_errors_and_stops_when_told(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failing round is logged and retried after the injected sleep; should_stop ends the loop."""
    import notifier.onboarding as onboarding

    rounds: list[str] = []

    def flaky(*args: object, **kwargs: object) -> int:
        rounds.append("x")
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(onboarding, "poll_telegram_once", flaky)
    slept: list[float] = []
    sessions = sessionmaker(bind=engine)
    onboarding.poll_telegram(
        sessions,
        TOKEN,
        "http://127.0.0.1:9",
        OffsetStore(tmp_path / "o.json"),
        should_stop=lambda: len(rounds) >= 2,
        sleep=slept.append,
    )
    assert rounds == ["x", "x"] and slept == [5.0, 5.0]


def test_a_unit_head_onboarded_by_invite_gets_digests(session: Session) -> None:
    """No config entry needed: the invite's recipient gets the unit's digest in the learned chat."""
    _seed(session)
    code = invite(session, UNIT, NOW)
    handle_inbound(session, Inbound("telegram", "777", f"/start {code}", NOW))
    assert enqueue_digests(session, Config(), NOW.date(), "daily") == 1
    row = session.scalars(select(OutboxMessage)).one()
    assert (row.channel, row.address) == ("telegram", "777") and "Báo cáo tiến độ số hóa" in row.body


def test_a_zalo_message_releases_recently_held_messages(session: Session) -> None:
    """Writing to the OA reopens the window: held Zalo messages of the last 7 days become pending."""
    recipient = recipient_id(session, "Sở KH&CN Nghệ An")
    plan = [PlannedMessage(f"k{n}", "zalo", "u-7", "Tin", f"Nội dung {n}", None, "daily:x") for n in (1, 2)]
    write_planned(session, recipient, plan[:1], NOW - dt.timedelta(days=10))
    write_planned(session, recipient, plan[1:], NOW - dt.timedelta(days=2))
    for message in session.scalars(select(OutboxMessage)):
        message.status = "held"
    session.commit()
    handle_inbound(session, Inbound("zalo", "u-7", "xin chào", NOW))
    statuses = {m.idempotency_key: m.status for m in session.scalars(select(OutboxMessage))}
    assert statuses == {"k1": "held", "k2": "pending"}


def test_the_poller_sets_the_vietnamese_command_menu(engine: Engine, tmp_path: Path) -> None:
    """Before its first round the bot sets its "/" menu: each command with a Vietnamese description."""
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    bot = PollingBot([])
    rounds: list[int] = []
    with serve(bot) as api:
        poll_telegram(sessions, TOKEN, api.base_url, OffsetStore(tmp_path / "o.json"),
                      should_stop=lambda: rounds.append(1) is None and len(rounds) > 1, sleep=lambda s: None)
    menu = {item["command"]: item["description"] for item in bot.menu}
    assert set(menu) == {"viec", "quahan", "tuannay", "xong", "dang", "giahan", "start", "huy"}
    assert menu["quahan"] == "Nhiệm vụ đã quá hạn"
