"""Segmentation and task reading: prose items, inherited leads, tables, splits, refs and status."""

from __future__ import annotations

import datetime as dt

from crawler.extract import extract_tasks
from crawler.extract.plaintext import document_from_text
from crawler.extract.refs import document_numbers, find_status, own_number
from crawler.models import DocumentKind, DocumentText, ExtractedTask, Precision, Status

DIRECTIVE = """ỦY BAN NHÂN DÂN
TỈNH HÀ TĨNH

Số: 512/UBND-NC

Hà Tĩnh, ngày 12 tháng 3 năm 2026

Kính gửi: Các sở, ban, ngành.

Chủ tịch Ủy ban nhân dân tỉnh yêu cầu:

1. Sở Tư pháp chủ trì, phối hợp với Sở Nội vụ rà soát các thủ tục hành chính; báo cáo trước ngày 30/4/2026.

2. Sở Xây dựng

a) Hoàn thiện dữ liệu quy hoạch. Hoàn thành trong tháng 5/2026; công bố dữ liệu trên cổng thông tin \
của tỉnh. Hoàn thành trong tháng 6/2026.

b) Theo dõi, đôn đốc các xã thực hiện kế hoạch. Nhiệm vụ thường xuyên.

3. Công an tỉnh triển khai giải pháp bảo đảm an toàn thông tin theo Nghị quyết số 71/NQ-CP ngày 01/4/2025.

Nơi nhận:
- Như trên;
- Lưu: VT.
"""

TABLE = """PHỤ LỤC: DANH MỤC NHIỆM VỤ QUÁ HẠN

STT Tên nhiệm vụ Cơ quan
chủ trì Thời hạn Kết quả

1.

Xây dựng cơ sở dữ liệu chuyên ngành về
đất đai, kết nối với hệ thống
quốc gia

Bộ Nông nghiệp
và Môi trường

Tháng
9/2025

2.
Ban hành quy chế chia sẻ dữ liệu

Bộ Công an 30-06-2025 Đang thực
hiện
 Hoàn thiện nền tảng tờ khai điện tử tương tác trên Cổng
Dịch vụ công quốc gia

Văn phòng Chính phủ 2025-12-31 Đã hoàn
thành
"""


def _tasks(text: str, **kw: object) -> list[ExtractedTask]:
    """Extract tasks from a small document."""
    return extract_tasks(DocumentText(name="t.txt", text=text, **kw))  # type: ignore[arg-type]


def test_prose_directive_items_leads_and_splits() -> None:
    """Numbered items are tasks; a heading unit leads its lettered items; two dated pieces split."""
    tasks = _tasks(DIRECTIVE, number="512/UBND-NC")
    assert [t.line for t in tasks] == [12, 16, 16, 18, 20]
    first = tasks[0]
    assert first.lead == ("Sở Tư pháp tỉnh Hà Tĩnh",) and first.support == ("Sở Nội vụ tỉnh Hà Tĩnh",)
    assert first.deadline.due == dt.date(2026, 4, 30) and first.source_refs == ("512/UBND-NC",)
    assert tasks[1].lead == tasks[2].lead == ("Sở Xây dựng tỉnh Hà Tĩnh",)
    assert (tasks[1].deadline.due, tasks[2].deadline.due) == (dt.date(2026, 5, 31), dt.date(2026, 6, 30))
    assert tasks[3].deadline.precision is Precision.RECURRING
    assert tasks[4].lead == ("Công an tỉnh Hà Tĩnh",) and tasks[4].deadline.precision is Precision.NONE


def test_provenance_anchor_is_verbatim() -> None:
    """Each task's anchor is a 25-60 character piece of its own line."""
    lines = DIRECTIVE.split("\n")
    for task in _tasks(DIRECTIVE):
        assert task.anchor in lines[task.line - 1]
        assert 25 <= len(task.anchor) <= 60
        assert lines[task.line - 1][task.start : task.end] == task.anchor


def test_flattened_table_rows() -> None:
    """Wrapped cells, a lost row number, cell deadlines, statuses and an overdue title."""
    tasks = _tasks(TABLE)
    assert [t.line for t in tasks] == [8, 19, 23]
    assert tasks[0].lead == ("Bộ Nông nghiệp và Môi trường",)
    assert tasks[0].deadline.due == dt.date(2025, 9, 30) and tasks[0].status is Status.OVERDUE
    assert tasks[1].lead == ("Bộ Công an",) and tasks[1].status is Status.IN_PROGRESS
    assert tasks[1].deadline.due == dt.date(2025, 6, 30)
    assert tasks[2].lead == ("Văn phòng Chính phủ",) and tasks[2].status is Status.DONE


def test_article_reports_dated_assignment() -> None:
    """A news article's dated assignment is a task; past statistics are not."""
    text = (
        "Năm 2024, tỉnh đã giải quyết 98% hồ sơ đúng hạn.\n\n"
        "Chủ tịch UBND tỉnh yêu cầu Sở Nội vụ khẩn trương tham mưu ban hành kế hoạch cải cách hành chính, "
        "hoàn thành trước ngày 15/4.\n"
    )
    tasks = _tasks(text, kind=DocumentKind.ARTICLE, published=dt.datetime(2026, 4, 1))
    assert len(tasks) == 1 and tasks[0].deadline.due == dt.date(2026, 4, 15)


def test_refs_and_status() -> None:
    """Document numbers rejoin across line breaks; statuses normalize."""
    assert document_numbers("Thông báo số 03-\nTB/BCĐTW ngày 06/3/2025") == ["03-TB/BCĐTW"]
    assert document_numbers("Nghị định số 118/2025/NĐ-CP và Công điện 60/CĐ-TTg") == [
        "118/2025/NĐ-CP",
        "60/CĐ-TTg",
    ]
    assert own_number("Số: 10447/UBND-VX") == "10447/UBND-VX"
    assert find_status("Đang thực\nhiện quá\nhạn") is Status.IN_PROGRESS_OVERDUE
    assert find_status("Đã hoàn\nthành") is Status.DONE
    assert find_status("Chưa thực hiện") is Status.NOT_STARTED
    assert find_status("quá hạn") is Status.OVERDUE
    assert find_status("Đang triển khai") is Status.IN_PROGRESS


def test_cells_from_document_tables() -> None:
    """When a table is given as cells, its rows are read as rows."""
    from crawler.models import Table

    table = Table(
        rows=(
            ("STT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Thời hạn"),
            ("1", "Xây dựng kho dữ liệu dùng chung của tỉnh", "Sở Tài chính", "Quý III/2026"),
        ),
        line=3,
    )
    tasks = extract_tasks(DocumentText(name="t", text="Kế hoạch\n\n(bảng)\n", tables=(table,)))
    assert len(tasks) == 1 and tasks[0].lead == ("Sở Tài chính",)
    assert tasks[0].deadline.due == dt.date(2026, 9, 30) and tasks[0].line == 4


HEADED = """PHỤ LỤC: NHIỆM VỤ NĂM 2026

a) Nhiệm vụ tháng 3/2026:

TT Tên nhiệm vụ Cơ quan chủ trì Kết quả dự kiến

1. Cơ sở dữ liệu quốc gia về việc làm Bộ Nội vụ Hoàn thành, đưa vào sử dụng

2. Nền tảng học liệu số dùng chung Bộ Giáo dục và Đào tạo Hoàn thành

b) Nhiệm vụ quý II/2026:

TT Tên nhiệm vụ Cơ quan chủ trì Kết quả dự kiến

3. Kho dữ liệu thống kê quốc gia Bộ Tài chính Đưa vào vận hành
"""


def test_section_heading_gives_rows_their_deadline() -> None:
    """ "a) Nhiệm vụ tháng 3/2026:" dates the rows under it; the unit cell is read inside the line."""
    tasks = _tasks(HEADED)
    assert [t.lead for t in tasks] == [("Bộ Nội vụ",), ("Bộ Giáo dục và Đào tạo",), ("Bộ Tài chính",)]
    assert [t.deadline.due for t in tasks] == [
        dt.date(2026, 3, 31),
        dt.date(2026, 3, 31),
        dt.date(2026, 6, 30),
    ]
    assert tasks[0].deadline.raw == "Nhiệm vụ tháng 3/2026"
    assert tasks[2].deadline.precision is Precision.QUARTER


def test_required_result_from_cell_table() -> None:
    """A "Kết quả yêu cầu" column fills the required result and is not read as a status."""
    from crawler.models import Table

    table = Table(
        rows=(
            ("TT", "Nhiệm vụ", "Kết quả yêu cầu", "Thời hạn hoàn thành", "Cơ quan thực hiện"),
            ("1", "Rà soát, cập nhật Chiến lược dữ liệu quốc gia", "Chiến lược được ban hành", "Tháng 6/2025",
             "Bộ Công an"),
            ("2", "Xây dựng cơ chế quản trị dữ liệu quốc gia", "", "Tháng 7/2025", "Bộ Công an"),
        ),
        line=3,
    )
    tasks = extract_tasks(DocumentText(name="t", text="Kế hoạch\n\n(bảng)\n", tables=(table,)))
    assert [t.required_result for t in tasks] == ["Chiến lược được ban hành", ""]
    assert tasks[0].status is None and tasks[0].deadline.due == dt.date(2025, 6, 30)


RESULT_TABLE = """PHỤ LỤC: NHIỆM VỤ QUÁ HẠN

TT NHIỆM VỤ
KẾT QUẢ YÊU

CẦU

THỜI HẠN
HOÀN THÀNH

CƠ QUAN
THỰC HIỆN

1. 05-TB/BCĐTW

Xây dựng và trình Ban Chỉ đạo các cơ chế vượt trội, đột phá về quản trị dữ liệu
quốc gia theo nguyên tắc dữ liệu cần đúng - đủ - sạch - sống

Báo cáo Ban Chỉ
đạo Trung ương Tháng 7/2025 Bộ Công an

2. 35-TB/TGV

Phối hợp với Ban Cơ yếu Chính phủ nghiên cứu triển khai các giải pháp bảo mật

Tháng 7/2025 Ban Cơ yếu
Chính phủ
"""


def test_required_result_from_flattened_table() -> None:
    """In flattened text the result cell is the short text before the deadline cell; none, none."""
    tasks = _tasks(RESULT_TABLE)
    assert len(tasks) == 2
    assert [t.required_result for t in tasks] == ["Báo cáo Ban Chỉ đạo Trung ương", ""]
    assert [t.required_result for t in _tasks(TABLE)] == ["", "", ""]  # no such column: left empty


REPORT_ROWS = """Phụ lục 01:
DANH MỤC NHIỆM VỤ QUÁ HẠN, CHƯA HOÀN THÀNH ĐẾN HẾT THÁNG 9/2026

TT Văn bản
giao việc Nhiệm vụ Kết quả yêu cầu Thời hạn

hoàn thành
Cơ quan
thực hiện

1. 12-TB/BCĐ

Xây dựng cơ sở dữ liệu về hộ tịch điện tử và kết nối với
Cơ sở dữ liệu quốc gia về dân cư

Tháng 8/2026 Bộ Tư pháp

2. 40/NQ-CP; 07-
TB/BCĐ
Rà soát, sửa đổi quy chế quản lý nhà chung cư. Quy chế được

ban hành Tháng 7/2026 Bộ Xây dựng

3. 12-TB/BCĐ Hoàn thiện hệ thống giám sát chất lượng không khí đô thị Tháng 6/2026

Bộ Nông nghiệp
và Môi trường
"""


def test_report_rows_with_documents_first_and_deadline_before_unit() -> None:
    """Rows whose assigning documents come first and whose deadline cell runs before the unit cell
    ("Tháng 8/2026 Bộ Tư pháp", "… ban hành Tháng 7/2026 Bộ Xây dựng", "… đô thị Tháng 6/2026")
    give the documents as references, the row's own deadline and the unit as lead; the title's
    "chưa hoàn thành đến hết tháng 9" is a cut-off, not a deadline."""
    tasks = _tasks(REPORT_ROWS, number="88/BC-BTP")
    assert [t.lead for t in tasks] == [("Bộ Tư pháp",), ("Bộ Xây dựng",), ("Bộ Nông nghiệp và Môi trường",)]
    assert [t.deadline.due.month if t.deadline.due else None for t in tasks] == [8, 7, 6]
    assert tasks[1].source_refs == ("40/NQ-CP", "07-TB/BCĐ") and tasks[0].action.startswith("Xây dựng")
    assert all(t.status is Status.OVERDUE for t in tasks)


def test_lead_field_written_on_the_items_below_it() -> None:
    """ "- Cơ quan thực hiện:" with its value on "+" items: the first gives the activity's lead and
    support, and none of them is a task of its own."""
    text = (
        "c) Hoạt động 3\n\n"
        "- Nội dung: Tuyên truyền, giáo dục về phòng ngừa bạo lực trên các phương tiện truyền thông.\n\n"
        "- Cơ quan thực hiện:\n\n"
        "+ Sở Văn hóa và Thể thao chủ trì, phối hợp với Sở Nội vụ và các đơn vị có liên quan.\n\n"
        "+ Ủy ban nhân dân cấp xã.\n\n"
        "- Thời gian thực hiện: Quý IV/2026.\n"
    )
    doc = DocumentText(name="kehoach.txt", text=text, number="17/KH-UBND")
    tasks = extract_tasks(doc)
    assert [(t.lead, t.support, t.deadline.due) for t in tasks] == [
        (("Sở Văn hóa và Thể thao",), ("Sở Nội vụ", "Các đơn vị có liên quan"), dt.date(2026, 12, 31))
    ]


def test_a_body_with_its_own_work_under_a_lead_field_is_its_own_task() -> None:
    """Under "- Cơ quan thực hiện:", a "+" item giving another body its own work is a task."""
    text = (
        "- Nội dung: Tuyên truyền về phòng ngừa bạo lực trên các phương tiện truyền thông đại chúng.\n\n"
        "- Cơ quan thực hiện:\n\n"
        "+ Sở Văn hóa và Thể thao chủ trì, phối hợp với Sở Nội vụ và các đơn vị có liên quan.\n\n"
        "+ Sở Xây dựng đăng tải thông điệp truyền thông trên bảng quang báo giao thông công cộng.\n"
    )
    doc = DocumentText(name="kehoach.txt", text=text, number="17/KH-UBND")
    assert [t.lead for t in extract_tasks(doc)] == [("Sở Văn hóa và Thể thao",), ("Sở Xây dựng",)]


def test_a_shared_time_field_keeps_the_deadline_an_item_states() -> None:
    """Items with leads of their own under one "Thời gian thực hiện:" field: an item that states its
    own deadline keeps it."""
    text = (
        "- Sở Tài chính tổng hợp kết quả kiểm kê, báo cáo Bộ Tài chính. Thời gian hoàn thành: Trước "
        "ngày 31/5/2027.\n\n"
        "- Sở Xây dựng hướng dẫn các đơn vị thực hiện kiểm kê nhà, công trình xây dựng theo quy định.\n\n"
        "Thời gian thực hiện: Từ tháng 12/2026 đến khi kết thúc Tổng kiểm kê.\n"
    )
    doc = DocumentText(name="kehoach.txt", text=text, number="17/KH-UBND")
    assert [(t.lead, t.deadline.due) for t in extract_tasks(doc)] == [
        (("Sở Tài chính",), dt.date(2027, 5, 31)),
        (("Sở Xây dựng",), None),
    ]


def test_a_goal_heading_over_lettered_items_dates_them() -> None:
    """ "1. Hoàn thành mục tiêu … trong năm 2026" over a), b) is a heading, not a task; items that
    state no date of their own take its year."""
    text = (
        "1. Hoàn thành mục tiêu đưa vào khai thác trên 500 km đường bộ cao tốc trong năm 2026\n\n"
        "a) Bộ Xây dựng chỉ đạo các chủ đầu tư đẩy nhanh tiến độ thi công các dự án thành phần.\n\n"
        "b) Ủy ban nhân dân các tỉnh hoàn thành giải phóng mặt bằng trước ngày 30/6/2026.\n"
    )
    doc = DocumentText(name="thongbao.txt", text=text, number="12/TB-VPCP")
    assert [(t.lead, t.deadline.due) for t in extract_tasks(doc)] == [
        (("Bộ Xây dựng",), dt.date(2026, 12, 31)),
        (("Ủy ban nhân dân các tỉnh",), dt.date(2026, 6, 30)),
    ]


def test_articles_of_a_resolution_assign_by_sentence() -> None:
    """ "Điều N." articles: each sentence opening with the body it assigns is a task; approving a
    report, taking effect and "X chịu trách nhiệm …" are not, the work after its semicolon is."""
    text = (
        "**QUYẾT NGHỊ:**\n"
        "**Điều 1.** Thông qua Báo cáo tổng kết thi hành Luật Đất đai theo đề nghị của Bộ Tài chính.\n"
        "Bộ Tài chính chủ trì, phối hợp với các bộ, cơ quan liên quan hoàn thiện dự thảo Luật\n"
        "theo quy định.\n"
        "**Điều 2.** Bộ Tài chính chịu trách nhiệm toàn diện về nội dung báo cáo; chuẩn bị đầy đủ\n"
        "hồ sơ gửi Quốc hội trước ngày 15/12/2026.\n"
        "**Điều 3.** Nghị quyết này có hiệu lực thi hành kể từ ngày ký ban hành.\n"
        "**Điều 4.** Các Bộ trưởng, Thủ trưởng cơ quan ngang bộ chịu trách nhiệm thi hành Nghị quyết này./.\n"
    )
    doc = DocumentText(name="nghiquyet.txt", text=text, number="393/NQ-CP")
    tasks = extract_tasks(doc)
    assert [(t.line, t.lead, t.deadline.due) for t in tasks] == [
        (3, ("Bộ Tài chính",), None),
        (5, ("Bộ Tài chính",), dt.date(2026, 12, 15)),
    ]
    assert tasks[1].action.startswith("chuẩn bị đầy đủ hồ sơ")


def test_rules_of_an_activity_and_forecasts_are_not_tasks() -> None:
    """ "Việc X được thực hiện theo …" states a rule and "… dự kiến hoàn thành vào quý IV" a forecast:
    neither assigns work; "Việc X hoàn thành trước ngày …" holds X to a date and stays."""
    text = (
        "1. Việc kê khai bổ sung được thực hiện theo mẫu bản kê khai ban hành kèm theo Nghị định.\n\n"
        "2. Việc kê khai hằng năm hoàn thành trước ngày 31/12/2026.\n\n"
        "Dự án có tổng mức đầu tư gần 11.000 tỷ đồng, khởi công năm 2024 và dự kiến hoàn thành vào "
        "quý IV/2026.\n"
    )
    doc = DocumentText(name="tin.txt", text=text, number="130/KH-UBND")
    assert [t.line for t in extract_tasks(doc)] == [3]


def test_a_past_event_s_date_is_not_a_deadline() -> None:
    """ "phiên họp … diễn ra vào ngày 4/4 vừa qua, Bí thư yêu cầu trong quý II/2026, các cơ quan …":
    the meeting's date is history; the task starts after "yêu cầu", its subject after the period."""
    text = (
        "Kết luận phiên họp thứ hai của Ban Chỉ đạo tỉnh diễn ra vào ngày 4/4 vừa qua, Bí thư Tỉnh ủy "
        "yêu cầu trong quý II/2026, các cơ quan, đơn vị, địa phương tập trung triển khai hoàn thành 15 "
        "đầu việc quan trọng.\n"
    )
    doc = DocumentText(name="tin.txt", text=text)
    tasks = extract_tasks(doc)
    lead = ("Các cơ quan, đơn vị, địa phương",)
    assert [(t.lead, t.deadline.due) for t in tasks] == [(lead, dt.date(2026, 6, 30))]
    assert tasks[0].action.startswith("trong quý II/2026")


def test_a_sentence_of_prose_over_a_numbered_list_introduces_it() -> None:
    """ "…; do vậy, yêu cầu các bộ, ngành, địa phương:" over "1.", "2." is no task of its own."""
    text = (
        "Từ nay đến hết năm 2026 chỉ còn gần 2 tháng, một số dự án còn khối lượng lớn; do vậy, yêu cầu "
        "các bộ, ngành, địa phương:\n\n"
        "1. Hoàn thành giải phóng mặt bằng các dự án cao tốc trước ngày 31/12/2026.\n"
    )
    doc = DocumentText(name="thongbao.txt", text=text, number="12/TB-VPCP")
    assert [t.line for t in extract_tasks(doc)] == [3]


def test_a_deadline_sentence_is_not_a_task_and_passive_giao_assigns_nothing() -> None:
    """ "Thời hạn hoàn thành trước ngày …;" alone is no task; "theo lộ trình được giao hoàn thành …"
    keeps the whole item (the passive "được giao" is no assigning verb)."""
    text = (
        "Các sở, ngành xây dựng kế hoạch cải cách hành chính năm 2026 của cơ quan, đơn vị mình.\n"
        "Thời hạn hoàn thành trước ngày 15/4/2026; thống nhất với Sở Nội vụ việc tham mưu ban hành\n"
        "Kế hoạch thực hiện Chương trình năm 2027, ban hành trước ngày 31/1/2027.\n\n"
        "Khẩn trương hoàn thành thực thi phương án đơn giản hóa thủ tục hành chính đã được phê duyệt\n"
        "theo đúng lộ trình được giao hoàn thành trong năm 2026.\n"
    )
    doc = DocumentText(name="tin.txt", text=text, published=dt.datetime(2026, 3, 2))
    actions = [t.action for t in extract_tasks(doc)]
    assert not any(a.startswith("Thời hạn hoàn thành") for a in actions)
    assert any(a.startswith("Khẩn trương hoàn thành thực thi") for a in actions)


def test_a_page_without_a_date_takes_the_year_it_names_most() -> None:
    """A bulletin page with no date: "trước ngày 15/4" takes the year the page keeps naming."""
    text = (
        "Hà Nội triển khai Chương trình cải cách hành chính năm 2026 và Kế hoạch năm 2026.\n\n"
        "Thành phố giao các đơn vị liên quan xây dựng, ban hành Kế hoạch thực hiện Chương trình, "
        "hoàn thành trước ngày 15/4.\n"
    )
    tasks = extract_tasks(DocumentText(name="tin.txt", text=text))
    assert [t.deadline.due for t in tasks] == [dt.date(2026, 4, 15)]


def test_a_plan_s_definitions_are_not_tasks() -> None:
    """ "Phạm vi, đối tượng hỗ trợ: …" defines a plan's scope; it assigns nothing."""
    text = (
        "1. Phạm vi, đối tượng hỗ trợ: Người dân, người lao động, hộ kinh doanh bị thiệt hại do bão lũ "
        "trên địa bàn các tỉnh trong năm 2026.\n\n"
        "2. Ủy ban nhân dân các tỉnh rà soát, hỗ trợ kịp thời các hộ bị thiệt hại trước ngày 31/12/2026.\n"
    )
    doc = DocumentText(name="nq.txt", text=text, number="380/NQ-CP")
    assert [t.line for t in extract_tasks(doc)] == [3]


def test_a_report_back_clause_stays_with_its_work_and_gives_the_date() -> None:
    """ "…, trình Chính phủ trong tháng 10/2026; báo cáo Thủ tướng kết quả trước ngày 15/11/2026" is
    one task dated by the report (CONVENTIONS.md)."""
    text = (
        "1. Bộ Tài chính chủ trì hoàn thiện dự thảo Nghị định, trình Chính phủ trong tháng 10/2026; báo "
        "cáo Thủ tướng Chính phủ kết quả thực hiện trước ngày 15/11/2026.\n"
    )
    tasks = extract_tasks(DocumentText(name="ct.txt", text=text, number="1/CT-TTg"))
    assert [(t.lead, t.deadline.due) for t in tasks] == [(("Bộ Tài chính",), dt.date(2026, 11, 15))]


def test_a_plan_s_task_title_over_its_fields_is_the_task() -> None:
    """ "1. Xây dựng Kế hoạch …" over "- Cơ quan chủ trì: …", "- Sản phẩm: …", "- Thời gian hoàn thành:
    …" is one task with that lead, product and deadline (not a section heading)."""
    text = (
        "1. Xây dựng Kế hoạch chuyển đổi số năm 2027\n\n"
        "- Cơ quan chủ trì: Sở Khoa học và Công nghệ.\n\n"
        "- Cơ quan phối hợp: Sở Tài chính.\n\n"
        "- Sản phẩm: Kế hoạch được Ủy ban nhân dân tỉnh ban hành.\n\n"
        "- Thời gian hoàn thành: Quý I/2027.\n\n"
        "2. Tổ chức tập huấn kỹ năng số cho cán bộ, công chức\n\n"
        "- Cơ quan chủ trì: Sở Nội vụ.\n\n"
        "- Thời gian thực hiện: Năm 2027.\n"
    )
    tasks = extract_tasks(DocumentText(name="kh.txt", text=text, number="12/KH-UBND"))
    assert [(t.line, t.lead, t.support, t.deadline.due) for t in tasks] == [
        (1, ("Sở Khoa học và Công nghệ",), ("Sở Tài chính",), dt.date(2027, 3, 31)),
        (11, ("Sở Nội vụ",), (), dt.date(2027, 12, 31)),
    ]
    assert tasks[0].required_result == "Kế hoạch được Ủy ban nhân dân tỉnh ban hành"


PRODUCT_WRAPPED = """PHỤ LỤC: NHIỆM VỤ NĂM 2026

TT Tên nhiệm vụ Cơ quan chủ trì Sản phẩm

21. Xây dựng chính sách đột phá về tín dụng đối với học
sinh, sinh viên học các ngành STEM. Bộ Tài chính Quyết định của Thủ tướng

Chính phủ

22. Xây dựng, trình Thủ tướng Chính phủ thành lập Quỹ
đầu tư phát triển công nghiệp chiến lược. Bộ Công Thương Quyết định của Thủ tướng

Chính phủ
"""


def test_a_product_cell_wrapped_onto_an_assigner_keeps_the_unit_cell_inside_the_line() -> None:
    """ "… STEM. Bộ Tài chính Quyết định của Thủ tướng" then "Chính phủ" alone: the last paragraph
    ends the product cell, so the unit cell is read inside the row's line."""
    assert [t.lead for t in _tasks(PRODUCT_WRAPPED)] == [("Bộ Tài chính",), ("Bộ Công Thương",)]


CITED_NUMBER_WRAPPED = """PHỤ LỤC: NHIỆM VỤ NĂM 2026

TT Tên nhiệm vụ Cơ quan chủ trì Kết quả dự kiến

6. Mô hình du lịch thông minh ứng dụng các tiện ích của Đề án
06

Bộ Văn hóa, Thể thao
và Du lịch

Hoàn thành triển khai, đảm
bảo kết nối Đề án 06
"""


def test_a_document_number_wrapped_onto_its_own_line_is_no_row_number() -> None:
    """ "… của Đề án" then "06" alone: the number ends the citation; the row goes on to its unit."""
    tasks = _tasks(CITED_NUMBER_WRAPPED)
    action = "Mô hình du lịch thông minh ứng dụng các tiện ích của Đề án 06"
    assert [(t.action, t.lead) for t in tasks] == [(action, ("Bộ Văn hóa, Thể thao và Du lịch",))]


def test_an_undated_bullet_opening_with_a_work_verb_is_a_task() -> None:
    """ "- Bàn giao …", "- Kiện toàn …", "- Tuần tra …": work verbs that open a plan's bullet assign it;
    a bullet naming a form ("+ Biên bản …") still does not."""
    text = (
        "KẾ HOẠCH\nThực hiện kê khai tài sản, thu nhập năm 2026\n\n"
        "1. Thời gian thực hiện\n\n"
        "- Bàn giao bản kê khai của người có nghĩa vụ kê khai về Thanh tra tỉnh theo hướng dẫn.\n\n"
        "- Kiện toàn tổ công tác kiểm soát tài sản, thu nhập của cơ quan, đơn vị.\n\n"
        "- Tuần tra trên các tuyến giao thông trọng điểm vào các dịp lễ, Tết.\n\n"
        "+ Biên bản giao nhận bản kê khai của người có nghĩa vụ kê khai tài sản.\n"
    )
    tasks = extract_tasks(DocumentText(name="kh.txt", text=text, number="130/KH-UBND"))
    assert [t.line for t in tasks] == [6, 8, 10]


def test_in_a_run_of_unnamed_items_a_later_unnamed_item_does_not_take_a_sibling_s_body() -> None:
    """ "(i) Đàm phán …; (ii) UBND các tỉnh lập …; (iii) Triển khai thi công …": the run's items are
    the plan's own steps, so (iii) is not UBND's; after a named first item, a step continues it."""
    steps = (
        "Tiến độ thực hiện:\n\n"
        "(i) Đàm phán, ký kết Biên bản làm việc với phía đối tác trong tháng 5 năm 2026.\n\n"
        "(ii) Ủy ban nhân dân các tỉnh, thành phố lập, phê duyệt dự án khu tái định cư trong năm 2026.\n\n"
        "(iii) Triển khai thi công xây dựng, phấn đấu hoàn thành Dự án chậm nhất vào năm 2030.\n"
    )
    tasks = extract_tasks(DocumentText(name="nq.txt", text=steps, number="127/NQ-CP"))
    assert [t.lead for t in tasks] == [(), ("Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương",), ()]
    continued = steps.replace("(i) Đàm phán", "(i) Bộ Xây dựng đàm phán")
    tasks = extract_tasks(DocumentText(name="nq.txt", text=continued, number="127/NQ-CP"))
    assert tasks[2].lead == ("Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương",)


def test_a_name_given_to_a_programme_is_no_task() -> None:
    """ "- Tên chương trình: “…”" and "- Chủ đề: …" name things; the step after them is the task."""
    text = (
        "1. Nội dung\n\n"
        "- Tên chương trình: “Tặng thẻ bảo hiểm y tế cho người có hoàn cảnh khó khăn mang Tết ấm”.\n\n"
        "- Chủ đề: Chuyển đổi số vì người dân, thực hiện hiệu quả các dịch vụ công trực tuyến.\n\n"
        "- Tổ chức trao tặng thẻ bảo hiểm y tế tại địa phương trước ngày 30/11/2026.\n"
    )
    tasks = extract_tasks(DocumentText(name="kh.txt", text=text, number="2716/KH-BHXH"))
    assert [t.line for t in tasks] == [7]


def test_a_sentence_saying_what_a_law_provides_is_no_task() -> None:
    """ "Mẫu … cuối năm 2026 được quy định tại Phụ lục I …" states the law; work that applies it
    ("… chủ động vận dụng cơ chế đã được quy định tại …") is still a task."""
    text = (
        "Mẫu kê khai tài sản thu nhập cuối năm 2026 được quy định tại Phụ lục I ban hành kèm theo "
        "Nghị định 130/2020/NĐ-CP.\n\n"
        "2. Các bộ, ngành, địa phương chủ động vận dụng cơ chế đã được quy định tại Nghị quyết số "
        "04/2025/NQ-CP trong năm 2026.\n"
    )
    tasks = extract_tasks(DocumentText(name="tb.txt", text=text, number="1/TB"))
    assert [t.line for t in tasks] == [3]


def test_the_year_of_a_yearless_date_comes_from_the_article_date_not_a_quoted_deadline() -> None:
    """In an article quoting a law ("… hoàn thành trước ngày 31 tháng 12 năm 2019"), a date without a
    year takes the year of the article's own date line ("Ngày 02/12/2025, UBND …")."""
    text = (
        "Ngày 02/12/2025, UBND thành phố Cần Thơ đã ban hành Kế hoạch 177/KH-UBND.\n\n"
        "Theo Điều 36 Luật Phòng, chống tham nhũng 2018, việc kê khai lần đầu phải hoàn thành trước "
        "ngày 31 tháng 12 năm 2019.\n\n"
        "1. Các cơ quan, đơn vị tổ chức kê khai hằng năm, hoàn thành trước ngày 31 tháng 12.\n"
    )
    doc = document_from_text(text, "bai.txt")
    assert doc.issued == dt.date(2025, 12, 2)
    last = extract_tasks(doc)[-1]
    assert last.deadline.due == dt.date(2025, 12, 31)
