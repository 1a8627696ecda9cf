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
from urllib.parse import urlsplit

import jinja2

from notifier.digest import Digest

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
    env.globals["SEP"] = BLOCK_SEPARATOR
    return env


def render_digest(digest: Digest, channel: str) -> RenderedDigest:
    """Render a digest for a channel type; unknown (plug-in) channels get the plain-text template."""
    env = environment()
    body = env.get_template(BODY_TEMPLATES.get(channel, DEFAULT_BODY_TEMPLATE)).render(d=digest)
    html_name = HTML_TEMPLATES.get(channel)
    html = env.get_template(html_name).render(d=digest) if html_name else None
    subject = " ".join(env.get_template(SUBJECT_TEMPLATE).render(d=digest).split())
    return RenderedDigest(channel=channel, subject=subject, body=body, html=html)


def plain(body: str) -> str:
    """The body as the reader sees it: block separators removed."""
    return body.replace(BLOCK_SEPARATOR, "")


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
