"""Reading a plain-text document (optionally with a `key: value` header closed by `---`)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from crawler.errors import UnusableInputError
from crawler.extract.normalize import clean_line, fold
from crawler.extract.refs import own_number
from crawler.models import DocumentKind, DocumentText

_HEADER_LINE = re.compile(r"^([A-Za-z_][\w-]{0,30})\s*:\s*(.*)$")
# A document's or article's own date: "Hà Nội, ngày 5 tháng 3 năm 2026" (not after a deadline's cue:
# "hoàn thành trước ngày 31 tháng 12 năm 2019"), or a news line opening with it ("Ngày 02/12/2025, …").
_WRITTEN_DATE = re.compile(  # "ngày" first, then what may not precede it: a literal to skip to
    r"ngày(?<!trước ngày)(?<!hạn ngày)(?<!đến ngày)(?<!là ngày)(?<!thành ngày)(?<!từ ngày)(?<!sau ngày)"
    r"\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})"
)
_OPENING_DATE = re.compile(r"^[\W_]*ngày\s+(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})\s*,")
_KINDS = {
    "article": DocumentKind.ARTICLE,
    "news": DocumentKind.ARTICLE,
    "tintuc": DocumentKind.ARTICLE,
    "baibao": DocumentKind.ARTICLE,
    "report": DocumentKind.REPORT,
    "baocao": DocumentKind.REPORT,
}
_ISSUER = re.compile(
    r"^(?:ủy ban nhân dân|ubnd|bộ|sở|văn phòng|ban|thủ tướng|chính phủ|tỉnh ủy|thành ủy|đảng)"
)
_MAX_CONTROL_RATIO = 0.02


def decode_text(data: bytes, name: str) -> str:
    """Decode a text file's bytes as UTF-8, refusing empty files, binary junk and other encodings."""
    if not data.strip():
        raise UnusableInputError(f"Tệp {name} trống, không có nội dung để trích xuất.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnusableInputError(
            f"Tệp {name} không phải văn bản UTF-8 hợp lệ (byte lỗi ở vị trí {exc.start})."
        ) from exc
    control = sum(1 for ch in text[:100_000] if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    if control > _MAX_CONTROL_RATIO * min(len(text), 100_000):
        raise UnusableInputError(f"Tệp {name} chứa dữ liệu nhị phân, không phải văn bản.")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_header(text: str) -> tuple[dict[str, str], str]:
    """Split a leading `key: value` header closed by `---`; the header's lines are blanked in the
    body so line numbers still count from the file's first line."""
    lines = text.split("\n")
    header: dict[str, str] = {}
    for i, line in enumerate(lines[:40]):
        if line.strip() == "---" and header:
            return header, "\n" * (i + 1) + "\n".join(lines[i + 1 :])
        m = _HEADER_LINE.match(line)
        if not m:
            break
        header[m.group(1).lower()] = m.group(2).strip()
    return {}, text


def _published(value: str | None) -> dt.datetime | None:
    """Read a header's publication date (ISO date or datetime)."""
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None


def issue_date(line: str) -> dt.date | None:
    """The document's own date if this line gives it (see _WRITTEN_DATE), else None."""
    folded = fold(clean_line(line))
    m = _WRITTEN_DATE.search(folded) or _OPENING_DATE.search(folded)
    if not m:
        return None
    try:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


def _issued(lines: list[str]) -> dt.date | None:
    """The issue date from the "Nghệ An, ngày 03 tháng 10 năm 2025" line near the top."""
    return next((day for day in map(issue_date, lines[:60]) if day), None)


def _issuer(lines: list[str]) -> str | None:
    """The issuing body from the letterhead's first capitalized lines."""
    head: list[str] = []
    for line in lines[:15]:
        text = clean_line(line).replace("*", "").strip()
        if not text:
            if head:
                break
            continue
        if text.isupper() and (head or _ISSUER.match(fold(text))):
            head.append(text)
        elif head:
            break
    return " ".join(head).title() if head else None


def document_from_text(text: str, name: str, header: dict[str, str] | None = None) -> DocumentText:
    """Build a DocumentText from decoded text, inferring number, issuer and issue date."""
    lines = text.split("\n")
    header = header or {}
    number = next((n for n in (own_number(clean_line(line)) for line in lines[:60]) if n), None)
    kind = _KINDS.get(header.get("kind", "").lower(), DocumentKind.DIRECTIVE)
    return DocumentText(
        name=name,
        text=text,
        kind=kind,
        number=number,
        issuer=_issuer(lines),
        issued=_issued(lines),
        url=header.get("source") or header.get("url"),
        published=_published(header.get("published")),
    )


def document_from_text_file(path: Path) -> DocumentText:
    """Read a .txt document with its optional header into a DocumentText."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnusableInputError(f"Không đọc được tệp {path.name}: {exc.strerror}.") from exc
    header, body = split_header(decode_text(data, path.name))
    return document_from_text(body, path.name, header)
