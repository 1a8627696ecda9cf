"""Layout segmentation: cut a document's lines into blocks (items, table rows, paragraphs, titles).

Prose directives number their items ("I-", "1.", "a)", "-"); PDF-flattened tables start each row
with its number on a line of its own or before the first cell, and wrap cells over many lines
separated by blank lines; page breaks repeat the table header. A block keeps its line range, so
every task found in it can point back to the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cached_property, lru_cache

from crawler.extract.normalize import clean_text, fold, fold_once

ROMAN, NUMBER, LETTER, DASH, PARAGRAPH = 0.0, 1.0, 2.0, 3.0, 1.5
ARTICLE = 0.5  # "Điều 2." of a resolution or decision: below its parts, above its numbered clauses
PAREN = 2.5  # bold "(1)" headings: below lettered items, above dashes
SMALL_ROMAN = 2.75  # "(i)", "(ii)" items: below "(1)" headings, above dashes
PLUS = 3.2  # "+" items: the sub-bullets of dashes

_MARK = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:\*{1,2}|_)?\s*(?:"
    r"(?P<article>Điều\s+\d{1,3})\s*[.:]\s*(?:\*{1,2}\s*)?"
    r"|(?P<roman>[IVX]{1,4})(?:\s*[.\-–)]\s*|/(?=\s)\s*|\s+)(?=\S)"
    r"|(?P<sub>\d{1,2}(?:\.\d{1,2}){1,3})\.?(?:\s+(?=[^\W\d_a-zđ]|\*)|\s*\**\s*$)"
    r"|(?P<num>\d{1,3})(?:\s*[.)](?!\d)\s*|/(?=\s)\s*|\s*$)"
    r"|(?P<letter>[a-zđ])(?:\s*\)\s*|[./](?=\s)\s*)"
    r"|(?<=\*)\((?P<paren>\d{1,2})\)\s*"  # only in bold ("**(1) Bộ X:**"); inline "(1) …" enumerates
    r"|\((?P<small_roman>(?=[ivx])i{0,3}|i?[vx]i{0,3}|xi?[vx]i{0,3})\)\s+(?=[^\W\d_])"
    r"|(?P<dash>[-–+•])(?:\s+|$)"
    r")"
)

FIELD = re.compile(
    r"^(?:\(\w{1,4}\)\s*|[a-zđ]\)\s*|[-+•]\s*)?"
    r"(?P<label>(?:đơn vị|cơ quan)(?:\s+(?:chủ trì|thực hiện|phối hợp|tham mưu))+"
    r"|cơ quan thực hiện|thời gian(?:\s+(?:thực hiện|hoàn thành))?|thời hạn(?:\s+hoàn thành)?|tiến độ"
    r"|sản phẩm(?:\s+(?:đầu ra|dự kiến))?|kết quả(?:\s+(?:dự kiến|đầu ra|cần đạt))?)"
    r"[^:\n]{0,20}:\s*"
)

_HEADER = re.compile(
    r"^\s*(?:stt|tt)\s+(?:tên|nội dung|nhiệm vụ|văn bản|cơ quan|đơn vị)|^\s*(?:stt|tt)\s*$"
    r"|tên nhiệm vụ|nội dung nhiệm vụ"
)
_HEADER_WORDS = frozenset(
    [
        "stt",
        "tt",
        "tên",
        "nhiệm",
        "vụ",
        "nội",
        "dung",
        "cơ",
        "quan",
        "chủ",
        "trì",
        "phối",
        "hợp",
        "thời",
        "hạn",
        "hoàn",
        "thành",
        "kết",
        "quả",
        "ghi",
        "chú",
        "văn",
        "bản",
        "giao",
        "dự",
        "kiến",
        "tiến",
        "độ",
        "đơn",
        "vị",
        "thực",
        "hiện",
        "sản",
        "phẩm",
        "số",
        "thời",
        "gian",
        "tình",
        "trạng",
        "trạng",
        "thái",
        "yêu",
        "cầu",
    ]
)
_REQUIRED = re.compile(r"(?:kết quả (?:yêu cầu|dự kiến)|sản phẩm)\s.*(?:thời hạn|thời gian)")
_REQUIRED_LINE = re.compile(r"nhiệm vụ.*(?:kết quả (?:yêu cầu|dự kiến)|sản phẩm)\s.*(?:thời hạn|thời gian)")
_ROW_NUMBER = re.compile(r"^\s*\d{1,3}\s+(?=[A-ZĐÀ-Ỹ][^\W\d_]*\s)")
_APPENDIX = re.compile(r"^\s*(?:\*\*)?\s*phụ lục\b")
_OWN_NUMBER = re.compile(r"^(?:số|so)\s*[:.]?\s*\d[^\s,;]*\s*$")
_LAST_CELL = re.compile(
    r"^(?:\d{1,2}\s*[/-]\s*\d{1,2}\s*[/-]\s*\d{2,4}|\d{4}-\d{1,2}-\d{1,2}|đã hoàn|đang (?:thực|triển)|chưa "
    r"|(?:tháng|quý|năm)\s*(?:\d[\d/]*|[ivx]+\b)?\s*\.?\s*$|thường\s*(?:xuyên)?\s*\.?\s*$)"
)
_STATUS_WORDS = re.compile(r"(?<!\w)(?:đã hoàn|đang thực|đang triển|chưa thực|chưa hoàn|quá hạn)(?!\w)")
_REPORTED = re.compile(r"^(?:\(\w{1,4}\)\s*)?(?:đã|đang)\s")
_RECIPIENTS = re.compile(r"^\s*(?:\*\*)?\s*nơi nhận\s*:?")


class BlockKind(StrEnum):
    """What a block is, which decides how tasks are read from it."""

    ITEM = "item"  # a numbered, lettered or dashed prose item
    ROW = "row"  # a table row (number then cells)
    PARAGRAPH = "paragraph"  # an unmarked prose paragraph
    TITLE = "title"  # an appendix title or a table header
    NUMBER = "number"  # the document's own "Số: ..." line


@dataclass(frozen=True)
class TableInfo:
    """The columns a table header announces, which tell how to read its rows' cells."""

    support: bool = False
    refs: bool = False
    result: bool = False
    required: bool = False  # a required-result column ("Kết quả yêu cầu") just before the deadline


@dataclass(frozen=True)
class Block:
    """A run of lines forming one item, row, paragraph or title, with its level in the outline."""

    kind: BlockKind
    level: float
    first: int  # 0-based index of the first line
    last: int  # 0-based index after the last line
    text: str  # the lines joined by "\n", list marker removed
    offset: int  # where `text` starts within its first line
    table: TableInfo | None = None
    marked: bool = True  # False for a row whose number the PDF lost
    mark: str = ""  # the list mark as written ("-", "+", "a)"), "" for none

    @cached_property
    def flat(self) -> str:
        """The block's display text (markup removed, one line), computed once: every stage reads it."""
        return clean_text(self.text)

    @cached_property
    def low(self) -> str:
        """The folded matching key of `flat`, computed once."""
        return fold(self.flat)


@lru_cache(maxsize=4096)
def _marker(line: str) -> tuple[float, int] | None:
    """The outline level of a line's list marker and where its text starts, if it has one (cached:
    segmenting asks about most lines several times)."""
    m = _MARK.match(line)
    if not m:
        return None
    if m.group("article"):
        return ARTICLE, m.end()
    if m.group("roman"):
        return ROMAN, m.end()
    if m.group("sub"):
        return NUMBER + 0.2 * m.group("sub").count("."), m.end()
    if m.group("num"):
        return NUMBER, m.end()
    if m.group("letter"):
        return LETTER, m.end()
    if m.group("paren"):
        return PAREN, m.end()
    if m.group("small_roman"):
        return SMALL_ROMAN, m.end()
    if m.group("dash") == "+":
        return PLUS, m.end()  # "+" is the sub-bullet of "-" in Vietnamese documents
    return DASH, m.end()


def _is_header(folded: str) -> bool:
    """Tell whether a line starts a table header ("STT Tên nhiệm vụ ...")."""
    if "nhiệm vụ" not in folded and not folded.lstrip().startswith(("stt", "tt")):
        return False  # a cheap test: every header holds one of these
    return bool(_HEADER.search(folded))


def _is_header_part(folded: str) -> bool:
    """Tell whether a line continues a table header (only column-name words)."""
    words = re.findall(r"\w+", folded)
    return bool(words) and all(w in _HEADER_WORDS for w in words)


def _table_info(header: str) -> TableInfo:
    """Read which columns a table header announces."""
    return TableInfo(
        support="phối hợp" in header,
        refs="văn bản" in header,
        result="kết quả" in header or "ghi chú" in header,
        required=bool(_REQUIRED.search(" ".join(header.split()))),
    )


def _starts_sentence(line: str) -> bool:
    """Tell whether a line opens a new sentence (capital letter, quote or bold mark first)."""
    text = line.lstrip(" *#")
    return bool(text) and (text[0].isupper() or text[0] in '"“(')


def _ends_sentence(line: str) -> bool:
    """Tell whether a line closes a sentence."""
    return line.rstrip(" *").endswith((".", ";", ":", "!", "?", ".)", "”", '"'))


def segment(lines: Sequence[str]) -> Iterator[Block]:
    """Cut clean lines into blocks: prose items and paragraphs, table rows, titles, own-number lines."""
    folded = fold_once("\n".join(lines)).split("\n")  # one pass: fold keeps length and line breaks
    table: TableInfo | None = None
    header_text = ""
    skipping = False
    i, n = 0, len(lines)
    while i < n:
        line, low = lines[i], folded[i].strip(" *#")
        if not low:
            i += 1
            continue
        if _RECIPIENTS.match(low):
            skipping = True
        if _OWN_NUMBER.match(low) and _capital_so(line):
            skipping = False
            yield Block(BlockKind.NUMBER, ROMAN, i, i + 1, line, 0)
            i += 1
            continue
        if _APPENDIX.match(low):
            end = _title_end(lines, i)
            skipping, table = False, None
            yield Block(BlockKind.TITLE, -1.0, i, end, "\n".join(lines[i:end]), 0)
            i = end
            continue
        if _is_header(low) and len(low) < 160:
            end, header_text = i + 1, folded[i]
            while end < n and (not folded[end].strip() or _is_header_part(folded[end].strip(" *"))):
                header_text += " " + folded[end]
                end += 1
            table = _table_info(header_text)
            i = end
            continue
        end = _block_end(lines, folded, i, table is not None)
        if skipping:
            i = end
            continue
        yield _make_block(lines, i, end, table)
        if table is not None and any(len(x) < 160 and _REQUIRED_LINE.search(x) for x in folded[i:end]):
            table = replace(table, required=True)  # a repeated header the header pattern missed
        i = end


def _title_end(lines: Sequence[str], start: int) -> int:
    """Where an appendix title ends: at the first blank line after a heading line or two."""
    end = start + 1
    while end < len(lines) and lines[end].strip() and end - start < 8:
        end += 1
    return end


def _block_end(lines: Sequence[str], folded: Sequence[str], start: int, in_table: bool) -> int:
    """Where the block that starts at `start` ends: before the next marker, title or header; in
    prose also before a new paragraph after a finished sentence."""
    bold = _bold_heading_end(lines, start)
    if bold is not None:
        return bold
    end = start + 1
    last_text = start
    seen_cell = False
    heading = _is_heading_line(lines[start])
    while end < len(lines):
        low = folded[end].strip(" *#")
        if heading and (end > last_text + 1 or (low and _heading_left(lines[end]))):
            break
        if low:
            if in_table and seen_cell and _opens_lost_row(lines[end], lines[last_text]):
                break
            seen_cell = seen_cell or (in_table and _is_last_cell(low))
            if (
                (
                    _row_marker(lines[end], in_table)
                    and not _is_continuation(lines[end], in_table)
                    and not _cited_number(lines[last_text], lines[end])
                    and not _dash_in_sentence(lines, start, last_text, end)
                    and not _inline_enumeration(lines, start, last_text, end)
                )
                or _APPENDIX.match(low)
                or _RECIPIENTS.match(low)
                or (_is_header(low) and len(low) < 160)
                or (_OWN_NUMBER.match(low) and _capital_so(lines[end]))
            ):
                break
            gap = end > last_text + 1
            if gap and not in_table and _starts_sentence(lines[end]) and _closed(lines, start, last_text):
                break
            if not in_table and _opens_field(lines, folded, end, last_text):
                break
            last_text = end
        end += 1
    return last_text + 1


def _closed(lines: Sequence[str], start: int, last_text: int) -> bool:
    """Tell whether the block's text so far is finished (a sentence end, a short title or a heading),
    tested only at a gap before a new sentence: joining the lines is the costly part."""
    return (
        _ends_sentence(lines[last_text])
        or (last_text == start and _short_title(lines[start]))
        or _is_heading_line(" ".join(lines[start : last_text + 1]))
    )


def _bold_heading_end(lines: Sequence[str], start: int) -> int | None:
    """Where a bold heading ends when its text runs on without a blank line ("**3. Cục\nĐiện ảnh**"
    then the item's text): after the line that closes the bold, if the heading is short."""
    if not lines[start].lstrip().startswith("**"):
        return None
    marks = words = 0
    for j in range(start, min(start + 4, len(lines))):
        text = lines[j].strip()
        if not text:
            return None
        marks += text.count("**")
        words += len(text.split())
        if marks % 2 == 0 and text.endswith("**"):
            mark = _marker(lines[start])
            body = "\n".join(lines[start : j + 1])[mark[1] if mark else 0 :]
            named = len(re.findall(r"[^\W\d_]+", body)) >= 2
            following = j + 1 < len(lines) and bool(lines[j + 1].strip())
            return j + 1 if named and words <= 16 and following else None
    return None


def _is_last_cell(low: str) -> bool:
    """Tell whether a folded line holds a row's closing cell (a deadline or a status)."""
    return bool(_LAST_CELL.match(low) or _STATUS_WORDS.search(low))


def _capital_so(line: str) -> bool:
    """Tell whether a "Số ..." line is capitalized, as a document's own number line is."""
    return line.lstrip(" *#").startswith(("Số", "SỐ"))


def _short_title(line: str) -> bool:
    """Tell whether a marked line is a short title ("1.4. Bảo đảm an sinh xã hội")."""
    mark = _marker(line)
    text = line[mark[1] :] if mark else line
    return mark is not None and len(text.split()) <= 12 and not text.rstrip(" *").endswith((",", "-"))


def _opens_lost_row(line: str, previous: str) -> bool:
    """Tell whether a line, after a row's last cell, starts a row whose number the PDF lost."""
    text = line.strip(" *")
    return (
        len(text.split()) >= 6
        and (text[0].isupper() or text.startswith("("))
        and not previous.rstrip().endswith(("-", ","))
        and (len(previous.split()) <= 4 or previous.rstrip(" *").endswith((".", ";", ":", ")")))
        and not _REPORTED.match(fold(text))
    )


def _is_heading_line(line: str) -> bool:
    """Tell whether a line (or the lines of a wrapped heading, joined: "**VII. CHẾ" "ĐỘ BÁO CÁO**")
    is a stand-alone heading (markdown "#" or all capitals), which ends at the next blank line."""
    text = line.strip()
    return text.startswith("#") or (text.isupper() and sum(ch.isalpha() for ch in text) >= 8)


def _opens_field(lines: Sequence[str], folded: Sequence[str], end: int, last_text: int) -> bool:
    """Tell whether a line opens a plan's labelled field ("Đơn vị chủ trì: …", "Thời gian thực
    hiện: …", its label perhaps wrapped before the colon) after a finished sentence, which ends the
    item above it even with no blank line between."""
    if not _ends_sentence(lines[last_text]) or not _starts_sentence(lines[end]):
        return False
    head = folded[end].strip(" *#")
    if end + 1 < len(folded) and len(head) < 40:
        head += " " + folded[end + 1].strip(" *#")
    return bool(FIELD.match(head))


_ROMANS = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv")
_LETTERS = "abcdđefghiklmnopqrstuvxy"


def _inline_enumeration(lines: Sequence[str], start: int, last_text: int, end: int) -> bool:
    """Tell whether a line opening with "(ii)", "(2)" or "b)" only wraps an enumeration that began
    inside the block ("… 05 chức năng: (i) Lưu trữ …; (ii) …"): its predecessor stands mid-line."""
    m = _MARK.match(lines[end])
    previous = _previous_mark(m) if m else ""
    above = lines[start : last_text + 1]
    return bool(previous) and any(previous in line.lstrip()[1:] for line in above)


def _previous_mark(m: re.Match[str]) -> str:
    """The mark an enumeration item follows ("(i)" before "(ii)", "(1)" before "(2)", "a)" before
    "b)"), or "" for a first item or another kind of mark."""
    if m.group("small_roman") in _ROMANS[1:]:
        return f"({_ROMANS[_ROMANS.index(m.group('small_roman')) - 1]})"
    if m.group("paren") and int(m.group("paren")) > 1:
        return f"({int(m.group('paren')) - 1})"
    letter = m.group("letter")
    if letter and letter in _LETTERS[1:] and ")" in m.group():
        return f"{_LETTERS[_LETTERS.index(letter) - 1]})"
    return ""


def _heading_left(line: str) -> bool:
    """Tell whether a line right under a capitals heading starts the text below it (a new sentence
    not in capitals, however short the capitals line wrapped under it: "VÀ ĐỊA" / "PHƯƠNG"), as in
    PDFs that put no blank line after "I. ĐÁNH GIÁ CHUNG"."""
    return _starts_sentence(line) and not line.strip(" *#").isupper()


def _dash_in_sentence(lines: Sequence[str], start: int, last_text: int, end: int) -> bool:
    """Tell whether a dashed line continues an unfinished sentence of a long block (a list of
    recipients inside a sentence) rather than starting an item."""
    mark = _marker(lines[end])
    closed = lines[last_text].rstrip().endswith("*")  # an emphasized heading closes its line
    if mark is None or mark[0] not in (DASH, PLUS) or _ends_sentence(lines[last_text]) or closed:
        return False
    return sum(len(line.split()) for line in lines[start : last_text + 1]) >= 25


_CITING_NOUN = re.compile(
    r"(?<!\w)(?:đề án|nghị quyết|chỉ thị|quyết định|kết luận|thông báo|công văn|luật|nghị định|số)\s*\**\s*$"
)


def _cited_number(previous: str, line: str) -> bool:
    """Tell whether a line holding only a number ends the citation the line before began ("… của
    Đề án" then "06"): the number of a document, not a new item's."""
    return bool(re.fullmatch(r"\s*\d{1,4}\s*", line)) and bool(_CITING_NOUN.search(fold(previous)))


def _is_continuation(line: str, in_table: bool) -> bool:
    """Tell whether a marked line still belongs to the block above (dashes inside table cells)."""
    mark = _marker(line)
    return in_table and mark is not None and mark[0] in (DASH, PLUS)


def _row_marker(line: str, in_table: bool) -> tuple[float, int] | None:
    """A line's marker, and in a table also a bare row number before the first cell ("1 Sở Tài
    chính Rà soát …": a flattened row whose number has no period)."""
    mark = _marker(line)
    if mark is None and in_table:
        bare = _ROW_NUMBER.match(line)
        return (NUMBER, bare.end()) if bare else None
    return mark


def _make_block(lines: Sequence[str], start: int, end: int, table: TableInfo | None) -> Block:
    """Build the block of lines [start, end), classifying it by its first line's marker."""
    mark = _row_marker(lines[start], table is not None)
    text = "\n".join(lines[start:end])
    if (
        mark is None
        and table is not None
        and any(_is_last_cell(fold(x).strip(" *")) for x in lines[start:end])
    ):
        return Block(BlockKind.ROW, NUMBER, start, end, text, 0, table, marked=False)
    if mark is None:
        return Block(BlockKind.PARAGRAPH, PARAGRAPH, start, end, text, 0, table)
    level, cut = mark
    written = text[:cut].strip(" *#_")
    if table is not None and level == NUMBER:
        return Block(BlockKind.ROW, level, start, end, text[cut:], cut, table, mark=written)
    return Block(BlockKind.ITEM, level, start, end, text[cut:], cut, table, mark=written)
