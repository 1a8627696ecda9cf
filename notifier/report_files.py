"""A task report (notifier.reports) written out: one HTML page (email, browser), a landscape A4 Word
document with bordered tables, tasks under a heading row per unit, and page numbers in the footer,
and a workbook (notifier.report_sheets)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Row

from crawler.errors import ReportInputError
from notifier.bulletin.docxkit import add_page_footer, set_fonts, set_page, xml_text
from notifier.render import environment
from notifier.report_sheets import write_report_xlsx
from notifier.reports import NO_UNIT, ReportRow, TaskReport

logger = logging.getLogger(__name__)

FORMATS = ("docx", "xlsx", "html")
TEMPLATE = "report/report.html.j2"
SUMMARY_HEADERS = (
    "TT",
    "Tên cơ quan",
    "Số nhiệm vụ giao riêng",
    "Số nhiệm vụ giao chung cùng các bộ, ngành, địa phương",
)
LIST_HEADERS = (
    "TT",
    "Văn bản giao việc",
    "Nhiệm vụ",
    "Kết quả yêu cầu",
    "Thời hạn hoàn thành",
    "Cơ quan thực hiện",
    "Tiến độ",
)
ALONE_TITLE = "Nhiệm vụ giao riêng"
SHARED_TITLE = "Nhiệm vụ giao chung"
HTML_ACTION_LIMIT = 700  # characters of a task shown in the HTML page, cut at a word
SUMMARY_WIDTHS_MM = (12, 95, 40, 55, 45)  # landscape A4 less margins: 247 mm
LIST_WIDTHS_MM = (12, 32, 85, 30, 30, 35, 23)


def render_report_html(report: TaskReport) -> str:
    """The report as one HTML page (tables, inline styles) fit for email and the browser."""
    return (
        environment()
        .get_template(TEMPLATE)
        .render(
            r=report,
            summary_headers=(*SUMMARY_HEADERS, report.total_label),
            list_headers=LIST_HEADERS,
            lists=_lists(report),
            limit=HTML_ACTION_LIMIT,
        )
    )


def _lists(report: TaskReport) -> tuple[tuple[str, tuple[ReportRow, ...]], ...]:
    """The task lists under their titles; the list of tasks without a unit only when it has some."""
    lists = ((ALONE_TITLE, report.alone), (SHARED_TITLE, report.shared))
    return (*lists, (NO_UNIT, report.unplaced)) if report.unplaced else lists


def write_report_docx(report: TaskReport, path: Path) -> None:
    """The report as a landscape A4 Word document with a real heading and bordered tables."""
    document = new_docx()
    set_page(document, landscape=True)
    set_fonts(document)
    document.core_properties.title = report.title
    heading = document.add_heading(xml_text(report.title.upper()), level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in (report.attachment, report.scope):
        if line:
            paragraph = document.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.add_run(xml_text(line)).italic = True
    add_page_footer(document, report.title)
    document.add_heading("Tổng hợp theo đơn vị", level=2)
    _docx_table(document, (*SUMMARY_HEADERS, report.total_label), _summary_cells(report), SUMMARY_WIDTHS_MM)
    for title, rows in _lists(report):
        document.add_heading(title, level=2)
        if rows:
            _docx_table(document, LIST_HEADERS, _grouped_cells(rows), LIST_WIDTHS_MM)
        else:
            document.add_paragraph("Không có nhiệm vụ nào.")
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))


def _summary_cells(report: TaskReport) -> list[tuple[str, ...]]:
    """Summary table body: a group title line, its units, then the total line."""
    cells: list[tuple[str, ...]] = []
    for group in report.groups:
        cells.append(("", group.title + ":", "", "", ""))
        cells += [
            (str(u.number), u.unit, _count(u.alone), _count(u.shared), str(u.total)) for u in group.units
        ]
    alone, shared, total = report.totals
    cells.append(("", "Tổng cộng (số nhiệm vụ)", str(alone), str(shared), str(total)))
    return cells


def _count(value: int) -> str:
    """A count cell: blank for zero, as the seed's summary table leaves it."""
    return str(value) if value else ""


def _row_cells(row: ReportRow) -> tuple[str, ...]:
    """One task row's cells in LIST_HEADERS order."""
    return (f"{row.number}.", row.document, row.action, row.result, row.deadline, row.units, row.progress)


def _grouped_cells(rows: Sequence[ReportRow]) -> list[tuple[str, ...]]:
    """Task rows under a heading line each time the unit changes (a one-cell tuple spans the row)."""
    cells: list[tuple[str, ...]] = []
    for index, row in enumerate(rows):
        if row.unit and (index == 0 or rows[index - 1].unit != row.unit):
            cells.append((row.unit,))
        cells.append(_row_cells(row))
    return cells


def _docx_table(document: DocxDocument, headers: Sequence[str], rows: Sequence[Sequence[str]],
                widths_mm: Sequence[int]) -> None:
    """A bordered table with fixed column widths and a bold header row that repeats on every page."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    header = table.rows[0]
    _repeat_header(header)
    for cell, text in zip(header.cells, headers, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    for values in rows:
        cells = table.add_row().cells
        if len(values) == 1:  # a unit heading over the whole row
            merged = cells[0].merge(cells[-1])
            merged.paragraphs[0].add_run(xml_text(values[0])).bold = True
            continue
        for cell, text in zip(cells, values, strict=True):
            run = cell.paragraphs[0].add_run(xml_text(text))
            run.font.size = Pt(11)
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)  # the grid, which LibreOffice reads
        for cell in column.cells:  # the cells, which Word reads
            cell.width = Mm(width)


def _repeat_header(row: _Row) -> None:
    """Mark a table row as header, repeated at the top of each page (w:tblHeader)."""
    properties = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def write_report(
    report: TaskReport, out_dir: Path, formats: Sequence[str] = FORMATS, stem: str = "bao-cao-nhiem-vu"
) -> list[Path]:
    """Write the report in each requested format ("docx", "xlsx", "html") into `out_dir`."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ReportInputError(
            f"Định dạng không hỗ trợ: {', '.join(unknown) or '(trống)'} (chỉ có: {', '.join(FORMATS)})."
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in dict.fromkeys(formats):
        path = out_dir / f"{stem}.{fmt}"
        if fmt == "html":
            path.write_text(render_report_html(report), encoding="utf-8")
        elif fmt == "docx":
            write_report_docx(report, path)
        else:
            write_report_xlsx(report, path, (*SUMMARY_HEADERS, report.total_label))
        written.append(path)
    logger.info("task report written: %s", ", ".join(str(p) for p in written))
    return written
