"""A scanned page's text from Tesseract's words: its paragraphs in reading order, each on one line
(crawler/documents/ocr_paragraphs.py), a blank line at paragraph gaps, and each ruled table
(crawler.documents.ocr_grid) read cell by cell, row by row, and written as Word-table converters write
one: a lone "|" line before each cell, two at each row's end, so task extraction reads it as cells
exactly as it reads such a text file (crawler/extract/pipegrid.py).

Measured on the benchmark's scanned task tables (bench/ocr.py, dev2 42): full_f1 0.64 this way,
against 0.49 with the cells passed as `DocumentText.tables` beside one cell's lines after another
(prose reading finds each row a second time when the lead column comes before the task's) and 0.39
with one line per row as the Word reader writes it."""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from crawler.documents.ocr_grid import PageGrid
from crawler.documents.ocr_paragraphs import (
    PageEdges,
    PrintedLine,
    TextColumn,
    paragraph_lines,
    space_width,
    text_column,
)

_PARAGRAPH_GAP = 0.9  # a gap to the line above wider than this many line heights starts a paragraph
_SAME_COLUMN_PX = 30
_MARK_HEIGHT = 0.4  # a row whose words are mostly lower than this share of the usual height holds no letters
_LONE = {"|": "I", "||": "II", "|||": "III", "|V": "IV", "l": "1", "ll": "11"}  # a numbering cell's mark


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
    """Where a table's pipe-written lines lie on its page (0-based, the first and last "|") and where its
    column rules lie, to join it to its continuation on the next page."""

    first: int
    last: int
    columns: tuple[int, ...]

    def continued_by(self, other: PageTable) -> bool:
        """True when `other` (on the next page) has the same columns: the same table, carried over."""
        return len(self.columns) == len(other.columns) and all(
            abs(a - b) <= _SAME_COLUMN_PX for a, b in zip(self.columns, other.columns, strict=True))


@dataclass(frozen=True)
class _Row:
    """One line of words: its top and bottom, its text and box, and the gaps between its words."""

    top: int
    bottom: int
    height: int
    printed: PrintedLine
    gaps: tuple[int, ...]
    heights: tuple[int, ...]  # its words' heights


def page_layout(words: Sequence[Word],
                grids: Sequence[PageGrid]) -> tuple[list[str], list[PageTable], PageEdges | None]:
    """The page's lines (a blank line between paragraphs and around tables, each table pipe-written),
    where its tables lie and its edges (None on a page without prose)."""
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
    blocks: list[_Row | int] = list(_lettered(_rows(outside), outside))
    for index in sorted(range(len(grids)), key=lambda i: grids[i].box[1]):
        top = grids[index].box[1]
        at = next((n for n, b in enumerate(blocks) if isinstance(b, _Row) and b.top > top), len(blocks))
        blocks.insert(at, index)
    column = _column([b for b in blocks if isinstance(b, _Row)])
    lines: list[str] = []
    tables: list[PageTable] = []
    run: list[PrintedLine] = []
    bottom: int | None = None
    for block in blocks:
        if isinstance(block, _Row):
            if bottom is not None and block.top - bottom > _PARAGRAPH_GAP * block.height:
                lines.extend(_flushed(run, column))
                lines.append("")
            run.append(block.printed)
            bottom = block.bottom
            continue
        lines.extend(_flushed(run, column))
        if lines and lines[-1]:
            lines.append("")
        table = _table(grids[block], inside[block], lines)
        if table is not None:
            tables.append(table)
        lines.append("")
        bottom = None
    lines.extend(_flushed(run, column))
    if column is None:
        return lines, tables, None
    first, last = blocks[0], blocks[-1]
    return lines, tables, PageEdges(first=first.printed if isinstance(first, _Row) else None,
                                    last=last.printed if isinstance(last, _Row) else None, column=column)


def _lettered(rows: Sequence[_Row], words: Sequence[Word]) -> list[_Row]:
    """The rows whose marks are letter-sized: a row of marks under _MARK_HEIGHT of the page's usual
    word height is diacritics Tesseract split off the line below, or specks (read "^ˆ 2. ~ -", it
    opened false list items)."""
    if not words:
        return list(rows)
    usual = statistics.median(w.height for w in words)
    return [row for row in rows if statistics.median(row.heights) >= _MARK_HEIGHT * usual]


def _column(rows: Sequence[_Row]) -> TextColumn | None:
    """The text column the page's prose lines fill, None on a page without prose."""
    if not rows:
        return None
    height = round(statistics.median(row.height for row in rows))
    space = space_width([gap for row in rows for gap in row.gaps], height)
    return text_column([row.printed for row in rows], space)


def _flushed(run: list[PrintedLine], column: TextColumn | None) -> list[str]:
    """The run's paragraph lines, the run emptied for the next one."""
    if column is None or not run:
        return []
    lines = paragraph_lines(run, column)
    run.clear()
    return lines


def _rows(words: Sequence[Word], by_top: bool = False) -> list[_Row]:
    """Words grouped into Tesseract's lines, each line's words left to right, the lines in Tesseract's
    reading order (its blocks keep side-by-side columns apart) or top to bottom."""
    grouped: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        grouped.setdefault(word.line, []).append(word)
    rows = []
    for line in grouped.values():
        line.sort(key=lambda w: w.left)
        printed = PrintedLine(text=" ".join(w.text for w in line), left=line[0].left,
                              right=max(w.left + w.width for w in line), first_word_px=line[0].width)
        gaps = tuple(b.left - (a.left + a.width) for a, b in itertools.pairwise(line))
        rows.append(_Row(top=min(w.top for w in line), bottom=max(w.top + w.height for w in line),
                         height=max(w.height for w in line), printed=printed, gaps=gaps,
                         heights=tuple(w.height for w in line)))
    return sorted(rows, key=lambda r: r.top) if by_top else rows


def _table(grid: PageGrid, cells: Sequence[Sequence[Word]], lines: list[str]) -> PageTable | None:
    """Append a table to the page's lines pipe-written: a "|" line before each cell's lines and after
    each row's last cell (the form Word-table converters write and task extraction reads as cells,
    crawler/extract/pipegrid.py); None when no cell holds a word (a ruled box left empty)."""
    if not any(cells):
        return None
    first = len(lines)
    current_row = -1
    for cell, words in zip(grid.cells, cells, strict=True):
        texts = [row.printed.text for row in _rows(words, by_top=True)]
        if not texts:  # an empty cell is left out, as converters leave it out
            continue
        if cell.row != current_row:
            if current_row >= 0:
                lines.append("|")
            current_row = cell.row
        if len(texts) == 1:  # a lone upright stroke, read "|" or "l", is the numeral the cell holds
            texts = [_LONE.get(texts[0], texts[0])]
        lines.extend(("|", *texts))
    lines.append("|")
    columns = sorted({c.box[0] for c in grid.cells} | {grid.box[2]})
    return PageTable(first, len(lines) - 1, tuple(columns))
