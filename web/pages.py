"""The page handlers: each checks who asks, reads through crawler.storage and renders a template."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from crawler.storage import webaccess
from crawler.storage.tasks import TIMEZONE
from web import data
from web.auth import LoginThrottle, Visitor, csrf_ok, csrf_token, password_matches, visitor

EVENT_LABELS = {
    "new": "Mới xuất hiện", "deadline_changed": "Đổi thời hạn", "status_changed": "Đổi trạng thái",
    "lead_changed": "Đổi đơn vị chủ trì", "done": "Văn bản ghi đã xong",
    "no_longer_listed": "Không còn trong văn bản", "due_soon": "Sắp đến hạn", "overdue": "Quá hạn",
    "progress_reported": "Đơn vị báo cáo tiến độ", "extension_requested": "Đơn vị xin gia hạn",
    "corrected": "Biên tập viên sửa",
}
PROGRESS_LABELS = {"done": "đã hoàn thành", "in_progress": "đang thực hiện"}
ROLE_LABELS = {"lead": "chủ trì", "support": "phối hợp", "shared": "giao chung"}


@dataclass
class PageState:
    """Shared by every request: sessions, templates, the day, the sources, the login throttle."""

    sessions: sessionmaker[Session]
    templates: Jinja2Templates
    as_of: dt.date | None
    sources: tuple[Any, ...]
    throttle: LoginThrottle = field(default_factory=LoginThrottle)

    def today(self) -> dt.date:
        """The day the pages count from (Asia/Ho_Chi_Minh)."""
        return self.as_of or dt.datetime.now(TIMEZONE).date()

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        """A template with the visitor, the CSRF token and the labels."""
        context.update(me=visitor(request), csrf=csrf_token(request), today=self.today(),
                       event_labels=EVENT_LABELS, progress_labels=PROGRESS_LABELS, role_labels=ROLE_LABELS,
                       unit_path=data.unit_path)
        return self.templates.TemplateResponse(request, name, context, status_code=status)


def to_login(request: Request) -> Response:
    """Send a visitor without the right session to the login page, back here afterwards."""
    return RedirectResponse("/dang-nhap?tiep=" + quote(request.url.path), status_code=303)


def forbidden(state: PageState, request: Request) -> Response:
    """The page for a visitor whose link or role does not open this page."""
    return state.render(request, "forbidden.html", status=403)


async def dashboard(state: PageState, request: Request) -> Response:
    """Tổng quan: each unit's overdue, due-soon and done counts and the overdue chart."""
    me = visitor(request)
    if me.unit and not me.staff:
        return RedirectResponse(data.unit_path(me.unit), status_code=303)
    if not me.staff:
        return to_login(request)
    from service.previews import units_with_digests

    with state.sessions() as session:
        figures = [data.counts(unit, data.unit_rows(session, unit, state.today()))
                   for unit in units_with_digests(session)]
    figures.sort(key=lambda f: (-f.overdue, -f.due_soon, f.unit))
    return state.render(request, "dashboard.html", figures=figures, chart=data.overdue_chart(figures))


async def login(state: PageState, request: Request) -> Response:
    """The login form and its check (rate-limited per address and per name)."""
    target = request.query_params.get("tiep", "/")
    target = target if target.startswith("/") and not target.startswith("//") else "/"
    if request.method == "GET":
        return state.render(request, "login.html", error="", target=target)
    form = await request.form()
    if not csrf_ok(request, form.get("csrf")):
        return state.render(request, "login.html", status=403, error="Phiên làm việc đã hết hạn, "
                            "hãy tải lại trang và đăng nhập lại.", target=target)
    name, password = str(form.get("ten", "")).strip(), str(form.get("mat_khau", ""))
    client = request.client.host if request.client else "?"
    if state.throttle.blocked(client, name):
        return state.render(request, "login.html", status=429, target=target,
                            error="Đăng nhập sai quá nhiều lần. Hãy thử lại sau 15 phút.")
    with state.sessions() as session:
        user = webaccess.find_user(session, name)
    if user is None or not password_matches(user.password_hash, password):
        state.throttle.failed(client, name)
        return state.render(request, "login.html", status=401, target=target,
                            error="Tên đăng nhập hoặc mật khẩu không đúng.")
    request.session.clear()
    request.session.update(name=user.name, role=user.role)
    return RedirectResponse(target, status_code=303)


async def logout(state: PageState, request: Request) -> Response:
    """End the session (a form with the CSRF token)."""
    form = await request.form()
    if not csrf_ok(request, form.get("csrf")):
        return forbidden(state, request)
    request.session.clear()
    return RedirectResponse("/dang-nhap", status_code=303)


async def unit_link(state: PageState, request: Request) -> Response:
    """A unit head's personal link: a session that opens only that unit's pages."""
    now = dt.datetime.now(dt.UTC)
    with state.sessions() as session:
        grant = webaccess.grant_of(session, request.path_params["token"], webaccess.UNIT_LINK, now)
    if grant is None or not grant.unit:
        return state.render(request, "forbidden.html", status=403,
                            reason="Liên kết không đúng, đã bị thu hồi hoặc đã hết hạn.")
    request.session.clear()
    request.session.update(unit=grant.unit, token_id=grant.token_id)
    return RedirectResponse(data.unit_path(grant.unit), status_code=303)


async def unit_page(state: PageState, request: Request) -> Response:
    """Đơn vị: a unit's tasks, filtered, searched and paged."""
    me, unit = visitor(request), request.path_params["unit"]
    if not (me.staff or me.unit):
        return to_login(request)
    if not me.may_see_unit(unit):
        return forbidden(state, request)
    kind = request.query_params.get("loc", "")
    kind = kind if kind in data.FILTERS else ""
    query = request.query_params.get("q", "")[:200]
    with state.sessions() as session:
        rows = data.unit_rows(session, unit, state.today())
    picked = data.pick(rows, kind, query)
    pages_total = max(1, math.ceil(len(picked) / data.PAGE_SIZE))
    page = min(max(_int(request.query_params.get("trang", "1")), 1), pages_total)
    shown = picked[(page - 1) * data.PAGE_SIZE: page * data.PAGE_SIZE]
    return state.render(request, "unit.html", unit=unit, rows=shown, total=len(picked), kind=kind,
                        query=query, page=page, pages_total=pages_total, filters=data.FILTERS,
                        figures=data.counts(unit, rows))


def _int(text: str) -> int:
    """A page number from the query string (1 when it is not a number)."""
    return int(text) if text.isdigit() else 1


def _own_row(session: Session, me: Visitor, task_id: int, today: dt.date) -> data.TaskRow | None:
    """The task's row for a unit-link visitor when it concerns their unit, else None."""
    return next((row for row in data.unit_rows(session, me.unit, today) if row.task.id == task_id), None)


async def task_page(state: PageState, request: Request) -> Response:
    """Nhiệm vụ: the task, its document and its history; for its unit's own link, "mark done"."""
    from crawler.storage.corrections import corrections_of
    from crawler.storage.tasks import load_tasks
    from crawler.storage.webviews import task_document, task_history

    me, task_id = visitor(request), int(request.path_params["task_id"])
    if not (me.staff or me.unit):
        return to_login(request)
    with state.sessions() as session:
        found = load_tasks(session, [task_id])
        own = _own_row(session, me, task_id, state.today()) if me.unit else None
        if not found:
            return state.render(request, "forbidden.html", status=404, reason="Không có nhiệm vụ này.")
        if not me.staff and own is None:
            return forbidden(state, request)
        document, history = task_document(session, task_id), task_history(session, task_id)
        fixes = corrections_of(session, [task_id]).get(task_id, [])
    return state.render(request, "task.html", task=found[0], document=document, history=history,
                        own=own, done=request.query_params.get("da-ghi") == "1", corrections=fixes)


async def mark_done(state: PageState, request: Request) -> Response:
    """A unit's own link reports a task done: a progress event, as the bots' /xong records it."""
    from crawler.storage.progress import UnitReport, record_report
    from crawler.storage.tasks import EventKind

    me, task_id = visitor(request), int(request.path_params["task_id"])
    form = await request.form()
    if not csrf_ok(request, form.get("csrf")) or not me.unit:
        return forbidden(state, request)
    with state.sessions() as session:
        own = _own_row(session, me, task_id, state.today())
        if own is None or not own.open:
            return forbidden(state, request)
        record_report(session, UnitReport(
            task_id=task_id, kind=EventKind.PROGRESS_REPORTED, value="done",
            note=str(form.get("ghi_chu", "")).strip()[:500], by=f"liên kết của {me.unit}", unit=me.unit,
            channel="web", address=f"lien-ket:{me.token_id}", at=dt.datetime.now(dt.UTC)))
        session.commit()
    return RedirectResponse(f"/nhiem-vu/{task_id}?da-ghi=1", status_code=303)


async def operator_page(state: PageState, request: Request) -> Response:
    """Vận hành: sources' health, jobs, the outbox, the names still to place (operators only)."""
    from crawler.storage.outbox import status_counts
    from crawler.storage.service_state import job_states, source_health
    from crawler.storage.tasks import open_addressees
    from crawler.storage.units import unit_resolver
    from notifier.routing import unplaced_names

    me = visitor(request)
    if not (me.staff or me.unit):
        return to_login(request)
    if me.role != "operator":
        return forbidden(state, request)
    with state.sessions() as session:
        health, jobs = source_health(session), job_states(session)
        outbox = status_counts(session)
        unplaced = unplaced_names(open_addressees(session), unit_resolver(session))
    names = [source.name for source in state.sources] or sorted(health)
    return state.render(request, "operator.html", sources=[(name, health.get(name)) for name in names],
                        jobs=jobs, outbox=outbox, unplaced=unplaced)


async def calendar_feed(state: PageState, request: Request) -> Response:
    """A recipient's calendar of open deadlines, opened by its own token."""
    from web.feeds import recipient_calendar

    now = dt.datetime.now(dt.UTC)
    with state.sessions() as session:
        grant = webaccess.grant_of(session, request.path_params["token"], webaccess.CALENDAR_LINK, now)
        if grant is None or grant.recipient_id is None:
            return Response("Không có lịch này.", status_code=404, media_type="text/plain; charset=utf-8")
        body = recipient_calendar(session, grant.recipient_id, grant.recipient or "", now)
    return Response(body, media_type="text/calendar; charset=utf-8")


async def api_tasks(state: PageState, request: Request) -> Response:
    """JSON: every task (or one unit's, ?don-vi=NAME), for editors and operators."""
    from crawler.storage.tasks import load_tasks
    from web.feeds import task_json

    if not visitor(request).staff:
        return JSONResponse({"loi": "cần đăng nhập"}, status_code=401)
    unit = request.query_params.get("don-vi")
    with state.sessions() as session:
        tasks = ([row.task for row in data.unit_rows(session, unit, state.today())] if unit
                 else load_tasks(session))
    return JSONResponse([task_json(task, state.today()) for task in tasks])


async def api_units(state: PageState, request: Request) -> Response:
    """JSON: each unit with a digest and its counts, for editors and operators."""
    from service.previews import units_with_digests

    if not visitor(request).staff:
        return JSONResponse({"loi": "cần đăng nhập"}, status_code=401)
    with state.sessions() as session:
        figures = [data.counts(unit, data.unit_rows(session, unit, state.today()))
                   for unit in units_with_digests(session)]
    return JSONResponse([{"unit": f.unit, "overdue": f.overdue, "due_soon": f.due_soon, "done": f.done}
                         for f in figures])
