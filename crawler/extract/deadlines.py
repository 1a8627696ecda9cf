"""A grammar of Vietnamese deadline phrases: days, months, quarters, halves, years, recurring forms.

`find_deadlines` scans a text and returns every deadline phrase with its span, its meaning (due =
last allowed day, precision, optional clock time) and how strongly the context marks it as a
deadline. Dates of cited documents ("Nghị quyết số 71/NQ-CP ngày 01/4/2025") and event dates
without a deadline cue are left out. All patterns are linear: no nested quantifiers.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from crawler.extract.normalize import fold
from crawler.models import Deadline, Precision

CELL = 1  # the phrase fills a table cell or starts a line: a deadline column value
CUE = 2  # a weak cue precedes it: "trong", "đến", "vào", "cuối"
STRONG = 3  # an explicit cue: "trước", "chậm nhất", "hoàn thành", "thời hạn"

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
# Patterns open with what they need (a digit, a word) and test what comes before it with a lookbehind
# placed after it ("\d(?<![\d/]\d)" for "(?<![\d/])\d"): the regex engine can then skip straight to
# candidates instead of trying every position, and the matches are the same.
_SEP = r"\s*[/.\-]\s*"
_YEAR = r"(\d{4}|\d{2})(?!\d)"
_DMY = rf"(\d(?<![\d/.\-]\d)\d?){_SEP}(\d{{1,2}}){_SEP}{_YEAR}(?![/\-]\d)"
_ISO = r"(\d(?<![\d/.\-]\d)\d{3})-(\d{1,2})-(\d{1,2})(?![\d/\-])"
# "ngày 15 tháng 5 (năm 2025)", or with its year "15 tháng 12 năm 2025" without "ngày"
_WORDS_DATE = (
    r"(?:ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})(?:\s*(?:năm|/|,)\s*(\d{4}))?"
    r"|(?<![\w/])(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4}))"
)
_TIME = r"(\d\d?)\s*(?:giờ|h|g)\s*(?:(\d{1,2})\s*(?:phút)?)?\s*,?\s*(?:ngày\s+)?"
_STRONG_CUE = re.compile(
    r"(?<!\w)(?:trước|chậm nhất|không muộn hơn|muộn nhất|không quá|hoàn thành|thời hạn|hạn chót"
    r"|(?<!trung )(?<!dài )(?<!ngắn )(?<!quá )hạn"
    r"|xong|ban hành|báo cáo|gửi|trình|nộp|kết thúc)"
    r"(?:\s+(?:ngày|trong|vào|là|:|đến|trước|ngay))*\s*:?\s*$"
)
_WEAK_CUE = re.compile(
    r"(?<!\w)(?:trong|vào|đến hết|đến|tới|hết|cuối|tuần đầu|từ nay đến|ngay trong|khoảng thời gian từ|"
    r"thời gian|giữa|nhiệm vụ|dự kiến|phấn đấu|đạt|thực hiện|dịp)(?:\s+(?:ngày|trong|tháng))?\s*[:,]?\s*$"
)
_CITED = re.compile(
    r"(?:số\s*\d[\w.]*[\-/][\w.\-/&]*|\d+[\-/][\w.\-/&]*[a-zđ][\w.\-/&]*|ký|ban hành|họp|ngày ký|thông qua)"
    r"\s*,?\s*(?:ngày\s*)?$"
)
_NOT_DEADLINE = re.compile(r"(?:từ|kể từ|giai đoạn|so với|ngày|đến ngày|tính đến|đến thời điểm|từ ngày)\s*$")


# "diễn ra vào ngày 4/4 vừa qua": when something took place, not a deadline
_TOOK_PLACE_BEFORE = re.compile(
    r"(?:diễn ra|đã tổ chức|được tổ chức)(?:\s+(?:vào|trong|từ))?(?:\s+ngày)?\s*$"
)
_TOOK_PLACE_AFTER = re.compile(r"\s*,?\s*(?:vừa qua|vừa rồi|trước đó)(?!\w)")
_STAMP_AFTER = re.compile(r"\s*,?\s*(?!00:00)\d{1,2}:\d{2}(?!\d)")
_ON_DAY = re.compile(r"(?:vào|trong)\s+ngày\s*$")  # "vào ngày 01/12/2025" names the day work is due
_MAYBE = re.compile(r"\d|thường\s+xuyên|hằng|hàng|định\s+kỳ")


@dataclass(frozen=True)
class DeadlineMatch:
    """One deadline phrase found in a text: its span, meaning and cue strength (CELL, CUE, STRONG)."""

    start: int
    end: int
    deadline: Deadline
    strength: int


def _last_day(year: int, month: int) -> dt.date:
    """Return the last day of a month."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _year(text: str | None, default: int | None) -> int | None:
    """Read a 2- or 4-digit year, or fall back to the document's year."""
    if not text:
        return default
    value = int(text)
    return value + 2000 if value < 100 else value


def _day(year: int | None, month: int, day: int) -> dt.date | None:
    """Build a date, reading US order (m/d) when the day slot cannot be a month; None if invalid."""
    if year is None or not 1900 <= year <= 2100:
        return None
    if month > 12 and day <= 12:
        month, day = day, month
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _context_strength(before: str, at_cell_start: bool) -> tuple[int, int]:
    """Grade the words before a phrase (explicit cue, weak cue, cell start or none) and return how
    many characters of cue words precede it, so the raw words can include them."""
    for regex, strength in ((_STRONG_CUE, STRONG), (_WEAK_CUE, CUE)):
        cue = regex.search(before)
        if cue:
            return strength, len(before) - cue.start()
    return (CELL if at_cell_start else 0), 0


_Builder = Callable[["re.Match[str]", int | None], Deadline | None]


def _b_time(m: re.Match[str], default: int | None) -> Deadline | None:
    """Clock time then a date: "10 giờ, ngày 03/10/2025"."""
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    due = _day(_year(m.group(5), default), int(m.group(4)), int(m.group(3)))
    if due is None or hour > 23 or minute > 59:
        return None
    return Deadline(m.group(), due, Precision.DAY, dt.time(hour, minute))


def _b_words(m: re.Match[str], default: int | None) -> Deadline | None:
    """A date in words: "ngày 15 tháng 5 năm 2025", "19 tháng 12 năm 2025"."""
    day, month, year = m.group(1, 2, 3) if m.group(1) else m.group(4, 5, 6)
    due = _day(_year(year, default), int(month), int(day))
    return Deadline(m.group(), due, Precision.DAY) if due else None


def _b_iso(m: re.Match[str], default: int | None) -> Deadline | None:
    """An ISO date: "2026-01-01"."""
    due = _day(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return Deadline(m.group(), due, Precision.DAY) if due else None


def _b_dmy(m: re.Match[str], default: int | None) -> Deadline | None:
    """A numeric date: "31/08/2025", "30-06-2025", "6/30/2025", "1/4/25"."""
    due = _day(_year(m.group(3), default), int(m.group(2)), int(m.group(1)))
    return Deadline(m.group(), due, Precision.DAY) if due else None


def _b_range(m: re.Match[str], default: int | None) -> Deadline | None:
    """A day range "từ ngày 15 - 20/4": the last day counts."""
    due = _day(_year(m.group(3), default), int(m.group(2)), int(m.group(1)))
    return Deadline(m.group(), due, Precision.DAY) if due else None


def _b_dm(m: re.Match[str], default: int | None) -> Deadline | None:
    """A day and month without year ("trước 30/6"): the document's year is assumed."""
    due = _day(default, int(m.group(2)), int(m.group(1)))
    return Deadline(m.group(), due, Precision.DAY) if due else None


def _b_month(m: re.Match[str], default: int | None) -> Deadline | None:
    """A month: "tháng 10/2025", "Tháng 7 năm 2025", "tháng 4" (document's year)."""
    month, year = int(m.group(1)), _year(m.group(2), default)
    if not 1 <= month <= 12 or year is None:
        return None
    return Deadline(m.group(), _last_day(year, month), Precision.MONTH)


def _b_quarter(m: re.Match[str], default: int | None) -> Deadline | None:
    """A quarter: "Quý II/2025", "quý 3 năm 2025"."""
    token = m.group(1)
    quarter = _ROMAN.get(token) or (int(token) if token.isdigit() else 0)
    year = _year(m.group(2), default)
    if not 1 <= quarter <= 4 or year is None:
        return None
    return Deadline(m.group(), _last_day(year, quarter * 3), Precision.QUARTER)


def _b_quarter_range(m: re.Match[str], default: int | None) -> Deadline | None:
    """A span of quarters ("Quý IV/2025 - Quý II/2026", "quý III và quý IV năm 2026"): its last
    quarter counts, in its own year, else the first quarter's, else the document's."""
    token = m.group(2)
    quarter = _ROMAN.get(token) or int(token)
    year = _year(m.group(3) or m.group(1), default)
    if year is None:
        return None
    return Deadline(m.group(), _last_day(year, quarter * 3), Precision.QUARTER)


def _b_half(m: re.Match[str], default: int | None) -> Deadline | None:
    """A half year: "6 tháng đầu năm 2025", "6 tháng cuối năm"; other spans end with the year."""
    months, part, year = int(m.group(1)), m.group(2), _year(m.group(3), default)
    if year is None:
        return None
    if months == 6:
        month = 6 if part == "đầu" else 12
        return Deadline(m.group(), _last_day(year, month), Precision.HALF)
    if part == "đầu" and 1 <= months < 12:
        return Deadline(m.group(), _last_day(year, months), Precision.MONTH)
    return Deadline(m.group(), dt.date(year, 12, 31), Precision.YEAR)


def _b_year(m: re.Match[str], default: int | None) -> Deadline | None:
    """A year: "trong năm 2025", "đến hết năm 2025", "Năm 2022"."""
    year = _year(m.group(1), default)
    return Deadline(m.group(), dt.date(year, 12, 31), Precision.YEAR) if year else None


def _b_recurring(m: re.Match[str], default: int | None) -> Deadline | None:
    """A recurring duty: "Nhiệm vụ thường xuyên", "Hàng tháng", "định kỳ", "trước ngày 20 hằng tháng"."""
    return Deadline(m.group(), None, Precision.RECURRING)


def _b_year_range(m: re.Match[str], default: int | None) -> Deadline | None:
    """A span of years ("Năm 2025 - 2026", "giai đoạn 2026-2030"): the end of the span counts."""
    first, last = int(m.group(1)), int(m.group(2))
    if not first <= last <= first + 30:
        return None
    return Deadline(m.group(), dt.date(last, 12, 31), Precision.YEAR)


# The first day of the lunar new year (Mùng 1 Tết); "trước Tết" means by the day before.
_TET = {
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
    2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3),
    2031: dt.date(2031, 1, 23),
    2032: dt.date(2032, 2, 11),
}


def _b_tet(m: re.Match[str], default: int | None) -> Deadline | None:
    """Before the lunar new year: "trước Tết Nguyên đán năm 2026" is the day before Mùng 1 Tết."""
    year = _year(m.group(1), default)
    tet = _TET.get(year) if year else None
    return Deadline(m.group(), tet - dt.timedelta(days=1), Precision.DAY) if tet else None


_PATTERNS: tuple[tuple[re.Pattern[str], _Builder, bool, tuple[str, ...]], ...] = (
    # (pattern on folded text, builder, needs a cue or a cell start to count, words one of which the
    # text must contain: a cheap test that skips most scans of text without dates, () for none)
    (
        re.compile(r"(?:(?:từ\s+)?năm\s+)?\d{4}\s+và\s+(?:các|những)\s+năm\s+tiếp\s+theo"),
        _b_recurring,
        False,
        ("tiếp",),
    ),
    (
        re.compile(r"trước\s+tết(?:\s+nguyên\s+đán)?(?:\s+(?:năm\s+)?(?:[a-zđ]+\s+)?(\d{4}))?"),
        _b_tet,
        False,
        ("tết",),
    ),
    (
        re.compile(r"(?<![\w/])(?:giai\s+đoạn\s+(?:năm\s+)?|năm\s+)?(\d{4})\s*[-–]\s*(\d{4})(?![\w/])"),
        _b_year_range,
        True,
        ("-", "–"),
    ),
    (
        re.compile(
            r"(?:trước\s+)?(?:ngày\s+)?(?:\d{1,2}\s+tháng\s+|\d{1,2}\s*/\s*)?\d{1,2}\s+(?:hằng|hàng)\s+"
            r"(?:tháng|quý|năm|tuần)"
        ),
        _b_recurring,
        False,
        ("hằng", "hàng"),
    ),
    (re.compile(_TIME + rf"(\d{{1,2}}){_SEP}(\d{{1,2}})(?:{_SEP}{_YEAR})?(?![\d/])"), _b_time, False, ()),
    (
        re.compile(r"(?:từ\s+)?ngày\s+\d{1,2}\s*[-–]\s*(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*(\d{4}))?"),
        _b_range,
        True,
        ("ngày",),
    ),
    (
        re.compile(
            r"tháng(?<![\w/]tháng)\s+\d{1,2}\s*[-–]\s*(?:tháng\s+)?(\d{1,2})(?:\s*(?:/|-|năm)\s*(\d{4}))?(?![\d/])"
        ),
        _b_month,
        True,
        ("tháng",),
    ),
    (
        re.compile(
            r"từ(?<!\wtừ)\s+(?:ngày\s+)?\d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{4})?\s*(?:đến|tới|-|–)\s*(?:hết\s+)?"
            r"(?:ngày\s+)?(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*(\d{4}))?(?![\d/])"
        ),
        _b_range,
        False,
        ("từ",),
    ),
    (re.compile(_WORDS_DATE), _b_words, True, ("ngày", "tháng")),
    (re.compile(_ISO), _b_iso, True, ("-",)),
    (re.compile(_DMY), _b_dmy, True, ()),
    (
        re.compile(
            r"(\d(?:(?<=trước \d)|(?<=trước ngày \d)|(?<=hạn \d)|(?<=đến ngày \d)|(?<=vào ngày \d))"
            r"(?<![\d/.\-]\d)\d?)\s*/\s*(\d{1,2})(?![\d/\-])(?!\s*(?:khối|số|tổng))"
        ),
        _b_dm,
        True,
        ("/",),
    ),
    (
        re.compile(r"(\d(?<![\w/]\d)\d?)\s+tháng\s+(đầu|cuối)\s+năm(?:\s+(\d{4}))?"),
        _b_half,
        False,
        ("tháng",),
    ),
    (
        re.compile(r"tháng(?<![\w/]tháng)\s+(\d{1,2})(?:\s*(?:/|-|năm)\s*(\d{4}))?(?![\d/])"),
        _b_month,
        True,
        ("tháng",),
    ),
    # "6/2025" opening a cell: a month written as month/year (a cell start or a cue makes it one)
    (
        re.compile(r"(?m)(\d(?<![\d/.\-]\d)(?<!tháng \d)\d?)\s*/\s*(20\d{2})(?![\d/.\-])"),
        _b_month,
        True,
        ("/",),
    ),
    (
        re.compile(
            r"quý(?<!\wquý)\s+(?:iv|i{1,3}|[1-4])(?!\w)(?:\s*(?:/|-|năm)\s*(\d{4}))?"
            r"(?:\s*(?:[-–,]|và|đến)\s*(?:quý\s+)?(iv|i{1,3}|[1-4])(?!\w)(?:\s*(?:/|-|năm)\s*(\d{4}))?)+(?![\w/])"
        ),
        _b_quarter_range,
        True,
        ("quý",),
    ),
    (
        re.compile(r"quý(?<!\wquý)\s+(iv|i{1,3}|[1-4])(?:\s*(?:/|-|năm)\s*(\d{4}))?(?![\w/])"),
        _b_quarter,
        True,
        ("quý",),
    ),
    (re.compile(r"năm(?<!\wnăm)\s+(\d{4})(?!\s*[-–]\s*\d)(?![\d/])"), _b_year, True, ("năm",)),
    (re.compile(r"(?m)^[ \t]*(20\d{2})[ \t]*\.?[ \t]*$"), _b_year, True, ()),
    (
        re.compile(
            r"(?<!\w)(?:(?:nhiệm vụ\s+|thực hiện\s+|(?<=\n)|^)thường\s+xuyên"
            r"|(?:định\s+kỳ\s+)?(?<!nghị quyết )(?<!ngân sách )(?<!dự toán )(?<!kinh phí )"
            r"(?:hằng|hàng)\s+(?:tháng|quý|năm|tuần|ngày)"  # not "Nghị quyết hằng năm", a budget's
            r"|định\s+kỳ(?:\s+tối thiểu\s+\d+\s+lần\s*/\s*\w+)?|\d+\s+lần\s*/\s*tuần"
            r"|(?:trước\s+)?(?:ngày\s+\d{1,2}\s+(?:của\s+)?)?tháng\s+(?:đầu|cuối)\s+(?:mỗi\s+|của\s+)?quý)"
        ),
        _b_recurring,
        False,
        ("thường", "hằng", "hàng", "định", "lần", "quý"),
    ),
)


def _at_cell_start(folded: str, start: int) -> bool:
    """Tell whether a phrase opens its line or cell (only spaces or list marks before it)."""
    line_start = folded.rfind("\n", 0, start) + 1
    head = folded[line_start:start].strip(" *-+•:")
    return head == ""


def find_deadlines(text: str, default_year: int | None = None, cells: bool = False) -> list[DeadlineMatch]:
    """Return the deadline phrases of a text, in order, without overlaps and without cited dates;
    with `cells` the text is a table row's cells, where a bare date or period is a deadline value."""
    return list(_find(text, default_year, cells))


def clear_cache() -> None:
    """Forget the cached scans (a long-lived reader process bounds its memory with it)."""
    _find.cache_clear()


@lru_cache(maxsize=4096)
def _find(text: str, default_year: int | None, cells: bool) -> tuple[DeadlineMatch, ...]:
    """Scan a text with every deadline pattern (cached: stages ask about the same block text)."""
    folded = fold(text)
    if not _MAYBE.search(folded):
        return ()
    found: list[DeadlineMatch] = []
    taken: list[tuple[int, int]] = []
    for pattern, build, needs_cue, needles in _PATTERNS:
        if needles and not any(n in folded for n in needles):
            continue
        for m in pattern.finditer(folded):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            match = _accept(text, folded, m, build, needs_cue or cells, default_year, cells)
            if match is not None:
                found.append(match)
                taken.append((m.start(), m.end()))
    return tuple(sorted(found, key=lambda d: d.start))


def _horizon(deadline: Deadline, default_year: int | None, strength: int) -> bool:
    """Tell whether a weakly cued year far past the document's year is a planning horizon
    ("Chiến lược ... đến năm 2030") rather than a deadline."""
    return (
        deadline.precision is Precision.YEAR
        and deadline.due is not None
        and default_year is not None
        and deadline.due.year > default_year + 2
        and strength < STRONG
    )


def _historic(deadline: Deadline, default_year: int | None) -> bool:
    """Tell whether a date lies decades before the document ("trước ngày 01 tháng 01 năm 1945" in a
    list of beneficiaries): a historic date, not a deadline (old overdue tasks are a few years old)."""
    return deadline.due is not None and default_year is not None and deadline.due.year < default_year - 10


def _accept(
    text: str,
    folded: str,
    m: re.Match[str],
    build: _Builder,
    needs_cue: bool,
    default_year: int | None,
    cells: bool = False,
) -> DeadlineMatch | None:
    """Turn a pattern hit into a deadline match if its context makes it a deadline."""
    before = " ".join(folded[max(0, m.start() - 60) : m.start()].replace("*", " ").split()) + " "
    issued_in = build in (_b_month, _b_quarter) and before.rstrip().endswith("ban hành")
    if build is not _b_recurring and _CITED.search(before) and not issued_in:
        return None  # a cited document's date; "ban hành tháng 7/2026" is when a text is due
    if _TOOK_PLACE_AFTER.match(folded, m.end()) or _TOOK_PLACE_BEFORE.search(before.rstrip()):
        return None  # a past event's date ("phiên họp diễn ra vào ngày 4/4 vừa qua")
    if _STAMP_AFTER.match(folded, m.end()):
        return None  # "03/04/2025 11:45": when a page was published, not a deadline
    strength, cue = _context_strength(before, cells or _at_cell_start(folded, m.start()))
    refused = strength < STRONG and _NOT_DEADLINE.search(before) and not _ON_DAY.search(before)
    if needs_cue and (strength == 0 or refused):
        return None
    deadline = build(m, default_year)
    if deadline is None or _historic(deadline, default_year):
        return None
    if not cells and _horizon(deadline, default_year, strength):
        return None
    raw = " ".join(text[m.start() : m.end()].split())
    if cue:
        context = " ".join(text[max(0, m.start() - 60) : m.start()].replace("*", " ").split()) + " "
        raw = " ".join([*context[-cue:].split(), raw]).strip(" :,")
    deadline = Deadline(raw, deadline.due, deadline.precision, deadline.time)
    if deadline.precision is Precision.RECURRING and not re.fullmatch(r"thường\s+xuyên", m.group()):
        strength = max(strength, CUE)  # "nhiệm vụ thường xuyên", "hằng tháng": explicit schedules
    return DeadlineMatch(m.start(), m.end(), deadline, max(strength, CELL))


def best_deadline(matches: list[DeadlineMatch]) -> DeadlineMatch | None:
    """Pick the deadline of a task from its phrases: the most strongly cued, the last on a tie."""
    if not matches:
        return None
    dated = [d for d in matches if d.deadline.due is not None]
    pool = dated if dated and max(d.strength for d in dated) >= max(d.strength for d in matches) else matches
    return max(pool, key=lambda d: (d.strength, d.start))
