"""The documents stage: fetched bytes or local files into a DocumentText (text, metadata, tables).

`html.py` reads articles through a cascade of fallbacks with an optional site profile; `files.py`
reads PDF, Word and text files, sniffs which reader a payload needs and merges metadata known from
outside the file. Every reader is bounded and raises UnusableInputError with a Vietnamese message.
"""

from crawler.documents.files import (
    DocumentMeta,
    document_from_bytes,
    document_from_docx,
    document_from_file,
    document_from_pdf,
    sniff_kind,
    with_metadata,
)
from crawler.documents.html import ArticleProfile, decode_html, document_from_html, parse_datetime

__all__ = [
    "ArticleProfile",
    "DocumentMeta",
    "decode_html",
    "document_from_bytes",
    "document_from_docx",
    "document_from_file",
    "document_from_html",
    "document_from_pdf",
    "parse_datetime",
    "sniff_kind",
    "with_metadata",
]
