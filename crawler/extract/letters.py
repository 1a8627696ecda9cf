"""What surrounds the tasks of a letter or a news page: its addressees, its sign-off, its headline.

A letter ("Kính gửi: - Sở A; - Sở B.") gives its items that name no one (or only "các cơ quan")
to its addressees, up to its "Nơi nhận:" (a document sent with it has addressees of its own); the
address block itself is no task. A news page's headline restates the article and is no task.
"""

from __future__ import annotations

import re

from crawler.extract.normalize import fold
from crawler.extract.walkstate import Walk

_TO = re.compile(r"^\W*kính gửi\W*:?\**\s*")


_SIGN_OFF = re.compile(r"^\W*nơi nhận\W*:")


# A line that keeps an addressee list going: blank or a lone mark ("-", "|", "**"), or a marked item.
# (As one regex, "^\s*(?:mark)?\s*$" backtracked over long runs of spaces.)
_LONE_MARKS = frozenset({"", "-", "–", "+", "•", "|", "**"})
_LIST_ITEM = re.compile(r"^\s*[-–+•]\s")


def addressees(lines: list[str], walk: Walk) -> tuple[tuple[str, ...], int, list[str]]:
    """The bodies a letter is addressed to ("Kính gửi: - Sở Tài chính; - Công an tỉnh."), who do
    the work its items name no one for; where the letter ends ("Nơi nhận:"; a document sent with
    it has addressees of its own); and the lines with the address block blanked (no tasks)."""
    for index, line in enumerate(lines[:80]):
        start = _TO.match(fold(line))
        if start:
            found, after = _addressee_lines(lines, index, start.end())
            end = next((i for i in range(index, len(lines)) if _SIGN_OFF.match(fold(lines[i]))), len(lines))
            blanked = [*lines[:index], *[""] * (after - index), *lines[after:]]
            return walk.cell_units("; ".join(found)), end, blanked
    return (), 0, lines


def unnamed(lead: tuple[str, ...]) -> bool:
    """Tell whether a task names no body of its own: no lead, or only the letter's "you" ("các cơ
    quan", "Quý đơn vị"), which means the addressees."""
    return not lead or (len(lead) == 1 and " ".join(fold(lead[0]).split()) in _YOU)


_YOU = frozenset(
    {
        "các cơ quan",
        "các đơn vị",
        "các cơ quan, đơn vị",
        "các cơ quan, địa phương",
        "quý cơ quan",
        "quý đơn vị",
    }
)


def _addressee_lines(lines: list[str], index: int, column: int) -> tuple[list[str], int]:
    """The recipient lines of a "Kính gửi:" block (the rest of its line, then list lines until the
    letter's text begins) and the index of the first line after the block."""
    found = [lines[index][column:]] if lines[index][column:].strip(" *") else []
    after = index + 1
    for line in lines[index + 1 : index + 14]:
        going_on = bool(found) and not found[-1].rstrip().endswith((";", ".")) and line[:1].islower()
        if found and not _is_list_line(line) and not going_on:
            break
        if going_on:  # "- Các đơn vị thuộc Bộ được giao thực hiện thủ / tục hành chính;"
            found[-1] = f"{found[-1].rstrip()} {line.strip(' *;.')}"
        elif line.strip(" *|-–+•"):
            found.append(line.strip(" *|-–+•;."))
        after += 1
    return [text.strip(" ;.") for text in found if text.strip(" ;.")], after


def without_title(lines: list[str], title: str | None) -> list[str]:
    """Blank the page's headline line near the top (with the breadcrumb and byline run into it),
    which restates the news, so the article's first paragraph stands on its own."""
    if not title or len(title.split()) < 5:
        return lines
    key = " ".join(fold(title).split())[:40]
    return [
        "" if index < 20 and key in " ".join(fold(line).split()) else line for index, line in enumerate(lines)
    ]


def _is_list_line(line: str) -> bool:
    """Tell whether a line keeps an addressee list going (see `_LONE_MARKS`, `_LIST_ITEM`)."""
    return line.strip() in _LONE_MARKS or bool(_LIST_ITEM.match(line))
