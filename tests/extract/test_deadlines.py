"""Each deadline form of issue 3, with small cases of its own."""

from __future__ import annotations

import datetime as dt

import pytest

from crawler.extract.deadlines import best_deadline, find_deadlines
from crawler.models import Precision


def _one(text: str, year: int | None = 2025, cells: bool = False) -> tuple[str | None, str, str | None]:
    """The chosen deadline of a text as (due, precision, time)."""
    found = best_deadline(find_deadlines(text, year, cells))
    assert found is not None, text
    d = found.deadline
    return (
        d.due.isoformat() if d.due else None,
        d.precision.value,
        d.time.strftime("%H:%M") if d.time else None,
    )


@pytest.mark.parametrize(
    ("text", "due", "precision"),
    [
        ("Nộp báo cáo trước ngày 20/11/2026.", "2026-11-20", "day"),
        ("hoàn thành trước 5/3/26", "2026-03-05", "day"),
        ("Hạn: 28-02-2027", "2027-02-28", "day"),
        ("\n2027-03-01\n", "2027-03-01", "day"),
        ("\n7/31/2026\n", "2026-07-31", "day"),
        ("gửi Sở trước ngày 9 tháng 6 năm 2026", "2026-06-09", "day"),
        ("hoàn thành chậm nhất ngày 02/02/2026", "2026-02-02", "day"),
        ("Hoàn thành trong tháng 3/2026.", "2026-03-31", "month"),
        ("\nTháng \n2/2028\n", "2028-02-29", "month"),
        ("trình Chính phủ trong tháng 4 năm 2026", "2026-04-30", "month"),
        ("\nQuý IV/2026\n", "2026-12-31", "quarter"),
        ("thực hiện trong quý 1/2027", "2027-03-31", "quarter"),
        ("hoàn thành 6 tháng đầu năm 2026", "2026-06-30", "half"),
        ("\n6 tháng cuối năm\n", "2025-12-31", "half"),
        ("bảo đảm hoàn thành trong năm 2026", "2026-12-31", "year"),
        ("\nNăm 2021\n", "2021-12-31", "year"),
        ("triển khai từ nay đến cuối năm 2026", "2026-12-31", "year"),
        ("Phấn đấu đến hết năm 2027, 100% hồ sơ", "2027-12-31", "year"),
    ],
)
def test_dated_forms(text: str, due: str, precision: str) -> None:
    """Day, month, quarter, half and year forms give the last allowed day."""
    assert _one(text)[:2] == (due, precision)


def test_day_without_year_takes_document_year() -> None:
    """ "trước ngày 15/4" takes the year of the document."""
    assert _one("xây dựng kế hoạch, hoàn thành trước ngày 15/4.", 2024)[:2] == ("2024-04-15", "day")


def test_clock_time() -> None:
    """ "trước 10 giờ, ngày 03/10/2025" keeps the time."""
    assert _one("gửi báo cáo trước 9 giờ 30, ngày 04/11/2026.") == ("2026-11-04", "day", "09:30")


@pytest.mark.parametrize(
    "text",
    [
        "Nhiệm vụ thường xuyên.",
        "Hàng tháng báo cáo kết quả",
        "báo cáo định kỳ về Sở",
        "hằng năm tổng kết",
        "trước ngày 25 hằng tháng gửi báo cáo",
        "gửi báo cáo trước ngày 25 của tháng cuối quý",
        "thanh tra theo định\nkỳ hoặc đột xuất",  # the words of a schedule wrapped over two lines
        "báo cáo chậm nhất ngày 10 tháng cuối quý",
        "\nThường \nxuyên\n",
    ],
)
def test_recurring_forms(text: str) -> None:
    """Recurring duties have no due date and the recurring precision."""
    assert _one(text) == (None, "recurring", None)


@pytest.mark.parametrize(
    "text",
    [
        "Thực hiện Nghị quyết số 71/NQ-CP ngày 01/4/2025 của Chính phủ",
        "theo Kế hoạch số 02-KH/BCĐTW, ngày 19/6/2025 của Ban Chỉ đạo",
        "Ngày 29/9/2025, đồng chí Bộ trưởng đã chủ trì cuộc họp",
        "Chiến lược giai đoạn 2026 - 2030",
        "hoàn thành 2/3 khối lượng công việc",
        "các sở thường xuyên kiểm tra, đôn đốc",
        "bố trí kinh phí từ ngân sách hằng năm",  # an annual budget, not an annual duty
        "theo Nghị quyết hằng năm của Hội đồng nhân dân thành phố",
    ],
)
def test_not_deadlines(text: str) -> None:
    """Dates of cited documents, event dates, ranges of years and ratios are not deadlines."""
    assert find_deadlines(text, 2025) == []


def test_strongest_cue_wins() -> None:
    """An explicit "Hoàn thành trước" beats a scope phrase in the same sentence."""
    text = "báo cáo các nhiệm vụ từ nay đến cuối năm 2025. Hoàn thành trước ngày 5/10/2025."
    assert _one(text)[:2] == ("2025-10-05", "day")


def test_raw_keeps_cue_words() -> None:
    """The raw words include the cue ("trước ngày ...")."""
    found = best_deadline(find_deadlines("báo cáo UBND tỉnh **trước ngày 16/10/2025**.", 2025))
    assert found is not None and found.deadline.raw == "trước ngày 16/10/2025"
    assert found.deadline.due == dt.date(2025, 10, 16) and found.deadline.precision is Precision.DAY


def test_invalid_dates_are_ignored() -> None:
    """Impossible dates are not deadlines."""
    assert find_deadlines("hoàn thành trước ngày 31/02/2026", 2025) == []


def test_cells_accept_bare_values() -> None:
    """In a row's cells a bare period is the deadline column's value."""
    assert _one("Bộ Nội vụ Tháng \n8/2025", cells=True)[:2] == ("2025-08-31", "month")


def test_far_years_are_horizons() -> None:
    """ "Chiến lược ... đến năm 2030" in a 2025 document is a planning horizon, not a deadline."""
    assert find_deadlines("triển khai Chiến lược thu hút nhân tài đến năm 2030, tầm nhìn 2045", 2025) == []
    assert _one("hoàn thành trước năm 2030", 2025)[:2] == ("2030-12-31", "year")


@pytest.mark.parametrize(
    ("text", "cells", "due", "precision"),
    [
        ("\nNăm 2026 - 2027\n", True, "2027-12-31", "year"),
        ("\n2026 - 2032\n", True, "2032-12-31", "year"),
        ("\nGiai đoạn 2027-2028. Sau đó rà soát (nếu có)\n", True, "2028-12-31", "year"),
        ("Bộ Y tế hoàn thành trong giai đoạn 2026 - 2027.", False, "2027-12-31", "year"),
        ("\nQuý III/2026 - Quý I/2027\n", True, "2027-03-31", "quarter"),
        ("Sở Tài chính hoàn thiện đề án trong giai đoạn Năm 2026 - 2027.", False, "2027-12-31", "year"),
        ("Sở Xây dựng thực hiện trong Quý IV/2026 - Quý II/2027.", False, "2027-06-30", "quarter"),
        ("Sở Y tế triển khai trong quý III và quý IV năm 2026.", False, "2026-12-31", "quarter"),
        ("Các sở thực hiện trong quý I, quý II và quý III/2026.", False, "2026-09-30", "quarter"),
    ],
)
def test_ranges_take_their_end(text: str, cells: bool, due: str, precision: str) -> None:
    """A span of years or quarters is due at the end of the span (CONVENTIONS.md)."""
    assert _one(text, cells=cells)[:2] == (due, precision)


def test_plan_periods_in_prose_are_not_deadlines() -> None:
    """A period that names a plan's horizon ("Kế hoạch giai đoạn 2026 - 2030") is no deadline."""
    assert find_deadlines("Ban hành Kế hoạch giai đoạn 2026 - 2030 của tỉnh về du lịch", 2025) == []


def test_bare_year_cell() -> None:
    """A deadline cell holding only a year ("2027") is due at the end of that year."""
    assert _one("\n2027\n", cells=True)[:2] == ("2027-12-31", "year")


def test_years_that_follow_recur() -> None:
    """ "2026 và các năm tiếp theo" is a recurring duty, with no due date."""
    assert _one("\nNăm 2026 và các năm tiếp theo\n", cells=True)[:2] == (None, "recurring")


def test_on_a_day() -> None:
    """ "vào ngày 05/12/2026" is the day itself."""
    assert _one("Tổ chức tổng kết vào ngày 05/12/2026 tại Hội trường.")[:2] == ("2026-12-05", "day")


def test_before_lunar_new_year() -> None:
    """ "trước Tết Nguyên đán năm 2027" is the day before Mùng 1 Tết (06/02/2027)."""
    assert _one("Chi trả đầy đủ trước Tết Nguyên đán năm 2027.")[:2] == ("2027-02-05", "day")


def test_month_span_takes_its_end() -> None:
    """ "Tháng 11 - 12/2026" is due at the end of the second month."""
    assert _one("Thời gian hoàn thành: Tháng 11 - 12/2026.")[:2] == ("2026-12-31", "month")


def test_day_span_takes_its_end() -> None:
    """ "từ ngày 15/11 đến ngày 15/12" is due on its last day, in the document's year."""
    assert _one("Triển khai Tháng hành động (từ ngày 10/11 đến ngày 20/12) trên toàn tỉnh")[:2] == (
        "2025-12-20",
        "day",
    )


def test_publication_stamp_is_not_a_deadline() -> None:
    """A byline's "03/04/2026 11:45" says when a page was published; "00:00" cells are dates."""
    assert find_deadlines("Thụy Anh\n03/04/2026 11:45\n(Chinhphu.vn) - Sáng nay", 2026) == []
    assert _one("\n2026-06-20 00:00:00\n", cells=True)[:2] == ("2026-06-20", "day")


def test_term_words_are_not_deadline_cues() -> None:
    """ "kế hoạch đầu tư công trung hạn giai đoạn 2026-2030" names a plan's term, not a deadline."""
    assert find_deadlines("đăng ký kế hoạch vốn đầu tư công trung hạn giai đoạn 2026-2030", 2025) == []


def test_a_date_in_words_without_ngay_needs_its_year() -> None:
    """ "dịp 19 tháng 12 năm 2026" is a day; "trong 3 tháng 12/2026" is not read as one."""
    found = find_deadlines("khởi công dịp 19 tháng\n12 năm 2026, trên tinh thần tiết kiệm", 2026)
    assert [(m.deadline.due, m.deadline.precision) for m in found] == [(dt.date(2026, 12, 19), Precision.DAY)]
    assert all(m.deadline.due != dt.date(2026, 12, 3) for m in find_deadlines("Trong 3 tháng 12/2026", 2026))


def test_a_date_decades_before_the_document_is_not_a_deadline() -> None:
    """ "trước ngày 01 tháng 01 năm 1945" in a 2026 text is history; "Năm 2022" stays (old tasks)."""
    assert find_deadlines("Con của người hoạt động cách mạng trước ngày 01 tháng 01 năm 1945;", 2026) == []
    old = find_deadlines("hoàn thành trong năm 2022", 2026)
    assert [m.deadline.due for m in old] == [dt.date(2022, 12, 31)]


@pytest.mark.parametrize(
    ("text", "due", "precision", "raw"),
    [
        ("hoàn thành không muộn hơn ngày 15/12/2026", "2026-12-15", "day", "không muộn hơn ngày 15/12/2026"),
        ("gửi hồ sơ không quá ngày 20/12/2026", "2026-12-20", "day", "không quá ngày 20/12/2026"),
        ("trước ngày 15 tháng 12 hằng năm", None, "recurring", "trước ngày 15 tháng 12 hằng năm"),
        ("báo cáo trước ngày 31/12 hằng năm", None, "recurring", "báo cáo trước ngày 31/12 hằng năm"),
        ("tổ chức trong tuần đầu tháng 12/2026", "2026-12-31", "month", "tuần đầu tháng 12/2026"),
    ],
)
def test_latest_day_forms_and_recurring_days(text: str, due: str | None, precision: str, raw: str) -> None:
    """ "không muộn hơn/không quá ngày X" bound the work like "trước"; a yearly day keeps its day and
    month in the phrase ("trước ngày 15 tháng 12 hằng năm")."""
    found = best_deadline(find_deadlines(text, 2026))
    assert found is not None
    d = found.deadline
    assert (d.due.isoformat() if d.due else None, d.precision.value, d.raw) == (due, precision, raw)


@pytest.mark.parametrize(
    "text",
    ["Sở Y tế thực hiện từ nay đến hết ngày 31/12/2025.", "Kéo dài thời gian đến hết ngày 31/12/2025"],
)
def test_until_the_end_of_a_day_is_a_deadline(text: str) -> None:
    """ "đến hết ngày 31/12/2025" names the last day the work may take."""
    assert _one(text) == ("2025-12-31", "day", None)


@pytest.mark.parametrize("text", ["Tính đến hết ngày 30/11/2025, đã có 20 tỉnh xong.", "tính đến ngày 30/11"])
def test_as_of_a_day_is_no_deadline(text: str) -> None:
    """ "Tính đến (hết) ngày …" dates a statistic, it sets no deadline."""
    assert find_deadlines(text, 2025) == []


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("hoàn thành trong tháng 11 và tháng 12/2025", "2025-12-31"),
        ("thực hiện trong tháng 10, 11 năm 2026", "2026-11-30"),
        ("tổ chức trong tháng 12/2025 và tháng 1/2026", "2026-01-31"),
    ],
)
def test_a_span_of_months_is_due_at_its_last_month(text: str, due: str) -> None:
    """Months listed together ("tháng 11 và tháng 12/2025") give the work until the last one."""
    assert _one(text) == (due, "month", None)


def test_a_count_after_a_month_is_no_later_month() -> None:
    """ "trong tháng 12, 2 đơn vị …" is December and a count of units, not December to February."""
    assert _one("hoàn thành trong tháng 12, 2 đơn vị còn lại") == ("2025-12-31", "month", None)


_GATED_SAMPLES = (
    "Năm 2025 và các năm tiếp theo",
    "giai đoạn 2026 - 2030",
    "trước ngày 20 hằng tháng",
    "từ ngày 15 - 20/4/2026",
    "ngày 15 tháng 5 năm 2025",
    "19 tháng 12 năm 2025",
    "Bộ Tài chính\n2025\n",
    "nhiệm vụ thường xuyên",
    "định kỳ hằng quý",
    "2 lần / tuần",
    "trước ngày 10 của tháng đầu mỗi quý",
)


def test_every_gate_belongs_to_a_pattern_and_is_in_its_matches() -> None:
    """A gate skips a pattern's scan only where the pattern cannot match: each gate is keyed by a
    pattern in use, and each match of that pattern contains its gate."""
    from crawler.extract.deadlines import _GATE_OF, _GATES
    from crawler.extract.normalize import fold

    assert len(_GATE_OF) == len(_GATES)
    seen = set()
    for pattern, gate in _GATE_OF.items():
        for sample in _GATED_SAMPLES:
            for match in pattern.finditer(fold(sample)):
                assert gate.search(match.group()), (pattern.pattern, sample)
                seen.add(pattern)
    assert seen == set(_GATE_OF)
