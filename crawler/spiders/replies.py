"""What a site answers, handled beyond Scrapy's defaults, each with a Vietnamese reason naming the URL.

- Retries back off exponentially and honour `Retry-After` (seconds or an HTTP date) on 429/503, within
  the source's time limit: a site asking to wait longer than is left is given up on for this run
  (`GaveUp`, a warning of the source) rather than retried within seconds.
- Redirect loops and over-long redirect chains are refused before Scrapy's redirect middleware would
  drop them silently (its duplicate filter) or in English.
- A compressed body that expands past max_response_mb (a gzip bomb), and an oversized body, are named
  with their sizes and the limit.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import math
import re
from collections.abc import Callable
from urllib.parse import urldefrag, urljoin

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from w3lib.url import safe_url_string

MEGABYTE = 1024 * 1024
RETRY_AFTER_KEY = "dondoc_retry_after_s"
_RETRY_AFTER_STATUSES = frozenset({429, 503})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_SIZE = re.compile(r"(\d+) bytes which is larger than")


class GaveUp(IgnoreRequest):
    """A request given up on purpose for this run (the site asked to wait past the time limit): a
    warning of the source, not a failure of the site."""


def retry_after_s(value: str | None, now: dt.datetime) -> float | None:
    """Seconds a `Retry-After` header asks to wait (delta-seconds or an HTTP date; a past date is 0),
    or None when there is no usable header."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return max((moment - now).total_seconds(), 0.0)


def time_left(crawler: Crawler) -> Callable[[], float]:
    """Seconds left before the source's crawler closes at its time limit (CLOSESPIDER_TIMEOUT)."""
    limit = crawler.settings.getfloat("CLOSESPIDER_TIMEOUT")

    def left() -> float:
        """The limit minus the time since the crawler started (the whole limit before it starts)."""
        if limit <= 0:
            return math.inf
        started = crawler.stats.get_value("start_time") if crawler.stats else None
        if not isinstance(started, dt.datetime):
            return limit
        return limit - (dt.datetime.now(dt.UTC) - started).total_seconds()
    return left


class RetryBackoffMiddleware:
    """Waits before each retry: base * 2^(n-1) seconds (DONDOC_RETRY_BACKOFF_S, capped), or longer when
    the site's 429/503 said `Retry-After`; gives up on a page whose wait exceeds the time left."""

    def __init__(self, base_s: float, cap_s: float, left: Callable[[], float] = lambda: math.inf) -> None:
        """Keep the backoff base and cap in seconds, and the clock of the time left to the source."""
        self.base_s = base_s
        self.cap_s = cap_s
        self.left = left

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryBackoffMiddleware:
        """Scrapy's factory hook: the backoff settings and the source's time limit."""
        settings = crawler.settings
        base = settings.getfloat("DONDOC_RETRY_BACKOFF_S")
        return cls(base, settings.getfloat("DONDOC_RETRY_BACKOFF_MAX_S"), time_left(crawler))

    def delay_s(self, attempt: int) -> float:
        """Seconds to wait before the n-th retry: base * 2^(n-1), capped; no wait for a first attempt."""
        if attempt <= 0 or self.base_s <= 0:
            return 0.0
        return float(min(self.base_s * 2 ** (attempt - 1), self.cap_s))

    async def process_request(self, request: Request) -> None:
        """Sleep before a retried request: the backoff, or the site's Retry-After when longer."""
        attempt = int(request.meta.get("retry_times", 0))
        delay = max(self.delay_s(attempt), float(request.meta.get(RETRY_AFTER_KEY, 0.0)) if attempt else 0.0)
        if delay:
            await asyncio.sleep(delay)

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        """Note a 429/503's Retry-After for the retry (RetryMiddleware copies the request's meta), or
        raise GaveUp when the wait is longer than the source has left."""
        raw = response.headers.get("Retry-After")
        wait = retry_after_s(raw.decode("latin-1") if raw else None, dt.datetime.now(dt.UTC))
        if response.status not in _RETRY_AFTER_STATUSES or wait is None:
            request.meta.pop(RETRY_AFTER_KEY, None)
            return response
        left = self.left()
        if wait > left:
            raise GaveUp(f"máy chủ trả HTTP {response.status} và yêu cầu chờ {_duration(wait)} "
                         f"(Retry-After), lâu hơn thời gian thu thập còn lại của nguồn "
                         f"({max(left, 0):.0f} giây): bỏ qua {request.url} lần này, "
                         "lần thu thập sau sẽ thử lại")
        request.meta[RETRY_AFTER_KEY] = wait
        return response


class RedirectGuardMiddleware:
    """Refuses a redirect back to an address of its own chain (a loop) or past REDIRECT_MAX_TIMES,
    seeing each redirect before Scrapy's RedirectMiddleware (register it at a higher number)."""

    def __init__(self, max_times: int) -> None:
        """Keep the longest redirect chain allowed."""
        self.max_times = max_times

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectGuardMiddleware:
        """Scrapy's factory hook: REDIRECT_MAX_TIMES."""
        return cls(crawler.settings.getint("REDIRECT_MAX_TIMES"))

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        """Raise IgnoreRequest naming the loop or the chain; any other response passes."""
        location = response.headers.get("Location")
        if response.status not in _REDIRECT_STATUSES or not location:
            return response
        target = urljoin(request.url, safe_url_string(location))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if urldefrag(target).url in {urldefrag(url).url for url in chain}:
            raise IgnoreRequest(f"vòng chuyển hướng: {request.url} chuyển hướng quay lại {target} "
                                f"(vòng qua {len(chain)} địa chỉ)")
        if len(chain) > self.max_times:
            raise IgnoreRequest(f"quá {self.max_times} lần chuyển hướng liên tiếp (có thể là vòng chuyển "
                                f"hướng) từ {chain[0]}, dừng ở {request.url}")
        return response


class BoundedCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression, with a gzip/deflate/brotli bomb (expanding past max_response_mb while
    it is decompressed, which Scrapy stops) named in Vietnamese with its sizes."""

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Request | Response:
        """Decompress the body; a body expanding past the limit is an IgnoreRequest naming the URL."""
        try:
            return super().process_response(request, response)
        except IgnoreRequest as exc:
            limit = int(request.meta.get("download_maxsize", self._max_size))
            raise IgnoreRequest(f"trang nén bung ra quá lớn (nén {_mb(len(response.body))} MB, giải nén hơn "
                                f"{_mb(limit)} MB, giới hạn {_mb(limit)} MB, max_response_mb), đã hủy: "
                                f"{response.url}") from exc


def oversize_reason(message: str, url: str, limit_bytes: int) -> str:
    """The Vietnamese reason for a download Scrapy cancelled at DOWNLOAD_MAXSIZE: the announced or
    received size when its message gives one, and the limit."""
    found = _SIZE.search(message)
    size = f"{_mb(int(found.group(1)))} MB" if found else f"hơn {_mb(limit_bytes)} MB"
    return f"trang quá lớn ({size}, giới hạn {_mb(limit_bytes)} MB, max_response_mb), đã hủy tải: {url}"


def _duration(seconds: float) -> str:
    """A wait in seconds, with days added when it is that long."""
    grouped = f"{seconds / 86400:,.0f}".replace(",", ".")
    days = f", khoảng {grouped} ngày" if seconds >= 86400 else ""
    return f"{seconds:.0f} giây{days}"


def _mb(size: int) -> str:
    """Bytes as megabytes, whole from 10 MB, with one decimal comma below (0,3)."""
    megabytes = size / MEGABYTE
    if megabytes >= 10 or round(megabytes, 1).is_integer():
        return f"{megabytes:.0f}"
    return f"{megabytes:.1f}".replace(".", ",")
