"""An article's text as a bulletin prints it: the lead, then the body's paragraphs, without what a
reader of the bulletin does not need.

The stored text is the reader's (crawler/documents/html.py): the title, a blank line, the lead, a blank
line, then one body block a line. Dropped from it:

- the title and the lead when they open the text (the bulletin prints the title itself, and the lead
  once);
- photo captions: a paragraph ending with a short credit "… - Ảnh: VGP/Nhật Bắc", "… Ảnh: TÂM ĐAN",
  or opening with "Ảnh:", "TRONG ẢNH:", "Ảnh minh họa";
- bylines: a closing paragraph that is only the author's name or a "Theo …" / "Nguồn: …" credit, and
  a credit in parentheses closing the last paragraph ("(Nhandan.vn 01/4, Diệu Thương)");
- table rows as the reader writes them ("a | b | c"): a bulletin item is prose.
"""

from __future__ import annotations

import re

from notifier.bulletin.draftfile import paragraphs_of

_CAPTION = re.compile(
    r"(?:^|[\s.\-–])Ảnh\s*:\s*[^.!?:]{1,40}$|^(?:TRONG ẢNH|Ảnh minh họa|Ảnh minh hoạ|Ảnh)\s*:", re.IGNORECASE
)
_CREDIT_LINE = re.compile(r"^(?:Theo|Nguồn)\s*:?\s+\S.{0,80}$", re.IGNORECASE)
_CLOSING_CREDIT = re.compile(  # "(Nhandan.vn 01/4, Diệu Thương)" closing the last paragraph
    r"\s*\([\w.-]+\.(?:vn|com|net|org)(?:\.vn)?(?:\s+\d{1,2}/\d{1,2})?(?:,\s*[^()]{1,60})?\)\s*$"
)
_TABLE_ROW = re.compile(r"^[^|]*\|[^|]*\|")
_BYLINE_WORDS = 6


def _is_caption(paragraph: str) -> bool:
    """Tell whether a paragraph is a photo caption."""
    return bool(_CAPTION.search(paragraph))


def _is_byline(paragraph: str, author: str | None) -> bool:
    """Tell whether a closing paragraph is only a byline: the author, a short name, or a credit."""
    text = paragraph.strip(" .")
    if author and text.casefold() == author.strip().casefold():
        return True
    if _CREDIT_LINE.match(text):
        return True
    words = text.split()
    return len(words) <= _BYLINE_WORDS and not re.search(r"[.!?:;,…]", text) and text[:1].isupper() and all(
        w[:1].isupper() for w in words
    )


def _same(a: str, b: str) -> bool:
    """Tell whether two paragraphs are the same text, spacing aside."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def article_paragraphs(text: str, title: str, summary: str | None, author: str | None) -> list[str]:
    """The article's lead (its stored summary, when it has one) then its body, cleaned as the module
    docstring says."""
    blocks = [line for block in re.split(r"\n[ \t]*\n", text) for line in block.split("\n")]
    paragraphs = [" ".join(block.split()) for block in blocks if block.strip()]
    if paragraphs and _same(paragraphs[0], title):
        paragraphs = paragraphs[1:]
    lead = paragraphs_of(summary or "")
    if lead and [_same(a, b) for a, b in zip(paragraphs, lead, strict=False)] == [True] * len(lead):
        paragraphs = paragraphs[len(lead) :]
    kept = [p for p in paragraphs if not _is_caption(p) and not _TABLE_ROW.match(p)]
    while kept and _is_byline(kept[-1], author):
        kept.pop()
    if kept:
        kept[-1] = _CLOSING_CREDIT.sub("", kept[-1])
    return [*lead, *(p for p in kept if p)]
