"""Onboarding and bot commands: invite codes, Telegram long polling and webhook, the signed Zalo webhook."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from fake_apis import BotServer, Reply, Request, serve, telegram_error
from notify_helpers import add_document, add_task, polling_bot
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from crawler.config import Config, ZaloConfig
from crawler.errors import ConfigError
from crawler.storage.engine import make_engine
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
    handle_inbound,
    handle_zalo_webhook,
    invite,
    parse_command,
    zalo_signature,
)
from notifier.outbox import enqueue_digests
from notifier.telegram_bot import FAILED, PollingThread, build_application

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


def test_long_polling_answers_each_update_once(engine: Engine) -> None:
    """The bot answers /start and /quahan by long polling; a restarted bot is not given them again
    (the offset confirmed to Telegram), so only the next message gets an answer."""
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    with sessions() as session:
        _seed(session)
        code = invite(session, UNIT, NOW)
    bot = BotServer()
    at = int(NOW.timestamp())
    with serve(bot) as api:
        bot.user_says("555", f"/start {code}", at)
        bot.user_says("555", "/quahan", at)
        with polling_bot(sessions, TOKEN, api.base_url):
            bot.wait(lambda: len(bot.sent) == 2)
        with polling_bot(sessions, TOKEN, api.base_url):
            bot.user_says("555", "/tuannay", at)
            bot.wait(lambda: len(bot.sent) == 3)
    assert [chat for chat, _ in bot.sent] == ["555"] * 3
    assert "Đăng ký thành công" in bot.sent[0][1] and "trễ 6 ngày" in bot.sent[1][1]
    assert "Triển khai Mục V" in bot.sent[2][1]
    assert all("parse_mode" not in params for params in bot.sent_params)  # replies are plain text
    with sessions() as session:
        row = session.scalars(select(ChannelAddress)).one()
        assert (row.channel, row.address, row.active) == ("telegram", "555", True)


def test_texts_without_a_command_entity_are_read_too(engine: Engine) -> None:
    """A bare invite code and a command typed with marks ("/đang", which Telegram does not mark as a
    command) reach the same commands as the CommandHandlers' words; a greeting gets the help."""
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    with sessions() as session:
        _seed(session)
        code = invite(session, UNIT, NOW)
    bot = BotServer()
    at = int(NOW.timestamp())
    with serve(bot) as api, polling_bot(sessions, TOKEN, api.base_url):
        bot.user_says("555", code.lower(), at)
        assert "Đăng ký thành công" in bot.reply_after(0, "555")
        bot.user_says("555", "/đang 2 đã có dự thảo", at)
        assert "chưa có nhiệm vụ số 2" in bot.reply_after(1, "555")  # read as /dang: no digest yet
        bot.user_says("555", "xin chào", at)
        assert bot.reply_after(2, "555").startswith("dondoc nhắc việc. Các lệnh:")


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


def test_a_failing_update_gets_an_apology_and_the_bot_goes_on(tmp_path: Path) -> None:
    """The database is unusable: each message is answered with a Vietnamese apology (the error is
    logged), and polling goes on to the next message."""
    broken = make_engine(f"sqlite:///{tmp_path / 'no-tables.sqlite3'}")  # no dondoc table in it
    bot = BotServer()
    at = int(NOW.timestamp())
    with serve(bot) as api, polling_bot(sessionmaker(bind=broken), TOKEN, api.base_url):
        bot.user_says("555", "/viec", at)
        bot.user_says("556", "/quahan", at)
        bot.wait(lambda: len(bot.sent) == 2)
    broken.dispose()
    assert bot.sent == [("555", FAILED), ("556", FAILED)]


def test_a_refused_token_stops_polling_and_says_why(engine: Engine) -> None:
    """A token Telegram refuses ends polling at once (not retried) with the Vietnamese reason."""

    def refused(request: Request) -> Reply:
        return telegram_error(401, "Unauthorized")

    failures: list[Exception] = []
    with serve(refused) as api:
        polling = PollingThread(build_application("1:wrong", api.base_url, sessionmaker(bind=engine)),
                                failures.append)
        polling.start()
        polling.thread.join(60)
    assert not polling.thread.is_alive()
    assert len(api.requests) == 1 and api.requests[0].path.endswith("/getMe")
    assert [type(exc) for exc in failures] == [ConfigError]
    assert "token Telegram không hợp lệ" in str(failures[0])


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


def test_the_bot_sets_the_vietnamese_command_menu(engine: Engine) -> None:
    """When it starts the bot sets its "/" menu: each command with a Vietnamese description."""
    bot = BotServer()
    with serve(bot) as api, polling_bot(sessionmaker(bind=engine), TOKEN, api.base_url):
        bot.wait(lambda: bool(bot.menu))
    menu = {item["command"]: item["description"] for item in bot.menu}
    assert set(menu) == {"viec", "quahan", "tuannay", "xong", "dang", "giahan", "start", "huy"}
    assert menu["quahan"] == "Nhiệm vụ đã quá hạn"
