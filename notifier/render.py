"""The one Jinja environment, and rendering digests into channel-ready text.

Templates are read from the installed `templates` package through importlib.resources, so a plain
(non-editable) install renders the same as a checkout. Templates whose name ends in `.html.j2` are
autoescaped: scraped text can never inject markup into Telegram or email HTML.

Templates put BLOCK_SEPARATOR between blocks (header, section titles, items): channels with a length
limit split messages only there, so an item, and any tag inside it, is never cut in two.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import re
from dataclasses import dataclass
from html import unescape
from urllib.parse import urlsplit

import jinja2

from notifier.digest import Digest, DigestItem, DigestPage, shorten

BLOCK_SEPARATOR = "\x1e"
TEMPLATE_PACKAGE = "templates"
BODY_TEMPLATES = {
    "console": "digest/text.j2",
    "file": "digest/text.j2",
    "email": "digest/email.txt.j2",
    "telegram": "digest/telegram.html.j2",
    "zalo": "digest/zalo.txt.j2",
}
DEFAULT_BODY_TEMPLATE = "digest/text.j2"
HTML_TEMPLATES = {"email": "digest/email.html.j2"}
SUBJECT_TEMPLATE = "digest/subject.txt.j2"
_TAG = re.compile(r"<(/?)([a-zA-Z-]+)[^>]*>")
TITLE_LIMIT = 70  # a document's title, enough to recognise it
UNITS_LIMIT = 110  # the lead and support units as written


@dataclass(frozen=True)
class SourceLine:
    """How an item names its document: a label (Văn bản, Bài viết), the name a link goes on (its
    number, or an article's quoted title) and the rest (date, title, the document that carried it),
    which starts with its own separator."""

    label: str
    name: str
    detail: str = ""


@dataclass(frozen=True)
class RenderedDigest:
    """A digest rendered for one channel: subject, body (with block separators) and optional HTML."""

    channel: str
    subject: str
    body: str
    html: str | None


def _load_template(name: str) -> str | None:
    """Read a template from the installed templates package; None lets Jinja report it missing."""
    resource = importlib.resources.files(TEMPLATE_PACKAGE).joinpath(*name.split("/"))
    if not resource.is_file():
        return None
    return resource.read_text(encoding="utf-8")


def _autoescape(name: str | None) -> bool:
    """Escape HTML templates only; plain-text templates keep characters as written."""
    return bool(name) and str(name).endswith((".html.j2", ".html"))


def vn_date(value: dt.date | None) -> str:
    """A date as Vietnamese readers write it: dd/mm/yyyy (empty for no date)."""
    return value.strftime("%d/%m/%Y") if value else ""


def hh_mm(value: dt.time | None) -> str:
    """A clock time as HH:MM, or empty."""
    return value.strftime("%H:%M") if value else ""


def safe_url(value: str | None) -> str | None:
    """Keep only http(s) links, so a scraped "javascript:" URL never becomes a clickable link."""
    if not value:
        return None
    return value if urlsplit(value.strip()).scheme.lower() in ("http", "https") else None


def source_line(item: DigestItem) -> SourceLine:
    """Name an item's document so a reader can find it: a numbered document by its number, date and
    title (and the cover document that carried it, when the task cites another number); a news
    article by its title and publication day; "không rõ số hiệu" only when nothing is known. A task
    read from a scan says so, with its page and OCR's confidence, so the reader checks it on the image."""
    line = _document_line(item)
    scan = item.source.ocr_confidence if item.source else None
    if scan is None:
        return line
    page = f", trang {item.source.page}" if item.source and item.source.page else ""
    return SourceLine(line.label, line.name, f"{line.detail} (bản quét{page}, nhận dạng chữ tự động, "
                                              f"độ tin cậy {scan:.0f}%)")


def _document_line(item: DigestItem) -> SourceLine:
    """An item's document named by its number, date and title, or an article by its title and day."""
    source, number = item.source, item.document_number
    title = shorten(source.title, TITLE_LIMIT) if source and source.title else None
    day = f" ngày {vn_date(source.date)}" if source and source.date else ""
    if source is not None and source.is_article:
        article = f"bài “{title}”" if title else "bài viết"
        posted = f" đăng{day}" if day else ""
        if number:
            return SourceLine("Văn bản", number, f", nêu trong {article}{posted}")
        return SourceLine("Bài viết", f"“{title}”" if title else "không rõ tiêu đề", posted)
    about = f" – {title}" if title else ""
    if number is None:
        return SourceLine("Văn bản", "không rõ số hiệu", f"{day}{about}" if title else "")
    if source is None:
        return SourceLine("Văn bản", number)
    if source.number and source.number != number:
        return SourceLine("Văn bản", number, f", chuyển qua {source.number}{day}{about}")
    return SourceLine("Văn bản", number, f"{day}{about}")


@functools.cache
def environment() -> jinja2.Environment:
    """The one Jinja environment of dondoc (digests, email, bulletins, reports)."""
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_load_template),
        autoescape=_autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["vndate"] = vn_date
    env.filters["hhmm"] = hh_mm
    env.filters["safe_url"] = safe_url
    env.filters["source_line"] = source_line
    env.filters["shorten"] = shorten
    env.globals["SEP"] = BLOCK_SEPARATOR
    env.globals["UNITS_LIMIT"] = UNITS_LIMIT
    return env


def render_digest(digest: Digest, channel: str, page: DigestPage | None = None) -> RenderedDigest:
    """Render a digest (or one message of it, `page`) for a channel type; unknown (plug-in) channels
    get the plain-text template."""
    env = environment()
    page = page or digest.whole
    body = env.get_template(BODY_TEMPLATES.get(channel, DEFAULT_BODY_TEMPLATE)).render(d=digest, page=page)
    html_name = HTML_TEMPLATES.get(channel)
    html = env.get_template(html_name).render(d=digest, page=page) if html_name else None
    subject = " ".join(env.get_template(SUBJECT_TEMPLATE).render(d=digest).split())
    return RenderedDigest(channel=channel, subject=subject, body=body, html=html)


def plain(body: str) -> str:
    """The body as the reader sees it: block separators removed."""
    return body.replace(BLOCK_SEPARATOR, "")


def visible(body: str, channel: str) -> str:
    """The text a reader's screen shows of a rendered body: HTML tags and entities resolved."""
    text = plain(body)
    if _autoescape(BODY_TEMPLATES.get(channel, DEFAULT_BODY_TEMPLATE)):
        text = unescape(_TAG.sub("", text))
    return text.strip()


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram counts message length in."""
    return len(text.encode("utf-16-le")) // 2


def count_tags(text: str) -> int:
    """Opening tags in an HTML fragment: Telegram allows at most 100 formatting entities a message."""
    return sum(1 for match in _TAG.finditer(text) if not match.group(1))


def split_parts(body: str, limit: int, max_tags: int | None = None) -> list[str]:
    """Pack blocks into parts of at most `limit` characters (and `max_tags` tags), cutting only between
    blocks; a block too long on its own is cut between lines, a line too long between characters
    (after dropping its tags, so no tag is ever cut)."""
    parts: list[str] = []
    current = ""
    for piece in _pieces(body, limit):
        candidate = current + piece
        too_many = max_tags is not None and count_tags(candidate) > max_tags
        if current and (utf16_len(candidate.strip()) > limit or too_many):
            parts.append(current.strip())
            current = piece
        else:
            current = candidate
    if current.strip():
        parts.append(current.strip())
    return parts


def _pieces(body: str, limit: int) -> list[str]:
    """Blocks of the body, each further cut into lines or characters when longer than `limit`."""
    pieces: list[str] = []
    for block in body.split(BLOCK_SEPARATOR):
        if utf16_len(block.strip()) <= limit:
            pieces.append(block)
            continue
        for line in block.splitlines(keepends=True):
            pieces.extend(_cut_line(line, limit) if utf16_len(line.strip()) > limit else [line])
    return pieces


def _cut_line(line: str, limit: int) -> list[str]:
    """Cut one over-long line into chunks, dropping tags and never cutting an HTML entity."""
    text = _TAG.sub("", line)
    chunks: list[str] = []
    size = max(limit // 2, 1)  # conservative: characters outside the BMP count twice
    while text:
        end = min(size, len(text))
        amp = text.rfind("&", 0, end)
        if amp != -1 and ";" not in text[amp:end] and end < len(text):
            end = amp or end
        chunks.append(text[:end] + "\n")
        text = text[end:]
    return chunks
