"""Hostile inputs for the hardening tests and `bench/hostile.py`: Word files with a huge text node or
a zip bomb inside, Excel workbooks with a zip bomb or forged rows, Windows-1258 bytes, deeply nested
HTML and an oversized text file."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Callable
from typing import IO

MEGABYTE = 1024 * 1024
_CHUNK = b"a" * MEGABYTE

_CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                  b'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
                  b'openxmlformats-package.relationships+xml"/><Override PartName="/word/document.xml" '
                  b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.'
                  b'main+xml"/></Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
         b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
         b'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
_BODY_OPEN = (b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
              b'wordprocessingml/2006/main"><w:body>')
_BODY_CLOSE = b"</w:body></w:document>"


def docx_with_text_node(text_mb: int) -> bytes:
    """A .docx whose one paragraph holds `text_mb` MB of text (a 1 GB node compresses to ~1 MB)."""
    return _docx(lambda out: _write_repeated(out, b"<w:p><w:r><w:t>", text_mb, b"</w:t></w:r></w:p>"))


def docx_zip_bomb(xml_mb: int) -> bytes:
    """A .docx whose document.xml expands to `xml_mb` MB of small paragraphs."""
    paragraph = b"<w:p><w:r><w:t>Giao S\xe1\xbb\x9f T\xc6\xb0 ph\xc3\xa1p</w:t></w:r></w:p>"
    block = paragraph * (MEGABYTE // len(paragraph))

    def write(out: IO[bytes]) -> None:
        """Paragraphs, one megabyte at a time."""
        for _ in range(xml_mb):
            out.write(block)
    return _docx(write)


def xlsx_zip_bomb(xml_mb: int) -> bytes:
    """A .xlsx whose first sheet's XML expands to `xml_mb` MB of rows of one cell."""
    row = b'<row><c t="inlineStr"><is><t>Giao S\xe1\xbb\x9f T\xc6\xb0 ph\xc3\xa1p</t></is></c></row>'
    block = row * (MEGABYTE // len(row))

    def write(out: IO[bytes]) -> None:
        """Rows, one megabyte at a time."""
        for _ in range(xml_mb):
            out.write(block)
    return _xlsx(write)


def xlsx_far_rows(last_row: int) -> bytes:
    """A small .xlsx with a forged dimension whose second row is numbered `last_row` (the reader fills
    the rows in between)."""
    rows = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>STT</t></is></c></row>'
            b'<row r="%d"><c r="XFD%d" t="inlineStr"><is><t>1</t></is></c></row>' % (last_row, last_row))
    return _xlsx(lambda out: out.write(rows), b'<dimension ref="A1:XFD1048576"/>')


def _xlsx(write_rows: Callable[[IO[bytes]], object], head: bytes = b"") -> bytes:
    """A real workbook (openpyxl's) whose first sheet's rows `write_rows(stream)` streams."""
    import openpyxl  # only workbooks need it

    seed = io.BytesIO()
    openpyxl.Workbook().save(seed)
    buffer = io.BytesIO()
    with zipfile.ZipFile(seed) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            if member.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(member, source.read(member))
                continue
            with archive.open(member.filename, "w", force_zip64=True) as out:
                out.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                          b'openxmlformats.org/spreadsheetml/2006/main">' + head + b"<sheetData>")
                write_rows(out)
                out.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def _write_repeated(out: IO[bytes], head: bytes, megabytes: int, tail: bytes) -> None:
    """`head`, `megabytes` MB of one letter, `tail`."""
    out.write(head)
    for _ in range(megabytes):
        out.write(_CHUNK)
    out.write(tail)


def _docx(write_body: Callable[[IO[bytes]], None]) -> bytes:
    """A minimal .docx whose body `write_body(stream)` streams between the document's tags."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        with archive.open("word/document.xml", "w", force_zip64=True) as out:
            out.write(_BODY_OPEN)
            write_body(out)
            out.write(_BODY_CLOSE)
    return buffer.getvalue()


def windows_1258_page() -> bytes:
    """An HTML page declared UTF-8 whose bytes are Windows-1258 (Vietnamese with combining tones)."""
    text = ("Ủy ban nhân dân tỉnh giao Sở Tư pháp chủ trì rà soát thủ tục hành chính, "
            "hoàn thành trước ngày 30 tháng 11 năm 2025. ") * 20
    body = _cp1258(text)
    return (b'<html><head><meta charset="utf-8"><title>Th\xf4ng b\xe1o</title></head><body><article><p>'
            + body + b"</p></article></body></html>")


def _cp1258(text: str) -> bytes:
    """Vietnamese text in Windows-1258: tone marks as combining characters after the base letter."""
    letters = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in _TONES)
        letters.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES)) + tones)
    return "".join(letters).encode("cp1258")


_TONES = "\u0300\u0301\u0303\u0309\u0323"


def nested_html(depth: int) -> bytes:
    """An HTML page whose text sits `depth` elements deep."""
    return (b"<html><body>" + b"<div>" * depth + "Nội dung văn bản chỉ đạo".encode() + b"</div>" * depth
            + b"</body></html>")


def text_file(megabytes: int) -> bytes:
    """A plain-text document of `megabytes` MB."""
    line = "Giao Sở Tư pháp rà soát thủ tục hành chính, hoàn thành trước ngày 30/11/2025.\n".encode()
    return line * (megabytes * MEGABYTE // len(line) + 1)
