"""Ruled tables on a scanned page: the rules found as long dark runs (Pillow only), the grid they draw,
its cells (a missing rule merges two boxes into one cell), and the rules painted out before OCR so
that Tesseract reads the cells' words, not the lines between them.

A page's words are then placed in the cell that holds their centre (crawler.documents.ocr), so a task
table scanned from paper reaches task extraction as cells, as a PDF's or a Word file's table does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image

_INK = 128  # grey level under which a pixel is ink
_BIN = 8  # pixels averaged along a rule's direction before a run is looked for
_MIN_RULE_PX = 96  # shortest run taken for a horizontal rule (longer than any letter's stroke)
_MIN_UPRIGHT_PX = 64  # and for an upright one (a one-line row's height; taller than any letter)
_JOIN_PX = 8  # runs this close across are one rule
_GAP_PX = 24  # runs this close along are one rule
_SNAP_PX = 14  # rules this close to a grid line lie on it
_ERASE_PX = 3  # margin painted out around a rule


@dataclass(frozen=True)
class Rule:
    """A straight rule: where it lies across (its centre) and from where to where it runs."""

    at: int
    start: int
    end: int
    low: int  # its thickness: the first and last row (or column) it covers
    high: int


@dataclass(frozen=True)
class GridCell:
    """One cell: its box in page pixels and its place in the grid (row and column of its top left)."""

    row: int
    column: int
    box: tuple[int, int, int, int]


@dataclass(frozen=True)
class PageGrid:
    """A table found on a page: its box, its cells and the rules that draw it."""

    box: tuple[int, int, int, int]
    cells: tuple[GridCell, ...]
    rules: tuple[tuple[int, int, int, int], ...]

    def cell_at(self, x: float, y: float) -> int | None:
        """The index of the cell holding a point, or None when the point is outside the table."""
        for index, cell in enumerate(self.cells):
            x1, y1, x2, y2 = cell.box
            if x1 <= x < x2 and y1 <= y < y2:
                return index
        return None


def find_grids(image: Image) -> list[PageGrid]:
    """The ruled tables of a grayscale page: at least two rules each way that cross each other."""
    from PIL import Image as PilImage

    ink = image.point(lambda v: 255 if v < _INK else 0)
    horizontal = _rules(ink, _MIN_RULE_PX)
    vertical = _rules(ink.transpose(PilImage.Transpose.TRANSPOSE), _MIN_UPRIGHT_PX)
    grids = []
    for rows, columns in _crossing_groups(horizontal, vertical):
        grid = _grid(rows, columns)
        if grid is not None:
            grids.append(grid)
    return grids


def without_rules(image: Image, grids: Sequence[PageGrid]) -> Image:
    """The page with the tables' rules painted white."""
    from PIL import ImageDraw

    if not grids:
        return image
    out = image.copy()
    draw = ImageDraw.Draw(out)
    for grid in grids:
        for box in grid.rules:
            draw.rectangle(box, fill=255)
    return out


def _rules(ink: Image, shortest: int) -> list[Rule]:
    """The horizontal rules of an ink mask (white = ink): rows of pixels binned along, long runs of
    full bins, runs on neighbouring rows joined into one rule."""
    from PIL import Image as PilImage

    width, height = ink.size
    binned = ink.resize((max(width // _BIN, 1), height), PilImage.Resampling.BOX).point(
        lambda v: 255 if v >= 200 else 0)
    data = binned.tobytes()
    row_len = binned.size[0]
    minimum = shortest // _BIN
    runs = re.compile(rb"\xff{%d,}" % minimum)
    found: list[list[int]] = []  # at_low, at_high, start, end
    for y in range(height):
        for match in runs.finditer(data, y * row_len, (y + 1) * row_len):
            start, end = (match.start() - y * row_len) * _BIN, (match.end() - y * row_len) * _BIN
            for rule in reversed(found):
                if y - rule[1] <= _JOIN_PX and start <= rule[3] + _GAP_PX and end >= rule[2] - _GAP_PX:
                    rule[1], rule[2], rule[3] = y, min(rule[2], start), max(rule[3], end)
                    break
            else:
                found.append([y, y, start, end])
    return [Rule(at=(low + high) // 2, start=start, end=end, low=low, high=high)
            for low, high, start, end in found]


def _crossing_groups(horizontal: list[Rule], vertical: list[Rule]) -> list[tuple[list[Rule], list[Rule]]]:
    """Rules grouped by crossing one another (each group one table), groups of at least 2×2 rules."""
    parent = list(range(len(horizontal) + len(vertical)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(horizontal):
        for j, v in enumerate(vertical):
            if _crosses(h, v):
                parent[root(i)] = root(len(horizontal) + j)
    groups: dict[int, tuple[list[Rule], list[Rule]]] = {}
    for i, h in enumerate(horizontal):
        groups.setdefault(root(i), ([], []))[0].append(h)
    for j, v in enumerate(vertical):
        groups.setdefault(root(len(horizontal) + j), ([], []))[1].append(v)
    return [(rows, columns) for rows, columns in groups.values() if len(rows) >= 2 and len(columns) >= 2]


def _crosses(h: Rule, v: Rule) -> bool:
    """True when a horizontal and a vertical rule meet (within the snapping distance)."""
    return (h.start - _SNAP_PX <= v.at <= h.end + _SNAP_PX
            and v.start - _SNAP_PX <= h.at <= v.end + _SNAP_PX)


def _lines_at(rules: Sequence[Rule]) -> list[int]:
    """The grid lines rules lie on: their positions across, near ones taken as one."""
    out: list[int] = []
    for at in sorted(r.at for r in rules):
        if out and at - out[-1] <= _SNAP_PX:
            continue
        out.append(at)
    return out


def _covered(rules: Sequence[Rule], at: int, start: int, end: int) -> bool:
    """True when a rule lies on grid line `at` over the middle of the stretch start..end."""
    middle = (start + end) // 2
    return any(abs(r.at - at) <= _SNAP_PX and r.start - _SNAP_PX <= middle <= r.end + _SNAP_PX for r in rules)


def _grid(rows: list[Rule], columns: list[Rule]) -> PageGrid | None:
    """The cells a group of crossing rules draws: boxes between neighbouring grid lines, merged where
    the rule between two of them is missing."""
    ys, xs = _lines_at(rows), _lines_at(columns)
    if len(ys) < 2 or len(xs) < 2:
        return None
    n_rows, n_columns = len(ys) - 1, len(xs) - 1
    parent = list(range(n_rows * n_columns))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(n_rows):
        for c in range(n_columns):
            here = r * n_columns + c
            if c + 1 < n_columns and not _covered(columns, xs[c + 1], ys[r], ys[r + 1]):
                parent[root(here)] = root(here + 1)
            if r + 1 < n_rows and not _covered(rows, ys[r + 1], xs[c], xs[c + 1]):
                parent[root(here)] = root(here + n_columns)
    spans: dict[int, list[int]] = {}
    for r in range(n_rows):
        for c in range(n_columns):
            span = spans.setdefault(root(r * n_columns + c), [r, c, r, c])
            span[2], span[3] = max(span[2], r), max(span[3], c)
    cells = sorted(
        (GridCell(row=r1, column=c1, box=(xs[c1], ys[r1], xs[c2 + 1], ys[r2 + 1]))
         for r1, c1, r2, c2 in spans.values()),
        key=lambda cell: (cell.row, cell.column))
    e = _ERASE_PX
    rules = tuple((r.start - e, r.low - e, r.end + e, r.high + e) for r in rows)
    rules += tuple((r.low - e, r.start - e, r.high + e, r.end + e) for r in columns)
    return PageGrid(box=(xs[0], ys[0], xs[-1], ys[-1]), cells=tuple(cells), rules=rules)
