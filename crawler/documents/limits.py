"""Bounds on untrusted bytes, checked before any parser sees them: file size, the members of a zip
container (DOCX/XLSX), PDF pages and characters, workbook rows and cells. Each refusal is an
UnusableInputError in Vietnamese."""

from __future__ import annotations

import io
import zipfile

from crawler.errors import UnusableInputError

MEGABYTE = 1024 * 1024
MAX_DOCUMENT_MB = 20
MAX_EXPANDED_MB = 64
MAX_MEMBER_RATIO = 100
MAX_PDF_PAGES = 500
MAX_TEXT_CHARS = 5_000_000
MAX_SHEET_ROWS = 100_000
MAX_SHEET_CELLS = 1_000_000


def check_size(size: int, name: str, max_mb: int = MAX_DOCUMENT_MB) -> None:
    """Refuse a file of more than `max_mb` (max_document_mb)."""
    if size > max_mb * MEGABYTE:
        raise UnusableInputError(f"{name}: tệp lớn {size / MEGABYTE:.0f} MB, vượt giới hạn "
                                 f"{max_mb} MB (max_document_mb), không đọc")


def check_zip(content: bytes, name: str, label: str = "Word (.docx)") -> None:
    """Refuse a zip container (a `label` file) whose members expand past MAX_EXPANDED_MB or compress
    suspiciously well (a zip bomb), before the XML inside is parsed. The declared sizes bound what
    zipfile will inflate."""
    try:
        members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UnusableInputError(f"{name}: tệp {label} bị hỏng, không đọc được") from exc
    expanded = sum(member.file_size for member in members)
    if expanded > MAX_EXPANDED_MB * MEGABYTE:
        raise UnusableInputError(f"{name}: tệp nén bung ra {expanded / MEGABYTE:.0f} MB, vượt giới hạn "
                                 f"{MAX_EXPANDED_MB} MB (nghi là “bom zip”), không đọc")
    for member in members:
        if member.file_size > MEGABYTE and member.file_size > MAX_MEMBER_RATIO * max(member.compress_size, 1):
            raise UnusableInputError(
                f"{name}: phần “{member.filename}” nén {member.compress_size / 1024:.0f} KB bung ra "
                f"{member.file_size / MEGABYTE:.0f} MB (hơn {MAX_MEMBER_RATIO} lần, nghi là “bom zip”), "
                "không đọc")


def check_pdf_pages(pages: int, name: str) -> None:
    """Refuse a PDF with more than MAX_PDF_PAGES pages."""
    if pages > MAX_PDF_PAGES:
        raise UnusableInputError(f"{name}: tệp PDF có {pages} trang, vượt giới hạn {MAX_PDF_PAGES} trang, "
                                 "không đọc")


def check_text_chars(chars: int, name: str) -> None:
    """Refuse a document whose text grows past MAX_TEXT_CHARS characters."""
    if chars > MAX_TEXT_CHARS:
        raise UnusableInputError(f"{name}: văn bản dài hơn {_grouped(MAX_TEXT_CHARS)} ký tự, vượt giới hạn, "
                                 "không đọc")


def check_sheet_size(rows: int, cells: int, name: str) -> None:
    """Refuse a workbook streaming more than MAX_SHEET_ROWS rows or MAX_SHEET_CELLS cells (counted with
    the empty ones a sheet's row numbers and column letters make the reader fill in)."""
    if rows > MAX_SHEET_ROWS or cells > MAX_SHEET_CELLS:
        raise UnusableInputError(f"{name}: bảng tính có hơn {_grouped(MAX_SHEET_ROWS)} dòng hoặc "
                                 f"{_grouped(MAX_SHEET_CELLS)} ô, vượt giới hạn, không đọc")


def _grouped(number: int) -> str:
    """A count with Vietnamese thousands dots: 5.000.000."""
    return f"{number:,}".replace(",", ".")
