"""Lists of provinces inside unit phrases: one body per province named.

"Các tỉnh Nghệ An, Quảng Ngãi, Cao Bằng", "Ủy ban nhân dân các tỉnh, thành phố: Tuyên Quang, Đồng
Nai" and "Sở Xây dựng các tỉnh A, B" each name one body per province, not a group: the list is
expanded with the local body (when one comes before it) and each province's full name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from crawler.extract.normalize import fold

_LIST_OPEN = re.compile(
    r"(?<!\w)(?:các\s+)?(?:tỉnh|thành phố|tp\.?)(?:\s*,\s*thành phố)?(?:\s+trực thuộc trung ương)?\s*:?\s+"
)
_LOCAL_BODY = re.compile(
    r"(?:ủy ban nhân dân|ubnd|công an|bộ chỉ huy quân sự|văn phòng ủy ban nhân dân|sở(?:\s+[^\W\d_]+){1,8}"
    r"|ban chỉ huy quân sự|kho bạc nhà nước)\s*$"
)
_JOIN = re.compile(r"\s*(?:,|;|\bvà\b)\s*")


@dataclass(frozen=True)
class ProvinceList:
    """A list of provinces found in a phrase: its span and the bodies it stands for."""

    start: int
    end: int
    names: tuple[str, ...]


def province_lists(phrase: str, provinces: Mapping[str, str]) -> list[ProvinceList]:
    """Find the province lists of a phrase (two or more provinces after "các tỉnh", or one or more
    after a local body), with `provinces` mapping folded names to "tỉnh X"/"thành phố X"."""
    low = fold(phrase)
    out: list[ProvinceList] = []
    for m in _LIST_OPEN.finditer(low):
        if out and m.start() < out[-1].end:
            continue  # a level word inside the list just read ("…, thành phố Hải Phòng")
        names, end = _names(low, m.end(), provinces)
        body = _LOCAL_BODY.search(low, 0, m.start())
        plural = low[m.start() :].startswith("các")
        if not names or (len(names) < 2 and not body) or (not plural and not body and len(names) < 2):
            continue
        start = body.start() if body else m.start()
        head = _display(phrase[body.start() : body.end()]) if body else ""
        full = tuple(_with_body(head, provinces[n]) for n in names)
        out.append(ProvinceList(start, end, full))
    return out


def _names(low: str, at: int, provinces: Mapping[str, str]) -> tuple[list[str], int]:
    """Read province names separated by commas or "và" from `at`; returns them and where they end."""
    keys = _longest_first(tuple(provinces))
    names: list[str] = []
    pos = end = at
    while True:
        key = next((k for k in keys if low.startswith(k, pos) and not _letter_at(low, pos + len(k))), None)
        if key is None:
            break
        names.append(key)
        end = pos + len(key)
        sep = _JOIN.match(low, end)
        if not sep:
            break
        pos = sep.end()
        pos += len(low[pos:]) - len(re.sub(r"^(?:tỉnh|thành phố|tp\.?)\s+", "", low[pos:]))
    return names, end


@lru_cache(maxsize=8)
def _longest_first(keys: tuple[str, ...]) -> tuple[str, ...]:
    """Province names longest first, so "hồ chí minh" is tried before a shorter name (cached)."""
    return tuple(sorted(keys, key=len, reverse=True))


def _letter_at(text: str, index: int) -> bool:
    """Tell whether a letter stands at `index` (so a name found before it is cut short)."""
    return index < len(text) and text[index].isalpha()


def _display(body: str) -> str:
    """A local body's display name ("UBND" -> "Ủy ban nhân dân")."""
    text = " ".join(body.split())
    return re.sub(r"^(?:UBND|Ubnd|ubnd)\b", "Ủy ban nhân dân", text)


def _with_body(head: str, province: str) -> str:
    """One body of a province: "Ủy ban nhân dân tỉnh X", or the province itself ("Tỉnh X")."""
    if head:
        return f"{head[0].upper()}{head[1:]} {province}"
    return province[0].upper() + province[1:]
