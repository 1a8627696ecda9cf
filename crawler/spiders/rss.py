"""RSS 2.0 / Atom spider: feed entries, then the linked article pages.

Options: time_formats for the feed's dates (RFC 822 and ISO are always tried), utc_offset and the
`article` selectors of the linked pages.
Traps handled: an empty pubDate is "unknown", never now; a wrong declared encoding; tracking
parameters and fragments are dropped from links before dedupe.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import AsyncIterator, Iterator
from typing import Any

from lxml import etree
from scrapy.http import Request, Response, TextResponse

from crawler.documents import DocumentMeta, parse_datetime
from crawler.models import DocumentKind
from crawler.spiders.base import SourceSpider
from crawler.spiders.items import CheckedItem, FetchedItem

_ATOM = "{http://www.w3.org/2005/Atom}"


class RssSpider(SourceSpider):
    """One feed URL; each entry's link is fetched as an article."""

    name = "rss"
    optional_options = frozenset({"time_formats"})

    async def start(self) -> AsyncIterator[Any]:
        """Fetch the feed (conditionally: on 304 its stored copy is parsed), and the
        stored documents due for revalidation."""
        yield self.follow_url(self.source.start_url, self.parse_feed)
        for request in self.due_documents(self.parse_article):
            yield request

    def parse_feed(self, response: Response) -> Iterator[Request | FetchedItem | CheckedItem]:
        """A request per entry link (at most max_pages entries), with the entry's date as a fallback."""
        feed = yield from self.listed_page(response)
        if feed is not None:
            yield from self._read_feed(feed)

    def _read_feed(self, response: TextResponse) -> Iterator[Request]:
        """The requests of the feed's entries."""
        entries = _entries(response.body)
        if not entries:
            self.listing_empty(f"nguồn RSS không có mục nào hoặc không đọc được (nguồn tin có thể đã ngừng) "
                         f"tại {response.url}")
            return
        for link, published in entries[: self.source.max_pages]:
            self.items_listed += 1
            moment = self._date(published)
            request = self.revisit(response.urljoin(link), self.parse_article, meta={"listed": moment})
            if request is not None:
                yield request

    def _date(self, text: str) -> dt.datetime | None:
        """An entry date in the profile's formats, RFC 822 or ISO; empty means unknown."""
        if not text.strip():
            return None
        moment = parse_datetime(text, self.option_list("time_formats"), self.utc_offset)
        if moment is None:
            try:
                moment = email.utils.parsedate_to_datetime(text.strip())
            except (TypeError, ValueError):
                return None
        return moment

    def parse_article(self, response: TextResponse) -> Iterator[FetchedItem | CheckedItem]:
        """A linked article page, stored as a document."""
        checked = self.unchanged(response)
        if checked is not None:
            yield checked
        elif self.usable(response):
            yield FetchedItem(page=self.fetched(response), document_url=self.normalize(response.url),
                              meta=DocumentMeta(kind=DocumentKind.ARTICLE),
                              listed_published=response.meta.get("listed"))


def _entries(body: bytes) -> list[tuple[str, str]]:
    """(link, date text) of each RSS item or Atom entry; valid UTF-8 wins over a wrong declaration."""
    try:
        text = body.decode("utf-8").lstrip("\ufeff")
        if text.startswith("<?xml"):
            text = text[text.index("?>") + 2:]
        root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(recover=True, resolve_entities=False))
    except (UnicodeDecodeError, ValueError):
        root = etree.fromstring(body, etree.XMLParser(recover=True, resolve_entities=False))
    if root is None:
        return []
    entries = []
    for item in root.iter("item"):
        link = (item.findtext("link") or item.findtext("guid") or "").strip()
        if link:
            entries.append((link, item.findtext("pubDate") or item.findtext("date") or ""))
    for entry in root.iter(f"{_ATOM}entry"):
        node = entry.find(f"{_ATOM}link")
        link = (node.get("href") if node is not None else "") or ""
        if link:
            published = entry.findtext(f"{_ATOM}published") or entry.findtext(f"{_ATOM}updated") or ""
            entries.append((link, published))
    return entries
