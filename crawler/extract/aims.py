"""A plan's purpose sections, which state aims, not work given to anyone.

Plans (Kế hoạch) and schemes (Đề án) open with "I. MỤC ĐÍCH, YÊU CẦU" ("1. Mục đích", "2. Yêu cầu"),
"MỤC TIÊU" ("Mục tiêu chung", "Mục tiêu cụ thể") or "QUAN ĐIỂM", and their bullets read like tasks
("- Nâng cao trách nhiệm của các cơ quan …", "- Đến năm 2030, 100% hồ sơ được số hóa") but are
aims and targets. The section ends at the next heading at its level or above ("II. NHIỆM VỤ").
"""

from __future__ import annotations

import re

from crawler.extract.normalize import words_upto
from crawler.extract.segment import Block, BlockKind
from crawler.extract.walkstate import Walk

# One purpose heading's name: "mục đích", "yêu cầu", "mục tiêu cụ thể đến năm 2030", "quan điểm chỉ
# đạo", "nguyên tắc thực hiện", "sự cần thiết xây dựng kế hoạch".
_AIM = (
    r"(?:mục đích|yêu cầu|mục tiêu(?:\s+(?:chung|cụ thể|tổng quát))?(?:\s+(?:đến|giai đoạn)[^,:;.]{0,30})?"
    r"|quan điểm(?:\s+chỉ đạo)?|nguyên tắc(?:\s+(?:chung|thực hiện))?|sự cần thiết[^,:;.]{0,50})"
)
_AIMS_HEADING = re.compile(r"^" + _AIM + r"(?:\s*(?:,|và|-|–)?\s*" + _AIM + r")*$")
_HEADING_WORDS = 12


def is_aims_heading(block: Block) -> bool:
    """Tell whether a block is only the name of a purpose section ("MỤC ĐÍCH, YÊU CẦU", "(1) Mục đích")."""
    if block.kind not in (BlockKind.ITEM, BlockKind.PARAGRAPH):
        return False
    name = re.sub(r"^\(?\d+\)\s*", "", block.low.strip(" *_#:.;"))
    return words_upto(name, _HEADING_WORDS) <= _HEADING_WORDS and bool(_AIMS_HEADING.match(name))


def skips_aims(block: Block, walk: Walk) -> bool:
    """Keep track of purpose sections; tell whether a block is passed over: a purpose heading and
    every block under it, until a heading at its level or above."""
    if is_aims_heading(block):
        if walk.aims is None or block.level <= walk.aims:
            walk.aims = block.level
        return True
    if walk.aims is not None and _ends_aims(block, walk.aims):
        walk.aims = None
    return walk.aims is not None


def _ends_aims(block: Block, level: float) -> bool:
    """Tell whether a block opens the next section: a title, an item or row at the purpose
    heading's level or above, or a short unpunctuated line standing as a heading."""
    if block.kind in (BlockKind.TITLE, BlockKind.NUMBER):
        return True
    if block.kind is not BlockKind.PARAGRAPH:
        return block.level <= level
    short = words_upto(block.flat, _HEADING_WORDS) <= _HEADING_WORDS
    return short and not block.flat.rstrip(" *").endswith((".", ";", ","))
