"""Answering back: `/xong`, `/dang`, `/giahan` from Telegram (a local Bot API server, long polling) and
Zalo (the signed webhook over HTTP), from the invite to the reports; the commands' parsing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import docx
import httpx
import openpyxl
import pytest
from fake_apis import BOT_USER, BotServer, Reply, Request, serve
from notify_helpers import polling_bot, webhook
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from test_notify_onboarding import APP_ID, NOW, SECRET, UNIT, _seed, _signed, _zalo_event

from crawler.config import ChannelsConfig, Config, RecipientConfig, ZaloConfig
from crawler.errors import BotCommandError
from crawler.storage.schema import Task, TaskEvent
from notifier.answers import TaskPointer, parse_answer
from notifier.channels.telegram import TelegramChannel
from notifier.channels.zalo import FileTokenStore, ZaloChannel, ZaloTokens, last_interaction_reader
from notifier.onboarding import (
    NOT_SUBSCRIBED,
    deep_link,
    invite,
    parse_command,
)
from notifier.outbox import deliver_pending, enqueue_digests
from notifier.planning import digest_for, load_inputs
from notifier.report_files import write_report
from notifier.reports import TaskReport, due_report, overdue_report
from service.status import status_lines

TOKEN = "42:answer-token"
HEAD, STRANGER = "Giám đốc Sở KH&CN Nghệ An", "Giám đốc Sở Tài chính Nghệ An"
OTHER_UNIT = "Sở Tài chính tỉnh Nghệ An"
NOTE = "đã gửi báo cáo"


CONFIG = Config(recipients=(  # the heads of two departments, reached where they onboarded
    RecipientConfig(HEAD, (UNIT,), (), digests=("daily",)),
    RecipientConfig(STRANGER, (OTHER_UNIT,), (), digests=("daily",)),
))


def _task_id(session: Session, action: str) -> int:
    """The id of the seeded task with this action."""
    return session.scalars(select(Task.id).where(Task.action == action)).one()


# --- parsing ---------------------------------------------------------------------------------------


def test_commands_are_read_with_or_without_slash_and_marks() -> None:
    """Telegram users type "/xong", Zalo users "xong" or "Đang": all reach the same command."""
    assert parse_command("/xong 1 đã gửi báo cáo") == ("done", "1 đã gửi báo cáo")
    assert parse_command("/xong@dondoc_bot #12") == ("done", "#12")
    assert parse_command("Đang 2 đã có dự thảo") == ("progress", "2 đã có dự thảo")
    assert parse_command("giahan 3 15/11/2025 chờ số liệu") == ("extend", "3 15/11/2025 chờ số liệu")


def test_good_arguments_are_parsed() -> None:
    """Item numbers, task ids, notes and dates written the Vietnamese way."""
    done = parse_answer("done", "1 đã gửi báo cáo")
    assert (done.target, done.note, done.requested) == (TaskPointer(number=1), NOTE, None)
    assert parse_answer("done", "#12").target == TaskPointer(task_id=12)
    extend = parse_answer("extend", "2 5/1/2026 chờ số liệu của Bộ")
    assert (extend.target, extend.requested, extend.note) == (
        TaskPointer(number=2), dt.date(2026, 1, 5), "chờ số liệu của Bộ")


@pytest.mark.parametrize(
    ("kind", "argument", "message"),
    [
        ("done", "", "Thiếu số thứ tự nhiệm vụ. Cách dùng: /xong N [ghi chú]"),
        ("done", "một đã xong", "“một” không phải số thứ tự nhiệm vụ."),
        ("done", "1.5", "“1.5” không phải số thứ tự nhiệm vụ."),
        ("done", "-1", "“-1” không phải số thứ tự nhiệm vụ."),
        ("done", "0", "Số thứ tự nhiệm vụ bắt đầu từ 1."),
        ("done", "#abc", "“#abc” không phải số thứ tự nhiệm vụ."),
        ("progress", "2", "Hãy ghi kèm tiến độ"),
        ("extend", "2", "Thiếu ngày đề nghị gia hạn. Cách dùng: /giahan N NGÀY/THÁNG/NĂM lý do"),
        ("extend", "2 31/02/2026 chờ", "Ngày “31/02/2026” không hợp lệ: ghi ngày theo dạng NGÀY/THÁNG/NĂM"),
        ("extend", "2 2026-01-15 chờ số liệu", "Ngày “2026-01-15” không hợp lệ"),
        ("extend", "2 15/01/2026", "Hãy nêu lý do đề nghị gia hạn."),
        ("done", "1 " + "x" * 1001, "Ghi chú dài quá 1000 ký tự"),
    ],
)
def test_bad_arguments_get_a_clear_vietnamese_error(kind: str, argument: str, message: str) -> None:
    """Each mistake is named, with the command's usage where it helps."""
    with pytest.raises(BotCommandError) as error:
        parse_answer(kind, argument)
    assert message in str(error.value)


# --- Telegram, end to end --------------------------------------------------------------------------


@contextmanager
def telegram(engine: Engine) -> Iterator[tuple[BotServer, Any]]:
    """The local Bot API server, the production bot polling it, and `say(chat, text, at)`: one message
    the bot answers, returning its reply."""
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    bot = BotServer()
    with serve(bot) as api, polling_bot(sessions, TOKEN, api.base_url):
        bot_base = api.base_url

        def say(chat: str, text: str, at: dt.datetime = NOW) -> str:
            before = len(bot.sent)
            bot.user_says(chat, text, int(at.timestamp()))
            return bot.reply_after(before, chat)

        yield bot, (say, bot_base)


def _onboard(session: Session, recipient: str, unit: str) -> str:
    """The `/start` text behind the invite's deep link (t.me/<bot>?start=CODE sends "/start CODE")."""
    code = invite(session, unit, NOW, recipient=recipient)
    link = urlsplit(deep_link(BOT_USER["username"], code))
    assert link.netloc == "t.me" and link.path == f"/{BOT_USER['username']}"
    return f"/start {parse_qs(link.query)['start'][0]}"


def _report_ids(report: TaskReport) -> set[int]:
    """The tasks a report lists."""
    return {row.task_id for row in (*report.alone, *report.shared, *report.unplaced)}


def test_telegram_invite_digest_xong_reports_and_a_refused_stranger(engine: Engine, tmp_path: Path) -> None:
    """invite → deep link → /start → digest → `/xong 1 đã gửi báo cáo`: the task leaves the overdue
    lists (digest, /quahan, report) and the DOCX/XLSX reports say "Đã hoàn thành" with the note; the
    head of another unit cannot change it, and every report is an event with who, when and the note."""
    config = CONFIG
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    with sessions() as session:
        _seed(session)
        late, soon, later = (_task_id(session, a) for a in ("Báo cáo tiến độ số hóa", "Triển khai Mục V",
                                                            "Tổng kết năm"))
        starts = {HEAD: _onboard(session, HEAD, UNIT), STRANGER: _onboard(session, STRANGER, OTHER_UNIT)}
        session.commit()
    with telegram(engine) as (bot, (say, base)), sessions() as session:
        assert "Đăng ký thành công" in say("555", starts[HEAD])
        assert "Đăng ký thành công" in say("666", starts[STRANGER])
        assert "Chưa có bản tin nhắc việc nào" in say("555", f"/xong 1 {NOTE}")
        assert enqueue_digests(session, config, NOW.date(), "daily", now=NOW) == 2
        channels = {"telegram": TelegramChannel(TOKEN, api_base=base, sleep=lambda s: None)}
        assert deliver_pending(session, channels, NOW).sent == 2
        digest = next(text for chat, text in bot.sent if chat == "555" and "Nhắc việc" in text)
        assert "1. <i>[Chủ trì] </i>Báo cáo tiến độ số hóa" in digest  # one numbering, the unit's own task
        assert "2. <i>[Chủ trì] </i>Triển khai Mục V" in digest
        assert "/xong N" in digest
        assert late in _report_ids(overdue_report(session, NOW.date()))

        at = NOW + dt.timedelta(minutes=5)
        assert say("555", f"/xong 1 {NOTE}", at) == (
            f"Đã ghi nhận: nhiệm vụ #{late} “Báo cáo tiến độ số hóa” đã hoàn thành (ghi chú: {NOTE}). "
            "Nhiệm vụ không còn trong danh sách quá hạn và sắp đến hạn. "
            "Nếu nhầm, gửi /dang kèm số thứ tự và tiến độ để mở lại.")
        refused = say("666", f"/xong #{soon} xong rồi", at)
        assert refused.startswith(f"Bạn không được cập nhật nhiệm vụ #{soon}: nhiệm vụ này giao cho {UNIT}")
        assert OTHER_UNIT in refused
        assert say("999", f"/xong #{soon}", at) == NOT_SUBSCRIBED
        assert "chỉ có 2 nhiệm vụ (số 1 đến 2); không có nhiệm vụ số 3" in say("555", "/xong 3", at)
        assert "đang thực hiện – đã có dự thảo" in say("555", "/dang 2 đã có dự thảo", at)
        assert "Đã gửi đề nghị gia hạn" in say("555", f"/giahan #{later} 15/01/2026 chờ số liệu", at)
        assert "phải sau hôm nay" in say("555", f"/giahan #{later} 01/10/2025 chờ số liệu", at)

        session.expire_all()
        events = session.scalars(select(TaskEvent).where(TaskEvent.kind.in_(
            ("progress_reported", "extension_requested"))).order_by(TaskEvent.id)).all()
        assert [(e.task_id, e.kind, e.detail["new"], e.detail["note"], e.detail["by"], e.detail["unit"])
                for e in events] == [
            (late, "progress_reported", "done", NOTE, HEAD, UNIT),
            (soon, "progress_reported", "in_progress", "đã có dự thảo", HEAD, UNIT),
            (later, "extension_requested", "2026-01-15", "chờ số liệu", HEAD, UNIT),
        ]
        assert {e.detail["at"] for e in events} == {at.isoformat()}
        assert {e.on for e in events} == {NOW.date() + dt.timedelta(days=1)}  # told by the next digest
        assert session.get_one(Task, later).due == dt.date(2025, 12, 31)  # a request, not applied
        assert any(f"#{later} Tổng kết năm" in line and "xin đến 15/01/2026" in line
                   for line in status_lines(session, config, None, at))

        assert "Báo cáo tiến độ số hóa" not in say("555", "/quahan", at)
        assert late not in _report_ids(overdue_report(session, NOW.date()))
        tomorrow = NOW.date() + dt.timedelta(days=1)
        inputs = load_inputs(session, NOW.date(), tomorrow)
        next_digest = digest_for(inputs, HEAD, [UNIT], tomorrow, "daily:2025-10-02")
        assert next_digest is not None and late not in {item.task_id for item in next_digest.overdue}
        change = next(item for item in next_digest.changes if item.task_id == late)
        assert change.progress is not None and (change.progress.by, change.progress.note) == (HEAD, NOTE)

        going = next(r for r in overdue_report(session, dt.date(2025, 10, 5)).alone if r.task_id == soon)
        assert going.progress == "Đang thực hiện" and going.result.endswith("đã có dự thảo")
        report = due_report(session, dt.date(2025, 9, 1), dt.date(2025, 12, 31))
        docx_path, xlsx_path, html_path = write_report(report, tmp_path / "reports", ["docx", "xlsx", "html"])
    html = html_path.read_text(encoding="utf-8")
    assert f"Đơn vị báo cáo ngày 01/10/2025: {NOTE}" in html and "Đã hoàn thành" in html
    rows = [[cell.text for cell in row.cells] for row in docx.Document(str(docx_path)).tables[1].rows]
    done_row = next(row for row in rows if row[2] == "Báo cáo tiến độ số hóa")
    assert done_row[6] == "Đã hoàn thành" and NOTE in done_row[3]
    going_row = next(row for row in rows if row[2] == "Triển khai Mục V")
    assert going_row[6] == "Đang thực hiện" and "đã có dự thảo" in going_row[3]
    sheet = openpyxl.load_workbook(xlsx_path)["Danh sách nhiệm vụ"]
    listing = [tuple(str(c.value or "") for c in row) for row in sheet.iter_rows(min_row=5)]
    xlsx_row = next(row for row in listing if row[4] == "Báo cáo tiến độ số hóa")
    assert xlsx_row[10] == "Đã hoàn thành" and xlsx_row[5] == f"Đơn vị báo cáo ngày 01/10/2025: {NOTE}"


def test_a_task_given_to_a_collective_is_not_closed_by_one_member(engine: Engine, tmp_path: Path) -> None:
    """A ministry reached only through "Các bộ, ngành" is told to report to the operator: its word
    alone would close the task for every ministry."""
    from notify_helpers import add_task

    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    with sessions() as session:
        _seed(session)
        shared = add_task(session, "e", "Rà soát thủ tục", ["Các bộ, ngành"], dt.date(2025, 9, 20)).id
        start = _onboard(session, "Bộ trưởng Bộ Y tế", "Bộ Y tế")
        session.commit()
    with telegram(engine) as (_bot, (say, _base)):
        assert "Đăng ký thành công" in say("555", start)
        answer = say("555", f"/xong #{shared}")
    assert answer == (f"Nhiệm vụ #{shared} giao chung cho “Các bộ, ngành”, không nêu riêng đơn vị của bạn "
                      "(Bộ Y tế), nên không cập nhật được qua bot. Vui lòng báo tiến độ cho người quản "
                      "trị dondoc.")
    with sessions() as session:
        assert session.scalars(select(TaskEvent).where(TaskEvent.kind == "progress_reported")).all() == []


# --- Zalo, end to end ------------------------------------------------------------------------------




def test_zalo_webhook_invite_digest_xong_and_a_refused_stranger(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same flow through the signed Zalo webhook: the code, the digest through the OA, then
    "xong 1 đã gửi báo cáo" (no slash) closes the task; the other department's head is refused."""
    monkeypatch.setenv("DONDOC_ZALO_SECRET_KEY", SECRET)
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    with sessions() as session:
        _seed(session)
        late = _task_id(session, "Báo cáo tiến độ số hóa")
        codes = {who: invite(session, unit, NOW, recipient=who) for who, unit in ((HEAD, UNIT),
                                                                                   (STRANGER, OTHER_UNIT))}
        session.commit()
    sent: list[tuple[str, str]] = []

    def oa(request: Request) -> Reply:
        sent.append((request.params["recipient"]["user_id"], request.params["message"]["text"]))
        return 200, {"error": 0, "message": "Success", "data": {"message_id": f"m{len(sent)}"}}

    with serve(oa) as api:
        settings = ZaloConfig(app_id=APP_ID, api_base=api.base_url, oauth_base=api.base_url)
        zalo = ZaloChannel(settings, secret_key=SECRET, tokens=FileTokenStore(tmp_path / "tokens.json"),
                           initial=ZaloTokens("A1", "R1"), last_interaction=last_interaction_reader(sessions),
                           clock=lambda: NOW)
        config = Config(recipients=CONFIG.recipients, channels=ChannelsConfig(zalo=settings))

        with webhook(config, sessions, {"zalo": zalo}, NOW) as base:
            def say(user: str, text: str, minutes: int) -> str:
                event = _zalo_event(user, text, NOW - dt.timedelta(minutes=minutes))
                assert httpx.post(f"{base}/zalo", content=event, headers=_signed(event)).status_code == 200
                assert sent[-1][0] == user
                return sent[-1][1]

            assert "Đăng ký thành công" in say("u-9", codes[HEAD], 4)
            assert "Đăng ký thành công" in say("u-7", codes[STRANGER], 4)
            with sessions() as session:
                assert enqueue_digests(session, config, NOW.date(), "daily", now=NOW) == 2
                assert deliver_pending(session, {"zalo": zalo}, NOW).sent == 2
            digest = next(text for user, text in sent if user == "u-9" and "NHẮC VIỆC" in text)
            assert "1. [Chủ trì] Báo cáo tiến độ số hóa" in digest and "/xong N" in digest
            assert say("u-9", f"xong 1 {NOTE}", 3).startswith(f"Đã ghi nhận: nhiệm vụ #{late}")
            assert say("u-7", f"xong #{late}", 2).startswith(f"Bạn không được cập nhật nhiệm vụ #{late}")
            assert "Báo cáo tiến độ số hóa" not in say("u-9", "quahan", 1)
    with sessions() as session:
        assert late not in _report_ids(overdue_report(session, NOW.date()))
        row = next(r for r in due_report(session, dt.date(2025, 9, 1), dt.date(2025, 9, 30)).alone
                   if r.task_id == late)
        assert row.progress == "Đã hoàn thành" and NOTE in row.result
        event = session.scalars(select(TaskEvent).where(TaskEvent.kind == "progress_reported")).one()
        assert (event.detail["by"], event.detail["channel"]) == (HEAD, "zalo")


def test_a_message_seen_twice_is_stored_once(engine: Engine, tmp_path: Path) -> None:
    """A Telegram update handled again (a crash before the offset was saved) adds no second event."""
    from notifier.onboarding import Inbound, handle_inbound

    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    with sessions() as session:
        _seed(session)
        task = _task_id(session, "Báo cáo tiến độ số hóa")
        start = _onboard(session, HEAD, UNIT)
        handle_inbound(session, Inbound("telegram", "555", start, NOW))
        message = Inbound("telegram", "555", f"/dang #{task} đang tổng hợp", NOW)
        first, again = handle_inbound(session, message), handle_inbound(session, message)
        assert first == again and "đang thực hiện – đang tổng hợp" in first
        events = session.scalars(select(TaskEvent).where(TaskEvent.kind == "progress_reported")).all()
        assert len(events) == 1
    assert json.dumps(events[0].detail, ensure_ascii=False).count("đang tổng hợp") == 1
