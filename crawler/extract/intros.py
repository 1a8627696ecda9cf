"""Sentences that introduce the items after them ("Thủ tướng yêu cầu Bộ trưởng Bộ X như sau:", "…
thực hiện những nội dung sau:"): whether a block is one, whom it addresses, and how far its
address reaches in the outline."""

from __future__ import annotations

import re

from crawler.extract.headings import whole_units
from crawler.extract.normalize import fold, words_upto
from crawler.extract.segment import PARAGRAPH, ROMAN, Block, BlockKind
from crawler.extract.subjects import subject_of
from crawler.extract.walkstate import ASKING, ASSIGNERS, Walk

_INTRO_END = re.compile(r"(?:sau|như sau|cụ thể(?: như sau)?|bao gồm|gồm|sau đây|trong đó)\s*:$")


_CLAUSE_COMMA = re.compile(r",\s+(?=(?:các|ủy ban|ubnd|sở|bộ|ban|tỉnh|thành phố)\s)")


# The close of an address with no verb of its own ("… yêu cầu Bộ trưởng Bộ Xây dựng như sau:").
_ADDRESSEES_END = re.compile(
    r"\s*(?:như sau|(?:thực hiện )?(?:các|một số|những) (?:nội dung|nhiệm vụ)(?: sau)?)?\s*:?\s*$"
)
# "… Sở Y tế giao: …", not "nhiệm vụ, chỉ tiêu Trung ương giao, bảo đảm …" (work given, closing a noun)
ASSIGNING = re.compile(r"(?<!\w)(?<!được )(?<!đã )" + ASKING + r"(?!\w)(?!\s*[,.;])\s*:?")


def intro_level(block: Block, following: Block | None, walk: Walk) -> float:
    """The outline level of an introducing sentence's context: under an item, just below it; a
    paragraph just below the heading in force (a prose line heads nothing), or above every item
    when none is; a paragraph over section headings ("II- KHỐI …") addresses none of their items."""
    if block.kind is not BlockKind.PARAGRAPH:
        return block.level + 0.1
    headings = [ctx.level for ctx in walk.stack if ctx.level != PARAGRAPH]
    if headings:
        return headings[-1] + 0.01
    return following.level + 0.01 if following is not None and following.level <= ROMAN else -0.5


def is_intro(block: Block, following: Block | None) -> bool:
    """Tell whether a block introduces the items after it ("… thực hiện những nội dung sau:", a
    topic "Về …:") rather than assigning work of its own: it ends with an announcing colon."""
    flat = block.low
    if flat.startswith("về ") and flat.rstrip(" *").endswith(":"):
        return True  # a topic ("3. Về kiến nghị …:"): the assignment that answers it is the task
    if following is None or following.kind not in (BlockKind.ITEM, BlockKind.ROW):
        return False
    if not flat.endswith((":", ":\n")):
        return False  # both tests below need the closing colon
    deeper = following.level > block.level and words_upto(flat, 40) <= 40
    under = (  # a sentence of prose over a list ("…; do vậy, yêu cầu các bộ, ngành, địa phương:")
        block.kind is BlockKind.PARAGRAPH and following.kind is BlockKind.ITEM and words_upto(flat, 60) <= 60
    )
    return bool(_INTRO_END.search(flat)) or (flat.endswith(":") and (deeper or under))


def intro_subject(text: str, walk: Walk) -> tuple[str, ...]:
    """The bodies an introducing sentence addresses: its subject, else the subject after the
    assigning verb ("… yêu cầu Giám đốc các sở … thực hiện:"), else after a purpose clause ("Để …,
    các Sở, ngành … triển khai:")."""
    found = subject_of(text, walk)
    if found and not set(found) <= ASSIGNERS:  # "Thủ tướng yêu cầu Bộ X …:" addresses Bộ X
        return found
    low = fold(text)
    starts = [m.end() for m in ASSIGNING.finditer(low)] + [m.end() for m in _CLAUSE_COMMA.finditer(low)]
    for start in sorted(starts):
        rest = text[start:].lstrip(" ,:")
        found = subject_of(rest, walk) or whole_units(_ADDRESSEES_END.sub("", rest), walk)
        if found:
            return found
    return ()
