"""Task reports in the shape of the appendices offices file (seeds 002, 003): overdue tasks as of a day,
or tasks due between two days, optionally for one unit or one assigning document (written out as DOCX,
XLSX and HTML by notifier.report_files).

A report has a summary table per unit (tasks assigned to it alone, shared with other units, total),
units grouped as ministries and central bodies, then localities; then the list of tasks assigned to
one unit alone, grouped by unit, then of tasks shared ("giao chung"), then the tasks no unit can be
named for ("Nhiệm vụ chưa xác định đơn vị"); each row: TT, assigning document, task, required result,
deadline, units, progress.

Rules, so the numbers can be checked by hand:
- a task is assigned to its lead units (cơ quan chủ trì); support units are shown, not counted;
- a lead group whose members the gazetteer knows ("Các địa phương") stands for each member
  (crawler.membership); a shared task is counted once against each member unit;
- "alone" means the task has exactly one lead and it is one unit; "shared" that it has several
  leads, or a lead group;
- the assigner the report goes to ("Thủ tướng Chính phủ"), groups nobody can list ("Các trường") and
  provincial bodies without their province have no summary line; a task naming no other lead goes
  to the list of tasks without a unit;
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
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crawler.errors import ReportInputError
from crawler.extract.normalize import match_key, unmarked
from crawler.membership import Placement, placement
from crawler.storage.tasks import TrackedTask, index_by_unit, load_tasks, tasks_for_units
from crawler.storage.units import UnitDirectory, UnitResolver, unit_resolver
from notifier.bulletin.classify import is_local
from notifier.names import suggestion

logger = logging.getLogger(__name__)

MINISTRIES = "Các bộ, ngành, cơ quan Trung ương"
LOCALITIES = "Các địa phương"
COLLECTIVES = "Giao chung cho nhiều cơ quan"
NO_UNIT = "Nhiệm vụ chưa xác định đơn vị"
SHARED_MARK = "giao chung"
ASSIGNERS = frozenset({"thủ tướng chính phủ", "thủ tướng"})  # who the reports go to, never a unit line
PROGRESS = {
    "done": "Đã hoàn thành",
    "in_progress": "Đang thực hiện",
    "overdue": "Quá hạn",
    "in_progress_overdue": "Đang thực hiện (quá hạn)",
    "not_started": "Chưa thực hiện",
}
LOCAL_PREFIXES = (
    "sở ", "ubnd", "ủy ban nhân dân", "công an tỉnh", "công an thành phố", "tỉnh ", "thành phố ")
CENTRAL_PREFIXES = ("ban ", "bộ ", "đại học", "học viện", "viện ", "văn phòng", "tập đoàn", "tổng công ty",
                    "đài ", "thông tấn", "ngân hàng", "kiểm toán", "thanh tra", "bảo hiểm")


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
    unit: str = ""
    due: dt.date | None = None
    days_late: int = 0


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
    """A whole report: titles, the summary per unit, the two task lists (rows ordered by `unit`), and
    the tasks no unit can be named for; `attachment` is the "(Kèm theo Báo cáo số …)" line."""

    title: str
    scope: str
    total_label: str
    groups: tuple[UnitGroup, ...]
    alone: tuple[ReportRow, ...]
    shared: tuple[ReportRow, ...]
    unplaced: tuple[ReportRow, ...] = ()
    attachment: str = ""

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


def attachment_line(number: str | None, day: dt.date | None, issuer: str | None = None) -> str:
    """The line under the title naming the report this list goes with, as seed 003 writes it."""
    if not number:
        return ""
    parts = [f"Kèm theo Báo cáo số {number.strip()}"]
    if day:
        parts.append(f"ngày {day:%d} tháng {day.month} năm {day.year}")
    if issuer:
        parts.append(f"của {issuer.strip()}")
    return f"({' '.join(parts)})"


def overdue_report(
    session: Session,
    as_of: dt.date,
    *,
    unit: str | None = None,
    document: str | None = None,
    directory: UnitDirectory | None = None,
    attachment: str = "",
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
    return build_report(tasks, title, scope, "Tổng số nhiệm vụ quá hạn", as_of, unit, resolver, attachment)


def due_report(
    session: Session,
    date_from: dt.date,
    date_to: dt.date,
    *,
    unit: str | None = None,
    document: str | None = None,
    directory: UnitDirectory | None = None,
    attachment: str = "",
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
    scope = _scope(unit, document)
    return build_report(tasks, title, scope, "Tổng số nhiệm vụ", None, unit, resolver, attachment)


# --- building --------------------------------------------------------------------------------------


def sort_key(name: str) -> tuple[str, str]:
    """Vietnamese alphabetical order, near enough: letters without marks, đ after d, and a city's
    "Tp."/"Thành phố"/"Tỉnh" prefix ignored, as the seed's list sorts "Tp. Đà Nẵng" under Đ."""
    folded = match_key(name)
    for prefix in ("tp. ", "tp.", "thành phố ", "tỉnh "):
        folded = folded.removeprefix(prefix)
    base = unmarked(folded.replace("đ", "d{"))
    return base, folded


def is_collective(unit: str) -> bool:
    """Tell a collective addressee ("Các bộ, ngành", "Các địa phương") from one unit."""
    return match_key(unit).startswith("các ")


def lead_names(task: TrackedTask) -> tuple[str, ...]:
    """The task's lead names as written, the assigner ("Thủ tướng Chính phủ") left out."""
    return tuple(name for name in task.lead if match_key(name).strip(" .,;") not in ASSIGNERS)


def member_units(task: TrackedTask, resolver: UnitResolver) -> tuple[str, ...]:
    """The concrete units a task is assigned to, each once by canonical name: every lead that is one
    unit and every member of a lead group; names nobody can place and the assigner left out."""
    found: dict[str, str] = {}
    for name in lead_names(task):
        where = placement(name, resolver)
        if where is Placement.UNIT:
            names: tuple[str, ...] = (resolver.canonical(name),)
        elif where is Placement.GROUP:
            names = resolver.members(name)
        else:
            continue
        for member in names:
            found.setdefault(_key(member), member)
    return tuple(found.values())


def is_shared(task: TrackedTask, resolver: UnitResolver) -> bool:
    """Tell whether a task is shared ("giao chung"): several lead names, or a lead group."""
    leads = lead_names(task)
    return len(leads) > 1 or any(placement(name, resolver) is not Placement.UNIT for name in leads)


def unit_group(unit: str) -> str:
    """The summary group of a unit: localities, or ministries and central bodies."""
    return LOCALITIES if is_locality(unit) else MINISTRIES


def is_locality(unit: str) -> bool:
    """Tell a province, city or provincial body from a ministry or central body (a central body named
    after a city, "Đại học Quốc gia Hà Nội", stays central)."""
    key = match_key(unit)
    if key.startswith(LOCAL_PREFIXES) or re.search(r"\btỉnh\b", key):
        return True
    return is_local(unit) and not key.startswith(CENTRAL_PREFIXES)


def _unit_order(unit: str) -> tuple[int, tuple[str, str]]:
    """Ministries first, then localities, each alphabetically (the summary's and the list's order)."""
    return (0 if unit_group(unit) == MINISTRIES else 1), sort_key(unit)


def count_units(tasks: Iterable[TrackedTask], resolver: UnitResolver) -> tuple[UnitGroup, ...]:
    """The summary: for each member unit, tasks assigned to it alone and shared (a shared task once
    against each member unit), ministries first; tasks with no unit have no line."""
    alone: Counter[str] = Counter()
    shared: Counter[str] = Counter()
    names: dict[str, str] = {}
    for task in tasks:
        together = is_shared(task, resolver)
        for member in member_units(task, resolver):
            key = _key(member)
            names.setdefault(key, member)
            (shared if together else alone)[key] += 1
    groups = []
    number = 0
    for title in (MINISTRIES, LOCALITIES):
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


def days_late(task: TrackedTask, as_of: dt.date | None) -> int:
    """Days past the due date at the end of `as_of` (0 when not late or no day is given)."""
    return max((as_of - _due(task)).days, 0) if as_of else 0


def deadline_text(task: TrackedTask, as_of: dt.date | None) -> str:
    """The deadline as the source wrote it (else dd/mm/yyyy), with the days late as of `as_of`."""
    text = " ".join((task.deadline.raw or "").split()) or f"{_due(task):%d/%m/%Y}"
    late = days_late(task, as_of)
    return f"{text} (quá hạn {late} ngày)" if late > 0 else text


def units_text(task: TrackedTask, shared: bool = False) -> str:
    """Lead units ("giao chung" when shared), then support units after "Phối hợp:"."""
    lead = ", ".join(task.lead) or "(chưa nêu)"
    lead = f"{lead} ({SHARED_MARK})" if shared else lead
    return f"{lead}; Phối hợp: {', '.join(task.support)}" if task.support else lead


def result_text(task: TrackedTask) -> str:
    """The required result, then the note the unit reported with its progress (who, which day)."""
    required = " ".join(task.required_result.split())
    report = task.progress
    if report is None or not report.note:
        return required
    note = f"Đơn vị báo cáo ngày {report.day:%d/%m/%Y}: {' '.join(report.note.split())}"
    return f"{required}\n{note}" if required else note


def _row(task: TrackedTask, number: int, unit: str, as_of: dt.date | None, shared: bool) -> ReportRow:
    """One numbered row of a task under the unit heading `unit`."""
    return ReportRow(
        task_id=task.id,
        number=number,
        document="; ".join(task.documents),
        action=" ".join(task.action.split()),
        result=result_text(task),
        deadline=deadline_text(task, as_of),
        units=units_text(task, shared),
        progress=PROGRESS.get(task.state or "", "Chưa hoàn thành"),
        unit=unit,
        due=_due(task),
        days_late=days_late(task, as_of),
    )


def _rows(placed: Sequence[tuple[str, TrackedTask]], as_of: dt.date | None, shared: bool,
          ) -> tuple[ReportRow, ...]:
    """Numbered rows of (unit heading, task) pairs, by unit (ministries first), then due date."""
    ordered = sorted(placed, key=lambda p: (_unit_order(p[0]), _due(p[1]), p[1].id))
    return tuple(_row(t, n, unit, as_of, shared) for n, (unit, t) in enumerate(ordered, start=1))


def build_report(
    tasks: Sequence[TrackedTask],
    title: str,
    scope: str,
    total_label: str,
    as_of: dt.date | None,
    unit: str | None = None,
    resolver: UnitResolver | None = None,
    attachment: str = "",
) -> TaskReport:
    """Assemble the report: tasks of one unit under it, shared tasks in one list as seed 003 has them,
    tasks with no unit apart; with a unit filter the summary keeps the lines that reach it."""
    resolver = resolver or UnitResolver({}, None)
    groups = count_units(tasks, resolver)
    if unit:
        groups = _lines_reaching(groups, unit, resolver)
    members = {t.id: member_units(t, resolver) for t in tasks}
    unplaced = [t for t in tasks if not members[t.id]]
    placed = [t for t in tasks if members[t.id]]
    shared = [t for t in placed if is_shared(t, resolver)]
    alone = [t for t in placed if not is_shared(t, resolver)]
    return TaskReport(
        title=title,
        scope=scope,
        total_label=total_label,
        groups=groups,
        alone=_rows([(members[t.id][0], t) for t in alone], as_of, False),
        shared=_rows([("", t) for t in shared], as_of, True),
        unplaced=_rows([(NO_UNIT, t) for t in unplaced], as_of, False),
        attachment=attachment,
    )


def _lines_reaching(groups: Sequence[UnitGroup], unit: str, resolver: UnitResolver) -> tuple[UnitGroup, ...]:
    """The summary groups cut to the lines whose unit reaches `unit`."""
    wanted_keys = resolver.keys_of(unit)
    keep = [[u for u in g.units if resolver.reach(u.unit) & wanted_keys] for g in groups]
    pairs = zip(groups, keep, strict=True)
    return tuple(UnitGroup(title=g.title, units=tuple(lines)) for g, lines in pairs if lines)
