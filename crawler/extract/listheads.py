"""The head of a list of bodies under one head word ("Các Bộ: Tài chính, Xây dựng", "các Sở Tài
chính, Xây dựng", "Bộ Công an, Tư pháp"): where the list starts, so each item gets the head word."""

from __future__ import annotations

import re
from collections.abc import Callable

from crawler.extract.normalize import fold

Canonical = Callable[[str], str | None]

_LIST_HEAD = re.compile(
    r"^(?:các\s+)?(bộ|sở|bộ,\s*cơ quan|bộ,\s*ngành|cơ quan|tỉnh|thành phố"
    r"|ủy ban nhân dân các (?:tỉnh|thành phố)(?:,\s*thành phố)?)\s*:\s*"
)
# The same list without its colon ("các Bộ Xây dựng, Tài chính và Ngân hàng Nhà nước"): read as a
# list only when its first item, with the head word, is a known body.
_BARE_LIST_HEAD = re.compile(r"^các\s+(bộ|sở)\s+(?=[^\W\d_])")
# One "Bộ" heading a run of ministries' short names ("Bộ Công an, Tư pháp, Tài chính").
_SINGLE_LIST_HEAD = re.compile(r"^(bộ|sở)\s+(?=[^\W\d_])")


def list_head(phrase: str, folded: str, canonical: Canonical) -> re.Match[str] | None:
    """The head of a list of bodies in a unit phrase (folded is its folded form), if it opens one."""
    return _LIST_HEAD.match(folded) or _bare_list(phrase, folded, canonical)


def _bare_list(phrase: str, folded: str, canonical: Canonical) -> re.Match[str] | None:
    """The head of a list written without its colon, if its first item names a known body; one
    singular head word ("Bộ Công an, Tư pháp") heads a list only when a short name follows."""
    head = _BARE_LIST_HEAD.match(folded)
    found = head or _SINGLE_LIST_HEAD.match(folded)
    if found is None:
        return None
    items = re.split(r"\s*[,;]\s*|\s+và\s+", phrase[found.end() :])
    prefix = "Bộ " if found.group(1) == "bộ" else "Sở "
    if not canonical(prefix + items[0]):
        return None
    if head is None and not (len(items) > 1 and is_short_name(prefix, items[1], canonical)):
        return None
    return found


def is_short_name(prefix: str, item: str, canonical: Canonical) -> bool:
    """Whether a list item is a body's name written without its head word ("Tư pháp" after "Bộ
    Công an,"): not a name alone, a known body with the head word."""
    return (
        fold(item)[:3] not in ("bộ ", "sở ")
        and canonical(item) is None
        and canonical(prefix + item) is not None
    )
