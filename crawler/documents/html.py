"""HTML articles into a DocumentText: a cascade of fallbacks, most reliable first.

A site profile only has to name what the generic rules miss: title (profile selector, og:title,
h1, <title>), summary (profile selector, meta description), author (profile selector, meta author,
JSON-LD), the outlet's section (profile selector, meta article:section), publish time (meta
article:published_time, JSON-LD datePublished, the profile's visible time; never crawl time), body
(profile selector, <article>, [itemprop=articleBody], <body>).
Figures, related-news boxes, scripts and comments are dropped; tables are kept as `Table` cells
and as text rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
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
@dataclass(frozen=True)
class ArticleProfile:
    """Site-specific article selectors and time formats; empty fields fall back to generic rules."""

    title: str = ""
    summary: str = ""
    summary_prefix: str = ""
    author: str = ""
    section: str = ""
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


def decode_html_noted(content: bytes, content_type: str | None = None) -> tuple[str, str | None]:
    """Decode HTML bytes; when the declared encoding leaves undecodable bytes (U+FFFD), the real
    encoding is detected (charset-normalizer) and named in a notice."""
    text = decode_html(content, content_type)
    if "\ufffd" not in text or b"\xef\xbf\xbd" in content:
        return text, None
    import charset_normalizer

    best = charset_normalizer.from_bytes(content).best()
    if best is None or best.encoding.replace("_", "").lower() in ("utf8", "ascii"):
        return text, "trang có byte không giải mã được theo bảng mã khai báo; một số chữ bị mất"
    return (unicodedata.normalize("NFC", str(best)),
            f"trang khai báo bảng mã khác nhưng thực là {best.encoding}; đã đọc theo {best.encoding}")


def document_from_html(
    content: bytes | str,
    name: str,
    url: str | None = None,
    profile: ArticleProfile = ArticleProfile(),
    content_type: str | None = None,
) -> DocumentText:
    """An HTML article as a DocumentText: metadata from the page, body text and tables."""
    text, notice = (content, None) if isinstance(content, str) else decode_html_noted(content, content_type)
    if not text.strip():
        raise UnusableInputError(f"{name}: trang HTML rỗng")
    parser = lxml.html.HTMLParser()
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise UnusableInputError(f"{name}: không đọc được HTML ({exc})") from exc
    notices = [notice] if notice else []
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
        notices.append("HTML lồng quá sâu (từ 256 tầng), phần nằm sâu hơn bị bỏ qua")
    linked = _json_ld(root)
    title = (
        _first_text(root, profile.title, "h1") or _meta(root, "og:title") or _first_text(root, "", "title")
    )
    summary = _strip_prefix(
        _first_text(root, profile.summary, "") or _meta(root, "description"), profile.summary_prefix
    )
    author = _first_text(root, profile.author, "") or _meta(root, "author") or _ld_author(linked)
    section = _first_text(root, profile.section, "") or _meta(root, "article:section")
    published = _published(root, linked, profile)
    body = _body(root, profile)
    lines, tables = _element_lines(body) if body is not None else ([], [])
    head = [line for line in (title, summary) if line]
    offset = len(head) * 2
    tables = [Table(rows=t.rows, line=t.line + offset) for t in tables]
    full = "\n\n".join(head) + ("\n\n" if head else "") + "\n".join(lines)
    if not "".join(lines).strip():
        notices.append("trang không có nội dung chữ")
    return DocumentText(
        name=name,
        text=full.strip() + "\n",
        kind=DocumentKind.ARTICLE,
        title=title or None,
        url=url,
        published=published,
        author=author or None,
        section=section or None,
        summary=summary or None,
        tables=tuple(tables),
        notices=tuple(notices),
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
            return plain_line(str(found[0]))
    return ""


def _first_text(root: Any, selector: str, fallback: str) -> str:
    """Text of the first element matching the profile selector, else the generic fallback."""
    for css in (selector, fallback):
        if css:
            found = _css(css)(root)
            if found:
                return plain_line(found[0].text_content())
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
            return plain_line(str(author["name"]))
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
        text = plain_line("".join(current))
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
        cells = tuple(plain_line(cell.text_content()) for cell in row.xpath("./td|./th"))
        if any(cells):
            rows.append(cells)
    return tuple(rows)


def plain_line(text: str) -> str:
    """Collapse runs of spaces (including non-breaking ones) and trim."""
    return _SPACES.sub(" ", text).strip()

