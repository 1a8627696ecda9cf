"""Báo cáo: the overdue report on a chosen day, or the due report between two days, for every unit
or one unit or document, downloadable as DOCX, XLSX or HTML (notifier.reports and report_files,
the same reports `dondoc report` writes). Editors and operators."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from crawler.errors import ReportInputError
from notifier.reports import TaskReport
from web.auth import visitor
from web.pages import PageState, forbidden, to_login

OVERDUE, DUE = "qua-han", "den-han"
KINDS = {OVERDUE: "Nhiệm vụ quá hạn đến hết ngày", DUE: "Nhiệm vụ đến hạn trong khoảng"}
DUE_SPAN_DAYS = 7
MEDIA = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "html": "text/html; charset=utf-8"}


@dataclass(frozen=True)
class ReportAsk:
    """What the form asks: which report, its day or days, and the unit or document it is limited to."""

    kind: str
    day: dt.date
    date_from: dt.date
    date_to: dt.date
    unit: str
    document: str

    def query(self) -> str:
        """The query string that asks the same report again (the download links)."""
        return urlencode({"loai": self.kind, "ngay": self.day.isoformat(), "tu": self.date_from.isoformat(),
                          "den": self.date_to.isoformat(), "don-vi": self.unit, "van-ban": self.document})

    @property
    def stem(self) -> str:
        """The file name, as `dondoc report` names it."""
        if self.kind == OVERDUE:
            return f"nhiem-vu-qua-han-{self.day.isoformat()}"
        return f"nhiem-vu-den-han-{self.date_from.isoformat()}-{self.date_to.isoformat()}"


def _day(text: str | None, default: dt.date) -> dt.date:
    """A YYYY-MM-DD day from the form, or a ReportInputError naming the right form."""
    if not text:
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ReportInputError(f"Ngày “{text[:20]}” không hợp lệ (cần dạng NĂM-THÁNG-NGÀY).") from None


def read_ask(params: Mapping[str, str], today: dt.date) -> ReportAsk:
    """The report the query string asks for (today's overdue report by default)."""
    kind = params.get("loai", OVERDUE)
    if kind not in KINDS:
        raise ReportInputError("Loại báo cáo không đúng.")
    date_from = _day(params.get("tu"), today)
    return ReportAsk(kind, _day(params.get("ngay"), today), date_from,
                     _day(params.get("den"), date_from + dt.timedelta(days=DUE_SPAN_DAYS)),
                     params.get("don-vi", "").strip()[:200], params.get("van-ban", "").strip()[:100])


def build(state: PageState, ask: ReportAsk) -> TaskReport:
    """The report asked for (a ReportInputError for a period that ends first or an unknown name)."""
    from notifier.reports import due_report, overdue_report

    unit, document = ask.unit or None, ask.document or None
    with state.sessions() as session:
        if ask.kind == OVERDUE:
            return overdue_report(session, ask.day, unit=unit, document=document)
        return due_report(session, ask.date_from, ask.date_to, unit=unit, document=document)


def _refusal(state: PageState, request: Request) -> Response | None:
    """The answer for anyone but an editor or operator (None for them)."""
    me = visitor(request)
    if not (me.staff or me.unit):
        return to_login(request)
    return None if me.staff else forbidden(state, request)


def _count(report: TaskReport) -> int:
    """How many tasks the report lists."""
    return len(report.alone) + len(report.shared) + len(report.unplaced)


async def report_page(state: PageState, request: Request) -> Response:
    """The form, and for a report asked the title, the count and the download links."""
    from service.previews import units_with_digests

    if (refusal := _refusal(state, request)) is not None:
        return refusal
    with state.sessions() as session:
        units = units_with_digests(session)
    today, error, report = state.today(), "", None
    try:
        ask = read_ask(request.query_params, today)
        if "loai" in request.query_params:
            report = build(state, ask)
    except ReportInputError as problem:
        ask, error = read_ask({}, today), str(problem)
    status = 400 if error else 200
    return state.render(request, "reports.html", status=status, ask=ask, kinds=KINDS, units=units,
                        report=report, total=_count(report) if report else 0, error=error,
                        formats=("docx", "xlsx", "html"))


async def report_download(state: PageState, request: Request) -> Response:
    """The report as a DOCX, XLSX or HTML file (HTML shown in the browser with ?xem=1)."""
    from notifier.report_files import write_report

    if (refusal := _refusal(state, request)) is not None:
        return refusal
    fmt = request.path_params["fmt"]
    if fmt not in MEDIA:
        return state.render(request, "forbidden.html", status=404, reason="Không có định dạng này.")
    try:
        ask = read_ask(request.query_params, state.today())
        report = build(state, ask)
    except ReportInputError as problem:
        return state.render(request, "forbidden.html", status=400, reason=str(problem))
    with tempfile.TemporaryDirectory() as folder:
        (path,) = write_report(report, Path(folder), [fmt], stem=ask.stem)
        body = path.read_bytes()
    shown = "inline" if fmt == "html" and request.query_params.get("xem") == "1" else "attachment"
    return Response(body, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f'{shown}; filename="{ask.stem}.{fmt}"'})
