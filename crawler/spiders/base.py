"""The base of every CMS-family spider: conditional requests, problem recording, challenge detection.

Spiders only parse and yield `FetchedItem`s; storing, extraction and health live in the pipeline and
the crawl worker. Everything site-specific comes from `SourceConfig.options` (the site profile).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Generator, Iterator, Mapping
from typing import Any

import scrapy
from parsel import Selector, SelectorList
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.responsetypes import responsetypes
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.config import SourceConfig
from crawler.extract.normalize import unmarked
from crawler.models import FetchedPage
from crawler.revisit import KnownPage, is_due
from crawler.spiders.items import CheckedItem, FetchedItem
from crawler.spiders.replies import GaveUp, oversize_reason
from crawler.spiders.urls import normalize_url

logger = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
"""The crawl's clock (UTC-aware): tests and benchmarks move it to when a document falls due."""

StoredCopy = Callable[[str], bytes | None]
"""Reads the last stored body of a URL (list pages answered 304 are parsed from it)."""

_CHALLENGE_MAX_BYTES = 8192
_CHALLENGE_MAX_TEXT = 300
_CHALLENGE_WORDS = re.compile(
    rb"captcha|challenge|just a moment|checking your browser|document\.cookie|window\.location", re.IGNORECASE
)
_TAGS = re.compile(rb"<script.*?</script>|<style.*?</style>|<[^>]+>", re.IGNORECASE | re.DOTALL)


def fold_label(text: str) -> str:
    """A label without diacritics, lower case, single-spaced, no colon: "Số ký hiệu:" -> "so ky hieu"."""
    return " ".join(unmarked(text).lower().replace(":", " ").split())


def looks_like_challenge(body: bytes, content_type: str | None) -> bool:
    """True for a bot-challenge page: a tiny HTML page that is mostly script with almost no text."""
    if len(body) > _CHALLENGE_MAX_BYTES or (content_type and "html" not in content_type.lower()):
        return False
    if b"<script" not in body.lower():
        return False
    visible = _TAGS.sub(b" ", body)
    return len(visible.split()) * 6 < _CHALLENGE_MAX_TEXT or bool(_CHALLENGE_WORDS.search(body))


def select_texts(selector: Selector | TextResponse, expression: str) -> list[str]:
    """Texts matched by CSS, or XPath when prefixed "xpath:"; matched elements give their whole text."""
    if not expression:
        return []
    texts = []
    for node in select_nodes(selector, expression):
        text = node.root if isinstance(node.root, str) else " ".join(node.xpath(".//text()").getall())
        cleaned = " ".join(str(text).split())
        if cleaned:
            texts.append(cleaned)
    return texts


def select_nodes(selector: Selector | TextResponse, expression: str) -> SelectorList[Selector]:
    """Nodes matched by CSS, or XPath when prefixed "xpath:"."""
    return selector.xpath(expression[6:]) if expression.startswith("xpath:") else selector.css(expression)


def select_first(selector: Selector | TextResponse, expression: str) -> str:
    """The first text matched by `expression`, or ""."""
    found = select_texts(selector, expression)
    return found[0] if found else ""


def describe_failure(failure: Failure, timeout_s: float, max_bytes: int = 0) -> str:
    """A one-line Vietnamese reason for a failed request (never a traceback); `max_bytes` is the
    response size limit (DOWNLOAD_MAXSIZE) a cancelled download ran into."""
    exc = failure.value
    url = getattr(getattr(failure, "request", None), "url", "")
    if isinstance(exc, HttpError):
        return f"HTTP {exc.response.status} tại {exc.response.url}"
    if isinstance(exc, IgnoreRequest):
        return f"{exc} ({url})" if url and url not in str(exc) else str(exc)
    name = type(exc).__name__
    if "Timeout" in name or "TimedOut" in name:
        return f"quá thời gian tải ({timeout_s:g} giây) tại {url}"
    if "Cancelled" in name:
        return oversize_reason(str(exc), url, max_bytes)
    if "Refused" in name or "ConnectError" in name or "NoRoute" in name:
        return f"không kết nối được tới máy chủ ({url})"
    if "DNS" in name or "Resolve" in name:
        return f"không phân giải được tên miền ({url})"
    if "DataLoss" in name or "ResponseFailed" in name or "ConnectionLost" in name:
        return f"kết nối bị ngắt giữa chừng ({url})"
    return f"lỗi tải {url}: {name}: {' '.join(str(exc).split())[:200]}"


COMMON_OPTIONS = frozenset({"volatile_patterns", "utc_offset", "drop_query_params", "article"})


class SourceSpider(scrapy.Spider):
    """A spider for one configured source; subclasses implement `start` and the parse callbacks."""

    name = "source"
    required_options: tuple[str, ...] = ()
    optional_options: frozenset[str] = frozenset()

    def __init__(self, source: SourceConfig, known: Mapping[str, KnownPage] | None = None,
                 stored: StoredCopy | None = None, clock: Clock | None = None, **kwargs: Any) -> None:
        """Keep the source, its profile options, what is known of stored URLs, their stored bodies and
        the crawl's clock."""
        super().__init__(name=source.name, **kwargs)
        self.source = source
        self.options: Mapping[str, Any] = source.options
        self.allowed_domains = list(source.allowed_domains)
        self.known: Mapping[str, KnownPage] = known or {}
        self.stored = stored
        self.now: Clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.items_listed = 0
        self.empty_listing = False

    def problem(self, reason: str) -> None:
        """Record a failure of this source (the run goes on; the worker reports the first one)."""
        logger.warning("%s: %s", self.source.name, reason)
        self.problems.append(reason)

    def listing_empty(self, reason: str) -> None:
        """The first list page or feed parsed to zero items: a failure, and a sign of a stale selector."""
        self.empty_listing = True
        self.problem(reason)

    def warn(self, reason: str) -> None:
        """Record something the operator should know that is not a failure (scanned PDF, robots.txt)."""
        logger.info("%s: %s", self.source.name, reason)
        self.warnings.append(reason)

    def follow_url(self, url: str, callback: Callable[..., Any], *, conditional: bool = True,
                   meta: dict[str, Any] | None = None) -> Request:
        """A request for the normalized URL, conditional (If-None-Match/If-Modified-Since) when known."""
        target = self.normalize(url)
        headers: dict[str, str] = {}
        known = self.known.get(target) if conditional else None
        if known and known.etag:
            headers["If-None-Match"] = known.etag
        if known and known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        return Request(target, callback=callback, errback=self.on_error, headers=headers, meta=meta or {})

    def revisit(self, url: str, callback: Callable[..., Any],
                meta: dict[str, Any] | None = None) -> Request | None:
        """A request for a listed document: new ones always, known ones (conditionally) only when the
        revisit schedule says they are due; None for a known document checked recently enough."""
        target = self.normalize(url)
        known = self.known.get(target)
        if known is not None and not is_due(target, known, self.source.revisit, self.now()):
            self.crawler.stats.inc_value("dondoc/not_due")
            return None
        return self.follow_url(target, callback, meta=meta)

    def normalize(self, url: str) -> str:
        """The seen-URL form, also dropping the profile's own session/redirect parameters."""
        return normalize_url(url, self.option_list("drop_query_params"))

    def on_error(self, failure: Failure) -> None:
        """Errback: robots.txt refusals and pages given up for this run are warnings, every other
        failed request a problem."""
        reason = describe_failure(failure, float(self.settings.getfloat("DOWNLOAD_TIMEOUT")),
                                  self.settings.getint("DOWNLOAD_MAXSIZE"))
        if isinstance(failure.value, GaveUp):
            self.warn(reason)
        elif "robots.txt" in reason:
            self.warn(f"bị chặn bởi robots.txt: {reason}")
        else:
            self.problem(reason)

    def due_documents(self, callback: Callable[..., Any]) -> Iterator[Request]:
        """Conditional requests for this source's stored documents whose revisit has come, listed on
        today's first pages or not: an old document deep in the list is checked on its schedule too."""
        now = self.now()
        for url, known in self.known.items():
            if known.document_of == self.source.name and is_due(url, known, self.source.revisit, now):
                self.crawler.stats.inc_value("dondoc/revisited")
                yield self.follow_url(url, callback)

    def unchanged(self, response: Response) -> CheckedItem | None:
        """For 304 Not Modified, the check to record (the stored copy is current); else None."""
        if response.status != 304:
            return None
        self.crawler.stats.inc_value("dondoc/not_modified")
        return CheckedItem(url=self.normalize(response.url), checked_at=self.now())

    def usable(self, response: Response) -> bool:
        """False for 304 Not Modified (nothing new) and for bot-challenge pages (recorded as a problem)."""
        if response.status == 304:
            return False
        if looks_like_challenge(response.body, _header(response, "Content-Type")):
            self.problem(f"trang kiểm tra chống bot (challenge) thay cho nội dung tại {response.url}")
            return False
        return True

    def list_page(self, response: Response) -> tuple[TextResponse | None, FetchedItem | CheckedItem | None]:
        """A list page to parse and the item storing it; on 304 the stored copy is parsed instead, so
        new items are found and known ones revisited on their schedule without downloading the list."""
        checked = self.unchanged(response)
        if checked is not None:
            body = self.stored(checked.url) if self.stored else None
            if body is None:
                return None, checked
            cls = responsetypes.from_args(url=response.url, body=body)
            copy = cls(url=response.url, body=body, request=response.request)
            return (copy if isinstance(copy, TextResponse) else None), checked
        if not self.usable(response) or not isinstance(response, TextResponse):
            return None, None
        return response, FetchedItem(page=self.fetched(response))

    def listed_page(
        self, response: Response
    ) -> Generator[FetchedItem | CheckedItem, None, TextResponse | None]:
        """Yield the item storing a list page and return the page to parse, if any (see list_page):
        `page = yield from self.listed_page(response)`."""
        page, stored = self.list_page(response)
        if stored:
            yield stored
        return page

    def fetched(self, response: Response) -> FetchedPage:
        """The response as a FetchedPage (raw bytes plus validators for the next conditional request)."""
        return FetchedPage(
            source=self.source.name, url=self.normalize(response.url), status=response.status,
            content=response.body, content_type=_header(response, "Content-Type"),
            fetched_at=self.now(), etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
        )

    @property
    def utc_offset(self) -> str:
        """The zone the site's times are in when they carry none (profile option, default +07:00)."""
        return str(self.options.get("utc_offset", "+07:00"))

    def option_list(self, key: str) -> tuple[str, ...]:
        """A list option of the profile as a tuple (missing -> empty)."""
        value = self.options.get(key, ())
        return tuple(value) if isinstance(value, list | tuple) else (str(value),)


def _header(response: Response, name: str) -> str | None:
    """A response header decoded as text, or None."""
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
