"""Small shared crawl rules: URL normal form, host check, challenge pages, labels, settings."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from scrapy.http import Request

from crawler.config import GeneralConfig, SourceConfig
from crawler.crawl_settings import source_settings
from crawler.pipelines import content_hash
from crawler.spiders.base import fold_label, looks_like_challenge
from crawler.spiders.replies import RetryBackoffMiddleware, retry_after_s
from crawler.spiders.urls import host_allowed, normalize_url


def test_normalize_url_drops_tracking_and_fragment() -> None:
    """utm_*, gidzl and the fragment go; other parameters and their order stay."""
    url = "HTTP://BaoChinhPhu.vn/a-1.htm?utm_source=rss&b=2&gidzl=x&a=1#top"
    assert normalize_url(url) == "http://baochinhphu.vn/a-1.htm?b=2&a=1"


def test_host_allowed_accepts_subdomains_only() -> None:
    """A subdomain of an allowed domain is allowed; a look-alike suffix is not."""
    assert host_allowed("datafiles.chinhphu.vn", ["chinhphu.vn"])
    assert not host_allowed("evilchinhphu.vn", ["chinhphu.vn"])


def test_challenge_page_is_detected_and_articles_are_not() -> None:
    """A tiny script page is a challenge; a normal article page is not."""
    challenge = (b"<html><head><script>document.cookie='c=1';location.reload()</script></head>"
                 b"<body></body></html>")
    assert looks_like_challenge(challenge, "text/html")
    text = "Nội dung bài báo dài. ".encode() * 80
    article = b"<html><body><script>x()</script><p>" + text + b"</p></body></html>"
    assert not looks_like_challenge(article, "text/html")


def test_fold_label_removes_diacritics() -> None:
    """Labels match whatever their accents or colon."""
    assert fold_label("Số ký hiệu:") == "so ky hieu" == fold_label("SỐ KÝ  HIỆU")


def test_volatile_parts_do_not_change_the_hash() -> None:
    """Comments with timestamps are stripped before hashing."""
    patterns = ["<!--.*?-->"]
    one = content_hash(b"<p>A</p><!--u: 10/6/2026 9:59:55 AM-->", "text/html", patterns)
    two = content_hash(b"<p>A</p><!--u: 10/7/2026 1:00:00 PM-->", "text/html", patterns)
    assert one == two


def test_settings_are_polite_for_remote_sources_and_fast_for_loopback() -> None:
    """Robots, AutoThrottle, user agent, size limit and timeouts come from one place."""
    general = GeneralConfig(operator_contact="cchc@nghean.gov.vn", max_response_mb=50, download_timeout_s=30)
    remote_source = SourceConfig(name="a", family="news", start_url="https://x.vn/")
    remote = source_settings(remote_source, general, "sqlite://", 60)
    assert remote["ROBOTSTXT_OBEY"] and remote["AUTOTHROTTLE_ENABLED"]
    assert remote["USER_AGENT"] == "dondoc/0.1 (+cchc@nghean.gov.vn)"
    assert remote["DOWNLOAD_MAXSIZE"] == 50 * 1024 * 1024 and remote["DOWNLOAD_TIMEOUT"] == 30
    local = source_settings(SourceConfig(name="b", family="news", start_url="http://127.0.0.1/", local=True),
                            general, "sqlite://", 60)
    assert not local["AUTOTHROTTLE_ENABLED"] and local["DOWNLOAD_DELAY"] == 0


def test_retries_back_off_exponentially(monkeypatch: pytest.MonkeyPatch) -> None:
    """The n-th retry waits base * 2^(n-1) seconds, capped; first attempts do not wait."""
    middleware = RetryBackoffMiddleware(base_s=0.05, cap_s=0.12)
    assert [middleware.delay_s(n) for n in range(5)] == [0.0, 0.05, 0.1, 0.12, 0.12]
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        """Record the wait instead of waiting."""
        slept.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    for retry_times in (0, 2):
        request = Request("http://127.0.0.1/", meta={"retry_times": retry_times})
        asyncio.run(middleware.process_request(request))
    assert slept == [0.1]


@pytest.mark.parametrize(("value", "seconds"), [
    ("120", 120.0),
    ("Wed, 01 Oct 2025 00:10:00 GMT", 600.0),  # an HTTP date ten minutes ahead
    ("Tue, 30 Sep 2025 00:00:00 GMT", 0.0),  # a date already past: retry now
    ("soon", None), ("-5", None), ("", None), (None, None),
])
def test_retry_after_reads_seconds_and_http_dates(value: str | None, seconds: float | None) -> None:
    """Retry-After is delta-seconds or an HTTP date; anything else is ignored (plain backoff)."""
    assert retry_after_s(value, dt.datetime(2025, 10, 1, tzinfo=dt.UTC)) == seconds


def test_a_retry_waits_for_the_sites_retry_after_when_longer(monkeypatch: pytest.MonkeyPatch) -> None:
    """A retried request noted with Retry-After: 30 sleeps 30 s, not the 0.05 s backoff."""
    middleware = RetryBackoffMiddleware(base_s=0.05, cap_s=0.12)
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        """Record the wait instead of waiting."""
        slept.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    asyncio.run(middleware.process_request(Request("http://127.0.0.1/", meta={"retry_times": 1,
                                                                             "dondoc_retry_after_s": 30.0})))
    assert slept == [30.0]
