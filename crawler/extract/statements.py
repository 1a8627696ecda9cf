"""Sentences that state rather than assign: photo captions closed by a credit, and what a law
provides ("Mẫu kê khai … được quy định tại Phụ lục I …")."""

from __future__ import annotations

import re

from crawler.extract.walkstate import VERB_RE

# A photo credit closing a caption: "… - Ảnh: VGP/Nhật Bắc", "(Ảnh: TTXVN)", "… 9/2024. Ảnh: TÂM ĐAN".
CREDIT = re.compile(r"(?:[-–(]|(?<=[.!]))\s*(?:Ảnh|ẢNH)\s*:\s*[\w./]+(?:\s+[A-ZĐÀ-Ỹ][\w.]*)?\)?\s*")
CAPTION = re.compile(r"(?:[-–(]|(?<=[.!]))\s*(?:Ảnh|ẢNH|Nguồn ảnh)\s*:", re.IGNORECASE)


_REGULATED = re.compile(r"[^.;:]{0,120}?\s(?:được|đã được)\s+quy định tại(?!\w)")


def states_the_law(low: str) -> bool:
    """Tell a sentence saying what a law provides ("Mẫu kê khai … được quy định tại Phụ lục I …")
    from work that uses it ("Các bộ chủ động vận dụng cơ chế đã được quy định tại …")."""
    m = _REGULATED.match(low)
    return m is not None and not VERB_RE.search(low[: m.end()])


def is_caption(flat: str) -> bool:
    """Tell whether a paragraph is only a photo caption ("Thủ tướng chủ trì … - Ảnh: VGP/Nhật Bắc")."""
    if "Ảnh" not in flat and "ẢNH" not in flat:
        return False  # a cheap test: every credit holds one of these
    credit = CREDIT.search(flat)
    return credit is not None and len(flat[credit.end() :].split()) < 5
