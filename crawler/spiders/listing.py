"""List/detail spider for news CMSs (baochinhphu family) and generic portals, configured by profile.

Options: item_selector, link_selector, time_selector + time_formats (list time, used only when the
article gives none), paging by `page_url` (a template with {page} and {zone}, zone read by
zone_selector) or by `next_selector`; `article` holds the article page selectors. An empty list page
ends paging, and so does a page whose items are all known already. Known articles are revisited on
their own schedule (crawler.revisit), not on every crawl.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy.http import Request, Response, TextResponse

from crawler.documents import DocumentMeta, parse_datetime
from crawler.models import DocumentKind
from crawler.spiders.base import SourceSpider, select_first, select_nodes, select_texts
from crawler.spiders.items import CheckedItem, FetchedItem


class ListingSpider(SourceSpider):
    """Category/list pages with paging, then one request per article page."""

    name = "listing"
    required_options = ("item_selector", "link_selector")
    optional_options = frozenset({
        "time_selector", "time_formats", "zone_selector", "page_url", "next_selector",
    })

    async def start(self) -> AsyncIterator[Any]:
        """Fetch the first list page (conditionally: on 304 its stored copy is parsed), and the
        stored documents due for revalidation."""
        yield self.follow_url(self.source.start_url, self.parse_list, meta={"page": 1})
        for request in self.due_documents(self.parse_article):
            yield request

    def parse_list(self, response: Response) -> Iterator[Request | FetchedItem | CheckedItem]:
        """Yield a request per listed article and the next list page while it can hold new items."""
        listed = yield from self.listed_page(response)
        if listed is not None:
            yield from self._read_list(listed)

    def _read_list(self, response: TextResponse) -> Iterator[Request]:
        """The requests of one list page: its articles, then the next page."""
        page = int(response.meta["page"])
        items = select_nodes(response, str(self.options["item_selector"])) if response.text.strip() else []
        links = [(item, select_first(item, str(self.options["link_selector"]))) for item in items]
        links = [(item, href) for item, href in links if href]
        if not links:
            if page == 1:
                self.listing_empty(f"trang danh sách không có mục nào (bộ chọn "
                                   f"'{self.options['item_selector']}' / '{self.options['link_selector']}' "
                                   f"không khớp) tại {response.url}")
            return
        fresh = 0
        for item, href in links:
            url = self.normalize(response.urljoin(href))
            fresh += url not in self.known
            self.items_listed += 1
            listed = parse_datetime(select_first(item, str(self.options.get("time_selector", ""))),
                                    self.option_list("time_formats"), self.utc_offset)
            request = self.revisit(url, self.parse_article, meta={"listed": listed})
            if request is not None:
                yield request
        zone = response.meta.get("zone") or select_first(response, str(self.options.get("zone_selector", "")))
        next_url = self._next_page(response, page, zone)
        if next_url and fresh and page < self.source.max_pages:
            meta = {"page": page + 1, "zone": zone}
            yield self.follow_url(next_url, self.parse_list, meta=meta)

    def _next_page(self, response: TextResponse, page: int, zone: str) -> str | None:
        """The next list page: a `page_url` template (zone read on the first page) or a next link."""
        template = self.options.get("page_url")
        if template:
            return response.urljoin(str(template).format(page=page + 1, zone=zone))
        found = select_texts(response, str(self.options.get("next_selector", "")))
        return response.urljoin(found[0]) if found else None

    def parse_article(self, response: TextResponse) -> Iterator[FetchedItem | CheckedItem]:
        """An article page: store it as a document (text and metadata are read by the pipeline)."""
        checked = self.unchanged(response)
        if checked is not None:
            yield checked
        elif self.usable(response):
            yield FetchedItem(page=self.fetched(response), document_url=self.normalize(response.url),
                              meta=DocumentMeta(kind=DocumentKind.ARTICLE),
                              listed_published=response.meta.get("listed"))
