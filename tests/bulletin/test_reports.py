"""Task reports over seed 003's and seed 004's tasks: overdue as of 2025-07-31 grouped by unit with the
right counts, due between two days, unit and document filters, and the DOCX, XLSX, HTML outputs."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import docx
import openpyxl
import pytest
from sqlalchemy.orm import Session

from crawler.errors import ReportInputError
from notifier.report_files import render_report_html, write_report
from notifier.reports import TaskReport, attachment_line, due_report, is_locality, overdue_report

from .task_rows import ALL_TASKS, TaskRow, add_tasks

AS_OF = dt.date(2025, 7, 31)


@pytest.fixture
def tasks(session: Session) -> Session:
    """The session with every realistic task inserted."""
    add_tasks(session, ALL_TASKS)
    return session


def summary(report: TaskReport) -> list[tuple[str, str, int, int, int]]:
    """The summary table as (group, unit, alone, shared, total) lines."""
    return [(g.title, u.unit, u.alone, u.shared, u.total) for g in report.groups for u in g.units]


def test_overdue_at_end_of_july_groups_by_unit(tasks: Session) -> None:
    report = overdue_report(tasks, AS_OF)
    ministries, localities = "Các bộ, ngành, cơ quan Trung ương", "Các địa phương"
    lines = summary(report)
    assert lines[:6] == [
        (ministries, "Ban Cơ yếu Chính phủ", 2, 0, 2),
        (ministries, "Bộ Công an", 3, 0, 3),
        (ministries, "Bộ Dân tộc và Tôn giáo", 0, 1, 1),
        (ministries, "Bộ Giáo dục và Đào tạo", 1, 1, 2),
        (ministries, "Bộ Y tế", 0, 1, 1),
        (ministries, "Văn phòng Chính phủ", 1, 0, 1),
    ]
    # a shared task counts once against each member unit: Bắc Ninh is named on one task and is one
    # of "Các địa phương" on the other; Vĩnh Long only through the group
    assert (localities, "Tỉnh Bắc Ninh", 0, 2, 2) in lines
    assert (localities, "Tỉnh Vĩnh Long", 0, 1, 1) in lines
    assert all(group == localities for group, *_ in lines[6:])
    assert not [unit for _, unit, *_ in lines if unit.startswith("Các ") or "Chưa rõ" in unit]
    assert report.totals == (7, 2, 9) and report.unplaced == ()
    assert [u.number for g in report.groups for u in g.units] == list(range(1, len(lines) + 1))
    assert [row.unit for row in report.alone] == [  # the list of tasks given to one unit, by unit
        "Ban Cơ yếu Chính phủ", "Ban Cơ yếu Chính phủ", "Bộ Công an", "Bộ Công an", "Bộ Công an",
        "Bộ Giáo dục và Đào tạo", "Văn phòng Chính phủ"]
    first = report.alone[2]
    assert (first.document, first.deadline, first.units, first.progress, first.due, first.days_late) == (
        "71/NQ-CP; 01-TB/BCĐTW; 03-TB/BCĐTW; 02-TB/BCĐTW", "Tháng 6/2025 (quá hạn 31 ngày)", "Bộ Công an",
        "Đang thực hiện", dt.date(2025, 6, 30), 31)
    assert all(row.units.endswith("(giao chung)") for row in report.shared)
    assert report.title == "Danh mục nhiệm vụ quá hạn, chưa hoàn thành đến hết ngày 31/07/2025"


def test_assigner_and_names_nobody_can_place_have_no_summary_line(session: Session) -> None:
    """The Prime Minister the report goes to, a group nobody can list and a provincial body without
    its province are no unit: their tasks go to the list of tasks without a unit."""
    add_tasks(session, (
        TaskRow(("01/CĐ-TTg",), "Báo cáo Thủ tướng Chính phủ kết quả", ("Thủ tướng Chính phủ",),
                "Tháng 7/2025", dt.date(2025, 7, 31), "month"),
        TaskRow(("01/CĐ-TTg",), "Các trường rà soát chương trình", ("Các trường",), "Tháng 7/2025",
                dt.date(2025, 7, 15), "month"),
        TaskRow(("01/CĐ-TTg",), "Tổ chức tập huấn", ("Sở Tài chính", "Bộ Tài chính"), "Tháng 7/2025",
                dt.date(2025, 7, 1), "month"),
    ))
    report = overdue_report(session, AS_OF, attachment=attachment_line("164/BC-BKHCN", dt.date(2025, 8, 5),
                                                                       "Bộ Khoa học và Công nghệ"))
    assert summary(report) == [("Các bộ, ngành, cơ quan Trung ương", "Bộ Tài chính", 0, 1, 1)]
    assert [row.action for row in report.unplaced] == [
        "Các trường rà soát chương trình", "Báo cáo Thủ tướng Chính phủ kết quả"]
    assert report.totals == (0, 1, 1)
    assert report.attachment == (
        "(Kèm theo Báo cáo số 164/BC-BKHCN ngày 05 tháng 8 năm 2025 của Bộ Khoa học và Công nghệ)")


def test_due_report_and_filters(tasks: Session) -> None:
    report = due_report(tasks, dt.date(2025, 10, 1), dt.date(2025, 10, 31))
    assert report.totals == (3, 1, 4)  # provincial bodies without their province have no summary line
    units = [unit for _, unit, *_ in summary(report)]
    assert "Công an tỉnh" not in units and "Sở Khoa học và Công nghệ" not in units
    sở = next(row for row in report.unplaced if row.units.startswith("Sở Khoa học"))
    assert sở.units == "Sở Khoa học và Công nghệ; Phối hợp: Sở Tài chính"
    assert sở.unit == "Nhiệm vụ chưa xác định đơn vị" and len(report.unplaced) == 2

    mine = due_report(tasks, dt.date(2025, 10, 1), dt.date(2025, 12, 31), unit="bộ khoa học  và công nghệ")
    assert summary(mine) == [  # the unit's own tasks, and those of the groups covering it (as digests)
        ("Các bộ, ngành, cơ quan Trung ương", "Bộ Khoa học và Công nghệ", 2, 2, 4),
    ]
    assert mine.totals == (2, 2, 4)
    assert mine.scope == "Đơn vị: bộ khoa học  và công nghệ"

    by_document = overdue_report(tasks, AS_OF, document="35-TB/TGV")
    assert by_document.totals == (2, 0, 2)
    spaced = overdue_report(tasks, AS_OF, document="02-KH/BCĐTW")
    assert spaced.totals == (2, 0, 2)


def test_bad_report_input_is_a_clear_error(tasks: Session) -> None:
    with pytest.raises(ReportInputError, match="đơn vị 'Bộ Thể thao'"):
        overdue_report(tasks, AS_OF, unit="Bộ Thể thao")
    with pytest.raises(ReportInputError, match="văn bản '99-TB/TGV'"):
        overdue_report(tasks, AS_OF, document="99-TB/TGV")
    with pytest.raises(ReportInputError, match="Khoảng thời gian không hợp lệ"):
        due_report(tasks, dt.date(2025, 10, 31), dt.date(2025, 10, 1))
    with pytest.raises(ReportInputError, match="Định dạng không hỗ trợ: pdf"):
        write_report(overdue_report(tasks, AS_OF), Path("/nonexistent"), ["pdf"])


def test_outputs_read_back(tasks: Session, tmp_path: Path) -> None:
    report = overdue_report(tasks, AS_OF)
    docx_path, xlsx_path, html_path = write_report(report, tmp_path, ["docx", "xlsx", "html"], "qua-han")

    document = docx.Document(str(docx_path))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        report.title.upper(), "Tổng hợp theo đơn vị", "Nhiệm vụ giao riêng", "Nhiệm vụ giao chung"]
    summary_table, alone_table, shared_table = document.tables
    assert [c.text for c in summary_table.rows[2].cells] == ["1", "Ban Cơ yếu Chính phủ", "2", "", "2"]
    assert [c.text for c in summary_table.rows[-1].cells][2:] == ["7", "2", "9"]
    unit_lines = [r.cells[0].text for r in alone_table.rows if len({c._tc for c in r.cells}) == 1]
    assert unit_lines == [
        "Ban Cơ yếu Chính phủ", "Bộ Công an", "Bộ Giáo dục và Đào tạo", "Văn phòng Chính phủ"]
    assert len(alone_table.rows) == 1 + 4 + 7 and len(shared_table.rows) == 1 + 2
    assert alone_table.rows[0].cells[4].text == "Thời hạn hoàn thành"
    assert alone_table.rows[0].cells[3].text == "Kết quả yêu cầu"
    assert alone_table.rows[5].cells[3].text == "Chiến lược được ban hành"  # after Bộ Công an's line
    assert round(document.sections[0].page_width.mm) == 297  # landscape A4

    workbook = openpyxl.load_workbook(xlsx_path)
    assert workbook.sheetnames == ["Tổng hợp theo đơn vị", "Danh sách nhiệm vụ"]
    sheet = workbook["Tổng hợp theo đơn vị"]
    rows = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=5)]
    assert (2, "Bộ Công an", 3, None, 3) in rows
    assert rows[-1][1:] == ("Tổng cộng (số nhiệm vụ)", 7, 2, 9)
    tasks_sheet = workbook["Danh sách nhiệm vụ"]
    listing = [tuple(c.value for c in row) for row in tasks_sheet.iter_rows(min_row=5)]
    assert len(listing) == 9
    assert [row[1] for row in listing[:3]] == ["Ban Cơ yếu Chính phủ", "Ban Cơ yếu Chính phủ", "Bộ Công an"]
    assert sum(1 for row in listing if row[2] == "Giao chung") == 2
    assert any(row[5] == "Chiến lược được ban hành" for row in listing)
    due_cell = tasks_sheet["H7"]  # Bộ Công an's task of June: a real date, its lateness a number
    assert due_cell.is_date and due_cell.value.date() == dt.date(2025, 6, 30)
    assert due_cell.number_format == "dd/mm/yyyy" and tasks_sheet["I7"].value == 31
    assert tasks_sheet["G7"].value == "Tháng 6/2025"
    for each in (sheet, tasks_sheet):
        assert each.freeze_panes == "A5" and each.auto_filter.ref.startswith("A4:")
        assert each.page_setup.orientation == "landscape" and int(each.page_setup.paperSize) == 9  # A4
        assert each.sheet_properties.pageSetUpPr.fitToPage and each.page_setup.fitToWidth == 1
        assert each.page_setup.fitToHeight == 0 and each.print_title_rows == "$4:$4"

    html = html_path.read_text(encoding="utf-8")
    assert "Ban Cơ yếu Chính phủ" in html and "Tổng số nhiệm vụ quá hạn" in html
    assert ">Chiến lược được ban hành</td>" in html


def test_scraped_text_stays_text_in_every_format(session: Session, tmp_path: Path) -> None:
    hostile = '=HYPERLINK("http://x.invalid","bấm") <script>alert(1)</script>'
    add_tasks(session, (TaskRow(("01/CĐ-TTg",), hostile, ("Bộ Tài chính",), "Tháng 7/2025",
                                dt.date(2025, 7, 31), "month"),))
    report = overdue_report(session, AS_OF)
    html = render_report_html(report)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    docx_path, xlsx_path = write_report(report, tmp_path, ["docx", "xlsx"])
    assert "<script>alert(1)</script>" in docx.Document(str(docx_path)).tables[1].rows[2].cells[2].text
    cell = openpyxl.load_workbook(xlsx_path)["Danh sách nhiệm vụ"]["E5"]
    assert cell.data_type == "s" and str(cell.value).startswith("=HYPERLINK")


def test_unknown_unit_suggests_the_closest_names(tasks: Session) -> None:
    """A unit typed without its marks, or only in part, is refused naming the units it may mean."""
    with pytest.raises(ReportInputError, match="Có phải: “Bộ Khoa học và Công nghệ”"):
        overdue_report(tasks, AS_OF, unit="Bo Khoa hoc va Cong nghe")
    with pytest.raises(ReportInputError, match="Không có tên đơn vị nào gần giống"):
        overdue_report(tasks, AS_OF, unit="Hội đồng Quản trị XYZ")


def test_long_tasks_are_whole_in_files_and_cut_at_a_word_in_html(session: Session, tmp_path: Path) -> None:
    words = " ".join(f"nhiệm{n} vụ HĐND tỉnh" for n in range(80))
    add_tasks(session, (TaskRow(("01/CĐ-TTg",), words, ("Bộ Tài chính",), "Tháng 7/2025",
                                dt.date(2025, 7, 31), "month"),))
    report = overdue_report(session, AS_OF)
    html = render_report_html(report)
    cell = re.search(r'title="[^"]*">([^<]*)</td>', html)
    assert cell is not None
    shown = cell.group(1)
    assert shown.endswith("…") and len(shown) <= 701
    assert words.startswith(shown[:-1].rstrip()) and words[len(shown[:-1].rstrip())] == " "  # at a word
    docx_path, xlsx_path = write_report(report, tmp_path, ["docx", "xlsx"])
    assert docx.Document(str(docx_path)).tables[1].rows[2].cells[2].text == words
    assert openpyxl.load_workbook(xlsx_path)["Danh sách nhiệm vụ"]["E5"].value == words


def test_central_bodies_named_after_a_city_stay_central() -> None:
    assert not is_locality("Đại học Quốc gia Hà Nội")
    assert not is_locality("Ban Quản lý Lăng Chủ tịch Hồ Chí Minh")
    assert is_locality("Ban Tuyên giáo và Dân vận Tỉnh ủy Quảng Nam")
    assert is_locality("Thành phố Hồ Chí Minh") and is_locality("Sở Khoa học và Công nghệ tỉnh Nghệ An")
