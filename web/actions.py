"""What a unit's own people do from a task's page besides "done": report it in progress with a note,
or ask for a later deadline with a reason. Both are the task events the bots' /dang and /giahan
record (crawler.storage.progress), with who (the unit's link) and when; a task that reaches the unit
only through a collective addressee is refused, as the bots refuse it."""

from __future__ import annotations

import datetime as dt

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from crawler.models import Status
from crawler.storage.progress import UnitReport, record_report
from crawler.storage.tasks import EventKind
from notifier.answers import NOTE_LIMIT
from notifier.digest import SHARED
from web import data
from web.auth import Visitor, csrf_ok, visitor
from web.pages import PageState, forbidden, task_page


class ActionRefused(Exception):
    """A report the task's page refuses, with the reason shown to the unit."""


def _report(me: Visitor, task_id: int, kind: EventKind, value: str, note: str) -> UnitReport:
    """The event of a report made through a unit's personal link, now."""
    return UnitReport(task_id=task_id, kind=kind, value=value, note=note, by=f"liên kết của {me.unit}",
                      unit=me.unit, channel="web", address=f"lien-ket:{me.token_id}",
                      at=dt.datetime.now(dt.UTC))


def _note(form: FormData, field: str, missing: str) -> str:
    """A required note from the form, at most NOTE_LIMIT characters."""
    note = " ".join(str(form.get(field, "")).split())
    if not note:
        raise ActionRefused(missing)
    if len(note) > NOTE_LIMIT:
        raise ActionRefused(f"Ghi chú dài quá {NOTE_LIMIT} ký tự; vui lòng viết gọn lại.")
    return note


def requested_day(text: str, due: dt.date | None, today: dt.date) -> dt.date:
    """The proposed deadline: a real day after today and after the present deadline."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ActionRefused("Hãy chọn ngày đề nghị gia hạn.") from None
    if day <= today:
        raise ActionRefused(f"Ngày đề nghị gia hạn ({day:%d/%m/%Y}) phải sau hôm nay ({today:%d/%m/%Y}).")
    if due is not None and day <= due:
        raise ActionRefused(f"Thời hạn hiện tại là {due:%d/%m/%Y}; ngày đề nghị gia hạn phải sau ngày đó.")
    return day


async def _act(state: PageState, request: Request, action: str) -> Response:
    """Check who asks and the form, record the event, and go back to the task's page."""
    me, task_id = visitor(request), int(request.path_params["task_id"])
    form = await request.form()
    if not csrf_ok(request, form.get("csrf")) or not me.unit:
        return forbidden(state, request)
    today = state.today()
    with state.sessions() as session:
        own = next((row for row in data.unit_rows(session, me.unit, today) if row.task.id == task_id), None)
        if own is None or own.role == SHARED or not own.task.listed or (action == "gia-han" and not own.open):
            return forbidden(state, request)
        try:
            if action == "dang":
                note = _note(form, "ghi_chu", "Hãy ghi kèm tiến độ, ví dụ: đã có dự thảo.")
                report = _report(me, task_id, EventKind.PROGRESS_REPORTED, Status.IN_PROGRESS.value, note)
            else:
                day = requested_day(str(form.get("ngay", "")), own.task.deadline.due, today)
                note = _note(form, "ly_do", "Hãy nêu lý do đề nghị gia hạn.")
                report = _report(me, task_id, EventKind.EXTENSION_REQUESTED, day.isoformat(), note)
        except ActionRefused as refusal:
            request.state.action_error = str(refusal)
            response = await task_page(state, request)
            response.status_code = 400
            return response
        record_report(session, report)
        session.commit()
    return RedirectResponse(f"/nhiem-vu/{task_id}?da-ghi={action}", status_code=303)


async def report_progress(state: PageState, request: Request) -> Response:
    """"Đang thực hiện" with a note (the bots' /dang)."""
    return await _act(state, request, "dang")


async def ask_extension(state: PageState, request: Request) -> Response:
    """"Xin gia hạn" to a proposed day with a reason (the bots' /giahan)."""
    return await _act(state, request, "gia-han")
