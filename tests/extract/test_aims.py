"""Purpose sections of plans ("MỤC ĐÍCH, YÊU CẦU", "Mục tiêu cụ thể") hold aims, not tasks; the
section ends at the next heading of its level, and "yêu cầu" as a verb still assigns work."""

from __future__ import annotations

from crawler.extract import extract_tasks
from crawler.models import DocumentText


def _tasks(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """The (first two words of the action, lead) of each task of a made-up plan of 2026."""
    doc = DocumentText(name="made-up.txt", text=text, number="130/KH-UBND")
    return [(" ".join(t.action.split()[:2]), t.lead) for t in extract_tasks(doc)]


def test_roman_purpose_section_with_numbered_parts() -> None:
    """ "I. MỤC ĐÍCH, YÊU CẦU" with "1. Mục đích" and "2. Yêu cầu" under it: nothing until "II."."""
    text = (
        "KẾ HOẠCH\nTriển khai kê khai tài sản, thu nhập năm 2026\n\n"
        "I. MỤC ĐÍCH, YÊU CẦU\n\n1. Mục đích\n\n"
        "- Tiếp tục quán triệt, tổ chức thực hiện nghiêm việc kiểm soát tài sản, thu nhập.\n\n"
        "2. Yêu cầu\n\n"
        "- Các sở, ban, ngành triển khai nghiêm túc, hoàn thành trước ngày 31/12/2026.\n\n"
        "II. NHIỆM VỤ\n\n"
        "1. Sở Nội vụ tham mưu ban hành quy chế trước ngày 30/6/2026.\n"
    )
    assert _tasks(text) == [("Sở Nội", ("Sở Nội vụ",))]


def test_parenthesised_purpose_headings_end_at_a_numbered_heading() -> None:
    """ "**(1) Mục đích**" and "**(2) Yêu cầu**" sit below "**2. …**": the numbered heading ends them."""
    text = (
        "Kế hoạch nêu rõ mục đích và yêu cầu như sau:\n\n**(1) Mục đích**\n\n"
        "- Nâng cao trách nhiệm của các cơ quan, đơn vị trong việc kê khai tài sản.\n\n"
        "**(2) Yêu cầu**\n\n- Thanh tra tỉnh theo dõi, đôn đốc thường xuyên.\n\n"
        "**2. Tổ chức kê khai tài sản, thu nhập**\n\n"
        "2.1. Thanh tra tỉnh tổng hợp kết quả, báo cáo trước ngày 15/4/2027.\n"
    )
    assert _tasks(text) == [("Thanh tra", ("Thanh tra tỉnh",))]


def test_targets_of_a_scheme_are_not_tasks() -> None:
    """ "MỤC TIÊU" / "Mục tiêu cụ thể đến năm 2030": dated targets are aims; "NHIỆM VỤ, GIẢI PHÁP"
    (an unnumbered heading) ends the section."""
    text = (
        "MỤC TIÊU\n\nMục tiêu cụ thể đến năm 2030\n\n"
        "- Đến năm 2030, 100% hồ sơ thủ tục hành chính được số hóa.\n\n"
        "NHIỆM VỤ, GIẢI PHÁP\n\n"
        "- Sở Khoa học và Công nghệ xây dựng kho dữ liệu số trong năm 2027.\n"
    )
    assert [lead for _, lead in _tasks(text)] == [("Sở Khoa học và Công nghệ",)]


def test_yeu_cau_as_a_verb_still_assigns() -> None:
    """A sentence that asks ("Yêu cầu các sở … hoàn thành …") is a task, not a purpose heading."""
    text = "1. Yêu cầu Sở Tài chính hoàn thành việc rà soát tài sản công trước ngày 30/9/2026.\n"
    assert [lead for _, lead in _tasks(text)] == [("Sở Tài chính",)]


def test_closing_conditional_clauses_are_not_tasks() -> None:
    """ "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, …" is a conditional closing clause
    (CONVENTIONS.md), however it opens; the numbered tasks before it stay."""
    text = (
        "IV. TỔ CHỨC THỰC HIỆN\n\n"
        "1. Sở Nội vụ theo dõi, đôn đốc, tổng hợp kết quả, báo cáo UBND tỉnh trước ngày 15/12/2027.\n\n"
        "2. Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị phản ánh về Sở"
        " Nội vụ để tổng hợp, báo cáo UBND tỉnh xem xét, giải quyết.\n\n"
        "3. Trong quá trình triển khai, trường hợp phát sinh vướng mắc, các xã kịp thời báo cáo.\n"
    )
    assert [lead for _, lead in _tasks(text)] == [("Sở Nội vụ",)]
