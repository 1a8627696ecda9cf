"""Excel workbooks (.xlsx) into a DocumentText: every sheet's non-empty rows as a Table and as text rows.

The zip container is checked before openpyxl opens it (compressed and expanded member sizes, like a
.docx), openpyxl reads in read-only mode through defusedxml, and rows and cells are counted as they
stream, so a sheet declaring a billion rows or a cell at column XFD on every row is refused too.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable
from typing import Any

from crawler.documents.html import plain_line
from crawler.documents.limits import check_sheet_size, check_text_chars, check_zip
from crawler.errors import UnusableInputError
from crawler.models import DocumentText, Table

_LABEL = "Excel (.xlsx)"


def document_from_xlsx(content: bytes, name: str, url: str | None = None) -> DocumentText:
    """A workbook's rows, sheet by sheet, as tables and " | " text rows; unreadable -> UnusableInputError."""
    import openpyxl  # heavy import, only where workbooks are read

    check_zip(content, name, _LABEL)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            lines, tables = _workbook_lines(workbook.worksheets, name)
        finally:
            workbook.close()
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, AttributeError, SyntaxError) as exc:
        raise UnusableInputError(f"{name}: tệp {_LABEL} bị hỏng, không đọc được") from exc
    text = "\n".join(lines).strip()
    if not text:
        raise UnusableInputError(f"{name}: tệp Excel không có nội dung chữ")
    return DocumentText(name=name, text=text + "\n", url=url, tables=tuple(tables))


def _workbook_lines(sheets: Iterable[Any], name: str) -> tuple[list[str], list[Table]]:
    """Text rows and one Table per sheet with content; rows, cells and characters capped as they stream."""
    lines: list[str] = []
    tables: list[Table] = []
    rows_seen = cells_seen = chars = 0
    for sheet in sheets:
        sheet.reset_dimensions()  # a forged dimension must not make the reader pad every row
        rows: list[tuple[str, ...]] = []
        for values in sheet.iter_rows(values_only=True):
            rows_seen += 1
            cells_seen += len(values)
            check_sheet_size(rows_seen, cells_seen, name)
            cells = tuple(cell_text(value) for value in values)
            if any(cells):
                chars += sum(len(cell) for cell in cells)
                check_text_chars(chars, name)
                rows.append(cells)
        if rows:
            width = max(len(row) for row in rows)
            tables.append(Table(rows=tuple(row + ("",) * (width - len(row)) for row in rows),
                                line=len(lines) + 1))
            lines.extend(" | ".join(cell for cell in row if cell) for row in rows)
            lines.append("")
    return lines, tables


def cell_text(value: object) -> str:
    """A cell's value as the text a reader sees: dates day first (31/03/2026), whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date | dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M" if isinstance(value, dt.datetime) else "%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return plain_line(str(value))
