"""Files into a DocumentText: PDF, DOCX and XLSX (and .doc through LibreOffice) attachments, text files,
and the sniffing that picks a reader; metadata known from outside the file is merged in.

A PDF without a text layer is returned with needs_ocr=True, never silently empty; a file that
cannot be read raises UnusableInputError with a one-line Vietnamese message.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import logging
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.documents.html import ArticleProfile, document_from_html, plain_line
from crawler.documents.limits import MAX_DOCUMENT_MB, check_pdf_pages, check_size, check_text_chars, check_zip
from crawler.documents.ocr import is_image
from crawler.documents.sheets import document_from_xlsx
from crawler.errors import UnusableInputError
from crawler.models import DocumentKind, DocumentText, Table

logger = logging.getLogger(__name__)
_GENERIC = ArticleProfile()  # no site profile: the generic rules only

_MIN_TEXT_CHARS = 20
_OCR_CHARS_PER_PAGE = 10
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OFFICE_TIMEOUT_S = 120


@dataclass(frozen=True)
class DocumentMeta:
    """Metadata known from outside the file (a vanban detail page, a list item, a feed entry)."""

    kind: DocumentKind | None = None
    number: str | None = None
    issuer: str | None = None
    issued: dt.date | None = None
    signer: str | None = None
    summary: str | None = None
    title: str | None = None
    published: dt.datetime | None = None
    author: str | None = None


def document_from_pdf(content: bytes, name: str, url: str | None = None) -> DocumentText:
    """A PDF's text and tables; no text layer -> needs_ocr=True; unreadable -> UnusableInputError."""
    import pdfplumber  # heavy import, only where PDFs are read
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    if not content.lstrip()[:5].startswith(b"%PDF"):
        raise UnusableInputError(f"{name}: không phải tệp PDF hợp lệ")
    try:
        with pdfplumber.open(io.BytesIO(content)) as pdf:
            pages = len(pdf.pages)
            check_pdf_pages(pages, name)
            lines, tables = _pdf_lines(pdf.pages, name)
    except (PDFSyntaxError, PdfminerException, ValueError, KeyError, TypeError, AssertionError) as exc:
        raise UnusableInputError(f"{name}: tệp PDF bị hỏng hoặc không đầy đủ, không đọc được") from exc
    text = "\n".join(lines).strip()
    if pages == 0:
        raise UnusableInputError(f"{name}: tệp PDF bị hỏng hoặc không có trang nào")
    needs_ocr = len(re.sub(r"\s", "", text)) < max(_MIN_TEXT_CHARS, _OCR_CHARS_PER_PAGE * pages)
    if needs_ocr:
        logger.warning("%s: PDF has no text layer, needs OCR", name)
    return DocumentText(
        name=name, text=text + "\n" if text else "", url=url, tables=tuple(tables), needs_ocr=needs_ocr
    )


def _pdf_lines(pages: Sequence[Any], name: str) -> tuple[list[str], list[Table]]:
    """Text lines of all pages, a blank line at paragraph gaps, and each page's tables (characters capped)."""
    lines: list[str] = []
    tables: list[Table] = []
    chars = 0
    for page in pages:
        chars += len(page.chars)
        check_text_chars(chars, name)
        first_line = len(lines) + 1
        bottom: float | None = None
        for line in page.extract_text_lines(return_chars=False):
            height = float(line["bottom"]) - float(line["top"])
            if bottom is not None and float(line["top"]) - bottom > 0.6 * height:
                lines.append("")
            lines.append(plain_line(str(line["text"])))
            bottom = float(line["bottom"])
        for raw in page.extract_tables():
            rows = tuple(tuple(plain_line(cell or "") for cell in row) for row in raw if any(row))
            if rows:
                tables.append(Table(rows=rows, line=first_line))
        lines.append("")
    return lines, tables


def document_from_docx(content: bytes, name: str, url: str | None = None) -> DocumentText:
    """A Word document's paragraphs and tables in body order; unreadable -> UnusableInputError."""
    import docx  # heavy import, only where Word files are read
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph
    from lxml.etree import XMLSyntaxError

    check_zip(content, name)
    try:
        document = docx.Document(io.BytesIO(content))
    except (zipfile.BadZipFile, KeyError, ValueError, XMLSyntaxError) as exc:
        raise UnusableInputError(f"{name}: tệp Word (.docx) bị hỏng, không đọc được") from exc
    lines: list[str] = []
    tables: list[Table] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(plain_line(block.text))
        elif isinstance(block, DocxTable):
            rows = tuple(tuple(plain_line(cell.text) for cell in row.cells) for row in block.rows)
            tables.append(Table(rows=rows, line=len(lines) + 1))
            lines.extend(" | ".join(row) for row in rows)
    text = "\n".join(lines).strip()
    if not text:
        raise UnusableInputError(f"{name}: tệp Word không có nội dung chữ")
    return DocumentText(name=name, text=text + "\n", url=url, tables=tuple(tables))


def document_from_doc(content: bytes, name: str, url: str | None = None) -> DocumentText:
    """A legacy Word (.doc) file, converted to .docx by LibreOffice when it is installed."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise UnusableInputError(
            f"{name}: tệp Word cũ (.doc) cần LibreOffice để đọc; hãy cài LibreOffice hoặc dùng bản .docx/PDF"
        )
    with tempfile.TemporaryDirectory(prefix="dondoc-doc-") as tmp:
        source = Path(tmp, "van-ban.doc")
        source.write_bytes(content)
        command = [
            office,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp}/profile",
            "--convert-to",
            "docx",
            "--outdir",
            tmp,
            str(source),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=_OFFICE_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as exc:
            raise UnusableInputError(f"{name}: chuyển đổi tệp .doc quá thời gian") from exc
        converted = source.with_suffix(".docx")
        if not converted.exists():
            raise UnusableInputError(f"{name}: tệp Word cũ (.doc) bị hỏng, không chuyển đổi được")
        return document_from_docx(converted.read_bytes(), name, url)


def with_metadata(document: DocumentText, meta: DocumentMeta) -> DocumentText:
    """Overlay metadata known from the source page onto a document read from its file."""
    updates: dict[str, Any] = {
        key: value for key, value in dataclasses.asdict(meta).items() if value is not None and key != "title"
    }
    title = meta.title or meta.summary
    if title:
        updates["title"] = title
    return dataclasses.replace(document, **updates)


def sniff_kind(content: bytes, suffix: str = "") -> str:
    """A file's format from its first bytes, then its suffix: pdf, image, docx, xlsx, doc, html or txt."""
    head = content[:2048].lstrip()
    if head.startswith(b"%PDF"):
        return "pdf"
    if is_image(content):
        return "image"
    if content.startswith(_OLE_MAGIC):
        return "doc"
    if head.startswith(b"PK") and (suffix == ".docx" or b"word/" in content[:65536]):
        return "docx"
    if head.startswith(b"PK") and (suffix == ".xlsx" or b"xl/" in content[:65536]):
        return "xlsx"
    lowered = head.lower()
    if suffix in (".html", ".htm") or b"<html" in lowered or lowered.startswith(b"<!doctype html"):
        return "html"
    if suffix == ".pdf":
        return "pdf"
    return "txt"


def document_from_bytes(
    content: bytes,
    name: str,
    url: str | None = None,
    content_type: str | None = None,
    profile: ArticleProfile = _GENERIC,
) -> DocumentText:
    """Dispatch fetched bytes (at most max_document_mb) to the HTML, PDF, DOCX or XLSX reader by content."""
    check_size(len(content), name)
    kind = sniff_kind(content, Path(name).suffix.lower())
    if kind == "pdf":
        return document_from_pdf(content, name, url)
    if kind == "image":  # a scan: its text is read by OCR after the crawl (crawler.documents.ocr)
        return DocumentText(name=name, text="", url=url, needs_ocr=True)
    if kind == "docx":
        return document_from_docx(content, name, url)
    if kind == "xlsx":
        return document_from_xlsx(content, name, url)
    if kind == "doc":
        return document_from_doc(content, name, url)
    if kind == "html":
        return document_from_html(content, name, url, profile, content_type)
    raise UnusableInputError(f"{name}: định dạng tệp không được hỗ trợ")


def document_from_file(path: Path, max_mb: int = MAX_DOCUMENT_MB) -> DocumentText:
    """Read a .txt, .html, .pdf, .docx, .xlsx, .doc or image file (at most max_document_mb) as a document."""
    try:
        check_size(path.stat().st_size, str(path), max_mb)
        content = path.read_bytes()
    except OSError as exc:
        raise UnusableInputError(f"{path}: không đọc được tệp ({exc.strerror})") from exc
    if not content.strip():
        raise UnusableInputError(f"{path}: tệp rỗng")
    if sniff_kind(content, path.suffix.lower()) == "txt":
        from crawler.extract.plaintext import document_from_text_file  # owned by task extraction

        result: DocumentText = document_from_text_file(path)
        return result
    return document_from_bytes(content, path.name)
