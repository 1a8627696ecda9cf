"""Closest names for a mistyped unit or recipient: what `dondoc digest`, `report` and `invite` suggest."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from crawler.extract.normalize import match_key


def closest_names(name: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """The candidates nearest to `name` compared as match keys: those containing it first, then the
    most similar (difflib), best first, at most `limit`."""
    by_key: dict[str, str] = {}
    for candidate in candidates:
        by_key.setdefault(match_key(candidate), candidate)
    wanted = match_key(name)
    containing = sorted((key for key in by_key if wanted and wanted in key), key=len)
    similar = difflib.get_close_matches(wanted, list(by_key), n=limit, cutoff=0.6)
    return [by_key[key] for key in dict.fromkeys([*containing, *similar])][:limit]


def suggestion(name: str, candidates: Iterable[str], kind: str = "đơn vị") -> str:
    """The sentence appended to an "unknown unit" (or recipient, `kind`) error: the closest names, or
    a hint when none is close."""
    close = closest_names(name, candidates)
    if not close:
        return f"Không có tên {kind} nào gần giống."
    return "Có phải: " + "; ".join(f"“{found}”" for found in close) + "?"
