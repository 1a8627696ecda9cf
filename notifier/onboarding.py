"""Onboarding and bot commands: invite codes, Telegram `/start CODE`, the signed Zalo webhook.

`dondoc invite --unit NAME` stores a one-time code (storage.invites.create_invite). The unit head sends
`/start CODE` to the Telegram bot (notifier.telegram_bot, by long polling or webhook) or the code to
the Zalo OA (its `user_send_text` webhook, signed with `X-ZEvent-Signature`), and the chat or user id
is recorded (storage.invites.redeem_invite). Subscribers then ask the bot for their tasks, the overdue
ones, those due this week, or unsubscribe; every reply is Vietnamese plain text.

Handling is idempotent, so an update seen twice (a crash between handling it and confirming it to
Telegram, or a webhook retried by Telegram) changes nothing twice: a code redeemed again by
the same chat is answered as a success, and the commands only read or deactivate.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from crawler.errors import InvalidSignatureError
from crawler.extract.normalize import unmarked
from crawler.storage import outbox, recipients
from crawler.storage.invites import INVITE_ALPHABET, INVITE_LENGTH, create_invite, redeem_invite, used_invite
from crawler.storage.tasks import index_by_unit, load_tasks, tasks_for_units
from crawler.storage.units import (
    UnitDirectory,
    default_directory,
    ensure_unit,
    find_unit,
    load_resolver,
    unit_resolver,
)
from notifier.answers import ANSWER_COMMANDS, answer_back
from notifier.tasklists import select_tasks, task_reply

log = logging.getLogger(__name__)

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
HELD_RELEASE_AGE = dt.timedelta(days=7)  # older held digests are stale: the operator decides
ZALO_SIGNATURE_HEADER = "x-zevent-signature"
ZALO_MAX_AGE = dt.timedelta(minutes=5)  # older signed events are replays
_CODE = re.compile(rf"^[{INVITE_ALPHABET}]{{{INVITE_LENGTH}}}$")
COMMAND_WORDS = {
    "start": "start",
    "batdau": "start",
    "viec": "tasks",
    "nhiemvu": "tasks",
    "quahan": "overdue",
    "tuannay": "week",
    "huy": "unsubscribe",
    "huydangky": "unsubscribe",
    "stop": "unsubscribe",
    "xong": "done",
    "hoanthanh": "done",
    "dang": "progress",
    "tiendo": "progress",
    "giahan": "extend",
}

HELP = (
    "dondoc nhắc việc. Các lệnh:\n"
    "/start MÃ – đăng ký nhận nhắc việc bằng mã mời\n"
    "/viec – nhiệm vụ đang thực hiện của đơn vị\n"
    "/quahan – nhiệm vụ quá hạn\n"
    "/tuannay – nhiệm vụ đến hạn trong tuần này\n"
    "/xong N [ghi chú] – báo nhiệm vụ số N của bản tin gần nhất (hoặc #mã) đã hoàn thành\n"
    "/dang N ghi chú – báo nhiệm vụ đang thực hiện, kèm tiến độ\n"
    "/giahan N NGÀY/THÁNG/NĂM lý do – đề nghị gia hạn (người quản trị xem xét)\n"
    "/huy – hủy nhận nhắc việc qua kênh này"
)
NOT_SUBSCRIBED = (
    "Bạn chưa đăng ký nhận nhắc việc. Hãy gửi /start kèm mã mời do người quản trị dondoc cấp "
    "(trên Zalo chỉ cần gửi mã)."
)
BAD_CODE = "Mã mời không đúng, đã được dùng hoặc đã hết hạn. Vui lòng xin mã mới từ người quản trị."
USED_CODE = "Mã mời này đã được dùng. Mỗi mã chỉ dùng được một lần: vui lòng xin mã mới từ người quản trị."
EXPIRED_CODE = "Mã mời này đã hết hạn. Vui lòng xin mã mới từ người quản trị."
CANCELLED_CODE = (
    "Bạn đã hủy nhận nhắc việc bằng lệnh /huy; mã mời cũ không dùng lại được. "
    "Vui lòng xin mã mới từ người quản trị để đăng ký lại."
)


@dataclass(frozen=True)
class Inbound:
    """A text a user sent to a bot: the channel, the chat or user id, the text and when it was sent."""

    channel: str
    address: str
    text: str
    at: dt.datetime


@dataclass(frozen=True)
class Reply:
    """What to answer, and to which chat or user id."""

    channel: str
    address: str
    text: str


# --- invites ---------------------------------------------------------------------------------------


def invite(
    session: Session,
    unit: str,
    now: dt.datetime,
    *,
    recipient: str | None = None,
    directory: UnitDirectory | None = None,
    valid_days: int = 7,
) -> str:
    """Store and return a one-time code subscribing its sender to `unit` (`dondoc invite --unit`).

    A unit the gazetteer knows (e.g. a province's department) is added to the units table first."""
    directory = directory or default_directory()
    resolver = load_resolver(session, directory)
    if find_unit(session, unit, resolver) is None and directory and directory.canonical(unit):
        ensure_unit(session, unit, resolver)
    code = create_invite(session, unit, resolver, now, recipient=recipient,
                         valid_for=dt.timedelta(days=valid_days))
    session.commit()
    return code


def deep_link(bot_username: str, code: str) -> str:
    """The Telegram link that opens the bot with the code filled in (`/start CODE` on one tap)."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={code}"


def invite_text(code: str, unit: str, *, bot_username: str = "", valid_days: int = 7,
                qr_file: str = "") -> str:
    """What `dondoc invite` prints: the code, the bot's link and QR code, and the Zalo steps."""
    if bot_username:
        telegram = (f"Telegram: mở {deep_link(bot_username, code)} rồi bấm “Bắt đầu” "
                    f"(hoặc gửi “/start {code}” cho @{bot_username.lstrip('@')}).")
    else:
        telegram = (f"Telegram: gửi “/start {code}” cho bot dondoc (khai báo bot_username ở "
                    "[channels.telegram] để có đường liên kết và mã QR).")
    lines = [f"Mã mời cho “{unit}”: {code}", telegram]
    if qr_file:
        lines.append(f"Mã QR của đường liên kết: {qr_file} (in ra hoặc gửi cho lãnh đạo đơn vị).")
    lines += [
        f"Zalo: quan tâm (follow) Official Account của đơn vị vận hành dondoc, rồi gửi tin nhắn “{code}”.",
        f"Mã chỉ dùng được một lần và hết hạn sau {valid_days} ngày.",
    ]
    return "\n".join(lines)


# --- commands --------------------------------------------------------------------------------------


def parse_command(text: str) -> tuple[str, str]:
    """The command (start, tasks, overdue, week, unsubscribe, done, progress, extend, help) and its
    argument in a message; the command word is read without its marks ("/đang" is "/dang")."""
    words = text.strip().split()
    if not words:
        return "help", ""
    head = _unmarked(words[0].lstrip("/").split("@", 1)[0])
    argument = " ".join(words[1:])
    if head in COMMAND_WORDS:
        return COMMAND_WORDS[head], argument
    if _CODE.match(words[0].upper()) and len(words) == 1:
        return "start", words[0]
    return "help", ""


def _unmarked(word: str) -> str:
    """A word in lower case without Vietnamese marks, as people type commands on a phone."""
    return unmarked(word.casefold())


def handle_inbound(session: Session, inbound: Inbound, *, directory: UnitDirectory | None = None) -> str:
    """Act on one message from a user and return the Vietnamese reply; commits what it changed."""
    command, argument = parse_command(inbound.text)
    return run_command(session, inbound, command, argument, directory=directory)


def run_command(session: Session, inbound: Inbound, command: str, argument: str, *,
                directory: UnitDirectory | None = None) -> str:
    """Carry out one command already read from a message (a Telegram CommandHandler reads its own)
    and return the Vietnamese reply; commits what it changed."""
    if inbound.channel == "zalo":
        touch_interaction(session, inbound.address, inbound.at)
    if command == "start":
        reply = _start(session, inbound, argument)
    elif command == "help":
        reply = HELP
    else:
        reply = _subscriber_command(session, inbound, command, argument, directory)
    session.commit()
    return reply


def _start(session: Session, inbound: Inbound, code: str) -> str:
    """Redeem an invite code for this chat; the same code again from the same chat is a success."""
    if not code:
        return HELP
    done = redeem_invite(session, code, inbound.channel, inbound.address, inbound.at.astimezone(dt.UTC))
    if done is not None:
        log.info("%s address subscribed to %s", inbound.channel, done.unit)
        return _welcome(done.unit)
    used = used_invite(session, code)
    if used is None:
        return BAD_CODE
    if (used.channel, used.address) == (inbound.channel, inbound.address):
        if recipients.receiving_recipients(session, inbound.channel, inbound.address):
            return _welcome(used.unit)  # the same chat again (an update seen twice): still subscribed
        return CANCELLED_CODE
    if used.channel is None and used.expires_at < inbound.at.astimezone(dt.UTC):
        return EXPIRED_CODE
    return USED_CODE


def _welcome(unit: str) -> str:
    """The reply to a successful `/start CODE`."""
    return f"Đăng ký thành công. Từ nay bạn sẽ nhận nhắc việc của {unit} tại đây.\n\n{HELP}"


def _subscriber_command(
    session: Session, inbound: Inbound, command: str, argument: str, directory: UnitDirectory | None
) -> str:
    """Answer tasks/overdue/week/unsubscribe and the reports on tasks (done, progress, extend) for a
    subscribed chat, or explain how to subscribe."""
    subscribers = recipients.receiving_recipients(session, inbound.channel, inbound.address)
    if not subscribers:
        return NOT_SUBSCRIBED
    if command in ANSWER_COMMANDS:
        return answer_back(session, inbound.channel, inbound.address, inbound.at, command, argument,
                           subscribers, directory)
    if command == "unsubscribe":
        recipients.set_address_active(session, inbound.channel, inbound.address, False)
        log.info("%s address unsubscribed", inbound.channel)
        return "Đã hủy nhận nhắc việc qua kênh này. Gửi /start kèm mã mời mới để đăng ký lại."
    units = recipients.subscribed_units(session, subscribers, by_name=True)
    resolver = unit_resolver(session, directory)
    tasks = tasks_for_units(index_by_unit(load_tasks(session), resolver), units, resolver)
    today = inbound.at.astimezone(TIMEZONE).date()
    return task_reply(command, select_tasks(command, tasks, today), today)


def touch_interaction(session: Session, user_id: str, at: dt.datetime) -> None:
    """Record a Zalo user's latest interaction with the OA (it opens the 48-hour sending window) and
    release the messages held while the window was closed."""
    moment = at.astimezone(dt.UTC)
    recipients.touch_interaction(session, "zalo", user_id, moment)
    release_held(session, user_id, moment)


def release_held(session: Session, user_id: str, at: dt.datetime) -> int:
    """Make this user's Zalo messages held outside the window (recent ones only) due again."""
    released = outbox.release_held(session, "zalo", user_id, at - HELD_RELEASE_AGE)
    if released:
        log.info("%d held zalo messages released: the user is back in the 48-hour window", released)
    return released


# --- Zalo ----------------------------------------------------------------------------------------------


def zalo_signature(app_id: str, body: bytes, timestamp: str, secret_key: str) -> str:
    """The hex sha256 of app_id + raw body + timestamp + OA secret key (X-ZEvent-Signature)."""
    data = app_id.encode() + body + timestamp.encode() + secret_key.encode()
    return hashlib.sha256(data).hexdigest()


def verify_zalo(body: bytes, headers: Mapping[str, str], app_id: str, secret_key: str) -> dict[str, Any]:
    """The webhook event, after checking its signature (header value "mac=<hex>" or "<hex>")."""
    given = {k.lower(): v for k, v in headers.items()}.get(ZALO_SIGNATURE_HEADER, "")
    try:
        event = json.loads(body)
    except ValueError:
        raise InvalidSignatureError("sự kiện Zalo không phải JSON") from None
    if not isinstance(event, dict) or not app_id or not secret_key:
        raise InvalidSignatureError("sự kiện Zalo không hợp lệ")
    expected = zalo_signature(app_id, body, str(event.get("timestamp", "")), secret_key)
    if not hmac.compare_digest(given.removeprefix("mac=").strip().lower().encode("utf-8", "replace"),
                               expected.encode()):
        raise InvalidSignatureError("sai chữ ký X-ZEvent-Signature")
    return event


def _fresh(event: Mapping[str, Any], now: dt.datetime) -> bool:
    """Tell whether a Zalo event's timestamp (milliseconds) lies within ZALO_MAX_AGE of now."""
    try:
        stamped = dt.datetime.fromtimestamp(int(event["timestamp"]) / 1000, dt.UTC)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return False
    return abs(now - stamped) <= ZALO_MAX_AGE


def zalo_inbound(event: Mapping[str, Any], now: dt.datetime) -> Inbound | None:
    """The text a follower sent (`user_send_text`), dated by the event (never in the future)."""
    if event.get("event_name") != "user_send_text":
        return None
    sender, message = event.get("sender") or {}, event.get("message") or {}
    try:
        at = min(dt.datetime.fromtimestamp(int(event["timestamp"]) / 1000, dt.UTC), now)
    except (KeyError, TypeError, ValueError):
        at = now
    return Inbound("zalo", str(sender.get("id", "")), str(message.get("text", "")), at)


def handle_zalo_webhook(
    session: Session,
    body: bytes,
    headers: Mapping[str, str],
    *,
    app_id: str,
    secret_key: str,
    now: dt.datetime,
    directory: UnitDirectory | None = None,
) -> Reply | None:
    """Check the signature and the event's age, handle a follower's text, and return the reply to send
    through the OA. A signed event stamped more than ZALO_MAX_AGE away from now is a replay: refused."""
    event = verify_zalo(body, headers, app_id, secret_key)
    if not _fresh(event, now):
        raise InvalidSignatureError("sự kiện Zalo quá cũ hoặc sai giờ (có thể bị gửi lại)")
    inbound = zalo_inbound(event, now)
    if inbound is None or not inbound.address:
        return None
    return Reply("zalo", inbound.address, handle_inbound(session, inbound, directory=directory))
