"""A scanned page's text from Tesseract's words: its lines in reading order, a blank line at paragraph
gaps, and each ruled table (crawler.documents.ocr_grid) as cells, read cell by cell, row by row, both
into the text (one cell's lines after another, as a Word table converted to text shows them) and as
a `Table` whose cells point to their lines, so that task extraction reads the table as cells."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crawler.documents.ocr_grid import PageGrid
from crawler.models import Table

_PARAGRAPH_GAP = 0.9  # a gap to the line above wider than this many line heights starts a paragraph
_SAME_COLUMN_PX = 30


@dataclass(frozen=True)
class Word:
    """One word Tesseract read: its text, confidence, line (block, paragraph, line) and box."""

    text: str
    confidence: float
    line: tuple[int, int, int]
    left: int
    top: int
    width: int
    height: int


@dataclass(frozen=True)
class PageTable:
    """A table read on a page and where its column rules lie (to join it to its continuation)."""

    table: Table
    columns: tuple[int, ...]

    def continued_by(self, other: PageTable) -> bool:
        """True when `other` (on the next page) has the same columns: the same table, carried over."""
        return len(self.columns) == len(other.columns) and all(
            abs(a - b) <= _SAME_COLUMN_PX for a, b in zip(self.columns, other.columns, strict=True))

    def joined(self, other: PageTable) -> PageTable:
        """This table with the rows of its continuation after its own."""
        table = Table(rows=self.table.rows + other.table.rows, line=self.table.line,
                      cell_lines=self.table.cell_lines + other.table.cell_lines)
        return PageTable(table, self.columns)

    def shifted(self, offset: int) -> PageTable:
        """The table with its line numbers moved down by `offset` lines (the pages before it)."""
        table = Table(rows=self.table.rows, line=self.table.line + offset,
                      cell_lines=tuple(tuple(n + offset for n in row) for row in self.table.cell_lines))
        return PageTable(table, self.columns)


@dataclass(frozen=True)
class _Row:
    """One line of words: its top and bottom and its text."""

    top: int
    bottom: int
    height: int
    text: str


def page_layout(words: Sequence[Word], grids: Sequence[PageGrid]) -> tuple[list[str], list[PageTable]]:
    """The page's lines (a blank line between paragraphs and around tables) and its tables, their
    line numbers counted from 1 on this page."""
    outside: list[Word] = []
    inside: list[list[list[Word]]] = [[[] for _ in grid.cells] for grid in grids]
    for word in words:
        x, y = word.left + word.width / 2, word.top + word.height / 2
        for index, grid in enumerate(grids):
            cell = grid.cell_at(x, y)
            if cell is not None:
                inside[index][cell].append(word)
                break
        else:
            outside.append(word)
    blocks: list[_Row | int] = list(_rows(outside))
    for index in sorted(range(len(grids)), key=lambda i: grids[i].box[1]):
        top = grids[index].box[1]
        at = next((n for n, b in enumerate(blocks) if isinstance(b, _Row) and b.top > top), len(blocks))
        blocks.insert(at, index)
    lines: list[str] = []
    tables: list[PageTable] = []
    bottom: int | None = None
    for block in blocks:
        if isinstance(block, _Row):
            if bottom is not None and block.top - bottom > _PARAGRAPH_GAP * block.height:
                lines.append("")
            lines.append(block.text)
            bottom = block.bottom
            continue
        if lines and lines[-1]:
            lines.append("")
        table = _table(grids[block], inside[block], lines)
        if table is not None:
            columns = sorted({c.box[0] for c in grids[block].cells} | {grids[block].box[2]})
            tables.append(PageTable(table, tuple(columns)))
        lines.append("")
        bottom = None
    return lines, tables


def _rows(words: Sequence[Word], by_top: bool = False) -> list[_Row]:
    """Words grouped into Tesseract's lines, each line's words left to right, the lines in Tesseract's
    reading order (its blocks keep side-by-side columns apart) or top to bottom."""
    grouped: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        grouped.setdefault(word.line, []).append(word)
    rows = []
    for line in grouped.values():
        line.sort(key=lambda w: w.left)
        rows.append(_Row(top=min(w.top for w in line), bottom=max(w.top + w.height for w in line),
                         height=max(w.height for w in line), text=" ".join(w.text for w in line)))
    return sorted(rows, key=lambda r: r.top) if by_top else rows


def _table(grid: PageGrid, cells: Sequence[Sequence[Word]], lines: list[str]) -> Table | None:
    """Append a table's cells to the page's lines, one cell after another, row by row; the table,
    or None when no cell holds a word (a ruled box left empty)."""
    if not any(cells):
        return None
    start = len(lines) + 1
    rows: list[tuple[str, ...]] = []
    cell_lines: list[tuple[int, ...]] = []
    current_row = -1
    for cell, words in zip(grid.cells, cells, strict=True):
        if cell.row != current_row:
            rows.append(())
            cell_lines.append(())
            current_row = cell.row
        texts = [row.text for row in _rows(words, by_top=True)]
        cell_lines[-1] += (len(lines) + 1,)
        rows[-1] += ("\n".join(texts),)
        lines.extend(texts)
    kept = [(row, at) for row, at in zip(rows, cell_lines, strict=True) if any(row)]
    return Table(rows=tuple(r for r, _ in kept), line=start, cell_lines=tuple(a for _, a in kept))
