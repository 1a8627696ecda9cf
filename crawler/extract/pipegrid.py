"""Tables written one cell per stretch of lines between lone "|" lines (Word tables converted to text).

Converters that flatten a Word table to text often write it as: a line "|" before each cell, the
cell's own lines, and two "|" lines in a row where one table row ends and the next begins. A cell
merged over several rows is written once, in the first of them: the later rows then hold only
their last columns. This module turns such a stretch back into a `Table` of cells, remembering
the file line where each cell starts so a task can point back to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crawler.models import Table

_MAX_TABLE_LINES = 20_000  # bound on one table's extent, so a hostile file cannot grow a table forever


@dataclass(frozen=True)
class Cell:
    """One cell: its text (lines joined by newlines) and the 0-based index of its first text line."""

    text: str
    first: int


@dataclass(frozen=True)
class Grid:
    """A pipe-written table: its rows of cells and the range of file lines it covers."""

    rows: tuple[tuple[Cell, ...], ...]
    first: int
    last: int  # 0-based index after the table's last line

    def as_table(self) -> Table:
        """The grid as a `Table`, with 1-based file lines for each cell."""
        return Table(
            rows=tuple(tuple(c.text.strip() for c in row) for row in self.rows),
            line=self.first + 1,
            cell_lines=tuple(tuple(c.first + 1 for c in row) for row in self.rows),
        )


def _is_pipe(line: str) -> bool:
    """Tell whether a line is a lone cell separator."""
    return line.strip() == "|"


def find_grids(lines: Sequence[str]) -> list[Grid]:
    """Find every pipe-written table in a document's lines."""
    grids: list[Grid] = []
    if not any("|" in line for line in lines):
        return grids
    i, n = 0, len(lines)
    while i < n:
        if not _is_pipe(lines[i]):
            i += 1
            continue
        grid = _read_grid(lines, i)
        if grid.rows:
            grids.append(grid)
        i = max(grid.last, i + 1)
    return grids


def _read_grid(lines: Sequence[str], start: int) -> Grid:
    """Read the table that opens with the "|" line at `start`, up to where its pipes stop."""
    rows: list[tuple[Cell, ...]] = []
    row: list[Cell] = []
    body: list[str] = []
    body_first = -1
    i, n = start + 1, min(len(lines), start + _MAX_TABLE_LINES)
    end = start + 1
    while i < n:
        line = lines[i]
        if _is_pipe(line):
            if body_first >= 0:
                row.append(Cell("\n".join(body).strip(), body_first))
            elif row:  # "|" right after "|": the row ends here
                rows.append(tuple(row))
                row = []
            body, body_first = [], -1
            end = i + 1
        elif line.strip():
            if body_first < 0:
                body_first = i
            body.append(line)
        elif _no_pipe_soon(lines, i):
            break  # a blank line, then prose without pipes: the table is over
        elif body_first >= 0:
            body.append(line)
        i += 1
    if body_first >= 0:  # an unclosed last cell
        row.append(Cell("\n".join(body).strip(), body_first))
        end = body_first + len(body)
    if row:
        rows.append(tuple(row))
    return Grid(tuple(rows), start, end)


def _no_pipe_soon(lines: Sequence[str], blank: int) -> bool:
    """Tell whether no "|" line follows a blank line before the next blank line (prose resumes)."""
    j = blank + 1
    while j < len(lines) and not lines[j].strip():
        j += 1
    while j < len(lines) and lines[j].strip():
        if _is_pipe(lines[j]):
            return False
        j += 1
    return True
