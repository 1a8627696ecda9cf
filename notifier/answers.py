"""Answering back from Telegram and Zalo: a unit head reports on a task of their digest.

`/xong N [ghi chú]` marks item N of the last digest sent to this chat (or task `#id`) done,
`/dang N ghi chú` in progress with a note, and `/giahan N DD/MM/YYYY lý do` records a request for a
later deadline, for the operator (the deadline itself is not changed). Only a recipient subscribed
to one of the task's own units (lead or support, in any spelling or alias) may report on it; a task
reaching the unit only through a collective addressee ("Các bộ, ngành") is refused too, since one
member's report would close it for all. Every report is a task event (crawler.storage.progress).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from crawler.errors import BotCommandError
from crawler.models import Status
from crawler.storage import recipients
from crawler.storage.outbox import last_digest_order
from crawler.storage.progress import UnitReport, record_report
from crawler.storage.tasks import EventKind, TrackedTask, load_tasks
from crawler.storage.units import UnitDirectory, UnitResolver, unit_resolver
from notifier.digest import shorten
from notifier.render import vn_date

log = logging.getLogger(__name__)

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
ANSWER_COMMANDS = ("done", "progress", "extend")
USAGE = {
    "done": "/xong N [ghi chú]",
    "progress": "/dang N ghi chú",
    "extend": "/giahan N NGÀY/THÁNG/NĂM lý do",
}
NOTE_LIMIT = 1000
ACTION_LIMIT = 120
_NUMBER = re.compile(r"^[0-9]{1,9}$")
_TASK_ID = re.compile(r"^#([0-9]{1,9})$")
_DATE = re.compile(r"^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})$")


@dataclass(frozen=True)
class TaskPointer:
    """Which task a command names: item `number` of the last digest, or the task `task_id` (#id)."""

    number: int | None = None
    task_id: int | None = None


@dataclass(frozen=True)
class AnswerCommand:
    """A parsed `/xong`, `/dang` or `/giahan`: its kind, the task, the note (or reason), the date asked."""

    kind: str
    target: TaskPointer
    note: str
    requested: dt.date | None = None


# --- parsing ---------------------------------------------------------------------------------------


def _usage(kind: str) -> str:
    """The usage line of a command, with what N stands for."""
    return (f"Cách dùng: {USAGE[kind]}, trong đó N là số thứ tự của nhiệm vụ trong bản tin nhắc việc "
            "gần nhất (hoặc mã nhiệm vụ, ví dụ #12).")


def parse_answer(kind: str, argument: str) -> AnswerCommand:
    """Read the argument of `/xong`, `/dang` or `/giahan`; a BotCommandError says what is wrong."""
    words = argument.split()
    if not words:
        raise BotCommandError(f"Thiếu số thứ tự nhiệm vụ. {_usage(kind)}")
    target = parse_target(words[0], kind)
    rest = words[1:]
    requested = None
    if kind == "extend":
        if not rest:
            raise BotCommandError(f"Thiếu ngày đề nghị gia hạn. {_usage(kind)}")
        requested = parse_date(rest[0])
        rest = rest[1:]
    note = " ".join(rest)
    if kind == "extend" and not note:
        raise BotCommandError(f"Hãy nêu lý do đề nghị gia hạn. {_usage(kind)}")
    if kind == "progress" and not note:
        raise BotCommandError(f"Hãy ghi kèm tiến độ, ví dụ: /dang 2 đã có dự thảo. {_usage(kind)}")
    if len(note) > NOTE_LIMIT:
        raise BotCommandError(f"Ghi chú dài quá {NOTE_LIMIT} ký tự; vui lòng viết gọn lại.")
    return AnswerCommand(kind, target, note, requested)


def parse_target(word: str, kind: str) -> TaskPointer:
    """Item N of the last digest ("3") or a task id ("#12")."""
    task_id = _TASK_ID.match(word)
    if task_id:
        return TaskPointer(task_id=int(task_id.group(1)))
    if not _NUMBER.match(word):
        raise BotCommandError(f"“{word}” không phải số thứ tự nhiệm vụ. {_usage(kind)}")
    number = int(word)
    if number < 1:
        raise BotCommandError(f"Số thứ tự nhiệm vụ bắt đầu từ 1. {_usage(kind)}")
    return TaskPointer(number=number)


def parse_date(word: str) -> dt.date:
    """A date written DD/MM/YYYY (also with "-" or "."), or a BotCommandError naming the right form."""
    found = _DATE.match(word)
    try:
        if not found:
            raise ValueError(word)
        day, month, year = (int(part) for part in found.groups())
        return dt.date(year, month, day)
    except ValueError:
        raise BotCommandError(
            f"Ngày “{word}” không hợp lệ: ghi ngày theo dạng NGÀY/THÁNG/NĂM, ví dụ 15/11/2025."
        ) from None


# --- carrying out ----------------------------------------------------------------------------------


def answer_back(
    session: Session,
    inbound_channel: str,
    inbound_address: str,
    at: dt.datetime,
    kind: str,
    argument: str,
    subscribers: Sequence[int],
    directory: UnitDirectory | None = None,
) -> str:
    """Carry out a `/xong`, `/dang` or `/giahan` from a subscribed chat and return the reply."""
    try:
        command = parse_answer(kind, argument)
        task_id = _task_id(session, command.target, subscribers, inbound_channel, inbound_address)
        task = _task(session, task_id)
        who, unit = reporting_unit(session, subscribers, task, unit_resolver(session, directory))
        today = at.astimezone(TIMEZONE).date()
        if command.requested is not None:
            _check_requested(command.requested, task, today)
    except BotCommandError as refusal:
        return str(refusal)
    record_report(session, UnitReport(
        task_id=task.id, kind=_event_kind(command), value=_value(command), note=command.note, by=who,
        unit=unit, channel=inbound_channel, address=inbound_address, at=at,
    ))
    log.info("%s reported %s on task %d", inbound_channel, command.kind, task.id)
    return confirmation(command, task)


def _task_id(session: Session, target: TaskPointer, subscribers: Sequence[int], channel: str,
             address: str) -> int:
    """The task a pointer names: its id, or item N of the last digest this chat (or recipient) got."""
    if target.task_id is not None:
        return target.task_id
    assert target.number is not None
    order = last_digest_order(session, subscribers, channel, address)
    if not order:
        raise BotCommandError(
            "Chưa có bản tin nhắc việc nào gửi tới bạn nên chưa có nhiệm vụ số "
            f"{target.number}. Hãy dùng mã nhiệm vụ (xem /viec), ví dụ /xong #12."
        )
    if target.number > len(order):
        raise BotCommandError(
            f"Bản tin nhắc việc gần nhất chỉ có {len(order)} nhiệm vụ (số 1 đến {len(order)}); "
            f"không có nhiệm vụ số {target.number}."
        )
    return order[target.number - 1]


def _task(session: Session, task_id: int) -> TrackedTask:
    """The tracked task by id, refusing an unknown one or one no longer listed by its documents."""
    found = load_tasks(session, [task_id])
    if not found:
        raise BotCommandError(f"Không có nhiệm vụ #{task_id}. Xem mã nhiệm vụ bằng lệnh /viec.")
    if not found[0].listed:
        raise BotCommandError(f"Nhiệm vụ #{task_id} không còn trong danh sách theo dõi, không cần báo cáo.")
    return found[0]


def reporting_unit(
    session: Session, subscribers: Sequence[int], task: TrackedTask, resolver: UnitResolver
) -> tuple[str, str]:
    """(recipient name, unit) of the first subscriber whose unit is one of the task's own units; a
    BotCommandError in Vietnamese when none is."""
    task_keys = {key for name in task.units for key in resolver.keys_of(name)}
    names = recipients.recipient_display_names(session, subscribers)
    mine: list[str] = []
    for recipient in subscribers:
        for unit in recipients.subscribed_units(session, [recipient], by_name=True):
            if resolver.keys_of(unit) & task_keys:
                return names.get(recipient, f"#{recipient}"), unit
            mine.append(unit)
    assigned = ", ".join(task.units) or "chưa rõ đơn vị"
    yours = ", ".join(dict.fromkeys(mine)) or "chưa có"
    if resolver.reached_by(task.units) & {key for unit in mine for key in resolver.keys_of(unit)}:
        raise BotCommandError(
            f"Nhiệm vụ #{task.id} giao chung cho “{assigned}”, không nêu riêng đơn vị của bạn ({yours}), "
            "nên không cập nhật được qua bot. Vui lòng báo tiến độ cho người quản trị dondoc."
        )
    raise BotCommandError(
        f"Bạn không được cập nhật nhiệm vụ #{task.id}: nhiệm vụ này giao cho {assigned}, không phải "
        f"đơn vị của bạn ({yours}). Chỉ đơn vị chủ trì hoặc phối hợp được báo cáo tiến độ."
    )


def _check_requested(requested: dt.date, task: TrackedTask, today: dt.date) -> None:
    """Refuse an extension to a day already past, or not later than the present deadline."""
    if requested <= today:
        raise BotCommandError(
            f"Ngày đề nghị gia hạn ({vn_date(requested)}) phải sau hôm nay ({vn_date(today)})."
        )
    due = task.deadline.due
    if due is not None and requested <= due:
        raise BotCommandError(
            f"Thời hạn hiện tại của nhiệm vụ #{task.id} là {vn_date(due)}; "
            "ngày đề nghị gia hạn phải sau ngày đó."
        )


def _event_kind(command: AnswerCommand) -> EventKind:
    """The task event a command records."""
    return EventKind.EXTENSION_REQUESTED if command.kind == "extend" else EventKind.PROGRESS_REPORTED


def _value(command: AnswerCommand) -> str:
    """The event's value: the state reported, or the requested due date (ISO)."""
    if command.requested is not None:
        return command.requested.isoformat()
    return Status.DONE.value if command.kind == "done" else Status.IN_PROGRESS.value


def confirmation(command: AnswerCommand, task: TrackedTask) -> str:
    """The reply saying what was recorded, naming the task so a wrong number shows at once."""
    name = f"nhiệm vụ #{task.id} “{shorten(task.action, ACTION_LIMIT)}”"
    note = f" (ghi chú: {command.note})" if command.note else ""
    if command.kind == "done":
        return (f"Đã ghi nhận: {name} đã hoàn thành{note}. Nhiệm vụ không còn trong danh sách quá hạn "
                "và sắp đến hạn. Nếu nhầm, gửi /dang kèm số thứ tự và tiến độ để mở lại.")
    if command.kind == "progress":
        return f"Đã ghi nhận tiến độ: {name} đang thực hiện – {command.note}."
    assert command.requested is not None
    due = task.deadline.due
    current = f"vẫn là {vn_date(due)}" if due else "chưa thay đổi"
    return (f"Đã gửi đề nghị gia hạn {name} đến ngày {vn_date(command.requested)} (lý do: {command.note}) "
            f"tới người quản trị. Thời hạn chỉ thay đổi khi được chấp thuận; hiện {current}.")
