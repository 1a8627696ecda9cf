"""Excel attachments (issue 12, row 4 for XLSX): a workbook's zip members are checked before openpyxl
parses it, like a .docx; a forged sheet that makes the reader fill in rows is refused; a real
workbook's task table is read as cells and its tasks extracted."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

import scheduler
from crawler.documents import document_from_bytes
from crawler.errors import UnusableInputError
from tools.hostile_files import xlsx_far_rows, xlsx_zip_bomb


def plan_workbook(path: Path) -> None:
    """A two-task plan as an Excel table: number, task, lead, support, deadline (a date cell)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["STT", "Nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn hoàn thành"])
    sheet.append([1, "Rà soát, đơn giản hóa thủ tục hành chính nội bộ", "Sở Nội vụ", "Sở Tư pháp",
                  dt.datetime(2026, 3, 31)])
    sheet.append([2, "Xây dựng kho dữ liệu dùng chung của tỉnh", "Sở Khoa học và Công nghệ", "Các sở, ngành",
                  dt.datetime(2026, 6, 30)])
    workbook.save(path)


def test_xlsx_zip_bomb_is_refused_before_parsing() -> None:
    """A .xlsx whose sheet XML expands to 100 MB is refused with the expanded size and the limit."""
    with pytest.raises(UnusableInputError, match=r"bom\.xlsx: tệp nén bung ra 100 MB, vượt giới hạn 64 MB"):
        document_from_bytes(xlsx_zip_bomb(100), "bom.xlsx")


def test_forged_sheet_rows_are_refused() -> None:
    """A 2-row sheet numbering its second row 900,000,000 (at column XFD) is refused, not padded out."""
    with pytest.raises(UnusableInputError, match=r"bảng tính có hơn 100\.000 dòng hoặc 1\.000\.000 ô"):
        document_from_bytes(xlsx_far_rows(900_000_000), "gia.xlsx")


def test_broken_xlsx_is_named_as_excel() -> None:
    """Bytes that start like a zip but are not one: one line naming the Excel file."""
    with pytest.raises(UnusableInputError, match=r"^hong\.xlsx: tệp Excel \(\.xlsx\) bị hỏng, không đọc"):
        document_from_bytes(b"PK\x03\x04 not a workbook", "hong.xlsx")


def test_extract_reads_a_workbook_task_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`dondoc extract kh.xlsx`: each table row is a task with its lead, support and day-first deadline."""
    path = tmp_path / "kh.xlsx"
    plan_workbook(path)
    assert scheduler.main(["extract", str(path)]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["lead"], r["support"], r["deadline"]["due"]) for r in records] == [
        (["Sở Nội vụ"], ["Sở Tư pháp"], "2026-03-31"),
        (["Sở Khoa học và Công nghệ"], ["Các sở, ngành"], "2026-06-30"),
    ]
    document = document_from_bytes(path.read_bytes(), "kh.xlsx")
    assert document.tables[0].rows[1][4] == "31/03/2026"
