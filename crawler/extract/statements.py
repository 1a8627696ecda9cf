"""Sentences that state rather than assign: photo captions closed by a credit, what a law
provides ("Mẫu kê khai … được quy định tại Phụ lục I …"), and a conclusion's approvals."""

from __future__ import annotations

import re

from crawler.extract.walkstate import ASKING, VERB_RE

# A photo credit closing a caption: "… - Ảnh: VGP/Nhật Bắc", "(Ảnh: TTXVN)", "… 9/2024. Ảnh: TÂM ĐAN".
CREDIT = re.compile(r"(?:[-–(]|(?<=[.!]))\s*(?:Ảnh|ẢNH)\s*:\s*[\w./]+(?:\s+[A-ZĐÀ-Ỹ][\w.]*)?\)?\s*")
CAPTION = re.compile(r"(?:[-–(]|(?<=[.!]))\s*(?:Ảnh|ẢNH|Nguồn ảnh)\s*:", re.IGNORECASE)


_REGULATED = re.compile(r"[^.;:]{0,120}?\s(?:được|đã được)\s+quy định tại(?!\w)")


def states_the_law(low: str) -> bool:
    """Tell a sentence saying what a law provides ("Mẫu kê khai … được quy định tại Phụ lục I …")
    from work that uses it ("Các bộ chủ động vận dụng cơ chế đã được quy định tại …")."""
    m = _REGULATED.match(low)
    return m is not None and not VERB_RE.search(low[: m.end()])


def find_credit(text: str, start: int = 0, end: int | None = None) -> re.Match[str] | None:
    """The first photo credit within text[start:end], scanning only a stretch that holds "Ảnh" or
    "ẢNH" (every credit does; the pattern has no first character the engine could skip to)."""
    stop = len(text) if end is None else end
    stretch = text[start:stop]
    if "Ảnh" not in stretch and "ẢNH" not in stretch:
        return None
    return CREDIT.search(text, start, stop)


def has_caption_mark(text: str) -> bool:
    """Tell whether a text holds a photo caption's mark ("- Ảnh:", "(Nguồn ảnh:"), scanning only a
    text that holds "ảnh" in some case (every mark does)."""
    return "ảnh" in text.lower() and bool(CAPTION.search(text))


def is_caption(flat: str) -> bool:
    """Tell whether a paragraph is only a photo caption ("Thủ tướng chủ trì … - Ảnh: VGP/Nhật Bắc")."""
    credit = find_credit(flat)
    return credit is not None and len(flat[credit.end() :].split()) < 5


# A conclusion's approval or praise ("Đồng ý chủ trương …", "Biểu dương …"): a decision, not work.
_APPROVES = re.compile(r"^(?:cơ bản\s+)?(?:đồng ý|nhất trí|biểu dương|hoan nghênh|ghi nhận|đánh giá cao)\b")
_ASKS_ANYWHERE = re.compile(r"(?<!\w)" + ASKING + r"(?!\w)")


def only_approves(low: str) -> bool:
    """Tell whether an item only approves or praises: no body is asked to do anything in it."""
    return bool(_APPROVES.match(low)) and not _ASKS_ANYWHERE.search(low)
