"""The task lists a subscribed chat asks the bot for: `/viec`, `/quahan`, `/tuannay`.

Each task is shown with its id (#12), the handle `/xong #12` and the other reports take, so a list
reply is never mistaken for the numbered digest that `/xong N` refers to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from crawler.storage.tasks import TrackedTask
from notifier.digest import is_open, shorten
from notifier.render import vn_date

REPLY_LIMIT = 1900  # under Zalo's 2000 characters (and Telegram's 4096)
ACTION_LIMIT = 150
HINT = "Báo cáo: /xong #mã [ghi chú], /dang #mã ghi chú, /giahan #mã NGÀY/THÁNG/NĂM lý do."


def select_tasks(command: str, tasks: Sequence[TrackedTask], today: dt.date) -> list[TrackedTask]:
    """Open tasks for a command: all (tasks), past due (overdue) or due from today to Sunday (week)."""
    sunday = today + dt.timedelta(days=6 - today.weekday())
    chosen = [task for task in tasks if is_open(task)]
    if command == "overdue":
        chosen = [t for t in chosen if t.deadline.due is not None and t.deadline.due < today]
    elif command == "week":
        chosen = [t for t in chosen if t.deadline.due is not None and today <= t.deadline.due <= sunday]
    return sorted(chosen, key=lambda t: (t.deadline.due or dt.date.max, t.id))


def task_reply(command: str, tasks: Sequence[TrackedTask], today: dt.date) -> str:
    """A list of tasks by id under a title, cut to fit one Zalo message, with how to report on one."""
    titles = {
        "tasks": "Nhiệm vụ đang thực hiện",
        "overdue": "Nhiệm vụ quá hạn",
        "week": "Nhiệm vụ đến hạn trong tuần này",
    }
    title = f"{titles[command]} (ngày {vn_date(today)}): {len(tasks)} nhiệm vụ"
    if not tasks:
        return f"{title}."
    lines = [title]
    for number, task in enumerate(tasks, start=1):
        line = task_line(task, today)
        rest = len(tasks) - number + 1
        if sum(len(x) + 1 for x in lines) + len(line) > REPLY_LIMIT - 60 - len(HINT):
            lines.append(f"… và {rest} nhiệm vụ khác (xem bản tin định kỳ).")
            break
        lines.append(line)
    return "\n".join([*lines, HINT])


def task_line(task: TrackedTask, today: dt.date) -> str:
    """One task as a reply line: its id, action, deadline as a date with lateness, source document,
    and the progress its unit reported."""
    due = task.deadline.due
    if due is None:
        deadline = task.deadline.raw or "không nêu thời hạn"
    elif due < today:
        deadline = f"hạn {vn_date(due)}, trễ {(today - due).days} ngày"
    else:
        deadline = f"hạn {vn_date(due)}"
    source = f"; {task.document_number}" if task.document_number else ""
    note = task.progress.note if task.progress else ""
    progress = f"; đang thực hiện: {shorten(note, 60)}" if note else ""
    return f"#{task.id} {shorten(task.action, ACTION_LIMIT)} ({deadline}{source}{progress})"
