"""Ruled task tables on scans (crawler/documents/ocr_grid.py, ocr_layout.py, ocr_cells.py): the grid is
found with its merged cells, and a scanned table reaches task extraction as cells, so each row's lead
and deadline are read from their columns as in a Word file's table."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from PIL import Image

from crawler.documents import document_from_bytes
from crawler.documents.ocr import OcrPage, joined_pages, ocr_missing_reason, skew_angle, with_ocr
from crawler.documents.ocr_grid import find_grids
from crawler.documents.ocr_layout import PageTable
from crawler.extract import extract_tasks
from crawler.extract.pipegrid import find_grids as find_pipe_grids
from crawler.extract.tables import is_header
from tests.scan_tables import ScanTable
from tests.scans import render_pages, scanned_pdf

HEADER = ("STT", "Cơ quan chủ trì", "Cơ quan phối hợp", "Nội dung nhiệm vụ", "Thời hạn hoàn thành")
TABLE = ScanTable(rows=(
    HEADER,
    ("I", "NHIỆM VỤ VỀ THỂ CHẾ"),
    ("1", "Sở Nội vụ", "Văn phòng Ủy ban nhân dân tỉnh",
     "Rà soát, sửa đổi quy chế làm việc của Ủy ban nhân dân tỉnh", "Trước ngày 30/6/2026"),
    ("2", "Sở Khoa học và Công nghệ", "Sở Tư pháp", "Xây dựng kế hoạch số hóa hồ sơ thủ tục hành chính",
     "Trước ngày 31/12/2026"),
    ("Tổ chức tập huấn cho cán bộ một cửa cấp xã", "Trước ngày 15/9/2026"),
))
PAGE_TEXT = ["PHỤ LỤC", "NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH NĂM 2026", TABLE]


def test_grid_and_merged_cells_are_found_on_a_tilted_page() -> None:
    """Five rows: the header, a heading over four columns, two full rows, and a row whose first two
    columns are merged with the row above (it holds only its last two cells)."""
    page = render_pages(PAGE_TEXT, tilt_deg=0.7)[0]
    angle = skew_angle(page)
    grids = find_grids(page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255))
    assert len(grids) == 1
    rows: dict[int, list[int]] = {}
    for cell in grids[0].cells:
        rows.setdefault(cell.row, []).append(cell.column)
    assert list(rows.values()) == [[0, 1, 2, 3, 4], [0, 1], [0, 1, 2, 3, 4], [0, 1, 2, 3, 4], [3, 4]]


def test_plain_page_has_no_grid() -> None:
    """Lines of text, however long, draw no table."""
    page = render_pages(["Độc lập - Tự do - Hạnh phúc", "—" * 40, "Kính gửi: các sở, ban, ngành"])[0]
    assert find_grids(page) == []


@pytest.mark.skipif(ocr_missing_reason() is not None and not os.environ.get("CI"),
                    reason=str(ocr_missing_reason()))
def test_scanned_task_table_reaches_extraction_as_cells() -> None:
    """The scan's table comes back cell by cell under its header, pipe-written as task extraction reads
    a converted Word table, and the tasks of its rows carry the lead and deadline of their own row (the
    merged row takes the lead of the row it is merged with); nothing is read twice."""
    pdf = scanned_pdf(render_pages(PAGE_TEXT, tilt_deg=0.7))
    document = with_ocr(document_from_bytes(pdf, "phu-luc-quet.pdf"), pdf)
    grids = find_pipe_grids(document.text.split("\n"))
    assert len(grids) == 1
    rows = grids[0].as_table().rows
    assert [len(row) for row in rows] == [5, 2, 5, 5, 2] and rows[1][0] == "I" and rows[2][0] == "1"
    assert is_header(rows[0]) and rows[0][3] == "Nội dung nhiệm vụ"
    tasks = extract_tasks(document)
    expected = [("quy chế làm việc", ("Sở Nội vụ",), dt.date(2026, 6, 30)),
                ("số hóa hồ sơ", ("Sở Khoa học và Công nghệ",), dt.date(2026, 12, 31)),
                ("tập huấn cho cán bộ", ("Sở Khoa học và Công nghệ",), dt.date(2026, 9, 15))]
    assert len(tasks) == len(expected)
    for words, lead, due in expected:
        task = next(t for t in tasks if words in t.action)
        assert (task.lead, task.deadline.due) == (lead, due)


def test_table_carried_over_a_page_break_stays_one_table() -> None:
    """A table that ends one page and opens the next with the same columns is one pipe-written table
    under its header, with nothing (not even the page number) between its rows; a table with other
    columns on the next page stays apart."""
    head = ["PHỤ LỤC", "", "|", "STT", "|", "Nội dung nhiệm vụ", "|", "Cơ quan chủ trì", "|", "|", "1", "|",
            "Rà soát quy chế", "|", "Sở Nội vụ", "|"]
    rest = ["2", "", "|", "2", "|", "Số hóa hồ sơ", "|", "Sở Tư pháp", "|", "", "Nơi nhận:"]  # page 2
    columns = (240, 400, 1500, 2240)
    first = OcrPage(tuple(head), 95.0, 0.0, (PageTable(2, len(head) - 1, columns),))
    second = OcrPage(tuple(rest), 95.0, 0.0, (PageTable(2, 8, columns),))
    lines, starts = joined_pages([first, second])
    rows = [r for g in find_pipe_grids(lines) for r in g.as_table().rows]
    assert rows == [("STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì"), ("1", "Rà soát quy chế", "Sở Nội vụ"),
                    ("2", "Số hóa hồ sơ", "Sở Tư pháp")]
    assert len(find_pipe_grids(lines)) == 1 and starts == [1, len(head) + 1]
    other = OcrPage(tuple(rest), 95.0, 0.0, (PageTable(2, 8, (240, 900, 2240)),))
    apart = joined_pages([first, other])[0]
    assert apart[len(head) - 1:len(head) + 3] == ["|", "2", "", "|"]  # the page number stays between
