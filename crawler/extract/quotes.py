"""Quoted legal provisions and page sections, which assign nothing to anyone.

Explanatory pages and news articles quote the law they explain: "Căn cứ khoản 1 Điều 22 Luật Đầu
tư công 2024 quy định như sau:" then the clauses, then "Như vậy, …" in the page's own voice. The
quoted clauses read like tasks ("Cơ quan chủ trì thẩm tra có trách nhiệm …", "Việc kê khai phải
hoàn thành trước ngày 31 tháng 12") but are norms of a statute, not work given to a body. The same
pages split into sections headed by a question ("**Có bị giam xe khi vi phạm … không?**"): a
section never inherits the addressee of the one before it.
"""

from __future__ import annotations

import re

from crawler.extract.segment import Block, BlockKind

# A statute-like instrument: its clauses state norms. Directives, plans and conclusions are not
# listed: quoting them ("Căn cứ Mục 2 Thông báo 256/TB-VPCP:") quotes tasks.
_NORM_KIND = r"(?:bộ luật|luật|nghị định|thông tư(?: liên tịch)?|pháp lệnh|hiến pháp|quy chế|điều lệ)"
_CITES_NORMS = re.compile(
    r"(?<!\w)" + _NORM_KIND + r"(?!\w)[^:]{0,240}?(?<!\w)quy định(?!\w)[^:]{0,200}:$"
    r"|(?<!\w)quy định tại[^:]{0,120}(?<!\w)" + _NORM_KIND + r"(?!\w)[^:]{0,200}:$"
)
# A body's standing functions and powers ("Theo đó, nhiệm vụ, quyền hạn của Ngân hàng Nhà nước …
# bao gồm:"), stated by a decree: competences, not work given.
_COMPETENCES = re.compile(
    r"^(?:(?:theo đó|như vậy|do đó)\s*,?\s*)?(?:chức năng,\s*)?nhiệm vụ(?:,|\s+và)\s+quyền hạn[^:]{0,240}:$"
)
# An introduction in the issuer's own voice that quotes nothing: "Căn cứ Nghị định …, Ủy ban nhân
# dân tỉnh yêu cầu các sở thực hiện:".
_OWN_VOICE = re.compile(r"(?<!\w)(?:yêu cầu|giao|đề nghị|chỉ đạo|ban hành(?! kèm)|kế hoạch)(?!\w)")
# The page's own voice again after a quotation.
_BACK_IN_VOICE = re.compile(r"^(?:như vậy|theo đó|do đó|vì vậy|tóm lại|từ các quy định|từ quy định)(?!\w)")
_QUESTION_WORDS = 60


def quotes_norms(block: Block) -> bool:
    """Tell whether a paragraph introduces a quotation of a statute's clauses."""
    low = block.low.rstrip(" *")
    if not low.endswith((":", ":\n")):
        return False  # a cheap test: both patterns end with ":$"
    if block.kind is not BlockKind.PARAGRAPH or _OWN_VOICE.search(low):
        return False
    return bool(_CITES_NORMS.search(low) or _COMPETENCES.match(low))


def ends_quotation(block: Block) -> bool:
    """Tell whether a block speaks in the page's own voice again, or opens a new section."""
    if block.kind is BlockKind.TITLE or is_question_heading(block) or _capitals(block.flat):
        return True
    return block.kind is BlockKind.PARAGRAPH and bool(_BACK_IN_VOICE.match(block.low.lstrip(" *#_")))


def _capitals(flat: str) -> bool:
    """Tell whether a line is a headline in capitals, which opens the next article of a bulletin."""
    letters = [c for c in flat if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def is_question_heading(block: Block) -> bool:
    """Tell whether a block is a section heading asked as a question ("**Mức phạt … là bao nhiêu?**")."""
    text = block.text.strip().strip("*#_ ").rstrip()
    return block.kind is not BlockKind.ROW and text.endswith("?") and len(text.split()) <= _QUESTION_WORDS
