"""Cutting a written list of units into its pieces: at commas and semicolons where a new body
starts, at one of its "và", and rebuilding display text around removed title words."""

from __future__ import annotations

import re

from crawler.extract.normalize import fold

_SPLIT = re.compile(r"\s*[,;]\s*|\s+và\s+")


def and_splits(piece: str) -> list[tuple[str, str]]:
    """The ways to cut a list item at one of its "và" ("Nông nghiệp và Môi trường và Ngân hàng …")."""
    cuts = [m.start() for m in re.finditer(r" và ", piece)]
    return [(piece[:cut], piece[cut + 4 :]) for cut in cuts]
_HEADS = (
    "bộ",
    "sở",
    "ban",
    "văn phòng",
    "đảng ủy",
    "công an",
    "thanh tra",
    "ngân hàng",
    "tòa án",
    "viện",
    "đài",
    "tập đoàn",
    "báo",
    "trung tâm",
    "cục",
    "tổng cục",
    "kiểm toán",
    "bảo hiểm",
    "hội đồng",
    "tổ",
)


def segments(phrase: str) -> list[str]:
    """Split a unit list where a new body starts ("Sở Tư pháp; các cơ quan ...", "..., UBND cấp xã")."""
    cuts = [0]
    for m in _SPLIT.finditer(phrase):
        after = phrase[m.end() :]
        low = fold(after)
        words = after.split()
        proper = (
            any(low.startswith(h + " ") for h in _HEADS)
            and len(words) > len(first_head(low).split())
            and words[len(first_head(low).split())][:1].isupper()
        )
        if proper or ";" in m.group() or low.startswith(("ủy ban nhân dân", "ubnd", "các ")):
            cuts.append(m.start())
            cuts.append(m.end())
    cuts.append(len(phrase))
    pieces = [phrase[a:b].strip(" ,;") for a, b in zip(cuts[::2], cuts[1::2], strict=False)]
    return [p for p in pieces if p]


def first_head(low: str) -> str:
    """The unit head word a folded text starts with."""
    return next((h for h in _HEADS if low.startswith(h + " ")), "")


def cut_like(phrase: str, folded: str) -> str:
    """Rebuild display text for a folded phrase with words removed (titles), keeping original words."""
    words = phrase.split()
    kept = folded.split()
    out: list[str] = []
    j = 0
    for word in words:
        if j < len(kept) and fold(word) == kept[j]:
            out.append(word)
            j += 1
    return " ".join(out)
