"""A task report (notifier.reports) as a workbook an office can filter and print: a summary sheet per
unit and a task list sheet with real date cells, days late as numbers, an autofilter, a frozen header
row, and landscape A4 pages fit to width with the header repeated on each page."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from notifier.bulletin.docxkit import xml_text
from notifier.reports import ReportRow, TaskReport

Cell = str | int | object
SUMMARY_SHEET = "Tổng hợp theo đơn vị"
LIST_SHEET = "Danh sách nhiệm vụ"
LIST_COLUMNS = (  # header, width in characters
    ("TT", 5),
    ("Đơn vị", 18),
    ("Loại", 11),
    ("Văn bản giao việc", 15),
    ("Nhiệm vụ", 50),
    ("Kết quả yêu cầu", 18),
    ("Thời hạn (theo văn bản)", 13),
    ("Hạn hoàn thành", 11),
    ("Số ngày quá hạn", 9),
    ("Cơ quan thực hiện", 20),
    ("Tiến độ", 13),
)
LINE_HEIGHT = 15.0  # points per wrapped line of 11 pt text
DATE_FORMAT = "dd/mm/yyyy"
HEADER_ROW = 4
_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def write_report_xlsx(report: TaskReport, path: Path, summary_headers: Sequence[str]) -> None:
    """The report as a workbook: the summary sheet first, then the task list."""
    workbook = openpyxl.Workbook()
    summary = workbook.active
    assert isinstance(summary, Worksheet)
    summary.title = SUMMARY_SHEET
    _sheet(summary, report, summary_headers, _summary_rows(report), (6, 44, 16, 24, 16))  # fits A4 as is
    tasks = workbook.create_sheet(LIST_SHEET)
    rows = [_list_row(kind, row) for kind, rows in _lists(report) for row in rows]
    _sheet(tasks, report, [h for h, _ in LIST_COLUMNS], rows, [w for _, w in LIST_COLUMNS])
    for row in tasks.iter_rows(min_row=HEADER_ROW + 1, min_col=8, max_col=8):
        row[0].number_format = DATE_FORMAT
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def _lists(report: TaskReport) -> tuple[tuple[str, tuple[ReportRow, ...]], ...]:
    """The three task lists with the kind each row is marked with."""
    return (
        ("Giao riêng", report.alone), ("Giao chung", report.shared), ("Chưa xác định đơn vị", report.unplaced)
    )


def _summary_rows(report: TaskReport) -> list[tuple[Cell, ...]]:
    """Summary lines: a group title line, its units with counts as numbers, then the totals."""
    rows: list[tuple[Cell, ...]] = []
    for group in report.groups:
        rows.append(("", group.title + ":", None, None, None))
        rows += [(u.number, u.unit, u.alone or None, u.shared or None, u.total) for u in group.units]
    alone, shared, total = report.totals
    rows.append(("", "Tổng cộng (số nhiệm vụ)", alone, shared, total))
    if report.unplaced:
        line = f"Nhiệm vụ chưa xác định đơn vị (danh sách riêng): {len(report.unplaced)}"
        rows.append(("", line, None, None, None))
    return rows


def _list_row(kind: str, row: ReportRow) -> tuple[Cell, ...]:
    """One task row's cells in LIST_COLUMNS order: the due day a date, the days late a number."""
    raw = row.deadline.split(" (quá hạn ")[0]
    return (row.number, row.unit, kind, row.document, row.action, row.result, raw, row.due,
            row.days_late or None, row.units, row.progress)


def _sheet(sheet: Worksheet, report: TaskReport, headers: Sequence[str], rows: Sequence[Sequence[Cell]],
           widths: Sequence[int]) -> None:
    """Fill one sheet: title lines merged over the table's width, a bold bordered header row that is
    frozen, filtered and printed on each page, wrapped bordered cells, A4 landscape fit to width."""
    last = get_column_letter(len(headers))
    for number, (text, bold) in enumerate(
        ((report.title.upper(), True), (report.attachment, False), (report.scope, False)), start=1
    ):
        sheet.cell(row=number, column=1, value=xml_text(text) or None).font = Font(bold=bold, italic=not bold,
                                                                                    size=13 if bold else 11)
        sheet.merge_cells(f"A{number}:{last}{number}")
        sheet.cell(row=number, column=1).alignment = Alignment(horizontal="center", wrap_text=True)
    sheet.row_dimensions[1].height = 36
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = _BORDER
    for values in rows:
        sheet.append([xml_text(v) if isinstance(v, str) else v for v in values])
        for cell in sheet[sheet.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.border = _BORDER
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula: scraped text may start with "="
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.row_dimensions[HEADER_ROW].height = _height(headers, widths) + LINE_HEIGHT  # bold, centred
    for number, values in enumerate(rows, start=HEADER_ROW + 1):
        sheet.row_dimensions[number].height = _height(values, widths)
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{max(sheet.max_row, HEADER_ROW)}"
    _print_setup(sheet)


def _height(values: Sequence[Cell], widths: Sequence[int]) -> float:
    """A row's height for its wrapped text (LibreOffice does not size rows of a written workbook)."""
    lines = 1
    for value, width in zip(values, widths, strict=True):
        if isinstance(value, str):
            chars = max(width - 1, 1)
            lines = max(lines, sum(-(-len(part) // chars) or 1 for part in value.split("\n")))
    return lines * LINE_HEIGHT


def _print_setup(sheet: Worksheet) -> None:
    """Landscape A4, every column on the page width, the header row on each page, page numbers."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.oddFooter.center.text = "Trang &P/&N"
