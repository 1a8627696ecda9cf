"""Scrapy settings, in one place: politeness, limits and safety for one source's crawler."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from crawler.config import GeneralConfig, SourceConfig

USER_AGENT_PRODUCT = "dondoc/0.1"
MEGABYTE = 1024 * 1024
REDIRECT_MAX = 5
RETRY_TIMES = 2
CLOSE_MARGIN_S = 5
CONCURRENT_ITEMS = 16
"""Items and requests of one response handled at once: Scrapy starts that many tasks per response
(its default of 100 cost more than parsing an article; a page yields at most a list's worth)."""


def user_agent(general: GeneralConfig) -> str:
    """The User-Agent naming the product and the operator to contact."""
    return f"{USER_AGENT_PRODUCT} (+{general.operator_contact})"


def process_settings(general: GeneralConfig, time_limit_s: int,
                     local_hosts: tuple[str, ...] = ()) -> dict[str, Any]:
    """Settings of the crawler process as a whole (logging, the reactor-wide thread pool, the resolver
    refusing private addresses except for the hosts of local sources)."""
    return {
        "TWISTED_DNS_RESOLVER": "crawler.spiders.safety.GuardedResolver",
        "DONDOC_LOCAL_HOSTS": list(local_hosts),
        "LOG_LEVEL": "INFO",
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "USER_AGENT": user_agent(general),
        "CLOSESPIDER_TIMEOUT": max(time_limit_s - CLOSE_MARGIN_S, 1),
        "REACTOR_THREADPOOL_MAXSIZE": 10,
    }


def local_hosts(sources: Sequence[SourceConfig]) -> tuple[str, ...]:
    """The host names of the sources marked local (loopback test sites), start URL and allowed domains."""
    hosts = {urlsplit(s.start_url).hostname or "" for s in sources if s.local}
    hosts |= {domain for s in sources if s.local for domain in s.allowed_domains}
    return tuple(sorted(hosts - {""}))


def source_settings(source: SourceConfig, general: GeneralConfig, db_url: str,
                    time_limit_s: int) -> dict[str, Any]:
    """Settings of one source's crawler: loopback sources (local = true) run without politeness delays."""
    polite = not source.local
    return {
        **process_settings(general, time_limit_s),
        "BOT_NAME": "dondoc",
        "ROBOTSTXT_OBEY": True,
        "AUTOTHROTTLE_ENABLED": polite,
        "AUTOTHROTTLE_START_DELAY": 1.0,
        "AUTOTHROTTLE_MAX_DELAY": 30.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.5,
        "DOWNLOAD_DELAY": 0.5 if polite else 0.0,
        "DOWNLOAD_DELAY_JITTER": 0.5 if polite else 0.0,
        "CONCURRENT_REQUESTS": 8 if polite else 32,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 2 if polite else 32,
        "CONCURRENT_ITEMS": CONCURRENT_ITEMS,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": RETRY_TIMES,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        "DOWNLOAD_MAXSIZE": general.max_response_mb * MEGABYTE,
        "DOWNLOAD_WARNSIZE": max(general.max_response_mb // 2, 1) * MEGABYTE,
        "DOWNLOAD_TIMEOUT": general.download_timeout_s,
        "REDIRECT_MAX_TIMES": REDIRECT_MAX,
        "METAREFRESH_ENABLED": False,
        "COOKIES_ENABLED": False,
        "HTTPERROR_ALLOWED_CODES": [304],
        "DOWNLOAD_HANDLERS": {"file": None, "ftp": None, "s3": None, "data": None},
        "DOWNLOADER_MIDDLEWARES": {  # ours reports refusals per source, Scrapy's drops them silently
            "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "crawler.spiders.robots.SharedRobotsTxtMiddleware": 100,  # one robots.txt per host per crawl
            "crawler.spiders.safety.SafetyMiddleware": 50,
            "crawler.spiders.replies.RetryBackoffMiddleware": 560,  # sees 429/503 before RetryMiddleware
            "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
            "crawler.spiders.replies.BoundedCompressionMiddleware": 590,
            "crawler.spiders.replies.RedirectGuardMiddleware": 610,  # sees 3xx before RedirectMiddleware
        },
        "DONDOC_RETRY_BACKOFF_S": 2.0 if polite else 0.1,
        "DONDOC_RETRY_BACKOFF_MAX_S": 60.0,
        "ITEM_PIPELINES": {"crawler.pipelines.StoragePipeline": 300},
        "DONDOC_DATABASE_URL": db_url,
    }
