"""Task reports in the shape of the appendices offices file (seeds 002, 003): overdue tasks as of a day,
or tasks due between two days, optionally for one unit or one assigning document (written out as DOCX,
XLSX and HTML by notifier.report_files).

A report has a summary table per unit (tasks assigned to it alone, shared with other units, total),
units grouped as ministries and central bodies, then localities; then the list of tasks assigned to
one unit alone, then of tasks shared, each row: TT, assigning document, task, required result,
deadline, units, progress.

Rules, so the numbers can be checked by hand:
- a task is assigned to its lead units (cơ quan chủ trì); support units are shown, not counted;
- "alone" means the task has exactly one lead unit; "shared" that it has several, or that a lead is a
  collective addressee ("Các bộ, ngành, địa phương"); a collective is counted on its own line, in a
  third group, since storage does not say which of its members are concerned;
- overdue as of D: due on or before D (the seed's "đến hết tháng 7" counts "Tháng 7/2025" tasks as
  overdue on 31/07) and not done; due between A and B: due in [A, B], done or not (the progress
  column says which);
- progress: what the unit reported through the bot (`/xong`, `/dang`), else the status its documents
  give, else "Chưa hoàn thành"; the unit's note goes in the result column, after the required result;
- tasks without a due date (recurring, none) and tasks no longer listed in their source are left out;
- the unit filter picks a unit's tasks as digests do (crawler.storage.tasks): its name in any spelling
  or alias, and the collective addressees covering it, as lead or support;
- the document filter compares numbers case-, spacing- and tone-placement-insensitively.
"""

from __future__ import annotations

import datetime as dt
import logging
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crawler.errors import ReportInputError
from crawler.extract.normalize import match_key
from crawler.storage.tasks import TrackedTask, index_by_unit, load_tasks, tasks_for_units
from crawler.storage.units import UnitDirectory, UnitResolver, unit_resolver
from notifier.bulletin.classify import is_local
from notifier.names import suggestion

logger = logging.getLogger(__name__)

MINISTRIES = "Các bộ, ngành, cơ quan Trung ương"
LOCALITIES = "Các địa phương"
COLLECTIVES = "Giao chung cho nhiều cơ quan"
NO_UNIT = "Chưa rõ đơn vị"
PROGRESS = {
    "done": "Đã hoàn thành",
    "in_progress": "Đang thực hiện",
    "overdue": "Quá hạn",
    "in_progress_overdue": "Đang thực hiện (quá hạn)",
    "not_started": "Chưa thực hiện",
}
LOCAL_PREFIXES = ("sở ", "ubnd", "ủy ban nhân dân", "công an tỉnh", "công an thành phố")


@dataclass(frozen=True)
class ReportRow:
    """One printed task row; `result` is the task's required result (kết quả yêu cầu), if known, and the
    note its unit reported."""

    task_id: int
    number: int
    document: str
    action: str
    result: str
    deadline: str
    units: str
    progress: str


@dataclass(frozen=True)
class UnitCount:
    """One unit's line of the summary table."""

    number: int
    unit: str
    alone: int
    shared: int

    @property
    def total(self) -> int:
        """Tasks of the unit, alone and shared."""
        return self.alone + self.shared


@dataclass(frozen=True)
class UnitGroup:
    """Ministries and central bodies, or localities, with their summary lines."""

    title: str
    units: tuple[UnitCount, ...]


@dataclass(frozen=True)
class TaskReport:
    """A whole report: titles, the summary per unit, and the two task lists."""

    title: str
    scope: str
    total_label: str
    groups: tuple[UnitGroup, ...]
    alone: tuple[ReportRow, ...]
    shared: tuple[ReportRow, ...]

    @property
    def totals(self) -> tuple[int, int, int]:
        """Task counts over the whole report: alone, shared, all (each task once)."""
        return len(self.alone), len(self.shared), len(self.alone) + len(self.shared)


# --- selecting -------------------------------------------------------------------------------------


def _key(name: str) -> str:
    """A name folded for matching, with spaces removed ("02-KH /BCĐTW" = "02-KH/BCĐTW")."""
    return match_key(name).replace(" ", "")


def dated_tasks(session: Session) -> list[TrackedTask]:
    """Every listed task with a due date, by due date then id."""
    tasks = [t for t in load_tasks(session) if t.listed and t.deadline.due is not None]
    return sorted(tasks, key=lambda t: (_due(t), t.id))


def _due(task: TrackedTask) -> dt.date:
    """The due date of a task the report kept (every one has one)."""
    assert task.deadline.due is not None
    return task.deadline.due


def _filter(tasks: Sequence[TrackedTask], unit: str | None, document: str | None,
            resolver: UnitResolver) -> list[TrackedTask]:
    """Tasks concerning `unit` (as digests pick them) and citing `document`, refusing names no task uses."""
    chosen = list(tasks)
    if unit:
        named = {u for t in chosen for u in t.units}
        chosen = tasks_for_units(index_by_unit(chosen, resolver), [unit], resolver)
        if not chosen:
            raise ReportInputError(f"Không có nhiệm vụ nào của đơn vị '{unit}' (kiểm tra lại tên đơn vị). "
                                   + suggestion(unit, sorted(named)))
    if document:
        wanted = _key(document)
        chosen = [t for t in chosen if wanted in {_key(d) for d in t.documents}]
        if not chosen:
            problem = f"Không có nhiệm vụ nào theo văn bản '{document}' (kiểm tra lại số ký hiệu)."
            raise ReportInputError(problem)
    return chosen


def _scope(unit: str | None, document: str | None) -> str:
    """The line under the title saying which unit and document the report is limited to."""
    parts = [f"Đơn vị: {unit}" if unit else "", f"Văn bản giao việc: {document}" if document else ""]
    return "; ".join(p for p in parts if p)


def overdue_report(
    session: Session,
    as_of: dt.date,
    *,
    unit: str | None = None,
    document: str | None = None,
    directory: UnitDirectory | None = None,
) -> TaskReport:
    """Tasks overdue and not done at the end of `as_of`, by unit."""
    resolver = unit_resolver(session, directory)
    tasks = [
        t
        for t in _filter(dated_tasks(session), unit, document, resolver)
        if _due(t) <= as_of and t.state != "done"
    ]
    title = f"Danh mục nhiệm vụ quá hạn, chưa hoàn thành đến hết ngày {as_of:%d/%m/%Y}"
    scope = _scope(unit, document)
    return build_report(tasks, title, scope, "Tổng số nhiệm vụ quá hạn", as_of, unit, resolver)


def due_report(
    session: Session,
    date_from: dt.date,
    date_to: dt.date,
    *,
    unit: str | None = None,
    document: str | None = None,
    directory: UnitDirectory | None = None,
) -> TaskReport:
    """Tasks whose deadline falls between `date_from` and `date_to` (both included), by unit, those
    done included (their progress says so)."""
    if date_to < date_from:
        raise ReportInputError(
            f"Khoảng thời gian không hợp lệ: đến ngày {date_to:%d/%m/%Y} trước từ ngày {date_from:%d/%m/%Y}."
        )
    resolver = unit_resolver(session, directory)
    tasks = [
        t
        for t in _filter(dated_tasks(session), unit, document, resolver)
        if date_from <= _due(t) <= date_to
    ]
    title = (
        f"Danh mục nhiệm vụ có thời hạn hoàn thành từ ngày {date_from:%d/%m/%Y} đến ngày {date_to:%d/%m/%Y}"
    )
    return build_report(tasks, title, _scope(unit, document), "Tổng số nhiệm vụ", None, unit, resolver)


# --- building --------------------------------------------------------------------------------------


def sort_key(name: str) -> tuple[str, str]:
    """Vietnamese alphabetical order, near enough: letters without marks, đ after d, and a city's
    "Tp."/"Thành phố"/"Tỉnh" prefix ignored, as the seed's list sorts "Tp. Đà Nẵng" under Đ."""
    folded = match_key(name)
    for prefix in ("tp. ", "tp.", "thành phố ", "tỉnh "):
        folded = folded.removeprefix(prefix)
    base = "".join(
        ch for ch in unicodedata.normalize("NFD", folded.replace("đ", "d{")) if not unicodedata.combining(ch)
    )
    return base, folded


def is_collective(unit: str) -> bool:
    """Tell a collective addressee ("Các bộ, ngành", "Các địa phương") from one unit."""
    return match_key(unit).startswith("các ")


def is_shared(task: TrackedTask) -> bool:
    """Tell whether a task is shared: several lead units, or a collective lead."""
    return len(task.lead) > 1 or any(is_collective(u) for u in task.lead)


def unit_group(unit: str) -> str:
    """The summary group of a unit: collectives, localities, or ministries and central bodies."""
    if is_collective(unit):
        return COLLECTIVES
    return LOCALITIES if is_locality(unit) else MINISTRIES


def is_locality(unit: str) -> bool:
    """Tell a province, city or provincial body from a ministry or central body."""
    return is_local(unit) or match_key(unit).startswith(LOCAL_PREFIXES)


def count_units(tasks: Iterable[TrackedTask]) -> tuple[UnitGroup, ...]:
    """The summary: for each lead unit, tasks assigned to it alone and shared, ministries first."""
    alone: Counter[str] = Counter()
    shared: Counter[str] = Counter()
    names: dict[str, str] = {}
    for task in tasks:
        leads = {_key(u): u for u in task.lead} or {_key(NO_UNIT): NO_UNIT}
        for key, name in leads.items():
            names.setdefault(key, name)
            (shared if is_shared(task) else alone)[key] += 1
    groups = []
    number = 0
    for title in (MINISTRIES, LOCALITIES, COLLECTIVES):
        members = sorted(
            (k for k in names if unit_group(names[k]) == title), key=lambda k: sort_key(names[k])
        )
        lines = []
        for key in members:
            number += 1
            lines.append(UnitCount(number=number, unit=names[key], alone=alone[key], shared=shared[key]))
        if lines:
            groups.append(UnitGroup(title=title, units=tuple(lines)))
    return tuple(groups)


def deadline_text(task: TrackedTask, as_of: dt.date | None) -> str:
    """The deadline as the source wrote it (else dd/mm/yyyy), with the days late as of `as_of`."""
    text = " ".join((task.deadline.raw or "").split()) or f"{_due(task):%d/%m/%Y}"
    late = (as_of - _due(task)).days if as_of else 0
    return f"{text} (quá hạn {late} ngày)" if late > 0 else text


def units_text(task: TrackedTask) -> str:
    """Lead units, then support units after "Phối hợp:"."""
    lead = ", ".join(task.lead) or NO_UNIT
    return f"{lead}; Phối hợp: {', '.join(task.support)}" if task.support else lead


def result_text(task: TrackedTask) -> str:
    """The required result, then the note the unit reported with its progress (who, which day)."""
    required = " ".join(task.required_result.split())
    report = task.progress
    if report is None or not report.note:
        return required
    note = f"Đơn vị báo cáo ngày {report.day:%d/%m/%Y}: {' '.join(report.note.split())}"
    return f"{required}\n{note}" if required else note


def _rows(tasks: Sequence[TrackedTask], as_of: dt.date | None) -> tuple[ReportRow, ...]:
    """Numbered rows of one task list, by due date then by first lead unit."""
    ordered = sorted(tasks, key=lambda t: (_due(t), sort_key(t.lead[0] if t.lead else NO_UNIT), t.id))
    return tuple(
        ReportRow(
            task_id=t.id,
            number=n,
            document="; ".join(t.documents),
            action=" ".join(t.action.split()),
            result=result_text(t),
            deadline=deadline_text(t, as_of),
            units=units_text(t),
            progress=PROGRESS.get(t.state or "", "Chưa hoàn thành"),
        )
        for n, t in enumerate(ordered, start=1)
    )


def build_report(
    tasks: Sequence[TrackedTask],
    title: str,
    scope: str,
    total_label: str,
    as_of: dt.date | None,
    unit: str | None = None,
    resolver: UnitResolver | None = None,
) -> TaskReport:
    """Assemble the report; with a unit filter the summary keeps the lines of the leads that reach it
    (the unit itself, by any name, and the collectives covering it)."""
    groups = count_units(tasks)
    if unit:
        groups = _lines_reaching(groups, unit, resolver)
    return TaskReport(
        title=title,
        scope=scope,
        total_label=total_label,
        groups=groups,
        alone=_rows([t for t in tasks if not is_shared(t)], as_of),
        shared=_rows([t for t in tasks if is_shared(t)], as_of),
    )


def _lines_reaching(
    groups: Sequence[UnitGroup], unit: str, resolver: UnitResolver | None
) -> tuple[UnitGroup, ...]:
    """The summary groups cut to the lines whose unit reaches `unit` (exact name match without a resolver)."""
    if resolver is None:
        wanted = _key(unit)
        keep = [[u for u in g.units if _key(u.unit) == wanted] for g in groups]
    else:
        wanted_keys = resolver.keys_of(unit)
        keep = [[u for u in g.units if resolver.reach(u.unit) & wanted_keys] for g in groups]
    pairs = zip(groups, keep, strict=True)
    return tuple(UnitGroup(title=g.title, units=tuple(lines)) for g, lines in pairs if lines)
