"""Ruled tables on scanned-looking pages (tests/scans.py): a task table drawn as a grid of cells, each
cell's text wrapped to its column, merged cells drawn without the rule between them, rows kept whole
on one page when they fit."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import ImageDraw, ImageFont

TABLE_FONT_PX = 36  # about 9 pt at 300 dpi, as task appendices are set
TABLE_LINE_PX = 50
PAD_PX = 14
RULE_PX = 3
_MIN_COLUMN_PX = 110
_MARK = re.compile(r"^(?:[IVXLC]+|[A-Z]|\d+)\.?$")


@dataclass(frozen=True)
class ScanTable:
    """A table to draw: rows of cell texts (lines split by newlines) and, for each cell, the file line
    of each of its text lines (kept so that the benchmark can map what OCR reads back to the file)."""

    rows: tuple[tuple[str, ...], ...]
    origins: tuple[tuple[tuple[int, ...], ...], ...] = ()


@dataclass(frozen=True)
class PlacedCell:
    """One cell as drawn: its first and last column, and its text wrapped to the column width."""

    first: int
    last: int
    lines: tuple[str, ...]
    origins: tuple[int, ...]
    merged_above: tuple[int, ...] = ()  # leading columns of a row merged with the row above


def table_font() -> ImageFont.FreeTypeFont:
    """The font cells are set in."""
    from tests.scans import FONT

    return ImageFont.truetype(str(FONT), TABLE_FONT_PX)


def column_widths(table: ScanTable, width: int) -> list[int]:
    """Column widths in pixels, shared out by how much text each column of the full rows holds."""
    columns = len(table.rows[0])
    weight = [1.0] * columns
    for row in table.rows:
        if len(row) == columns:
            for index, cell in enumerate(row):
                weight[index] += len(cell)
    spare = width - _MIN_COLUMN_PX * columns
    total = sum(weight)
    widths = [_MIN_COLUMN_PX + int(spare * w / total) for w in weight]
    widths[-1] += width - sum(widths)
    return widths


def placed_rows(table: ScanTable, widths: Sequence[int]) -> list[list[PlacedCell]]:
    """Each row's cells placed on the columns: a row of a numbering mark and a title is a heading over
    all the columns; a shorter row holds the last columns, the leading ones merged with the row above."""
    font, columns = table_font(), len(widths)
    out: list[list[PlacedCell]] = []
    for r, row in enumerate(table.rows):
        origins = table.origins[r] if r < len(table.origins) else tuple(() for _ in row)
        if len(row) == 2 < columns and _MARK.match(row[0].replace("*", "").strip()):
            spans = [(0, 0), (1, columns - 1)]
        else:
            start = max(columns - len(row), 0)
            spans = [(start + i, start + i) for i in range(min(len(row), columns))]
        merged = tuple(range(spans[0][0]))
        cells = []
        for (first, last), text, lines_at in zip(spans, row, origins, strict=False):
            inner = sum(widths[first:last + 1]) - 2 * PAD_PX
            lines, at = _wrap_cell(text, lines_at, inner, font)
            cells.append(PlacedCell(first, last, tuple(lines), tuple(at), merged))
        out.append(cells)
    return out


def _wrap_cell(text: str, origins: Sequence[int], width: int,
               font: ImageFont.FreeTypeFont) -> tuple[list[str], list[int]]:
    """A cell's text flowed into lines of `width` pixels (its line breaks in the file are where a
    converter wrapped it, not the table's), each with the file line its first word comes from."""
    words = [(word, origins[min(i, len(origins) - 1)] if origins else 0)
             for i, raw in enumerate(text.split("\n"))
             for word in raw.replace("*", "").replace("__", "").split()]
    lines: list[str] = []
    at: list[int] = []
    for word, source in words:
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
            at.append(source)
    return lines, at


def row_height(cells: Sequence[PlacedCell]) -> int:
    """A row's height: its tallest cell's lines and the padding."""
    return max((len(c.lines) for c in cells), default=0) * TABLE_LINE_PX + 2 * PAD_PX + RULE_PX


def draw_row(draw: ImageDraw.ImageDraw, cells: Sequence[PlacedCell], widths: Sequence[int],
             left: int, top: int, first_on_page: bool) -> int:
    """Draw one row at (left, top), with the rules above its cells and between them (none above the
    columns merged with the row above, unless the row opens a page); the y where the next row starts."""
    font = table_font()
    height = row_height(cells)
    xs = [left + sum(widths[:i]) for i in range(len(widths) + 1)]
    bottom = top + height
    for cell in cells:
        x1, x2 = xs[cell.first], xs[cell.last + 1]
        for n, line in enumerate(cell.lines):
            draw.text((x1 + PAD_PX, top + PAD_PX + n * TABLE_LINE_PX), line, font=font, fill=0)
        draw.rectangle((x1, top, x2, top + RULE_PX - 1), fill=0)
    merged = cells[0].merged_above if cells else ()
    if merged and first_on_page:
        draw.rectangle((xs[0], top, xs[merged[-1] + 1], top + RULE_PX - 1), fill=0)
    ends = {xs[0], xs[-1], *(xs[c.last + 1] for c in cells), *(xs[c.first] for c in cells)}
    for x in (*ends, *(xs[i + 1] for i in merged)):
        draw.rectangle((x, top, x + RULE_PX - 1, bottom), fill=0)
    return bottom


def close_table(draw: ImageDraw.ImageDraw, widths: Sequence[int], left: int, y: int) -> None:
    """The rule under the table's last row on a page."""
    draw.rectangle((left, y, left + sum(widths), y + RULE_PX - 1), fill=0)


def reference_lines(rows: Sequence[Sequence[PlacedCell]]) -> tuple[list[str], list[int]]:
    """What a reading cell by cell, row by row, gives back: the lines and their file lines."""
    lines: list[str] = []
    origins: list[int] = []
    for row in rows:
        for cell in row:
            lines.extend(cell.lines)
            origins.extend(cell.origins)
    return lines, origins
