"""Source document references ("Thông báo số 03-\\nTB/BCĐTW" -> "03-TB/BCĐTW") and reported status."""

from __future__ import annotations

import re

from crawler.extract.normalize import fold
from crawler.models import Status

_TOKEN = r"[A-ZĐ][A-Za-zĐđ0-9&.]*"
_NUMBER = re.compile(
    rf"(?<![\w/.-])(\d{{1,5}}[a-z]?(?:/\d{{4}})?\s?[-/]\s?{_TOKEN}(?:(?:\s?-\s?|/){_TOKEN})*)(?![\w/])"
)
_DOC_WORDS = (
    r"(?:thông báo(?: kết luận)?|tbkl|chỉ thị|nghị quyết|nghị định|kế hoạch|quyết định|công văn|"
    r"công điện|kết luận|quy định|thông tư|văn bản|báo cáo|hướng dẫn|tờ trình|đề án|chương trình)"
)
_CITED_NUMBER = re.compile(_DOC_WORDS + r"(?:\s+số)?\s*:?\s*$")
_OWN_NUMBER = re.compile(r"^\W*(?:số|so)\s*[:.]?\s*(\S.*)$", re.IGNORECASE)
_STATUS = (
    (
        re.compile(r"đang\s+(?:thực\s+hiện|triển\s+khai)\s*(?:,\s*)?(?:đã\s+)?quá\s+hạn"),
        Status.IN_PROGRESS_OVERDUE,
    ),
    # Each branch opens with a literal and tests what precedes it afterwards ("t(?<![\s\S]t)" is
    # "^t": nothing before), so the engine skips to candidates instead of trying every position.
    (
        re.compile(r"chưa\s+thực\s+hiện|chưa\s+triển\s+khai|t(?<![\s\S]t)hực\s+hiện\s+mới\b"),
        Status.NOT_STARTED,
    ),
    (re.compile(r"đã(?<!chưa đã)\s+hoàn\s+thành|h(?<!\wh)oàn\s+thành\s*$"), Status.DONE),
    (re.compile(r"đang\s+(?:thực\s+hiện|triển\s+khai)"), Status.IN_PROGRESS),
    (re.compile(r"quá\s+hạn|chưa\s+hoàn\s+thành"), Status.OVERDUE),
)
_STATUS_WORDS = ("đang", "chưa", "hoàn thành", "quá hạn", "thực hiện")
_OVERDUE_TITLE = re.compile(r"(?:nhiệm vụ|danh mục)[^\n]{0,40}(?:quá hạn|chậm tiến độ)")


def clean_number(raw: str) -> str:
    """A document number with whitespace removed ("03- TB/BCĐTW" -> "03-TB/BCĐTW")."""
    return re.sub(r"\s+", "", raw).replace("–", "-")


def document_numbers(text: str, cited_only: bool = False) -> list[str]:
    """Document numbers in a text, in order, optionally only those introduced as a document
    ("Thông báo số 03-TB/BCĐTW"), which are the ones that can assign tasks."""
    out: list[str] = []
    folded = fold(text)
    for m in _NUMBER.finditer(text):
        if not re.search(r"[A-Za-zĐđ]", m.group(1)) or not re.search(r"\d", m.group(1)[:3]):
            continue
        if cited_only and not _CITED_NUMBER.search(
            " ".join(folded[max(0, m.start() - 40) : m.start()].split())
        ):
            continue
        number = clean_number(m.group(1)).rstrip(".")
        if number not in out:
            out.append(number)
    return out


def own_number(line: str) -> str | None:
    """The number of the document itself from its "Số: 10447/UBND-VX" line, if this is that line."""
    m = _OWN_NUMBER.match(line.replace("*", "").strip())
    if not m:
        return None
    found = document_numbers(m.group(1))
    return found[0] if found else None


def find_status(text: str) -> Status | None:
    """The reported status in a status cell or phrase, normalized."""
    folded = " ".join(fold(text).split())
    if not any(word in folded for word in _STATUS_WORDS):
        return None  # a cheap test: every status phrase holds one of these words
    for regex, status in _STATUS:
        if regex.search(folded):
            return status
    return None


def overdue_title(text: str) -> bool:
    """Tell whether a title announces a list of overdue tasks, which makes its rows overdue."""
    return bool(_OVERDUE_TITLE.search(" ".join(fold(text).split())))
