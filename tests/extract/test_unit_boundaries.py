"""Unit phrase boundaries: purpose clauses, generic heads with listed units, the lone province."""

from __future__ import annotations

import pytest

from crawler.extract import extract_tasks
from crawler.extract.units import Gazetteer, load_gazetteer
from crawler.models import DocumentText


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    """The packaged gazetteer."""
    return load_gazetteer()


@pytest.mark.parametrize(
    ("phrase", "units"),
    [
        ("cơ quan quản lý để tránh phát sinh thủ tục ngoài quy định", ("Các cơ quan quản lý",)),
        ("các cơ quan, đơn vị nhằm bảo đảm tiến độ", ("Các cơ quan, đơn vị",)),
        ("các sở, ngành khẩn trương triển khai", ("Các sở, ngành",)),
        ("các đơn vị trong quá trình thực hiện", ("Các đơn vị",)),
        ("các cơ quan liên quan", ("Các cơ quan liên quan",)),
        ("Các địa phương Tổ chức triển khai, đảm bảo kết nối", ("Các địa phương",)),  # the next cell
        ("các thành viên của Ban Chỉ đạo", ("Các thành viên của Ban Chỉ đạo",)),  # a name, not a cell
    ],
)
def test_collective_phrase_ends_at_purpose_clause(
    gaz: Gazetteer, phrase: str, units: tuple[str, ...]
) -> None:
    """A collective phrase stops before "để", "nhằm", "khẩn trương" and similar clause words."""
    assert gaz.resolve(phrase) == units


@pytest.mark.parametrize(
    ("phrase", "units"),
    [
        (
            "Các Bộ chủ quản chương trình (Bộ Tài chính, Bộ Xây dựng)",
            ("Bộ Tài chính", "Bộ Xây dựng"),
        ),
        (
            "Các bộ chủ trì dự án (Bộ Y tế và Bộ Công an)",
            ("Bộ Y tế", "Bộ Công an"),
        ),
    ],
)
def test_generic_head_resolves_to_listed_units(gaz: Gazetteer, phrase: str, units: tuple[str, ...]) -> None:
    """A generic "Các bộ ..." head followed by concrete units in parentheses means those units."""
    assert gaz.resolve(phrase) == units


def test_parenthesized_non_units_are_not_a_list(gaz: Gazetteer) -> None:
    """Parentheses holding no known unit do not make a list."""
    assert gaz.listed_units("Các bộ (trừ trường hợp đặc biệt)") == (0, ())


def test_generic_head_with_verb_words_leads_the_task() -> None:
    """A head whose words look like verbs ("chủ chương trình") still yields the listed units as lead."""
    text = (
        "1. Các Bộ chủ chương trình mục tiêu quốc gia (Bộ Tài chính, Bộ Xây dựng) rà soát các "
        "khó khăn, vướng mắc, báo cáo Thủ tướng Chính phủ trước ngày 30/6/2025.\n"
    )
    tasks = extract_tasks(DocumentText(name="t.txt", text=text))
    assert tasks and tasks[0].lead == ("Bộ Tài chính", "Bộ Xây dựng")


def test_lone_province_completes_level_only_body(gaz: Gazetteer) -> None:
    """A text naming exactly one province (even one outside the gazetteer) is that province's."""
    assert gaz.home_province("Bản tin tỉnh Quảng Nam. UBND tỉnh chỉ đạo các sở.") == "tỉnh Quảng Nam"
    assert gaz.home_province("Sở Tư pháp tỉnh Nghệ An cho biết UBND tỉnh đã chỉ đạo.") == "tỉnh Nghệ An"
    assert gaz.home_province("Tỉnh Nghệ An và tỉnh Quảng Nam cùng triển khai. UBND tỉnh chỉ đạo.") is None


def test_article_level_only_committee_gets_its_province() -> None:
    """In an article about one province, "UBND tỉnh" as lead names that province's committee."""
    text = (
        "Ngày 10/4, tỉnh Quảng Nam tổ chức hội nghị về chuyển đổi số.\n\n"
        "1. UBND tỉnh chỉ đạo các sở, ngành hoàn thành cơ sở dữ liệu trước ngày 30/6/2025.\n"
    )
    tasks = extract_tasks(DocumentText(name="t.txt", text=text))
    assert tasks and tasks[0].lead == ("Ủy ban nhân dân tỉnh Quảng Nam",)
