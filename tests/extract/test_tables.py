"""Tables written one cell per stretch of lines between "|" lines, and reading rows by their columns."""

from __future__ import annotations

import datetime as dt

from crawler.extract import extract_tasks
from crawler.extract.pipegrid import find_grids
from crawler.extract.tables import column_roles
from crawler.models import DocumentText, Precision, Status

# Made-up appendix: lead before the task text, a merged lead over two sub-rows, a section row
# that is a unit, an agency the gazetteer does not list.
GRID = """PHỤ LỤC
(Kèm theo Kế hoạch số 77/KH-UBND ngày 02/3/2026 của Ủy ban nhân dân tỉnh)
|
**STT**
|
**Cơ quan chủ trì**
|
**Nội dung nhiệm vụ**
|
**Sản phẩm**
|
**Thời hạn**
|
|
**I**
|
**NHÓM NHIỆM VỤ VỀ THỂ CHẾ**
|
|
1
|
Sở Tư pháp
|
- Rà soát quy chế phối hợp
liên ngành về hòa giải.
|
Quy chế được ban hành
|
Năm 2026 - 2027
|
|
- Tập huấn hòa giải viên ở cơ sở.
|
Lớp tập huấn
|
Quý II/2026
|
|
2
|
Trung tâm Xúc tiến Đầu tư và Thương mại
|
Tổ chức hội chợ hàng nông sản của tỉnh.
|
Hội chợ
|
2027
"""


def _doc(text: str) -> DocumentText:
    """A directive of 2026 with the given text."""
    return DocumentText(name="grid.txt", text=text, number="77/KH-UBND")


def test_grid_rows_and_cell_lines() -> None:
    """Cells split at "|" lines, rows at two "|" lines; each cell remembers its first line."""
    grid = find_grids(GRID.split("\n"))[0]
    widths = [len(row) for row in grid.rows]
    assert widths == [5, 2, 5, 3, 5]
    assert grid.rows[2][2].text.startswith("- Rà soát quy chế") and grid.rows[2][2].first == 23


def test_merged_sub_row_inherits_lead_and_reads_its_own_deadline() -> None:
    """A row holding only its last columns keeps the lead of the row above; each row is a task
    at the line of its task text; a year span is due at its end; an unlisted agency is kept."""
    tasks = extract_tasks(_doc(GRID))
    assert [t.line for t in tasks] == [24, 32, 43]
    first, second, third = tasks
    assert first.action == "Rà soát quy chế phối hợp liên ngành về hòa giải."
    assert first.lead == second.lead == ("Sở Tư pháp",)
    assert (first.deadline.due.isoformat(), first.deadline.precision) == ("2027-12-31", Precision.YEAR)  # type: ignore[union-attr]
    assert second.deadline.precision is Precision.QUARTER and first.required_result == "Quy chế được ban hành"
    assert third.lead == ("Trung tâm Xúc tiến Đầu tư và Thương mại",)
    assert third.deadline.due is not None and third.deadline.due.year == 2027


def test_roles_come_from_headers_not_positions() -> None:
    """The same roles are found whatever the column order; a "Kết quả" column of status words is
    a status column; of several text columns the one naming tasks is the action."""
    header = ("TT", "Thời gian", "Tên dự án, nhiệm vụ", "Nội dung chính", "Đơn vị chủ trì", "Kết quả")
    body = [("1", "2026", "Xây dựng hệ thống", "Chi tiết", "Bộ Y tế", "Đang thực hiện"),
            ("2", "2027", "Nâng cấp hệ thống", "Chi tiết", "Bộ Công an", "Đã hoàn thành")]
    assert column_roles(header, body) == ("number", "deadline", "action", "detail", "lead", "status")


def test_status_cells_are_read() -> None:
    """A "Tình trạng" cell gives the row's status ("Thực hiện mới" has not started)."""
    text = "\n".join(
        ["|", "STT", "|", "Tên nhiệm vụ", "|", "Cơ quan chủ trì", "|", "Tình trạng", "|", "|",
         "1", "|", "Xây dựng cơ sở dữ liệu đất đai", "|", "Bộ Nông nghiệp và Môi trường", "|",
         "Đang thực hiện", "|", "|", "2", "|", "Lập quy hoạch vùng", "|", "Bộ Xây dựng", "|",
         "Thực hiện mới", "|"]
    )
    tasks = extract_tasks(_doc(text))
    assert [t.status for t in tasks] == [Status.IN_PROGRESS, Status.NOT_STARTED]


def test_letterhead_grid_is_left_to_prose() -> None:
    """A pipe table without task columns (a letterhead) is not read as a task table."""
    text = "|\nỦY BAN NHÂN DÂN\nTỈNH AN GIANG\n|\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA\n|\n|\nSố: 12/CT-UBND\n|\n"
    assert all(len(row) <= 2 for row in find_grids(text.split("\n"))[0].rows)
    assert extract_tasks(_doc(text)) == []


def test_a_unit_cell_broken_over_a_blank_line_is_one_name() -> None:
    """A flattened row whose lead cell a PDF broke over a blank line ("Các bộ, ngành, địa / phương")
    keeps the whole name, and the units after its deadline (a later column) do not lead."""
    text = (
        "STT Nội dung nhiệm vụ Văn bản giao Đơn vị chủ trì Thời hạn Đơn vị chưa hoàn thành\n\n"
        "1.\n\n"
        "Hoàn thành kết nối Hệ thống thông tin giải quyết thủ tục hành chính với Cơ sở dữ liệu\n"
        "quốc gia về dân cư\n\n"
        "Nghị quyết số \n71/NQ-CP\n\n"
        "Các bộ, \nngành, địa \n\n"
        "phương\n30/6/2026 Đồng Nai, Bộ Tài chính\n"
    )
    doc = DocumentText(name="phuluc.txt", text=text, number="164/BC-BKHCN")
    assert [t.lead for t in extract_tasks(doc)] == [("Các bộ, ngành, địa phương",)]


def test_flattened_rows_numbered_without_a_period_and_count_tables() -> None:
    """Under a table header, "1 Sở Tài chính Rà soát … Tháng 6/2026" is a row led by its unit cell;
    a count table's rows ("1 Bộ Công an 3 2 5") are no tasks."""
    text = (
        "TT Tên cơ quan Số nhiệm vụ giao riêng Tổng số nhiệm vụ quá hạn\n\n"
        "1 Bộ Công an 3 2 5\n2 Bộ Công Thương 5 5\n\n"
        "STT Cơ quan chủ trì Nội dung nhiệm vụ Thời hạn hoàn thành\n\n"
        "1 Sở Tài chính Rà soát, tham mưu bố trí kinh phí chuyển đổi số năm 2026 Tháng 6/2026\n\n"
        "2 Sở Nội vụ Xây dựng Kế hoạch cải cách hành chính năm 2027 Quý IV/2026\n"
    )
    tasks = extract_tasks(DocumentText(name="pl.txt", text=text, number="12/KH-UBND"))
    assert [(t.lead, t.deadline.due) for t in tasks] == [
        (("Sở Tài chính",), dt.date(2026, 6, 30)),
        (("Sở Nội vụ",), dt.date(2026, 12, 31)),
    ]


def test_month_year_and_bare_year_cells_before_the_unit_cell() -> None:
    """Flattened rows whose deadline cell ("6/2027", "2026") comes before the unit cell: the date is
    the deadline, the unit after it leads."""
    text = (
        "STT Nội dung nhiệm vụ Thời hạn Cơ quan chủ trì Tình trạng\n\n"
        "25. Phối hợp Bộ Y tế xây dựng danh mục, định dạng và quy chuẩn dữ liệu y tế học sinh\n\n"
        "6/2027\nBộ Giáo dục và\nĐào tạo\n\nĐang thực \nhiện quá \nhạn\n\n"
        "26. Xây dựng giải pháp giám sát các cơ sở khám chữa bệnh liên thông dữ liệu, hoàn thành trong "
        "năm 2026.\n\n2026 Bộ Y tế\n\nĐang thực \nhiện quá \nhạn\n"
    )
    tasks = extract_tasks(DocumentText(name="pl.txt", text=text, number="164/BC-BKHCN"))
    assert [(t.lead, t.deadline.due) for t in tasks] == [
        (("Bộ Giáo dục và Đào tạo",), dt.date(2027, 6, 30)),
        (("Bộ Y tế",), dt.date(2026, 12, 31)),
    ]


ROW_PER_LINE = """KẾ HOẠCH
Triển khai chuyển đổi số năm 2026

| STT | Thời gian hoàn thành | Cơ quan chủ trì | Nội dung công việc | Cơ quan phối hợp | Sản phẩm |
|---|---|---|---|---|---|
| 1 | Quý II/2026 | Sở Khoa học và Công nghệ | Xây dựng kho dữ liệu dùng chung | Sở Tài chính | Kho |
| 2 | Tháng 9/2026 | Văn phòng UBND tỉnh | Nâng cấp hệ thống quản lý văn bản | Các sở, ngành | Hệ thống |

Bảng tổng hợp kết quả:

TT | Đơn vị chủ trì | Nhiệm vụ | Thời hạn | Tình trạng
1 | Sở Y tế | Triển khai bệnh án điện tử tại bệnh viện tuyến tỉnh | 30/6/2026 | Đang thực hiện
2 | Công an tỉnh | Làm sạch dữ liệu dân cư trên địa bàn | Thường xuyên | Đã hoàn thành
"""


def test_tables_written_one_row_per_line() -> None:
    """ "| STT | … |" rows (with or without outer bars and a "|---|" rule) are read by their header,
    whatever the column order, each task pointing at its row's line."""
    tasks = extract_tasks(DocumentText(name="kh.txt", text=ROW_PER_LINE))
    got = [(t.line, t.lead, t.support, t.deadline.due, t.status) for t in tasks]
    assert got == [
        (6, ("Sở Khoa học và Công nghệ",), ("Sở Tài chính",), dt.date(2026, 6, 30), None),
        (7, ("Văn phòng Ủy ban nhân dân tỉnh",), ("Các sở, ngành",), dt.date(2026, 9, 30), None),
        (12, ("Sở Y tế",), (), dt.date(2026, 6, 30), Status.IN_PROGRESS),
        (13, ("Công an tỉnh",), (), None, Status.DONE),
    ]
    assert tasks[0].action.startswith("Xây dựng kho dữ liệu")


def test_an_unnumbered_row_with_empty_unit_cells_is_a_sub_row_of_the_one_above() -> None:
    """A merged lead or support cell comes out of a text table as empty cells on the rows it spans:
    an unnumbered row takes them from the row above, while a numbered row keeps its own empties."""
    text = (
        "KẾ HOẠCH\n\nPhụ lục: Danh mục nhiệm vụ\n\n"
        "| STT | Nội dung nhiệm vụ | Thời gian hoàn thành | Cơ quan chủ trì | Cơ quan phối hợp |\n"
        "|---|---|---|---|---|\n"
        "| 1 | Rà soát thủ tục hành chính về đầu tư | Tháng 9/2026 | Sở Tài chính | Các sở, ngành |\n"
        "| | Công khai kết quả rà soát trên cổng thông tin | Tháng 10/2026 | | |\n"
        "| 2 | Xây dựng cơ sở dữ liệu đất đai của tỉnh | Quý II/2026 | Sở Nông nghiệp và Môi trường | |\n"
    )
    tasks = extract_tasks(DocumentText(name="made-up.txt", text=text, number="15/KH-UBND"))
    assert [(t.lead, t.support) for t in tasks] == [
        (("Sở Tài chính",), ("Các sở, ngành",)),
        (("Sở Tài chính",), ("Các sở, ngành",)),
        (("Sở Nông nghiệp và Môi trường",), ()),
    ]
    assert tasks[1].deadline.due == dt.date(2026, 10, 31)


def test_unit_and_deadline_columns_named_in_other_words_or_by_their_cells() -> None:
    """ "Phân công thực hiện", "Giao cho", "Hạn" name the unit and deadline columns; a column whose
    header names no role but whose cells are bodies' names is the lead column."""
    rows = [
        ("Xây dựng cơ sở dữ liệu đất đai của tỉnh", "Sở Nông nghiệp và Môi trường", "Quý II/2026"),
        ("Rà soát thủ tục hành chính về đầu tư", "Sở Tài chính", "Tháng 9/2026"),
    ]
    headers = (
        ("STT", "Nội dung", "Phân công thực hiện", "Thời gian"),
        ("TT", "Việc cần làm", "Giao cho", "Hạn"),
        ("STT", "Nội dung", "Phụ trách", "Thời gian"),
    )
    for header in headers:
        text = "KẾ HOẠCH\n\n| " + " | ".join(header) + " |\n|---|---|---|---|\n"
        text += "".join(f"| {n} | {a} | {u} | {d} |\n" for n, (a, u, d) in enumerate(rows, 1))
        tasks = extract_tasks(DocumentText(name="made-up.txt", text=text, number="15/KH-UBND"))
        assert [t.lead for t in tasks] == [("Sở Nông nghiệp và Môi trường",), ("Sở Tài chính",)], header
        assert tasks[1].deadline.due == dt.date(2026, 9, 30), header
