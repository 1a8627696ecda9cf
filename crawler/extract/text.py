"""Documents from fetched files: HTML articles, PDF and DOCX attachments, each into a DocumentText.

HTML extraction is a cascade of fallbacks, most reliable first, so a site profile only has to name
what the generic rules miss: title (profile selector, og:title, h1, <title>), summary (profile
selector, meta description), author (profile selector, meta author, JSON-LD), publish time
(meta article:published_time, JSON-LD datePublished, the profile's visible time; never crawl time),
body (profile selector, <article>, [itemprop=articleBody], <body>). Figures, related-news boxes,
scripts and comments are dropped; tables are kept as `Table` cells and as text rows.
A PDF without a text layer is returned with needs_ocr=True, never silently empty; a file that
cannot be read raises UnusableInputError with a one-line Vietnamese message.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import logging
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector
from w3lib.encoding import html_to_unicode

from crawler.errors import UnusableInputError
from crawler.models import DocumentKind, DocumentText, Table

logger = logging.getLogger(__name__)

_BLOCK_TAGS = frozenset(
    (
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "section",
        "article",
        "header",
        "footer",
        "tr",
        "br",
        "dd",
        "dt",
        "pre",
    )
)
_ALWAYS_DROP = ("script", "style", "noscript", "figure", "iframe", "form", "nav")
_RELATED = re.compile(r"related", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\u00a0\u200b]+")
_MIN_TEXT_CHARS = 20
_OCR_CHARS_PER_PAGE = 10
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OFFICE_TIMEOUT_S = 120


@dataclass(frozen=True)
class ArticleProfile:
    """Site-specific article selectors and time formats; empty fields fall back to generic rules."""

    title: str = ""
    summary: str = ""
    summary_prefix: str = ""
    author: str = ""
    body: str = ""
    drop: tuple[str, ...] = ()
    time: str = ""
    time_formats: tuple[str, ...] = ()
    utc_offset: str = "+07:00"

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> ArticleProfile:
        """Build from a profile's `article` table (unknown keys are a config error upstream)."""
        known = {f.name for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in options.items() if k in known
        }
        return cls(**values)


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


def parse_utc_offset(offset: str) -> dt.timezone:
    """A fixed zone from "+07:00", the zone of Vietnamese sites that print times without one."""
    match = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", offset.strip())
    if not match:
        raise ValueError(f"độ lệch múi giờ không hợp lệ: {offset!r}")
    sign = -1 if match.group(1) == "-" else 1
    return dt.timezone(sign * dt.timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))


def parse_datetime(text: str, formats: Sequence[str], utc_offset: str = "+07:00") -> dt.datetime | None:
    """Parse a site's date/time with its formats (then ISO 8601); a missing zone means `utc_offset`."""
    value = _SPACES.sub(" ", text).strip()
    if not value:
        return None
    parsed: dt.datetime | None = None
    for fmt in formats:
        try:
            parsed = dt.datetime.strptime(value, fmt)
            break
        except ValueError:
            continue
    if parsed is None:
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=parse_utc_offset(utc_offset))


def decode_html(content: bytes, content_type: str | None = None) -> str:
    """Decode HTML bytes; valid UTF-8 wins over a wrong declared legacy encoding."""
    encoding, text = html_to_unicode(content_type, content)
    if encoding.replace("-", "").lower() != "utf8":
        try:
            return content.decode("utf-8").lstrip("\ufeff")
        except UnicodeDecodeError:
            pass
    return text


def document_from_html(
    content: bytes | str,
    name: str,
    url: str | None = None,
    profile: ArticleProfile = ArticleProfile(),
    content_type: str | None = None,
) -> DocumentText:
    """An HTML article as a DocumentText: metadata from the page, body text and tables."""
    text = content if isinstance(content, str) else decode_html(content, content_type)
    if not text.strip():
        raise UnusableInputError(f"{name}: trang HTML rỗng")
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise UnusableInputError(f"{name}: không đọc được HTML ({exc})") from exc
    linked = _json_ld(root)
    title = (
        _first_text(root, profile.title, "h1") or _meta(root, "og:title") or _first_text(root, "", "title")
    )
    summary = _strip_prefix(
        _first_text(root, profile.summary, "") or _meta(root, "description"), profile.summary_prefix
    )
    author = _first_text(root, profile.author, "") or _meta(root, "author") or _ld_author(linked)
    published = _published(root, linked, profile)
    body = _body(root, profile)
    lines, tables = _element_lines(body) if body is not None else ([], [])
    head = [line for line in (title, summary) if line]
    offset = len(head) * 2
    tables = [Table(rows=t.rows, line=t.line + offset) for t in tables]
    full = "\n\n".join(head) + ("\n\n" if head else "") + "\n".join(lines)
    return DocumentText(
        name=name,
        text=full.strip() + "\n",
        kind=DocumentKind.ARTICLE,
        title=title or None,
        url=url,
        published=published,
        author=author or None,
        summary=summary or None,
        tables=tuple(tables),
    )


@lru_cache(maxsize=256)
def _css(expression: str) -> CSSSelector:
    """A compiled CSS selector (translating CSS to XPath costs more than matching)."""
    return CSSSelector(expression)


def _meta(root: Any, key: str) -> str:
    """Content of <meta property=key> or <meta name=key>."""
    for attr in ("property", "name"):
        found = root.xpath(f"//meta[@{attr}=$key]/@content", key=key)
        if found and str(found[0]).strip():
            return _clean(str(found[0]))
    return ""


def _first_text(root: Any, selector: str, fallback: str) -> str:
    """Text of the first element matching the profile selector, else the generic fallback."""
    for css in (selector, fallback):
        if css:
            found = _css(css)(root)
            if found:
                return _clean(found[0].text_content())
    return ""


def _strip_prefix(summary: str, prefix: str) -> str:
    """Drop the site's fixed lead prefix such as "(Chinhphu.vn) - "."""
    if prefix and summary.startswith(prefix.strip()):
        return summary[len(prefix.strip()) :].strip()
    return summary


def _json_ld(root: Any) -> list[dict[str, Any]]:
    """Every JSON-LD object of the page (malformed blocks are skipped)."""
    objects: list[dict[str, Any]] = []
    for script in root.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text_content())
        except json.JSONDecodeError:
            logger.debug("skipping malformed JSON-LD block")
            continue
        items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
        items = [sub for item in items if isinstance(item, dict) for sub in item.get("@graph", [item])]
        objects.extend(item for item in items if isinstance(item, dict))
    return objects


def _ld_author(linked: list[dict[str, Any]]) -> str:
    """The author name from JSON-LD, if any."""
    for item in linked:
        author = item.get("author")
        if isinstance(author, list) and author:
            author = author[0]
        if isinstance(author, dict) and author.get("name"):
            return _clean(str(author["name"]))
    return ""


def _published(root: Any, linked: list[dict[str, Any]], profile: ArticleProfile) -> dt.datetime | None:
    """Publish time: meta article:published_time, then JSON-LD, then the profile's visible time."""
    candidates = [_meta(root, "article:published_time")]
    candidates += [str(item["datePublished"]) for item in linked if item.get("datePublished")]
    for value in candidates:
        moment = parse_datetime(value, (), profile.utc_offset) if value else None
        if moment:
            return moment
    if profile.time:
        shown = _first_text(root, profile.time, "")
        return parse_datetime(shown, profile.time_formats, profile.utc_offset)
    return None


def _body(root: Any, profile: ArticleProfile) -> Any:
    """The article body element with figures, related boxes, scripts and comments removed."""
    body = None
    for css in (profile.body, "article", "[itemprop=articleBody]", "body"):
        found = _css(css)(root) if css else []
        if found:
            body = found[0]
            break
    if body is None:
        return None
    for comment in body.xpath(".//comment()"):
        _remove(comment)
    for css in (*profile.drop, *_ALWAYS_DROP):
        for element in _css(css)(body):
            _remove(element)
    for element in body.xpath(".//*[@class or @type]"):
        if _RELATED.search(f"{element.get('class', '')} {element.get('type', '')}"):
            _remove(element)
    return body


def _remove(element: Any) -> None:
    """Remove an element or comment but keep its tail text in place."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _element_lines(element: Any) -> tuple[list[str], list[Table]]:
    """Block-structured text lines of an element; each <table> becomes rows and a Table."""
    lines: list[str] = []
    tables: list[Table] = []
    current: list[str] = []

    def flush() -> None:
        """End the current line."""
        text = _clean("".join(current))
        if text:
            lines.append(text)
        current.clear()

    def walk(node: Any) -> None:
        """Depth-first walk that breaks lines at block elements."""
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag == "table":
            flush()
            rows = _table_rows(node)
            if rows:
                tables.append(Table(rows=rows, line=len(lines) + 1))
                lines.extend(" | ".join(cell for cell in row if cell) for row in rows)
            current.append(node.tail or "")
            return
        if tag in _BLOCK_TAGS:
            flush()
        current.append(node.text or "")
        for child in node:
            walk(child)
        if tag in _BLOCK_TAGS:
            flush()
        current.append(node.tail or "")

    current.append(element.text or "")
    for child in element:
        walk(child)
    flush()
    return lines, tables


def _table_rows(table: Any) -> tuple[tuple[str, ...], ...]:
    """Cells of an HTML table, row by row, with stripped texts (nested tables flattened)."""
    rows = []
    for row in table.xpath(".//tr"):
        cells = tuple(_clean(cell.text_content()) for cell in row.xpath("./td|./th"))
        if any(cells):
            rows.append(cells)
    return tuple(rows)


def _clean(text: str) -> str:
    """Collapse runs of spaces (including non-breaking ones) and trim."""
    return _SPACES.sub(" ", text).strip()


def document_from_pdf(content: bytes, name: str, url: str | None = None) -> DocumentText:
    """A PDF's text and tables; no text layer -> needs_ocr=True; unreadable -> UnusableInputError."""
    import pdfplumber  # heavy import, only where PDFs are read
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    if not content.lstrip()[:5].startswith(b"%PDF"):
        raise UnusableInputError(f"{name}: không phải tệp PDF hợp lệ")
    try:
        with pdfplumber.open(io.BytesIO(content)) as pdf:
            lines, tables = _pdf_lines(pdf.pages)
            pages = len(pdf.pages)
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


def _pdf_lines(pages: Sequence[Any]) -> tuple[list[str], list[Table]]:
    """Text lines of all pages, a blank line at paragraph gaps, and each page's tables."""
    lines: list[str] = []
    tables: list[Table] = []
    for page in pages:
        first_line = len(lines) + 1
        bottom: float | None = None
        for line in page.extract_text_lines(return_chars=False):
            height = float(line["bottom"]) - float(line["top"])
            if bottom is not None and float(line["top"]) - bottom > 0.6 * height:
                lines.append("")
            lines.append(_clean(str(line["text"])))
            bottom = float(line["bottom"])
        for raw in page.extract_tables():
            rows = tuple(tuple(_clean(cell or "") for cell in row) for row in raw if any(row))
            if rows:
                tables.append(Table(rows=rows, line=first_line))
        lines.append("")
    return lines, tables


def document_from_docx(content: bytes, name: str, url: str | None = None) -> DocumentText:
    """A Word document's paragraphs and tables in body order; unreadable -> UnusableInputError."""
    import docx  # heavy import, only where Word files are read
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(content))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnusableInputError(f"{name}: tệp Word (.docx) bị hỏng, không đọc được") from exc
    lines: list[str] = []
    tables: list[Table] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(_clean(block.text))
        elif isinstance(block, DocxTable):
            rows = tuple(tuple(_clean(cell.text) for cell in row.cells) for row in block.rows)
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
    """The format of a file from its first bytes, then its suffix: pdf, docx, doc, html or txt."""
    head = content[:2048].lstrip()
    if head.startswith(b"%PDF"):
        return "pdf"
    if content.startswith(_OLE_MAGIC):
        return "doc"
    if head.startswith(b"PK") and (suffix == ".docx" or b"word/" in content[:65536]):
        return "docx"
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
    profile: ArticleProfile = ArticleProfile(),
) -> DocumentText:
    """Dispatch fetched bytes to the HTML, PDF or DOCX reader by their content."""
    kind = sniff_kind(content, Path(name).suffix.lower())
    if kind == "pdf":
        return document_from_pdf(content, name, url)
    if kind == "docx":
        return document_from_docx(content, name, url)
    if kind == "doc":
        return document_from_doc(content, name, url)
    if kind == "html":
        return document_from_html(content, name, url, profile, content_type)
    raise UnusableInputError(f"{name}: định dạng tệp không được hỗ trợ")


def document_from_file(path: Path) -> DocumentText:
    """Read a .txt, .html/.htm, .pdf, .docx or .doc file into a DocumentText (`dondoc extract`)."""
    try:
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
