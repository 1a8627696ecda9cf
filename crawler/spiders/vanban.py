"""Document-portal spider (vanban.chinhphu.vn family): list rows, detail fields, attachments, postbacks.

Options: row_selector, link_selector, number_selector, list_date_selector, label_selector (the label
cells; the value is the next cell), `fields` (our field name -> label without diacritics),
title_selector, attachment_selector, date_formats, report_kinds, pager_selector (the ASP.NET
`__doPostBack(...)` links; the control prefix is read from them on every run, never configured).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from scrapy.http import FormRequest, Request, Response, TextResponse

from crawler.documents import DocumentMeta, parse_datetime
from crawler.extract.normalize import clean_line
from crawler.models import DocumentKind
from crawler.spiders.base import SourceSpider, fold_label, select_first, select_nodes, select_texts
from crawler.spiders.items import CheckedItem, FetchedItem

_POSTBACK = re.compile(r"__doPostBack\(\s*'([^']*)'\s*,\s*'([^']*)'\s*\)")


class VanbanSpider(SourceSpider):
    """List of documents -> detail page (metadata) -> attachment (the document's text)."""

    name = "vanban"
    required_options = ("row_selector", "link_selector", "label_selector", "fields")
    optional_options = frozenset({"title_selector", "attachment_selector", "date_formats", "pager_selector",
                                  "report_kinds"})

    async def start(self) -> AsyncIterator[Any]:
        """Fetch the first list page (conditionally: on 304 its stored copy is parsed), and the
        stored documents due for revalidation."""
        yield self.follow_url(self.source.start_url, self.parse_list, meta={"page": 1})
        for request in self.due_documents(self.parse_detail):
            yield request

    def parse_list(self, response: Response) -> Iterator[Request | FetchedItem | CheckedItem]:
        """A request per listed document, then the next page by postback while pages hold new rows."""
        page_response, stored = self.list_page(response)
        if stored and response.request is not None and response.request.method == "GET":
            yield stored
        if page_response is None:
            return
        response = page_response
        page = int(response.meta["page"])
        rows = select_nodes(response, str(self.options["row_selector"]))
        if not rows and page == 1:
            self.listing_empty(f"danh sách văn bản không có dòng nào (bộ chọn "
                               f"'{self.options['row_selector']}' không khớp) tại {response.url}")
        fresh = 0
        for row in rows:
            href = select_first(row, str(self.options["link_selector"]))
            if not href:
                continue
            url = self.normalize(response.urljoin(href))
            fresh += url not in self.known
            self.items_listed += 1
            request = self.revisit(url, self.parse_detail)
            if request is not None:
                yield request
        if fresh and page < self.source.max_pages:
            yield from self._postback(response, page + 1)

    def _postback(self, response: TextResponse, page: int) -> Iterator[Request]:
        """The ASP.NET postback for list page `page`, with the event target read from the pager link."""
        for href in select_texts(response, str(self.options.get("pager_selector", ""))):
            match = _POSTBACK.search(href)
            if match and match.group(2).rsplit("$", 1)[-1] == str(page):
                yield FormRequest.from_response(
                    response, formdata={"__EVENTTARGET": match.group(1), "__EVENTARGUMENT": match.group(2)},
                    dont_click=True, callback=self.parse_list, errback=self.on_error, meta={"page": page},
                    dont_filter=True,
                )
                return

    def parse_detail(self, response: TextResponse) -> Iterator[Request | FetchedItem | CheckedItem]:
        """Read the labelled fields; the first attachment carries the document, the page itself if none.
        A detail page answered 304 is unchanged: its attachments are not asked for again."""
        checked = self.unchanged(response)
        if checked is not None:
            yield checked
            return
        if not self.usable(response):
            return
        meta = self._meta(response)
        detail_url = self.normalize(response.url)
        attachments = select_texts(response, str(self.options.get("attachment_selector", "")))
        if not attachments:
            yield FetchedItem(page=self.fetched(response), document_url=detail_url, meta=meta)
            return
        page = self.fetched(response)
        yield FetchedItem(page=page)
        for n, href in enumerate(attachments):
            target = detail_url if n == 0 else self.normalize(response.urljoin(href))
            yield self.follow_url(response.urljoin(href), self.parse_attachment,
                                  meta={"document_url": target, "doc_meta": meta,
                                        "stand_in": page if n == 0 else None})

    def parse_attachment(self, response: TextResponse) -> Iterator[FetchedItem | CheckedItem]:
        """An attachment (PDF, DOCX, XLSX): the text of its document, with the detail page's metadata;
        the first attachment carries the detail page to read instead if the file cannot be read."""
        checked = self.unchanged(response)
        if checked is not None:
            yield checked
        elif self.usable(response):
            yield FetchedItem(page=self.fetched(response), document_url=response.meta["document_url"],
                              meta=response.meta["doc_meta"], stand_in=response.meta.get("stand_in"))

    def _meta(self, response: TextResponse) -> DocumentMeta:
        """DocumentMeta from the label/value rows, labels matched after removing diacritics."""
        fields = dict(self.options.get("fields", {}))
        wanted: Mapping[str, str] = {fold_label(label): key for key, label in fields.items()}
        values: dict[str, str] = {}
        for label in select_nodes(response, str(self.options["label_selector"])):
            key = wanted.get(fold_label(" ".join(label.xpath(".//text()").getall())))
            if key:
                value = label.xpath("following-sibling::td[1]//text()").getall()
                values[key] = " ".join(" ".join(value).split())
        if not values:
            self.problem(f"trang chi tiết không có trường nào khớp nhãn cấu hình tại {response.url}")
        issued = parse_datetime(values.get("issued", ""), self.option_list("date_formats"), self.utc_offset)
        return DocumentMeta(
            kind=self._kind(values.get("kind", "")), number=clean_line(values.get("number", "")) or None,
            issuer=values.get("issuer") or None, issued=issued.date() if issued else None,
            signer=values.get("signer") or None, summary=values.get("summary") or None,
            title=values.get("summary") or select_first(response, str(self.options.get("title_selector", "")))
            or None,
        )

    def _kind(self, label: str) -> DocumentKind:
        """Report kinds (by folded label prefix, from the profile) are reports; the rest directives."""
        folded = fold_label(label)
        reports = tuple(fold_label(k) for k in self.option_list("report_kinds"))
        return DocumentKind.REPORT if reports and folded.startswith(reports) else DocumentKind.DIRECTIVE
