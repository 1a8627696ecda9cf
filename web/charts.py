"""The dashboard's chart of open tasks falling due by week: one row per coming week, a bar stacked by
unit, each unit's segment linking to the unit's list; server-rendered SVG, readable at 390 px."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from web.data import TaskRow, unit_path

WEEKS = 8
ROW_HEIGHT, CHART_WIDTH, BAR_SPAN = 44, 400, 340
PALETTE = ("#0b5cad", "#d68910", "#1e7a3c", "#8e44ad", "#c0392b", "#16a085", "#7f8c8d", "#2c3e50")


@dataclass(frozen=True)
class WeekLoad:
    """One week's open tasks falling due, counted per unit (units in the dashboard's order)."""

    start: dt.date
    units: tuple[tuple[str, int], ...]

    @property
    def total(self) -> int:
        """The bar's length: the units' counts added up."""
        return sum(count for _, count in self.units)


def week_loads(rows: Mapping[str, Sequence[TaskRow]], today: dt.date, weeks: int = WEEKS) -> list[WeekLoad]:
    """The open tasks of each unit due in this week (Monday to Sunday) and the next ones."""
    monday = today - dt.timedelta(days=today.weekday())
    loads = []
    for index in range(weeks):
        start = monday + dt.timedelta(weeks=index)
        end = start + dt.timedelta(days=6)
        counts = tuple((unit, n) for unit, unit_rows in rows.items()
                       if (n := sum(_due_in(row, start, end) for row in unit_rows)))
        loads.append(WeekLoad(start, counts))
    return loads


def _due_in(row: TaskRow, start: dt.date, end: dt.date) -> bool:
    """Whether a row is an open task due between two days."""
    due = row.task.deadline.due
    return row.open and due is not None and start <= due <= end


def unit_colours(loads: Sequence[WeekLoad]) -> dict[str, str]:
    """One colour per unit shown, the same in every week and in the legend."""
    units = dict.fromkeys(unit for load in loads for unit, _ in load.units)
    return {unit: PALETTE[i % len(PALETTE)] for i, unit in enumerate(units)}


def due_by_week_chart(rows: Mapping[str, Sequence[TaskRow]], today: dt.date) -> Markup:
    """The SVG chart and its legend (each unit linking to its list); empty when nothing falls due."""
    loads = week_loads(rows, today)
    top = max((load.total for load in loads), default=0)
    if not top:
        return Markup("")
    colours = unit_colours(loads)
    height = ROW_HEIGHT * len(loads) + 4
    parts = [f'<svg class="chart-weeks" viewBox="0 0 {CHART_WIDTH} {height}" role="img" '
             f'aria-label="Nhiệm vụ đến hạn theo tuần">']
    for i, load in enumerate(loads):
        y = i * ROW_HEIGHT
        end = load.start + dt.timedelta(days=6)
        parts.append(f'<text x="0" y="{y + 15}">Tuần {load.start:%d/%m} – {end:%d/%m}</text>')
        x = 0
        for unit, count in load.units:
            width = max(2, round(BAR_SPAN * count / top))
            parts.append(f'<a href="{escape(unit_path(unit))}"><title>{escape(unit)}: {count} nhiệm vụ '
                         f'đến hạn tuần {load.start:%d/%m} – {end:%d/%m}</title><rect x="{x}" y="{y + 21}" '
                         f'width="{width}" height="16" style="fill:{colours[unit]}"/></a>')
            x += width
        parts.append(f'<text x="{x + 6}" y="{y + 34}" class="value">{load.total}</text>')
    parts.append("</svg>")
    legend = "".join(f'<li><span class="swatch" style="background:{colour}"></span>'
                     f'<a href="{escape(unit_path(unit))}">{escape(unit)}</a></li>'
                     for unit, colour in colours.items())
    return Markup("".join(parts) + f'<ul class="legend">{legend}</ul>')
