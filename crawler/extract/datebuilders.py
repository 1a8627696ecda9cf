"""The meaning of each deadline phrase the grammar in deadlines.py matches: its last allowed day,
precision and clock time ("Quý IV/2025 - Quý II/2026" is due 30/6/2026, "trước Tết Nguyên đán năm
2026" the day before Mùng 1 Tết). Each builder takes the phrase's match and the document's year."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from crawler.models import Deadline, Precision

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


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


def build_time(m: re.Match[str], default: int | None) -> Deadline | None:
    """Clock time then a date: "10 giờ, ngày 03/10/2025"."""
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    due = _day(_year(m.group(5), default), int(m.group(4)), int(m.group(3)))
    if due is None or hour > 23 or minute > 59:
        return None
    return Deadline(m.group(), due, Precision.DAY, dt.time(hour, minute))


def build_words(m: re.Match[str], default: int | None) -> Deadline | None:
    """A date in words: "ngày 15 tháng 5 năm 2025", "19 tháng 12 năm 2025"."""
    day, month, year = m.group(1, 2, 3) if m.group(1) else m.group(4, 5, 6)
    due = _day(_year(year, default), int(month), int(day))
    return Deadline(m.group(), due, Precision.DAY) if due else None


def build_iso(m: re.Match[str], default: int | None) -> Deadline | None:
    """An ISO date: "2026-01-01"."""
    due = _day(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return Deadline(m.group(), due, Precision.DAY) if due else None


def build_dmy(m: re.Match[str], default: int | None) -> Deadline | None:
    """A numeric date: "31/08/2025", "30-06-2025", "6/30/2025", "1/4/25"."""
    due = _day(_year(m.group(3), default), int(m.group(2)), int(m.group(1)))
    return Deadline(m.group(), due, Precision.DAY) if due else None


def build_range(m: re.Match[str], default: int | None) -> Deadline | None:
    """A day range "từ ngày 15 - 20/4": the last day counts."""
    due = _day(_year(m.group(3), default), int(m.group(2)), int(m.group(1)))
    return Deadline(m.group(), due, Precision.DAY) if due else None


def build_dm(m: re.Match[str], default: int | None) -> Deadline | None:
    """A day and month without year ("trước 30/6"): the document's year is assumed."""
    due = _day(default, int(m.group(2)), int(m.group(1)))
    return Deadline(m.group(), due, Precision.DAY) if due else None


def build_month(m: re.Match[str], default: int | None) -> Deadline | None:
    """A month: "tháng 10/2025", "Tháng 7 năm 2025", "tháng 4" (document's year)."""
    month, year = int(m.group(1)), _year(m.group(2), default)
    if not 1 <= month <= 12 or year is None:
        return None
    return Deadline(m.group(), _last_day(year, month), Precision.MONTH)


def build_month_range(m: re.Match[str], default: int | None) -> Deadline | None:
    """A span of months ("tháng 11 và tháng 12/2025", "tháng 10, 11 năm 2026"): its last month
    counts, in its own year, else the first month's, else the document's."""
    first, month, year = int(m.group(1)), int(m.group(3)), _year(m.group(4) or m.group(2), default)
    if not 1 <= month <= 12 or year is None or (month <= first and not m.group(4)):
        return None  # "trong tháng 12, 2 đơn vị …" counts units, it names no later month
    return Deadline(m.group(), _last_day(year, month), Precision.MONTH)


def build_quarter(m: re.Match[str], default: int | None) -> Deadline | None:
    """A quarter: "Quý II/2025", "quý 3 năm 2025"."""
    token = m.group(1)
    quarter = _ROMAN.get(token) or (int(token) if token.isdigit() else 0)
    year = _year(m.group(2), default)
    if not 1 <= quarter <= 4 or year is None:
        return None
    return Deadline(m.group(), _last_day(year, quarter * 3), Precision.QUARTER)


def build_quarter_range(m: re.Match[str], default: int | None) -> Deadline | None:
    """A span of quarters ("Quý IV/2025 - Quý II/2026", "quý III và quý IV năm 2026"): its last
    quarter counts, in its own year, else the first quarter's, else the document's."""
    token = m.group(2)
    quarter = _ROMAN.get(token) or int(token)
    year = _year(m.group(3) or m.group(1), default)
    if year is None:
        return None
    return Deadline(m.group(), _last_day(year, quarter * 3), Precision.QUARTER)


def build_half(m: re.Match[str], default: int | None) -> Deadline | None:
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


def build_year(m: re.Match[str], default: int | None) -> Deadline | None:
    """A year: "trong năm 2025", "đến hết năm 2025", "Năm 2022"."""
    year = _year(m.group(1), default)
    return Deadline(m.group(), dt.date(year, 12, 31), Precision.YEAR) if year else None


def build_recurring(m: re.Match[str], default: int | None) -> Deadline | None:
    """A recurring duty: "Nhiệm vụ thường xuyên", "Hàng tháng", "định kỳ", "trước ngày 20 hằng tháng"."""
    return Deadline(m.group(), None, Precision.RECURRING)


def build_year_range(m: re.Match[str], default: int | None) -> Deadline | None:
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


def build_tet(m: re.Match[str], default: int | None) -> Deadline | None:
    """Before the lunar new year: "trước Tết Nguyên đán năm 2026" is the day before Mùng 1 Tết."""
    year = _year(m.group(1), default)
    tet = _TET.get(year) if year else None
    return Deadline(m.group(), tet - dt.timedelta(days=1), Precision.DAY) if tet else None
