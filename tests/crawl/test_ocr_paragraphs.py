"""Paragraphs rebuilt from a scan's printed lines (crawler/documents/ocr_paragraphs.py, used by
ocr_layout.page_layout): a paragraph wrapped over printed lines comes back as one line, list items,
indented paragraphs, paragraph gaps and table cells keep their own lines."""

from __future__ import annotations

import os

import pytest

from crawler.documents import document_from_bytes
from crawler.documents.ocr import OcrPage, joined_pages, ocr_missing_reason, with_ocr
from crawler.documents.ocr_grid import GridCell, PageGrid
from crawler.documents.ocr_layout import Word, page_layout
from crawler.documents.ocr_paragraphs import PageEdges, PrintedLine, TextColumn, continues, paragraph_lines
from tests.scans import text_scan_pdf

SPACE = 15
COLUMN = TextColumn(left=240, right=2240, chars=100, space_px=SPACE)


def _line(text: str, right: int, left: int = 240, first_px: int = 120) -> PrintedLine:
    """A printed line of prose from `left` to `right`, its first word `first_px` wide."""
    return PrintedLine(text=text, left=left, right=right, first_word_px=first_px)


def test_justified_paragraph_is_one_line_and_an_indented_one_starts_anew() -> None:
    """Lines that run to the right edge are joined to the next; a short last line ends the paragraph,
    and so does a first-line indent even after a full line."""
    run = [
        _line("Ủy ban nhân dân tỉnh yêu cầu các sở, ban, ngành rà soát", 2238, left=358),
        _line("thủ tục hành chính và báo cáo kết quả trước ngày", 2240),
        _line("30/6/2026.", 520, first_px=280),
        _line("Sở Nội vụ chủ trì tổng hợp, tham mưu Ủy ban nhân dân", 2240, left=358),
        _line("tỉnh.", 330),
        _line("Giao Văn phòng theo dõi.", 900, left=358),
    ]
    assert paragraph_lines(run, COLUMN) == [
        "Ủy ban nhân dân tỉnh yêu cầu các sở, ban, ngành rà soát thủ tục hành chính và báo cáo kết quả "
        "trước ngày 30/6/2026.",
        "Sở Nội vụ chủ trì tổng hợp, tham mưu Ủy ban nhân dân tỉnh.",
        "Giao Văn phòng theo dõi.",
    ]


@pytest.mark.parametrize("item", ["- Bộ Xây dựng;", "+ Sở Y tế;", "• Sở Tài chính;", "1. Sở Nội vụ",
                                  "a) Rà soát quy hoạch;", "Điều 3. Hiệu lực thi hành", "II. NHIỆM VỤ",
                                  "(2) Sở Công Thương", "2.1. Về thể chế", "3: Cục Điện ảnh"])
def test_a_list_item_after_a_finished_sentence_keeps_its_line(item: str) -> None:
    """A line that opens a list item after a full line ending a sentence or a lead-in is not joined
    (a numbered heading too when OCR read its period as a colon)."""
    above = _line("Các cơ quan, đơn vị sau đây khẩn trương triển khai thực hiện các nội dung:", 2240)
    assert not continues(above, _line(item, 1200), COLUMN)
    assert not continues(_line("Hoàn thành trong quý I năm 2026.", 2240), _line(item, 1200), COLUMN)


def test_a_dash_that_wrapped_into_an_unfinished_sentence_is_joined() -> None:
    """"2026 - 2030" wrapped before its dash: the dash continues the sentence, it opens no item."""
    run = [_line("thực hiện Kế hoạch hành động quốc gia giai đoạn 2026", 2236),
           _line("- 2030, tầm nhìn đến năm 2045.", 1100, first_px=20)]
    assert paragraph_lines(run, COLUMN) == [
        "thực hiện Kế hoạch hành động quốc gia giai đoạn 2026 - 2030, tầm nhìn đến năm 2045."]


def test_text_printed_at_a_fixed_width_is_rejoined_by_characters() -> None:
    """A plain text wrapped at 72 characters in a proportional font ends its lines well short of the
    column in pixels: a line is full when the next line's first word would pass 72 characters."""
    column = TextColumn(left=240, right=2490, chars=72, space_px=SPACE)
    wrapped = "Đồng bằng sông Cửu Long nói chung và thành phố Cần Thơ nói riêng được"  # 69 characters
    run = [_line(wrapped, 1900), _line("đánh giá là vùng có nguồn nước mặt dồi dào.", 1300),
           _line("Nước là nguồn tài nguyên có vai", 900), _line("trò đặc biệt quan trọng.", 700)]
    assert paragraph_lines(run, column) == [
        f"{wrapped} đánh giá là vùng có nguồn nước mặt dồi dào.", "Nước là nguồn tài nguyên có vai",
        "trò đặc biệt quan trọng."]


def _words(text: str, top: int, line: tuple[int, int, int], left: int = 240, step: int = 160,
           height: int = 40) -> list[Word]:
    """Tesseract-like words of one printed line: each `step` pixels apart, 120 wide at most."""
    return [Word(word, 95.0, line, left + i * step, top, min(step - SPACE, 120), height)
            for i, word in enumerate(text.split())]


def test_page_layout_joins_within_a_paragraph_not_across_a_gap() -> None:
    """Tesseract's rows of a page: two full lines and a short one form a paragraph; after a blank
    line's gap, a line that the one above would let continue still starts a new paragraph."""
    full = " ".join(["chủ", "trì"] * 6)  # 12 words from 240 to 2240 pixels
    words = [*_words(full, 300, (1, 1, 1)), *_words(full, 366, (1, 1, 2)),
             *_words("phối hợp.", 432, (1, 1, 3)),
             *_words(full, 564, (1, 2, 1)), *_words("thực hiện.", 630, (1, 2, 2))]
    lines, tables, _ = page_layout(words, [])
    assert lines == [f"{full} {full} phối hợp.", "", f"{full} thực hiện."] and not tables


def test_a_row_of_marks_split_off_a_line_is_dropped() -> None:
    """Diacritics or specks Tesseract read as a row of their own ("^ˆ 2. ~ -", marks a fifth of a
    letter's height) are left out: they open no false item and the paragraph around them is one line."""
    full = " ".join(["chủ", "trì"] * 6)
    words = [*_words(full, 300, (1, 1, 1)), *_words("^ˆ 2. ~ - #", 350, (1, 1, 2), step=300, height=8),
             *_words("xong.", 366, (1, 1, 3))]
    lines, _, _ = page_layout(words, [])
    assert lines == [f"{full} xong."]


def test_page_layout_keeps_table_cells_apart() -> None:
    """Prose is joined on each side of a ruled table, not into it, and a cell's two printed lines stay
    two lines of the pipe-written cell."""
    full = " ".join(["giao"] * 12)
    cells = (GridCell(0, 0, (240, 500, 1240, 700)), GridCell(0, 1, (1240, 500, 2240, 700)))
    grid = PageGrid(box=(240, 500, 2240, 700), cells=cells, rules=())
    words = [*_words(full, 300, (1, 1, 1)), *_words(full, 366, (1, 1, 2)),
             *_words("Sở Nội vụ", 520, (2, 1, 1), left=260), *_words("chủ trì", 586, (2, 1, 2), left=260),
             *_words("Quý I", 520, (2, 1, 3), left=1260),
             *_words(full, 800, (3, 1, 1)), *_words("xong.", 866, (3, 1, 2))]
    lines, tables, _ = page_layout(words, [grid])
    assert lines == [f"{full} {full}", "", "|", "Sở Nội vụ", "chủ trì", "|", "Quý I", "|", "",
                     f"{full} xong."]
    assert len(tables) == 1


def test_a_paragraph_that_runs_on_to_the_next_page_is_one_line() -> None:
    """A full last line and a next page that goes on at the margin make one line; a next page that
    opens with an indented paragraph starts its own."""
    ending = _line("Sở Tài chính chủ trì, phối hợp với các sở, ngành tổng hợp kết quả và báo cáo", 2240)
    going_on = _line("Ủy ban nhân dân tỉnh trước ngày 15/4/2026.", 1300)
    indented = _line("Giao Văn phòng theo dõi, đôn đốc.", 1200, left=358)
    first = OcrPage(("Mở đầu.", ending.text), 95.0, 0.0, edges=PageEdges(None, ending, COLUMN))
    for opening, want in ((going_on, [f"Mở đầu.\n{ending.text} {going_on.text}"]),
                          (indented, [f"Mở đầu.\n{ending.text}\n{indented.text}"])):
        second = OcrPage((opening.text, "Hết."), 95.0, 0.0, edges=PageEdges(opening, None, COLUMN))
        lines, starts = joined_pages([first, second])
        assert ["\n".join(lines[:-1])] == want and lines[-1] == "Hết." and starts[0] == 1


MISSING = ocr_missing_reason()


@pytest.mark.skipif(MISSING is not None and not os.environ.get("CI"), reason=MISSING or "")
def test_a_scanned_page_gives_each_paragraph_and_item_one_line() -> None:
    """A rendered, tilted page read by Tesseract: a paragraph wrapped over four printed lines comes
    back as one line, and each dashed item after it keeps its own."""
    paragraph = ("Để kịp thời ngăn chặn, giảm thiểu thiệt hại do mưa lũ gây ra, Thủ tướng Chính phủ yêu "
                 "cầu Chủ tịch Ủy ban nhân dân các tỉnh, thành phố tập trung chỉ đạo, triển khai ngay các "
                 "biện pháp ứng phó với mưa lũ, bảo đảm an toàn tính mạng của người dân, hạn chế thiệt "
                 "hại về tài sản của Nhà nước và Nhân dân, cụ thể như sau:")
    items = ["- Rà soát, sơ tán người dân khỏi khu vực nguy hiểm;",
             "- Bố trí lực lượng, phương tiện, vật tư tại các địa bàn xung yếu;",
             "- Báo cáo kết quả về Bộ Nông nghiệp và Môi trường trước ngày 30/11/2025."]
    pdf = text_scan_pdf("\n".join([paragraph, *items]))
    lines = [line for line in with_ocr(document_from_bytes(pdf, "quet.pdf"), pdf).text.split("\n") if line]
    assert len(lines) == 4
    assert lines[0].startswith("Để kịp thời") and lines[0].endswith("cụ thể như sau:")
    assert [line[:12] for line in lines[1:]] == [item[:12] for item in items]
