"""Text that reads like tasks but assigns nothing: quoted statutes, question-headed sections, lists
of a body's departments; and ministries listed under one head word without a colon."""

from __future__ import annotations

from crawler.extract import extract_tasks
from crawler.models import DocumentText


def _tasks(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """(action start, lead) of the tasks extracted from a made-up page of 2026."""
    doc = DocumentText(name="made-up.txt", text=text)
    return [(t.action[:30], t.lead) for t in extract_tasks(doc)]


_DIRECTIVE_PART = (
    "Theo đó, Thủ tướng Chính phủ yêu cầu Bộ Công an chỉ đạo lực lượng chức năng:\n\n"
    "- Tăng cường tuần tra, kiểm soát, xử lý nghiêm các hành vi vi phạm về nồng độ cồn.\n\n"
    "- Chủ động phòng ngừa, ngăn chặn các hành vi đua xe trái phép trong dịp nghỉ lễ.\n\n"
)


def test_clauses_quoted_from_a_statute_are_not_tasks() -> None:
    """ "Căn cứ khoản N Điều M Luật/Nghị định … quy định như sau:" opens a quotation of norms: its
    clauses ("Cơ quan thuế có trách nhiệm …", "Việc kê khai phải hoàn thành trước ngày …") are no
    one's task, and the page's own voice ("Như vậy, …") ends it."""
    text = (
        _DIRECTIVE_PART
        + "Căn cứ khoản 2 Điều 12 Nghị định 45/2026/NĐ-CP quy định về kê khai như sau:\n\n"
        "1. Cơ quan thuế có trách nhiệm hướng dẫn người nộp thuế kê khai đúng hạn.\n\n"
        "2. Việc kê khai phải hoàn thành trước ngày 31 tháng 12 hằng năm theo quy định.\n\n"
        "Như vậy, đề nghị Sở Tài chính khẩn trương hướng dẫn các đơn vị kê khai trước ngày 15/12/2026.\n"
    )
    found = _tasks(text)
    assert [lead for _, lead in found] == [("Bộ Công an",), ("Bộ Công an",), ("Sở Tài chính",)]


def test_a_quoted_directive_still_assigns() -> None:
    """Quoting a directive or conclusion ("Căn cứ Mục 2 Thông báo 256/TB-VPCP:") quotes tasks."""
    text = (
        "Căn cứ theo quy định tại Mục 2 Thông báo 256/TB-VPCP năm 2026:\n\n"
        "a) Bộ Xây dựng khẩn trương rà soát các vướng mắc trong thủ tục đầu tư dự án nhà ở.\n"
    )
    assert _tasks(text) == [("Bộ Xây dựng khẩn trương rà soá", ("Bộ Xây dựng",))]


def test_an_introduction_in_the_issuers_voice_is_no_quotation() -> None:
    """ "Căn cứ Nghị định …, Ủy ban nhân dân tỉnh yêu cầu …:" introduces the issuer's own tasks."""
    text = (
        "Căn cứ Nghị định 45/2026/NĐ-CP quy định về kê khai, Ủy ban nhân dân tỉnh yêu cầu Sở Tài "
        "chính thực hiện:\n\n"
        "- Hướng dẫn các đơn vị kê khai và tổng hợp kết quả trước ngày 15/12/2026.\n"
    )
    assert [lead for _, lead in _tasks(text)] == [("Sở Tài chính",)]


def test_a_question_heading_starts_a_section_without_an_addressee() -> None:
    """Items after "**… là bao nhiêu?**" do not inherit the addressee of the section before."""
    text = (
        _DIRECTIVE_PART
        + "**Mức phạt vi phạm nồng độ cồn đối với người đi xe máy là bao nhiêu?**\n\n"
        "- Tổ chức tuyên truyền về mức phạt tại các trường học trong tháng 9/2026.\n"
    )
    assert [lead for _, lead in _tasks(text)] == [("Bộ Công an",), ("Bộ Công an",), ()]


def test_a_list_of_departments_is_not_a_list_of_tasks() -> None:
    """Items that only name a body ("Vụ Tổ chức cán bộ;", "Cục … xây dựng;") list a structure."""
    text = (
        "Cơ cấu tổ chức của Bộ Xây dựng gồm:\n\n"
        "1. Vụ Tổ chức cán bộ;\n\n"
        "2. Vụ Khoa học công nghệ, môi trường và Vật liệu xây dựng;\n\n"
        "3. Trung tâm Thông tin và Chuyển đổi số.\n\n"
        "4. Cục Kinh tế xây dựng chủ trì rà soát định mức xây dựng, hoàn thành trong quý IV/2026.\n"
    )
    assert _tasks(text) == [("Cục Kinh tế xây dựng chủ trì r", ("Cục Kinh tế xây dựng",))]


def test_ministries_listed_under_one_head_word_without_a_colon() -> None:
    """ "Các bộ Xây dựng, Tài chính, Nông nghiệp và Môi trường và Ngân hàng Nhà nước Việt Nam …":
    one ministry per name, and a name holding "và" kept whole."""
    text = (
        "a) Các bộ Xây dựng, Tài chính, Nông nghiệp và Môi trường và Ngân hàng Nhà nước Việt Nam "
        "khẩn trương rà soát các quy định chuyển tiếp, hoàn thành trong tháng 8/2026.\n\n"
        "b) Các sở Tài chính, Xây dựng và Nội vụ rà soát thủ tục hành chính trong quý III/2026.\n"
    )
    leads = [lead for _, lead in _tasks(text)]
    assert leads == [
        ("Bộ Xây dựng", "Bộ Tài chính", "Bộ Nông nghiệp và Môi trường", "Ngân hàng Nhà nước Việt Nam"),
        ("Sở Tài chính", "Sở Xây dựng", "Sở Nội vụ"),
    ]


def test_a_bodys_functions_and_powers_are_not_tasks() -> None:
    """ "Theo đó, nhiệm vụ, quyền hạn của Ngân hàng Nhà nước … bao gồm:" lists standing competences."""
    text = (
        "Theo đó, nhiệm vụ, quyền hạn của Ngân hàng Nhà nước Việt Nam trong quản lý vốn vay bao gồm:\n\n"
        "1. Phối hợp với Bộ Tài chính xây dựng chiến lược hợp tác phát triển với nhà tài trợ.\n\n"
        "2. Chủ trì trình cấp có thẩm quyền ký kết điều ước quốc tế về vốn vay trước ngày 30/6/2026.\n"
    )
    assert _tasks(text) == []


def test_a_caption_credited_after_a_full_stop_and_the_report_after_it() -> None:
    """ "… tổ chức phiên họp giải trình …, vào tháng 9/2026. Ảnh: TÂM ĐAN" is a caption, and the
    news prose run into it ("Sáng nay, … Bộ trưởng Bộ Nội vụ đã báo cáo …") reports."""
    text = (
        "Thường trực HĐND tỉnh Quảng Nam tổ chức phiên họp giải trình về kết quả cải cách hành chính, "
        "vào tháng 9/2026. Ảnh: TÂM ĐAN\n"
        "Sáng nay 6/4, tại phiên họp Chính phủ thường kỳ tháng 3/2026, Bộ trưởng Bộ Nội vụ đã báo cáo "
        "và công bố kết quả chỉ số cải cách hành chính năm 2026 của các tỉnh.\n"
    )
    assert _tasks(text) == []


def test_the_parts_of_a_procedure_are_not_tasks() -> None:
    """ "Trình tự thực hiện: …", "Cách thức thực hiện: …", "Hình thức …: …" describe a procedure."""
    text = (
        "a) Trình tự thực hiện: Chủ đầu tư gửi hồ sơ quyết toán đến cơ quan thẩm tra trước ngày "
        "15/12/2026.\n\n"
        "b) Cách thức thực hiện: Nộp hồ sơ trực tiếp hoặc qua dịch vụ bưu chính trong tháng 12/2026.\n\n"
        "c) Sở Tài chính tổ chức thẩm tra hồ sơ quyết toán, hoàn thành trước ngày 31/12/2026.\n"
    )
    assert [lead for _, lead in _tasks(text)] == [("Sở Tài chính",)]
