"""Regexes that find the gazetteer's names in folded text, tolerant of how names are written.

Each alias becomes a pattern that accepts any spacing and the commas and "và" a writer leaves out;
all aliases are joined into one alternation factored on shared first letters, so scanning a text
tests each letter once rather than once per name.
"""

from __future__ import annotations

import re

from crawler.extract.normalize import fold


def loose_key(folded: str) -> str:
    """A name's key without the commas and "và" that writers leave out, as `name_pattern` matches it."""
    return " ".join(w for w in folded.replace(",", " ").split() if w != "và")


def name_pattern(alias: str) -> str:
    """Turn an alias into a regex on folded text that tolerates the ways names are written: any
    spacing, and the commas and "và" of a long name left out ("Sở Văn hóa Thể thao du lịch")."""
    out = ""
    optional_and = False
    for word in fold(alias).split():
        if word == "và" and out:
            optional_and = True
            continue
        piece = re.escape(word).replace(r"\.", r"\s*\.").replace(",", ",?")
        out += (r"\s+(?:và\s+)?" if optional_and else r"\s+") + piece if out else piece
        optional_and = False
    return out


def alternation(patterns: list[str]) -> str:
    """A group matching what `p1|p2|…` matches, trying them in the same order, factored on shared
    first letters ("b(?:ộ…|an…)|s(?:ở…)") so a letter is tested once, not once per name."""
    if len(patterns) < 2 or not all(map(_factorable, patterns)):
        return "(?:" + "|".join(patterns) + ")"
    groups: dict[str, list[str]] = {}
    for pattern in patterns:  # alternatives that open with different letters never both match
        groups.setdefault(pattern[0], []).append(pattern[1:])
    return "(?:" + "|".join(first + alternation(rest) for first, rest in groups.items()) + ")"


def _factorable(pattern: str) -> bool:
    """Tell whether a pattern opens with a plain letter or digit that no quantifier follows."""
    return pattern[:1].isalnum() and pattern[1:2] not in ("?", "*", "+", "{")


def word_alternation(patterns: list[str]) -> str:
    r"""A regex matching what `(?<!\w)(?:p1|p2|…)(?!\w)` matches, trying them in the same order, as
    a top-level alternation of branches that each open with a literal letter and test the word start
    after it ("c(?<!\wc)(?:hủ trì|…)(?!\w)|p(?<!\wp)…"): the regex engine then skips straight to
    the letters that can start a match instead of trying every position. Use it unwrapped."""
    if not all(map(_factorable, patterns)):
        return r"(?<!\w)(?:" + "|".join(patterns) + r")(?!\w)"
    groups: dict[str, list[str]] = {}
    for pattern in patterns:
        groups.setdefault(pattern[0], []).append(pattern[1:])
    return "|".join(
        rf"{first}(?<!\w{first}){alternation(rest)}(?!\w)" for first, rest in groups.items()
    )

