"""A grammar of Vietnamese deadline phrases: days, months, quarters, halves, years, recurring forms.

`find_deadlines` scans a text and returns every deadline phrase with its span, its meaning (due =
last allowed day, precision, optional clock time) and how strongly the context marks it as a
deadline. Dates of cited documents ("Nghị quyết số 71/NQ-CP ngày 01/4/2025") and event dates
without a deadline cue are left out. All patterns are linear: no nested quantifiers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from crawler.extract.datebuilders import (
    build_dm,
    build_dmy,
    build_half,
    build_iso,
    build_month,
    build_month_range,
    build_quarter,
    build_quarter_range,
    build_range,
    build_recurring,
    build_tet,
    build_time,
    build_words,
    build_year,
    build_year_range,
)
from crawler.extract.normalize import fold
from crawler.models import Deadline, Precision

CELL = 1  # the phrase fills a table cell or starts a line: a deadline column value
CUE = 2  # a weak cue precedes it: "trong", "đến", "vào", "cuối"
STRONG = 3  # an explicit cue: "trước", "chậm nhất", "hoàn thành", "thời hạn"

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
_NOT_DEADLINE = re.compile(
    r"(?:từ|kể từ|giai đoạn|so với|ngày|đến ngày|tính đến(?:\s+hết)?(?:\s+ngày)?|đến thời điểm|từ ngày)\s*$"
)


# "diễn ra vào ngày 4/4 vừa qua": when something took place, not a deadline
_TOOK_PLACE_BEFORE = re.compile(
    r"(?:diễn ra|đã tổ chức|được tổ chức)(?:\s+(?:vào|trong|từ))?(?:\s+ngày)?\s*$"
)
_TOOK_PLACE_AFTER = re.compile(r"\s*,?\s*(?:vừa qua|vừa rồi|trước đó)(?!\w)")
_STAMP_AFTER = re.compile(r"\s*,?\s*(?!00:00)\d{1,2}:\d{2}(?!\d)")
# "vào ngày 01/12/2025", "đến hết ngày 31/12/2025" name the day work is due ("tính đến hết ngày": as of)
_ON_DAY = re.compile(r"(?:vào|trong|(?<!tính đến )hết)\s+ngày\s*$")
# What every deadline phrase holds: a digit or a recurring word (two regexes, so that each opens
# with a class or a letter the engine can skip to; one alternation of both is tried at every position).
_MAYBE_DIGIT = re.compile(r"\d")
_MAYBE_WORD = re.compile(r"thường\s+xuyên|hằng|hàng|định\s+kỳ")


@dataclass(frozen=True)
class DeadlineMatch:
    """One deadline phrase found in a text: its span, meaning and cue strength (CELL, CUE, STRONG)."""

    start: int
    end: int
    deadline: Deadline
    strength: int


def _context_strength(before: str, at_cell_start: bool) -> tuple[int, int]:
    """Grade the words before a phrase (explicit cue, weak cue, cell start or none) and return how
    many characters of cue words precede it, so the raw words can include them."""
    for regex, strength in ((_STRONG_CUE, STRONG), (_WEAK_CUE, CUE)):
        cue = regex.search(before)
        if cue:
            return strength, len(before) - cue.start()
    return (CELL if at_cell_start else 0), 0


_Builder = Callable[["re.Match[str]", int | None], Deadline | None]


_PATTERNS: tuple[tuple[re.Pattern[str], _Builder, bool, tuple[str, ...]], ...] = (
    # (pattern on folded text, builder, needs a cue or a cell start to count, words one of which the
    # text must contain: a cheap test that skips most scans of text without dates, () for none)
    (
        re.compile(r"(?:(?:từ\s+)?năm\s+)?\d{4}\s+và\s+(?:các|những)\s+năm\s+tiếp\s+theo"),
        build_recurring,
        False,
        ("tiếp",),
    ),
    (
        re.compile(r"trước\s+tết(?:\s+nguyên\s+đán)?(?:\s+(?:năm\s+)?(?:[a-zđ]+\s+)?(\d{4}))?"),
        build_tet,
        False,
        ("tết",),
    ),
    (
        re.compile(r"(?<![\w/])(?:giai\s+đoạn\s+(?:năm\s+)?|năm\s+)?(\d{4})\s*[-–]\s*(\d{4})(?![\w/])"),
        build_year_range,
        True,
        ("-", "–"),
    ),
    (
        re.compile(
            r"(?:trước\s+)?(?:ngày\s+)?(?:\d{1,2}\s+tháng\s+|\d{1,2}\s*/\s*)?\d{1,2}\s+(?:hằng|hàng)\s+"
            r"(?:tháng|quý|năm|tuần)"
        ),
        build_recurring,
        False,
        ("hằng", "hàng"),
    ),
    (re.compile(_TIME + rf"(\d{{1,2}}){_SEP}(\d{{1,2}})(?:{_SEP}{_YEAR})?(?![\d/])"), build_time, False, ()),
    (
        re.compile(r"(?:từ\s+)?ngày\s+\d{1,2}\s*[-–]\s*(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*(\d{4}))?"),
        build_range,
        True,
        ("ngày",),
    ),
    (
        re.compile(
            r"tháng(?<![\w/]tháng)\s+\d{1,2}\s*[-–]\s*(?:tháng\s+)?(\d{1,2})(?:\s*(?:/|-|năm)\s*(\d{4}))?(?![\d/])"
        ),
        build_month,
        True,
        ("tháng",),
    ),
    (
        re.compile(
            r"từ(?<!\wtừ)\s+(?:ngày\s+)?\d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{4})?\s*(?:đến|tới|-|–)\s*(?:hết\s+)?"
            r"(?:ngày\s+)?(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*(\d{4}))?(?![\d/])"
        ),
        build_range,
        False,
        ("từ",),
    ),
    (re.compile(_WORDS_DATE), build_words, True, ("ngày", "tháng")),
    (re.compile(_ISO), build_iso, True, ("-",)),
    (re.compile(_DMY), build_dmy, True, ()),
    (
        re.compile(
            r"(\d(?:(?<=trước \d)|(?<=trước ngày \d)|(?<=hạn \d)|(?<=đến ngày \d)|(?<=vào ngày \d))"
            r"(?<![\d/.\-]\d)\d?)\s*/\s*(\d{1,2})(?![\d/\-])(?!\s*(?:khối|số|tổng))"
        ),
        build_dm,
        True,
        ("/",),
    ),
    (
        re.compile(r"(\d(?<![\w/]\d)\d?)\s+tháng\s+(đầu|cuối)\s+năm(?:\s+(\d{4}))?"),
        build_half,
        False,
        ("tháng",),
    ),
    (
        re.compile(
            r"tháng(?<![\w/]tháng)\s+(\d{1,2})(?:\s*(?:/|-|năm)\s*(\d{4}))?"
            r"(?:\s*(?:,|và|đến)\s*(?:tháng\s+)?(\d{1,2})(?:\s*(?:/|-|năm)\s*(\d{4}))?)+(?![\d/])"
        ),
        build_month_range,
        True,
        ("tháng",),
    ),
    (
        re.compile(r"tháng(?<![\w/]tháng)\s+(\d{1,2})(?:\s*(?:/|-|năm)\s*(\d{4}))?(?![\d/])"),
        build_month,
        True,
        ("tháng",),
    ),
    # "6/2025" opening a cell: a month written as month/year (a cell start or a cue makes it one)
    (
        re.compile(r"(?m)(\d(?<![\d/.\-]\d)(?<!tháng \d)\d?)\s*/\s*(20\d{2})(?![\d/.\-])"),
        build_month,
        True,
        ("/",),
    ),
    (
        re.compile(
            r"quý(?<!\wquý)\s+(?:iv|i{1,3}|[1-4])(?!\w)(?:\s*(?:/|-|năm)\s*(\d{4}))?"
            r"(?:\s*(?:[-–,]|và|đến)\s*(?:quý\s+)?(iv|i{1,3}|[1-4])(?!\w)(?:\s*(?:/|-|năm)\s*(\d{4}))?)+(?![\w/])"
        ),
        build_quarter_range,
        True,
        ("quý",),
    ),
    (
        re.compile(r"quý(?<!\wquý)\s+(iv|i{1,3}|[1-4])(?:\s*(?:/|-|năm)\s*(\d{4}))?(?![\w/])"),
        build_quarter,
        True,
        ("quý",),
    ),
    (re.compile(r"năm(?<!\wnăm)\s+(\d{4})(?!\s*[-–]\s*\d)(?![\d/])"), build_year, True, ("năm",)),
    (re.compile(r"(?m)^[ \t]*(20\d{2})[ \t]*\.?[ \t]*$"), build_year, True, ()),
    (
        re.compile(
            r"(?<!\w)(?:(?:nhiệm vụ\s+|thực hiện\s+|(?<=\n)|^)thường\s+xuyên"
            r"|(?:định\s+kỳ\s+)?(?<!nghị quyết )(?<!ngân sách )(?<!dự toán )(?<!kinh phí )"
            r"(?:hằng|hàng)\s+(?:tháng|quý|năm|tuần|ngày)"  # not "Nghị quyết hằng năm", a budget's
            r"|định\s+kỳ(?:\s+tối thiểu\s+\d+\s+lần\s*/\s*\w+)?|\d+\s+lần\s*/\s*tuần"
            r"|(?:trước\s+)?(?:ngày\s+\d{1,2}\s+(?:của\s+)?)?tháng\s+(?:đầu|cuối)\s+(?:mỗi\s+|của\s+)?quý)"
        ),
        build_recurring,
        False,
        ("thường", "hằng", "hàng", "định", "lần", "quý"),
    ),
)


# Gates: for a pattern that has no literal first character (so the regex engine tries it at every
# position), a cheap regex that every one of its matches contains. A text the gate does not find
# cannot hold the pattern, so the costly scan is skipped. Keyed by the pattern's source: a pattern
# edited later loses its gate (slower, never wrong) until its gate is written anew.
_GATES = {
    r"(?:(?:từ\s+)?năm\s+)?\d{4}\s+và\s+(?:các|những)\s+năm\s+tiếp\s+theo": r"năm\s+tiếp\s+theo",
    r"(?<![\w/])(?:giai\s+đoạn\s+(?:năm\s+)?|năm\s+)?(\d{4})\s*[-–]\s*(\d{4})(?![\w/])": (
        r"\d{4}\s*[-–]\s*\d{4}"
    ),
    (
        r"(?:trước\s+)?(?:ngày\s+)?(?:\d{1,2}\s+tháng\s+|\d{1,2}\s*/\s*)?\d{1,2}\s+(?:hằng|hàng)\s+"
        r"(?:tháng|quý|năm|tuần)"
    ): r"\d\s+(?:hằng|hàng)\s+(?:tháng|quý|năm|tuần)",
    r"(?:từ\s+)?ngày\s+\d{1,2}\s*[-–]\s*(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*(\d{4}))?": (
        r"ngày\s+\d{1,2}\s*[-–]\s*\d{1,2}\s*/\s*\d{1,2}"
    ),
    _WORDS_DATE: r"\d\s+tháng\s+\d",
    r"(?m)^[ \t]*(20\d{2})[ \t]*\.?[ \t]*$": r"(?m)20\d{2}[ \t]*\.?[ \t]*$",
    (
        r"(?<!\w)(?:(?:nhiệm vụ\s+|thực hiện\s+|(?<=\n)|^)thường\s+xuyên"
        r"|(?:định\s+kỳ\s+)?(?<!nghị quyết )(?<!ngân sách )(?<!dự toán )(?<!kinh phí )"
        r"(?:hằng|hàng)\s+(?:tháng|quý|năm|tuần|ngày)"
        r"|định\s+kỳ(?:\s+tối thiểu\s+\d+\s+lần\s*/\s*\w+)?|\d+\s+lần\s*/\s*tuần"
        r"|(?:trước\s+)?(?:ngày\s+\d{1,2}\s+(?:của\s+)?)?tháng\s+(?:đầu|cuối)\s+(?:mỗi\s+|của\s+)?quý)"
    ): (
        r"thường\s+xuyên|(?:hằng|hàng)\s+(?:tháng|quý|năm|tuần|ngày)|định\s+kỳ|lần\s*/\s*tuần"
        r"|tháng\s+(?:đầu|cuối)\s+(?:mỗi\s+|của\s+)?quý"
    ),
}
_GATE_OF = {p: re.compile(_GATES[p.pattern]) for p, *_ in _PATTERNS if p.pattern in _GATES}


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
    if not _MAYBE_DIGIT.search(folded) and not _MAYBE_WORD.search(folded):
        return ()
    found: list[DeadlineMatch] = []
    taken: list[tuple[int, int]] = []
    for pattern, build, needs_cue, needles in _PATTERNS:
        if needles and not any(n in folded for n in needles):
            continue
        gate = _GATE_OF.get(pattern)
        if gate is not None and not gate.search(folded):
            continue
        for m in pattern.finditer(folded):
            low, high = m.span()
            if any(low < end and start < high for start, end in taken):
                continue
            match = _accept(text, folded, m, build, needs_cue or cells, default_year, cells)
            if match is not None:
                found.append(match)
                taken.append((low, high))
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
    issued_in = build in (build_month, build_quarter) and before.rstrip().endswith("ban hành")
    if build is not build_recurring and _CITED.search(before) and not issued_in:
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
