"""Roles written beside the work: labels inside an item, a parenthesis, role marks in a unit cell."""

from __future__ import annotations

import pytest

from crawler.extract import extract_tasks
from crawler.extract.rolelabels import RoleText, labelled_roles, marked_roles
from crawler.models import DocumentText


def _tasks(text: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """The (lead, support) of each task of a made-up plan of 2026."""
    doc = DocumentText(name="made-up.txt", text=text, number="15/KH-UBND")
    return [(t.lead, t.support) for t in extract_tasks(doc)]


@pytest.mark.parametrize(
    ("item", "lead", "support"),
    [
        (
            "1. Xây dựng cơ sở dữ liệu đất đai. Cơ quan chủ trì: Sở Nông nghiệp và Môi trường; cơ quan phối "
            "hợp: Sở Tài chính; thời gian hoàn thành: Quý II/2026.",
            ("Sở Nông nghiệp và Môi trường",),
            ("Sở Tài chính",),
        ),
        (
            "2. Rà soát quy hoạch đô thị. Trách nhiệm thực hiện: Sở Xây dựng. Thời gian: tháng 6/2026.",
            ("Sở Xây dựng",),
            (),
        ),
        (
            "3. Rà soát quy hoạch đô thị (Sở Xây dựng chủ trì, phối hợp với Sở Tài chính, hoàn thành trước "
            "30/6/2026).",
            ("Sở Xây dựng",),
            ("Sở Tài chính",),
        ),
    ],
)
def test_an_item_labelling_its_roles_inline_takes_them(
    item: str, lead: tuple[str, ...], support: tuple[str, ...]
) -> None:
    """A plan item that writes its lead and support as labels after the work (or in a parenthesis)
    takes them, though its text opens with the work and names no subject."""
    assert _tasks(item + "\n") == [(lead, support)]


def test_an_intro_with_roles_as_verbs_is_no_label() -> None:
    """ "Bộ X chủ trì, phối hợp với …:" and "… tổ chức thực hiện:" label nothing."""
    assert labelled_roles("Bộ Công Thương chủ trì, phối hợp với Bộ Tài chính và các cơ quan:") is None
    assert labelled_roles("Thủ tướng yêu cầu các bộ tổ chức thực hiện:") is None


@pytest.mark.parametrize(
    ("cell", "roles"),
    [
        ("Sở Nội vụ (chủ trì), Sở Tài chính (phối hợp)", RoleText("Sở Nội vụ", "Sở Tài chính")),
        ("Chủ trì: Sở Tài chính; phối hợp: các sở, ngành", RoleText("Sở Tài chính", "các sở, ngành", 0)),
        ("Sở Y tế (chủ trì); các sở, ngành liên quan", RoleText("Sở Y tế", "các sở, ngành liên quan")),
    ],
)
def test_a_unit_cell_marking_roles_splits_lead_from_support(cell: str, roles: RoleText) -> None:
    """One "Đơn vị thực hiện" cell may hold both roles, marked body by body or labelled."""
    assert marked_roles(cell) == roles


def test_a_plain_unit_cell_marks_no_roles() -> None:
    """A cell that only names bodies leaves them all to the column's role."""
    assert marked_roles("Sở Tài chính, Sở Xây dựng") is None


def test_a_table_row_whose_unit_cell_marks_roles() -> None:
    """In a table with one "Đơn vị thực hiện" column, the marked supporting body is support."""
    text = (
        "KẾ HOẠCH\n\n"
        "| STT | Nội dung nhiệm vụ | Đơn vị thực hiện | Thời gian |\n"
        "|---|---|---|---|\n"
        "| 1 | Xây dựng cơ sở dữ liệu đất đai | Sở Nông nghiệp và Môi trường (chủ trì), Sở Tài chính "
        "(phối hợp) | Quý II/2026 |\n"
    )
    assert _tasks(text) == [(("Sở Nông nghiệp và Môi trường",), ("Sở Tài chính",))]
