"""What the pages show, computed from the one task model: a unit's tasks with their role and state,
the dashboard's counts and its SVG chart."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from crawler.storage.tasks import (
    EventKind,
    TrackedTask,
    index_by_unit,
    load_events,
    load_tasks,
    tasks_for_units,
)
from crawler.storage.units import unit_resolver
from notifier.digest import SHARED, is_open
from notifier.routing import task_roles

DUE_SOON_DAYS = 7
NEW_DAYS = 7
PAGE_SIZE = 20
FILTERS = {
    "": "Tất cả",
    "qua-han": "Quá hạn",
    "sap-den-han": "Sắp đến hạn",
    "moi": "Mới",
    "da-xong": "Đã xong",
    "giao-chung": "Giao chung",
}


@dataclass(frozen=True)
class TaskRow:
    """A task as a unit's list shows it."""

    task: TrackedTask
    role: str
    open: bool
    overdue: bool
    due_soon: bool
    new: bool


@dataclass(frozen=True)
class UnitCounts:
    """A unit's figures on the dashboard."""

    unit: str
    overdue: int
    due_soon: int
    done: int


def unit_rows(session: Session, unit: str, as_of: dt.date) -> list[TaskRow]:
    """Every task concerning a unit (digests' choice), soonest deadline first, with its state."""
    resolver = unit_resolver(session)
    tasks = tasks_for_units(index_by_unit(load_tasks(session), resolver), [unit], resolver)
    roles = task_roles(tasks, [unit], resolver)
    since = as_of - dt.timedelta(days=NEW_DAYS)
    fresh = {event.task_id for event in load_events(session, since, as_of, kinds=[EventKind.NEW],
                                                    task_ids=[task.id for task in tasks])}
    rows = [_row(task, roles[task.id], task.id in fresh, as_of) for task in tasks]
    return sorted(rows, key=lambda row: (row.task.deadline.due or dt.date.max, row.task.id))


def _row(task: TrackedTask, role: str, new: bool, as_of: dt.date) -> TaskRow:
    """A task's row on a given day."""
    due, still_open = task.deadline.due, is_open(task)
    overdue = still_open and due is not None and due < as_of
    soon = still_open and due is not None and as_of <= due <= as_of + dt.timedelta(days=DUE_SOON_DAYS)
    return TaskRow(task, role, still_open, overdue, soon, new)


def pick(rows: Sequence[TaskRow], kind: str, query: str) -> list[TaskRow]:
    """The rows a filter and a search keep."""
    tests: dict[str, Callable[[TaskRow], bool]] = {
        "qua-han": lambda row: row.overdue, "sap-den-han": lambda row: row.due_soon,
        "moi": lambda row: row.new, "da-xong": lambda row: row.task.listed and not row.open,
        "giao-chung": lambda row: row.role == SHARED,
    }
    keep = tests.get(kind, _any)
    needle = query.casefold().strip()
    return [row for row in rows if keep(row) and (not needle or needle in row.task.action.casefold())]


def _any(row: TaskRow) -> bool:
    """The filter that keeps every row."""
    return True


def counts(unit: str, rows: Sequence[TaskRow]) -> UnitCounts:
    """A unit's dashboard figures."""
    return UnitCounts(unit, sum(row.overdue for row in rows), sum(row.due_soon for row in rows),
                      sum(row.task.listed and not row.open for row in rows))


def unit_path(unit: str) -> str:
    """The unit page's path."""
    return "/don-vi/" + quote(unit, safe="")


ROW_HEIGHT, CHART_WIDTH, LABEL_CHARS = 40, 400, 48


def overdue_chart(figures: Sequence[UnitCounts]) -> Markup:
    """A bar chart (SVG) of overdue tasks by unit, each unit's name above its bar, each bar linking to
    the unit's overdue list; names above bars keep it readable on a 390 px phone."""
    shown = [figure for figure in figures if figure.overdue]
    if not shown:
        return Markup("")
    top = max(figure.overdue for figure in shown)
    span = CHART_WIDTH - 40
    height = ROW_HEIGHT * len(shown) + 4
    parts = [f'<svg class="chart" viewBox="0 0 {CHART_WIDTH} {height}" role="img" '
             f'aria-label="Nhiệm vụ quá hạn theo đơn vị">']
    for i, figure in enumerate(shown):
        y, width = i * ROW_HEIGHT, max(2, round(span * figure.overdue / top))
        label = figure.unit if len(figure.unit) <= LABEL_CHARS else figure.unit[:LABEL_CHARS - 1] + "…"
        parts.append(
            f'<a href="{escape(unit_path(figure.unit))}?loc=qua-han"><title>{escape(figure.unit)}: '
            f'{figure.overdue} quá hạn</title>'
            f'<text x="0" y="{y + 15}">{escape(label)}</text>'
            f'<rect x="0" y="{y + 21}" width="{width}" height="14" rx="3"/>'
            f'<text x="{width + 6}" y="{y + 33}" class="value">{figure.overdue}</text></a>')
    parts.append("</svg>")
    return Markup("".join(parts))
