"""Normalization: NFC, tone placement for matching, odd spaces, soft hyphens, furniture, Cyrillic."""

from __future__ import annotations

import itertools
import re
import unicodedata

from crawler.extract import extract_tasks
from crawler.extract.normalize import (
    MARKUP,
    clean_line,
    clean_lines,
    fold,
    is_watermark,
    modern_spelling,
    words_upto,
)
from crawler.extract.refs import document_numbers
from crawler.models import DocumentText


def test_nfd_becomes_nfc() -> None:
    """Decomposed letters are composed."""
    nfd = unicodedata.normalize("NFD", "Ủy ban nhân dân")
    assert clean_line(nfd) == "Ủy ban nhân dân"


def test_fold_keeps_length_and_matches_old_tones() -> None:
    """Old and new tone placement fold to one key of the same length; "quý" and "hoàn" stay."""
    for old, new in [("Uỷ ban", "Ủy ban"), ("Toà án", "Tòa án"), ("hoá", "hóa"), ("THUỶ", "thủy")]:
        assert fold(old) == fold(new) and len(fold(old)) == len(old)
    assert fold("Quý II") == "quý ii" and fold("HOÀN THÀNH") == "hoàn thành"
    assert fold("Hoàn thành hoà giải, quỷ, uỷ") == "hoàn thành hòa giải, quỷ, ủy"  # a pair, then old tones


def test_modern_spelling_for_display() -> None:
    """Display text gets the modern spelling; original words elsewhere are untouched."""
    assert modern_spelling("Đảng uỷ Toà án, quý, Hoàng") == "Đảng ủy Tòa án, quý, Hoàng"


def test_spaces_and_soft_hyphens() -> None:
    """Non-breaking and odd spaces become spaces; soft hyphens and zero-width marks go."""
    assert clean_line("Bộ\u00a0Tài\u2009chính\u00ad\u200b") == "Bộ Tài chính"


def test_cyrillic_look_alikes() -> None:
    """Cyrillic look-alikes in document numbers become Latin."""
    line = clean_line("Công điện số 60/СĐ-ТTg")
    assert document_numbers(line) == ["60/CĐ-TTg"]


def test_watermarks_and_running_headers_are_blanked() -> None:
    """Page numbers, site stamps and repeated page headers are blanked; line count is kept."""
    text = "\n".join(
        [
            "Nội dung một",
            "Trang 1/3",
            "BÁO CÁO TIẾN ĐỘ THỰC HIỆN CHƯƠNG TRÌNH",
            "a",
            "BÁO CÁO TIẾN ĐỘ THỰC HIỆN CHƯƠNG TRÌNH",
            "b",
            "BÁO CÁO TIẾN ĐỘ THỰC HIỆN CHƯƠNG TRÌNH",
            "c",
            "BÁO CÁO TIẾN ĐỘ THỰC HIỆN CHƯƠNG TRÌNH",
        ]
    )
    lines = clean_lines(text)
    assert len(lines) == 9
    assert lines[1] == "" and lines[2] == "" and lines[0] == "Nội dung một"
    assert is_watermark("www.example.gov.vn") and not is_watermark("1. Bộ Công an chủ trì")


def test_repeated_table_headers_survive_for_segmentation() -> None:
    """Repeated table headers are kept: the segmenter needs them to find tables."""
    text = "\n".join(["STT Tên nhiệm vụ Cơ quan chủ trì Thời hạn", "x"] * 4)
    assert clean_lines(text)[0].startswith("STT")


def test_long_texts_are_cut_at_a_word_with_an_ellipsis() -> None:
    """An action over 300 characters ends at a whole word and "…", never inside "tỉnh"."""
    from crawler.extract.normalize import trim_text

    text = "Ủy ban nhân dân tỉnh " * 20  # 420 characters
    cut = trim_text(text)
    assert len(cut) <= 300 and cut.endswith("…")
    assert cut[:-1].split()[-1] in ("Ủy", "ban", "nhân", "dân", "tỉnh")
    assert trim_text("Sở Nội vụ chủ trì.") == "Sở Nội vụ chủ trì."


def test_a_plan_field_label_wrapped_before_its_colon_is_not_a_running_header() -> None:
    """A plan repeats "Đơn vị chủ trì thực hiện: …" under every activity; where the label wraps before
    its colon the repeated first half is text, not a page header, and the field still reads."""
    activity = ["- Tổ chức tập huấn cho cán bộ.", "Đơn vị chủ trì tham mưu thực", "hiện: Sở Tư pháp."]
    lines = clean_lines("\n".join(activity * 4))
    assert lines.count("Đơn vị chủ trì tham mưu thực") == 4
    one = activity[0] + "\n\n" + "\n".join(activity[1:])
    plan = "\n\n".join(["1. Nhiệm vụ", *[one] * 4])
    doc = DocumentText(name="made-up.txt", text=plan, number="15/KH-UBND")
    assert [t.lead for t in extract_tasks(doc)] == [("Sở Tư pháp",)] * 4


def test_words_upto_compares_as_a_full_count() -> None:
    """A capped word count answers every comparison with its cap as the full count does."""
    for text in ("", "  Bộ  Tài\nchính  ", "a b c d e f g", " a b c d e f g h i "):
        for cap in range(0, 10):
            full, capped = len(text.split()), words_upto(text, cap)
            assert (full < cap, full <= cap, full > cap) == (capped < cap, capped <= cap, capped > cap)


def test_markup_removal_matches_its_plain_form() -> None:
    """MARKUP, written so the regex engine can skip to candidates, removes what the plain form
    ("\\*+|__|<sup>.*?</sup>|<[^>]{1,20}>|^#+\\s*") removes, heading marks only at a line's start."""
    plain = re.compile(r"\*+|__|<sup>.*?</sup>|<[^>]{1,20}>|^#+\s*", re.MULTILINE)
    pieces = ["*", "_", "<", ">", "<sup>", "</sup>", "#", "\n", " ", "a"]
    for size in range(1, 5):
        for parts in itertools.product(pieces, repeat=size):
            text = "".join(parts)
            assert MARKUP.sub("", text) == plain.sub("", text), repr(text)
