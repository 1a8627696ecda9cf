"""Tables written one row per line with "|" between cells (Markdown and plain-text converters).

HTML-to-Markdown converters and many text exports write a table as "| STT | Nhiệm vụ | Chủ trì |"
lines, with a "|---|---|" rule under the header. Each such run of lines is turned back into a
`Grid` of cells, each remembering its file line, so the table's rows are read by their header like
any other table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from crawler.extract.pipegrid import Cell, Grid

_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MIN_CELLS = 2
_MAX_ROW_CHARS = 20_000  # a longer "row" is prose with stray bars, never read as cells
_MAX_TABLE_LINES = 20_000


def _cells(line: str) -> list[str] | None:
    """The cells of a table row line, or None when the line is no row."""
    text = line.strip()
    if text == "|" or text.count("|") < _MIN_CELLS or len(text) > _MAX_ROW_CHARS:
        return None
    parts = text.split("|")
    if text.startswith("|"):
        parts = parts[1:]
    if text.endswith("|"):
        parts = parts[:-1]
    return [p.strip() for p in parts] if len(parts) >= _MIN_CELLS else None


def find_row_grids(lines: Sequence[str], taken: Sequence[Grid] = ()) -> list[Grid]:
    """Find the one-row-per-line tables of a document, outside the line ranges already `taken`."""
    if not any(line.count("|") >= _MIN_CELLS for line in lines):
        return []
    busy = {i for grid in taken for i in range(grid.first, grid.last)}
    grids: list[Grid] = []
    i, n = 0, len(lines)
    while i < n:
        if i in busy or _cells(lines[i]) is None:
            i += 1
            continue
        grid = _read(lines, i, busy)
        if len(grid.rows) >= 2:
            grids.append(grid)
        i = grid.last
    return grids


def _read(lines: Sequence[str], start: int, busy: set[int]) -> Grid:
    """Read the run of row lines (and rules) that starts at `start`."""
    rows: list[tuple[Cell, ...]] = []
    i, n = start, min(len(lines), start + _MAX_TABLE_LINES)
    while i < n and i not in busy:
        if _RULE.match(lines[i]):
            i += 1
            continue
        cells = _cells(lines[i])
        if cells is None:
            break
        rows.append(tuple(Cell(text, i) for text in cells))
        i += 1
    return Grid(tuple(rows), start, i)
