"""Text normalization for matching Vietnamese administrative documents.

Two layers: `clean_line` makes one line fit for display and parsing (NFC, plain spaces, no soft
hyphens, Latin letters for Cyrillic look-alikes); `fold` makes a same-length matching key (lower
case, modern tone placement) so a regex run on the key can slice the clean text at the same offsets.
Line structure is always kept, so line numbers stay those of the file.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

_LIST_MARKS = frozenset({"-", "–", "+", "•"})
_SPACES = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000\t\u000b\u000c]")
_DROPPED = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff\u0000]")
_CYRILLIC = str.maketrans("АВСЕНКМОРТХаеорсухіІЅјԁ", "ABCEHKMOPTXaeopcyxiISjd")
_CYRILLIC_RE = re.compile("[\u0400-\u04ff]")
_OLD_TONES = {
    "oà": "òa",
    "oá": "óa",
    "oả": "ỏa",
    "oã": "õa",
    "oạ": "ọa",
    "oè": "òe",
    "oé": "óe",
    "oẻ": "ỏe",
    "oẽ": "õe",
    "oẹ": "ọe",
    "uỳ": "ùy",
    "uý": "úy",
    "uỷ": "ủy",
    "uỹ": "ũy",
    "uỵ": "ụy",
}
_OLD_TONE_RE = re.compile(r"(?:o[àáảãạèéẻẽẹ]|u(?<!qu)[ỳýỷỹỵ])(?![^\W\d_])")  # letters first: fast scan
_CAP_OLD_TONES = {k.capitalize(): v.capitalize() for k, v in _OLD_TONES.items()}
_MODERN_RE = re.compile(
    r"(?:Qu[yỳýỷỹỵ]|qu[yỳýỷỹỵ]|" + "|".join([*_OLD_TONES, *_CAP_OLD_TONES]) + r")(?![^\W\d_])"
)
_WATERMARK_RE = re.compile(
    r"^\s*(?:trang\s+\d+\s*(?:/|trên|of)\s*\d+|page\s+\d+(?:\s+of\s+\d+)?|-\s*\d+\s*-"
    r"|(?:bản quyền|copyright|tải về|downloaded|in từ|nguồn:?\s*https?://)\S*.{0,80}"
    r"|(?:https?://|www\.)\S+)\s*$",
    re.IGNORECASE,
)


# Emphasis, underline, superscripts, short tags and heading marks at a line's start. Each branch
# opens with a literal ("#" then a look back for the line start, not "^#"), so the regex engine
# skips straight to the characters that can open markup instead of trying every position.
MARKUP = re.compile(r"\*\**|__|<sup>.*?</sup>|<[^>]{1,20}>|#(?<![^\n]#)#*\s*", re.MULTILINE)


@lru_cache(maxsize=512)
def clean_text(text: str) -> str:
    """Display text of a span: markup removed, lines joined, spaces collapsed (cached: stages read
    the same span)."""
    if "*" in text or "_" in text or "<" in text or "#" in text:
        text = MARKUP.sub("", text)
    return " ".join(text.split())


_ALNUM = re.compile(r"[^\W_]")
_WATERMARK_FIRST = frozenset("tpbcdinhw-")  # the first letters of every watermark form above


def words_upto(text: str, cap: int) -> int:
    """The number of words in a text, or `cap` + 1 when it has more: enough to compare with `cap`
    without splitting all of a long block."""
    return len(text.split(maxsplit=cap))


ACTION_LIMIT = 300  # FORMAT.md: an action is trimmed to at most 300 characters


def trim_text(text: str, limit: int = ACTION_LIMIT) -> str:
    """The text cut to at most `limit` characters at a word boundary, with "…" where it was cut, so
    no report shows half a word ("HĐND tỉn")."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + "…"


def clean_line(line: str) -> str:
    """Return one line in NFC with odd spaces made plain, soft hyphens gone and Cyrillic look-alikes
    in Latin words made Latin, so matching and display work on one spelling."""
    line = _DROPPED.sub("", _SPACES.sub(" ", unicodedata.normalize("NFC", line)))
    if _CYRILLIC_RE.search(line):
        line = line.translate(_CYRILLIC)
    return line


def fold_once(text: str) -> str:
    """Return a same-length matching key: lower case with modern tone placement ("Uỷ" -> "ủy"),
    uncached (for a whole document, folded once)."""
    low = text.lower()
    if len(low) != len(text):  # a few letters change length when lowered; keep offsets safe
        low = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    first = _OLD_TONE_RE.search(low)  # most texts have none ("hoàn" is no old tone): one scan
    if first is None:
        return low
    at = first.start()  # nothing to change before it, and no look back reaches across it
    return low[:at] + _OLD_TONE_RE.sub(lambda m: _OLD_TONES[m.group()], low[at:])


fold = lru_cache(maxsize=32768)(fold_once)  # cached: the same block text is matched by several stages


def blanked(text: str, spans: list[tuple[int, int]], fill: str = "x") -> str:
    """The text with each span overwritten by `fill` (same length), built in one pass."""
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        chars[start:end] = fill * (end - start)
    return "".join(chars)


def match_key(text: str) -> str:
    """One comparison key for names and texts anywhere in dondoc: NFC, lower case, modern tone
    placement ("Uỷ ban" == "Ủy ban") and single spaces."""
    return " ".join(fold(unicodedata.normalize("NFC", text)).split())


# Abbreviations of administrative terms written inside the names of groups ("Các đơn vị có TTHC"),
# expanded as FORMAT.md asks of names. Body abbreviations (UBND, HĐND) are the gazetteer's aliases.
_TERMS = {
    "TTHC": "thủ tục hành chính",
    "VBQPPL": "văn bản quy phạm pháp luật",
    "CCHC": "cải cách hành chính",
    "CĐS": "chuyển đổi số",
    "DVC": "dịch vụ công",
    "DVCTT": "dịch vụ công trực tuyến",
    "KT-XH": "kinh tế - xã hội",
    "KTXH": "kinh tế - xã hội",
}
_TERMS_RE = re.compile(
    r"(?<![\w-])(?:" + "|".join(sorted(map(re.escape, _TERMS), key=len, reverse=True)) + r")(?![\w-])"
)


def expand_terms(text: str) -> str:
    """Write out the administrative abbreviations in a name ("TTHC" -> "thủ tục hành chính")."""
    return _TERMS_RE.sub(lambda m: _TERMS[m.group()], text)


def modern_spelling(text: str) -> str:
    """Return display text with modern tone placement ("Toà án" -> "Tòa án", "Uỷ ban" -> "Ủy ban")."""

    def swap(match: re.Match[str]) -> str:
        word = match.group()
        if word[:2].lower() == "qu":
            return word
        return _OLD_TONES.get(word) or _CAP_OLD_TONES.get(word) or word

    return _MODERN_RE.sub(swap, text)


def is_watermark(line: str) -> bool:
    """Tell whether a line is page furniture (page numbers, site stamps) rather than content."""
    text = line.strip()
    if not text or text in _LIST_MARKS:
        return False  # a list mark on a line of its own opens the item on the next line
    if not _ALNUM.search(text):
        return True  # a line of table rules or stray marks ("|", "---")
    return len(line) < 200 and text[0].lower() in _WATERMARK_FIRST and bool(_WATERMARK_RE.match(line))


def repeated_furniture(lines: Sequence[str], min_count: int = 4) -> frozenset[str]:
    """Find short lines repeated on many pages (running headers), which are layout, not content."""
    counts = Counter(line.strip() for line in lines if 8 <= len(line.strip()) <= 120)
    return frozenset(
        text
        for text, n in counts.items()
        if n >= min_count
        and len(text.split()) >= 4
        and text[0].isupper()
        and not _looks_like_cell(text)
        and not _is_field(text)
    )


FIELD_LABEL = re.compile(
    r"(?:đơn vị|cơ quan) (?:chủ trì|thực hiện|phối hợp)|thời (?:gian|hạn)|tiến độ|sản phẩm|kết quả"
)


def _is_field(text: str) -> bool:
    """Tell whether a repeated line is a labelled field or list item ("*Thời gian thực hiện: *..."),
    also where the label wraps before its colon ("Đơn vị chủ trì tham mưu thực" / "hiện: Sở X")."""
    return ":" in text or text.lstrip()[:1] in "*-+•(" or bool(FIELD_LABEL.match(fold(text.strip())))


def _looks_like_cell(text: str) -> bool:
    """Tell whether a repeated line is a legitimate repeated table cell (a unit name, a deadline)."""
    low = fold(text)
    return bool(
        re.match(
            r"^(?:bộ|sở|các|ủy ban|ubnd|ban|văn phòng|tháng|quý|năm|thường xuyên|hằng|hàng|"
            r"đã|đang|chưa|hoàn thành|thông báo|chỉ thị|nghị quyết|nghị định|kế hoạch|quyết định|công văn|"
            r"kết luận|công điện|văn bản|s?tt\s|\d)",
            low,
        )
        or "nhiệm vụ" in low
    )


def split_lines(text: str) -> list[str]:
    """Split a document into clean lines, furniture kept (table rules are cells' frames)."""
    return clean_line(text.replace("\r\n", "\n").replace("\r", "\n")).split("\n")


def clean_lines(text: str | list[str]) -> list[str]:
    """Split a document (or take its `split_lines`) into clean lines, blanking watermarks and
    repeated page furniture."""
    lines = split_lines(text) if isinstance(text, str) else text
    furniture = repeated_furniture(lines)
    return ["" if is_watermark(line) or line.strip() in furniture else line for line in lines]


def unmarked(text: str) -> str:
    """The text without Vietnamese marks, "đ" read as "d" (case kept): for labels, slugs and commands
    typed on a phone without marks."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
