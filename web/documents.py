"""Văn bản: a document's text with each extracted task marked where it was read, and for editors
the forms that correct a task, mark a false one or add one the extractor missed.

Corrections go through crawler.storage.corrections, which keeps them over every later extraction.
A unit's personal link may read a document that assigns their unit a task, never change it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from crawler.models import ExtractedTask
from crawler.storage import corrections
from crawler.storage.corrections import Change, Correction, Field
from crawler.storage.documentview import SightedTask, known_unit_names, sighted_tasks, stored_document
from web import data
from web.auth import Visitor, csrf_ok, visitor
from web.highlight import Placed, marked_text, spans
from web.pages import PageState, forbidden, to_login

KIND_LABELS = {"article": "Tin bài", "directive": "Văn bản chỉ đạo", "report": "Báo cáo"}
NOTICES = {"sua": "Đã lưu sửa đổi.", "khong-phai": "Đã ghi nhận.", "them": "Đã thêm nhiệm vụ.",
           "doc-lai": "Đã đọc lại văn bản; các sửa đổi của biên tập viên vẫn được giữ."}
ERRORS = {"han": "Thời hạn không đúng dạng ngày (ngày/tháng/năm).",
          "noi-dung": "Hãy ghi nội dung nhiệm vụ.",
          "doc-lai": "Không đọc lại được văn bản (xem nhật ký dịch vụ)."}
MAX_NAMES, MAX_NAME, MAX_ACTION = 20, 300, 2000
_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


@dataclass(frozen=True)
class TaskCard:
    """A task as the document page lists it: whether it is false, found in the text, corrected."""

    task: SightedTask
    false: bool
    placed: bool
    corrections: tuple[Correction, ...]


class BadInput(ValueError):
    """A form field that cannot be read; its key names the message shown."""


async def document_page(state: PageState, request: Request) -> Response:
    """The document, its tasks marked in its text, and for editors the correction forms."""
    me, document_id = visitor(request), int(request.path_params["document_id"])
    if not (me.staff or me.unit):
        return to_login(request)
    with state.sessions() as session:
        document = stored_document(session, document_id)
        if document is None:
            return state.render(request, "forbidden.html", status=404, reason="Không có văn bản này.")
        tasks = sighted_tasks(session, document_id)
        if not me.staff and not _concerns(session, me, tasks, state.today()):
            return forbidden(state, request)
        ids = [task.id for task in tasks]
        notes, false = corrections.corrections_of(session, ids), corrections.false_task_ids(session, ids)
        units = known_unit_names(session) if me.staff else []
    marks = spans(document.text, [Placed(t.id, t.line, t.column, tuple(t.action_key.split())) for t in tasks])
    placed = {task_id for mark in marks for task_id in mark.task_ids}
    cards = [TaskCard(t, t.id in false, t.id in placed, tuple(notes.get(t.id, ()))) for t in tasks]
    done, wrong = request.query_params.get("da", ""), request.query_params.get("loi", "")
    return state.render(request, "document.html", doc=document, cards=cards, units=units,
                        text=marked_text(document.text, marks), kind_labels=KIND_LABELS,
                        notice=NOTICES.get(done, ""), error=ERRORS.get(wrong, ""))


def _concerns(session: Session, me: Visitor, tasks: list[SightedTask], today: dt.date) -> bool:
    """Whether the document assigns the link's unit one of its tasks."""
    own = {row.task.id for row in data.unit_rows(session, me.unit, today)}
    return any(task.id in own for task in tasks)


async def _editor_form(request: Request) -> FormData | None:
    """The submitted form when an editor or operator sent it with the session's token, else None."""
    form = await request.form()
    return form if visitor(request).staff and csrf_ok(request, form.get("csrf")) else None


def _back(document_id: int, done: str, task_id: int | None = None, error: str = "") -> Response:
    """Back to the document page, saying what was done (or what was wrong) at the task's entry."""
    query = f"loi={error}" if error else f"da={done}"
    anchor = f"#task-{task_id}" if task_id else ""
    return RedirectResponse(f"/van-ban/{document_id}?{query}{anchor}", status_code=303)


def names_of(text: str) -> list[str]:
    """Unit names typed in a field, separated by ";" or new lines, each once."""
    names = (" ".join(part.split())[:MAX_NAME] for part in re.split(r"[;\n]", text))
    return list(dict.fromkeys(name for name in names if name))[:MAX_NAMES]


def day_of(text: str) -> str | None:
    """A deadline typed as YYYY-MM-DD (the date picker) or dd/mm/yyyy, as ISO text; None when empty."""
    text = text.strip()
    if not text:
        return None
    found = _DAY.fullmatch(text)
    try:
        day = (dt.date(int(found[3]), int(found[2]), int(found[1])) if found
               else dt.date.fromisoformat(text))
    except ValueError as exc:
        raise BadInput("han") from exc
    return day.isoformat()


def _action(form: FormData) -> str:
    """The action typed, on one line, bounded."""
    return " ".join(str(form.get("noi_dung", "")).split())[:MAX_ACTION]


def changes_of(form: FormData, task: SightedTask) -> list[Change]:
    """The corrections a task's form asks for: each field that differs from the task's present value."""
    changes = [Change(Field.LEAD, names_of(str(form.get("chu_tri", "")))),
               Change(Field.SUPPORT, names_of(str(form.get("phoi_hop", "")))),
               Change(Field.DEADLINE, day_of(str(form.get("han", ""))))]
    action = _action(form)
    if action and action != " ".join(task.action.split()):
        changes.append(Change(Field.ACTION, action))
    return changes


def _task_in(session: Session, document_id: int, task_id: int) -> SightedTask | None:
    """The task when the document lists it."""
    return next((task for task in sighted_tasks(session, document_id) if task.id == task_id), None)


def _not_listed(state: PageState, request: Request) -> Response:
    """The answer to a form about a task the document does not list."""
    return state.render(request, "forbidden.html", status=404, reason="Văn bản không có nhiệm vụ này.")


async def correct_task(state: PageState, request: Request) -> Response:
    """An editor's corrections of one task's lead, support, deadline or action."""
    form = await _editor_form(request)
    if form is None:
        return forbidden(state, request)
    document_id, task_id = int(request.path_params["document_id"]), int(request.path_params["task_id"])
    with state.sessions() as session:
        task = _task_in(session, document_id, task_id)
        if task is None:
            return _not_listed(state, request)
        try:
            changes = changes_of(form, task)
        except BadInput as exc:
            return _back(document_id, "", task_id, str(exc))
        _save(state, request, session, task_id, document_id, changes)
    return _back(document_id, "sua", task_id)


async def mark_false(state: PageState, request: Request) -> Response:
    """An editor marks a task false (not a task at all), or undoes the mark."""
    form = await _editor_form(request)
    if form is None:
        return forbidden(state, request)
    document_id, task_id = int(request.path_params["document_id"]), int(request.path_params["task_id"])
    with state.sessions() as session:
        if _task_in(session, document_id, task_id) is None:
            return _not_listed(state, request)
        marked = Change(Field.FALSE, form.get("gia_tri") == "1")
        _save(state, request, session, task_id, document_id, [marked])
    return _back(document_id, "khong-phai", task_id)


def _save(state: PageState, request: Request, session: Session, task_id: int, document_id: int,
          changes: list[Change]) -> None:
    """Store an editor's corrections of one task as theirs, now, and commit them."""
    corrections.correct_task(session, task_id, document_id, changes, visitor(request).name,
                             dt.datetime.now(dt.UTC), state.today())
    session.commit()


async def add_task(state: PageState, request: Request) -> Response:
    """An editor adds a task the extractor missed in this document."""
    form = await _editor_form(request)
    if form is None:
        return forbidden(state, request)
    document_id = int(request.path_params["document_id"])
    action = _action(form)
    if not action:
        return _back(document_id, "", error="noi-dung")
    try:
        due = day_of(str(form.get("han", "")))
    except BadInput as exc:
        return _back(document_id, "", error=str(exc))
    task = ExtractedTask(action=action, lead=tuple(names_of(str(form.get("chu_tri", "")))),
                         support=tuple(names_of(str(form.get("phoi_hop", "")))),
                         deadline=corrections.deadline_of(due),
                         status=None, source_refs=(), line=0, anchor="")
    with state.sessions() as session:
        if stored_document(session, document_id) is None:
            return state.render(request, "forbidden.html", status=404, reason="Không có văn bản này.")
        task_id = corrections.add_missed_task(session, document_id, task, visitor(request).name,
                                              dt.datetime.now(dt.UTC), state.today())
        session.commit()
    return _back(document_id, "them", task_id)


async def extract_again(state: PageState, request: Request) -> Response:
    """An editor has the document read again now, by the crawl's own extraction step (its corrections
    stay applied); documents still waiting for extraction are read with it."""
    from crawler.extract.units import load_gazetteer
    from crawler.pipeline import extract_pending_documents
    from crawler.storage.documents import reopen_for_extraction

    if await _editor_form(request) is None:
        return forbidden(state, request)
    document_id = int(request.path_params["document_id"])
    config_units = state.config.units if state.config else ()
    gazetteer = load_gazetteer(tuple((unit.name, unit.aliases) for unit in config_units))
    with state.sessions() as session:
        if stored_document(session, document_id) is None:
            return state.render(request, "forbidden.html", status=404, reason="Không có văn bản này.")
        reopen_for_extraction(session, document_id)
        session.commit()
        report = extract_pending_documents(session, gazetteer, state.today(), dt.datetime.now(dt.UTC))
    return _back(document_id, "", error="doc-lai") if report.failed else _back(document_id, "doc-lai")
