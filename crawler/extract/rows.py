"""Rows of task tables flattened to text (PDF appendices): the task text first, then its cells.

A flattened row runs its cells together: the task, a required result, a deadline, units, documents.
The cells are told apart by what they hold (a unit, a deadline phrase, a document number, a
status), wherever the PDF put them: after blank lines, at the end of the task's last line ("…
Tháng 7/2025 Bộ Công an"), or before the task ("35-TB/TGV Phối hợp …").
"""

from __future__ import annotations

import itertools
import re

from crawler.extract.deadlines import CUE, DeadlineMatch, best_deadline, find_deadlines
from crawler.extract.normalize import clean_text, fold, trim_text
from crawler.extract.refs import document_numbers, find_status
from crawler.extract.segment import Block
from crawler.extract.subjects import is_report, subject_of, support_of
from crawler.extract.walkstate import ASSIGNERS, STATISTIC, SUBJECT_HEAD, VERB_RE, RawTask, Walk
from crawler.models import Deadline, Precision

_RELATION_BEFORE = re.compile(
    r"(?:với|cho|gửi|của|tại|về|trình|qua|và|thuộc|giữa|từ|đến|do|theo|các|tới)\s*$"
)


_CELL_START = re.compile(
    r"^(?:thông báo|tbkl|chỉ thị|nghị quyết|kế hoạch|quyết định|công văn|công điện|"
    r"kết luận|văn bản|đề án|thường xuyên|tháng|quý|năm|hằng|hàng|trước|đã|đang|chưa|"
    r"\d{1,2}\s*[/-]|\d{4}-)"
)


_REF_CELL = re.compile(
    r"(?:(?:thông báo|tbkl|chỉ thị|nghị quyết|nghị định|kế hoạch|quyết định|công văn|công điện|kết luận|"
    r"văn bản|quy định)(?:\s+kết luận)?(?:\s+số)?\s*)?\d{1,5}(?:/\d{4})?\s?[-/]\s?[A-ZĐ][\w&.\-/ ]{0,25}?"
    r"(?=\s|$|[,;])(?:\s*,?\s*ngày\s*\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{2,4})?",
    re.IGNORECASE,
)


_CELL_END = re.compile(
    r"(?<!\w)(?:tháng\s+\d|quý\s|năm\s+\d|thường\s+xuyên|trước|hằng\s+(?:tháng|năm|quý)|hàng\s+(?:tháng|năm|quý)|"
    r"đã|đang|chưa|hoàn thành|quyết định|nghị định|nghị quyết|đề án|chiến lược|kế hoạch|báo cáo|văn bản|"
    r"thông tư|luật|chương trình|hệ thống|được|đi vào|vận hành|trung tâm)(?!\w)|\d{1,2}\s*[/-]\s*\d"
)


# What every `_REF_CELL` holds: a digit then "-" or "/" (its number), a cheap test before a pattern
# that opens with an optional group and so has no first character the engine could skip to.
_REF_DIGITS = re.compile(r"\d\s?[-/]")


def _without_refs(text: str) -> str:
    """The text with its document-number cells blanked to a space."""
    return _REF_CELL.sub(" ", text) if _REF_DIGITS.search(text) else text


_RESULT_WORDS = (2, 16)  # a required-result cell is a short phrase ("Chiến lược được ban hành")


_DATE_LEAD_INS = frozenset(
    {"trong", "trước", "ngày", "đến", "tháng", "quý", "năm", "hạn", "nhất", "vào", "từ"}
)


def read_row(block: Block, walk: Walk) -> list[RawTask]:
    """Read a table row: the task text first, then cells (units, documents, deadline, status)."""
    text = block.text
    paragraphs = _paragraphs(text)
    tail_at = _tail_start(text, paragraphs, walk)
    trailing = _trailing_unit_cell(text[:tail_at], walk) if tail_at >= len(text.rstrip()) else None
    if trailing is not None:  # "… Chiến lược được ban hành Tháng 6/2025 Bộ Công an" on one line
        tail_at = trailing
    lead_refs, body_at = _leading_refs(text[:tail_at])
    action_text = text[body_at:tail_at]
    tail = text[tail_at:]
    action = clean_text(action_text)
    words = len(action.split())
    if words < 2 or is_report(action) or (words <= 16 and walk.units(action) == (action,)):
        return []
    if _counts_only(action):
        return []  # "17 Bắc Ninh 1 1": a row of a count table (units and their numbers), no task
    if not block.marked and not VERB_RE.search(fold(" ".join(action.split()[:14])).replace(":", " ")):
        return []
    if STATISTIC.search(action[:160]):
        return []
    ctx = walk.inherited()
    lead, support = _cells_units(tail, block, walk)
    lead = lead or subject_of(action, walk) or ctx.lead
    cell = best_deadline(find_deadlines(tail, walk.year, cells=True))
    closing = _closing_deadline(action_text, walk)
    section = next((c.deadline for c in reversed(walk.stack) if c.deadline and c.level >= 0), None)
    in_text = best_deadline([d for d in find_deadlines(action_text, walk.year) if d.strength >= CUE])
    deadline = (
        (cell.deadline if cell else None)
        or section  # "a) Nhiệm vụ tháng 8/2025:" dates its rows over dates inside their text
        or (closing.deadline if closing else None)
        or (in_text.deadline if in_text else None)
        or ctx.deadline
        or Deadline.none()
    )
    cited = tuple(document_numbers(tail))
    refs = lead_refs or cited or ctx.refs or ((walk.number,) if walk.number else ())
    if ctx.refs and cited:
        refs = tuple(dict.fromkeys([*ctx.refs, *cited]))
    status = find_status(tail) or ctx.status
    support = support or support_of(action, walk)
    result = _required_result(text, block, walk)
    return [RawTask(block, 0, trim_text(action), lead, support, deadline, status, refs, result)]


# Precisions of a deadline cell run into a row's text (a year span there is a plan's period).
_CELL_PRECISIONS = frozenset({Precision.DAY, Precision.MONTH, Precision.QUARTER})


_REF_PREFIX = re.compile(
    r"^[\s*]*(?:\d{1,5}(?:/\d{4})?\s?[-/]\s?[A-ZĐ][A-ZĐ&./-]*\s*[;,]?\s*)+(?=[A-ZĐÀ-Ỹ][a-zà-ỹđ])"
)


_REF_LINE = re.compile(r"^[\s*]*(?:[0-9A-ZĐ][0-9A-ZĐ&./-]*\s?[-/;,]?\s*)+$")


def _leading_refs(text: str) -> tuple[tuple[str, ...], int]:
    """The assigning documents that open a row (a "Văn bản giao việc" column before the task:
    "35-TB/TGV" or "71/NQ-CP; 01-\nTB/BCĐTW; 03-\nTB/BCĐTW"), and where the task text starts."""
    at = 0
    kept: list[str] = []
    for line in text.split("\n"):
        if line.strip() and not _REF_LINE.match(line):
            prefix = _REF_PREFIX.match(line)
            if prefix:  # "28-TB/TGV Ngăn chặn việc …" on one line
                kept.append(prefix.group())
                at += prefix.end()
            break
        kept.append(line)
        at += len(line) + 1
    refs = tuple(document_numbers(" ".join(" ".join(kept).split()).replace("- ", "-")))
    return (refs, min(at, len(text))) if refs else ((), 0)


def _closing_deadline(text: str, walk: Walk) -> DeadlineMatch | None:
    """A deadline that closes a row's task text ("… tại Luật KHCN, ĐMST Tháng 6/2025"): the deadline
    cell run into the text's last line."""
    found = find_deadlines(text, walk.year, cells=True)
    last = found[-1] if found else None
    if last and not text[last.end :].strip(" *.\n") and last.deadline.precision in _CELL_PRECISIONS:
        return last
    return None


def _trailing_unit_cell(text: str, walk: Walk) -> int | None:
    """Where a row's last cells start when a deadline and a unit end its last line ("… Tháng 7/2025
    Bộ Công an"): at that deadline, if only unit names follow it."""
    for found in reversed(find_deadlines(text, walk.year, cells=True)):
        rest = clean_text(text[found.end :])
        named = 1 <= len(rest.split()) <= 14 and bool(walk.units(rest))
        if named and not VERB_RE.search(walk.masked(rest)):
            return found.start
    return None


def _required_result(text: str, block: Block, walk: Walk) -> str:
    """A flattened row's required-result cell, read only under a header naming that column: the
    short capitalized text that opens a later paragraph and ends where its deadline cell starts."""
    if block.table is None or not block.table.required:
        return ""
    for start, end in _paragraphs(text)[1:]:
        para = text[start:end]
        found = find_deadlines(para, walk.year, cells=True)
        if not found:
            continue
        cell = clean_text(para[: found[0].start])
        rest = para[found[0].end :]
        if (
            _RESULT_WORDS[0] <= len(cell.split()) <= _RESULT_WORDS[1]
            and cell[:1].isupper()
            and len(rest.split()) <= _RESULT_WORDS[1]
            and not document_numbers(cell)
            and fold(cell).split()[-1] not in _DATE_LEAD_INS
            and not any(u.start == 0 for u in walk.gazetteer.find_units(cell, walk.province))
        ):
            return cell
        return ""
    return ""


def _counts_only(action: str) -> bool:
    """Tell whether a row's text is names and numbers with no verb (a count table's row)."""
    tokens = action.split()
    numbers = sum(1 for token in tokens if token.strip(".,;:").isdigit())
    return numbers * 5 >= len(tokens) and not VERB_RE.search(fold(action).replace(":", " "))


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """The blank-line separated paragraphs of a row, as spans."""
    spans = []
    for m in re.finditer(r"(?:[^\n]|\n(?![ \t]*\n))+", text):
        if m.group().strip():
            spans.append((m.start(), m.end()))
    return spans


def _tail_start(text: str, paragraphs: list[tuple[int, int]], walk: Walk) -> int:
    """Where a row's cells after the task text begin: the first later paragraph that opens with a
    unit, a document or a deadline, or a unit name inside the text's last line."""
    if not paragraphs:
        return len(text)
    for (prev_start, prev_end), (start, end) in itertools.pairwise(paragraphs):
        if _opens_cell(text[start:end], walk):
            para = text[start:end]
            opening = [
                u
                for u in walk.gazetteer.find_units(para, walk.province)
                if u.start <= len(para) - len(para.lstrip(" *-\n"))
            ]
            unit_cell = [u for u in opening if u.name not in ASSIGNERS]
            # "… Bộ Tài chính Quyết định của Thủ tướng" then "Chính phủ": the assigner ends the
            # product cell begun after the unit, so the unit may have words after it
            wrapped = bool(opening) and not unit_cell
            trailing = 16 if wrapped else 0
            inline = None if unit_cell else _inline_cell(text[prev_start:prev_end], walk, trailing=trailing)
            return prev_start + inline if inline is not None else start
    first_start, first_end = paragraphs[0]
    inline = _inline_cell(text[first_start:first_end], walk)
    if inline is not None:
        return first_start + inline
    return (
        paragraphs[1][0]
        if len(paragraphs) > 1 and len(paragraphs[0]) and _short(text, paragraphs)
        else len(text)
    )


def _short(text: str, paragraphs: list[tuple[int, int]]) -> bool:
    """Tell whether the paragraphs after the first are short cells rather than more task text."""
    return all(len(text[s:e].split()) <= 12 for s, e in paragraphs[1:])


def _opens_cell(para: str, walk: Walk) -> bool:
    """Tell whether a paragraph opens with a cell value: a unit, a document, a deadline, a status."""
    low = " ".join(fold(para).split()).lstrip("*- ")
    if _CELL_START.match(low):
        return True
    year = _YEAR_CELL.match(para.lstrip("\n"))
    if year and walk.gazetteer.find_units(para.lstrip("\n")[year.end() :], walk.province):
        return True  # "2024 Bộ Y tế": a bare year cell, then the unit cell
    units = walk.gazetteer.find_units(para, walk.province)
    if units and units[0].start <= len(para) - len(para.lstrip(" *-\n")):
        return True
    head = " ".join(para.strip().split("\n\n")[0].split())
    return bool(SUBJECT_HEAD.match(low)) and len(head.split()) <= 14 and bool(walk.units(head))


def _inline_cell(para: str, walk: Walk, trailing: int = 16) -> int | None:
    """Where a unit cell starts inside a one-paragraph row ("1. CSDL về Bảo hiểm Bộ Tài chính ...")."""
    low = fold(para)
    for unit in walk.gazetteer.find_units(para, walk.province):
        before = low[max(0, unit.start - 80) : unit.start]
        near_start = unit.start < 80 and len(before.split()) < 3
        if near_start or _RELATION_BEFORE.search(before) or unit.name in ASSIGNERS:
            continue
        if len(para[unit.end :].split()) <= trailing:
            return unit.start
    return None


_YEAR_CELL = re.compile(r"^[\s*]*20\d{2}\s+(?=[A-ZĐÀ-Ỹ])")


def _after_leading_deadline(para: str, walk: Walk) -> str:
    """A cell paragraph without the deadline that opens it ("Tháng 7/2025 Ban Cơ yếu Chính phủ": the
    deadline column came before the unit column on one flattened line)."""
    found = find_deadlines(para, walk.year, cells=True)
    if found and not para[: found[0].start].strip(" *-\n"):
        return para[found[0].end :]
    year = _YEAR_CELL.match(para)  # "2024 Bộ Y tế": a bare year cell run into the unit cell
    return para[year.end() :] if year else para


def _units_before_deadline(text: str, walk: Walk) -> tuple[str, ...]:
    """The units a cell names before its deadline ("Các bộ, ngành, địa phương 30/6/2025 …"), which
    lead; the units after that deadline then belong to a later column."""
    cut = _CELL_END.search(fold(text))
    head = text[: cut.start()] if cut else text
    return walk.units(head) if head.strip() else ()


def _cell_spans(text: str, walk: Walk) -> list[tuple[int, int]]:
    """The cells of a row's tail: its paragraphs, a paragraph joined to the one before when a name
    runs on between them (a PDF broke "Các bộ, ngành, địa / phương" over a blank line)."""
    spans: list[tuple[int, int]] = []
    for start, end in _paragraphs(text):
        piece = text[start:end].split()
        previous = text[spans[-1][0] : spans[-1][1]].split() if spans else []
        if previous and piece and walk.gazetteer.joins(previous[-1], piece[0]):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _cells_units(tail: str, block: Block, walk: Walk) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Lead and support units from a row's cells: the first unit paragraph is the lead, the next
    one (when the table has a support column) the support."""
    cells: list[tuple[str, ...]] = []
    cells_text = _without_refs(tail)
    for start, end in _cell_spans(cells_text, walk):
        para = _after_leading_deadline(cells_text[start:end], walk)
        after = _trailing_unit_cell(para, walk)
        if after is not None and not _units_before_deadline(para[:after], walk):
            para = _after_leading_deadline(para[after:], walk)  # "Tháng 7/2026 Bộ Xây dựng": after it
        cut = _CELL_END.search(fold(para))
        unit_text = para[: cut.start()] if cut else para
        if not unit_text.strip():
            continue
        units = tuple(u for u in walk.units(unit_text) if u not in ASSIGNERS)
        if units:
            cells.append(units)
    if not cells:
        joined = _after_leading_deadline(" ".join(_without_refs(tail).split()), walk)
        cut = _CELL_END.search(fold(joined))
        units = walk.units(joined[: cut.start()] if cut else joined) if joined.strip() else ()
        return (tuple(u for u in units if u not in ASSIGNERS), ()) if units else ((), ())
    if block.table is not None and block.table.support and len(cells) > 1:
        return cells[0], cells[1]
    return cells[0], ()
