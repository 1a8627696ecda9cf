"""Request safety: only http(s), only the source's allowed hosts, only globally routable addresses
unless the source is local.

Runs on every request, including the ones RedirectMiddleware builds, so an off-domain redirect is
refused like an off-domain link. (robots.txt with a BOM needs nothing: Scrapy decodes it as utf-8-sig.)
The middleware's early check gives the reason; `GuardedResolver` checks the very address the
connection then uses (each name resolved once), so a name that rebinds to a private address between
the check and the connection is refused too.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.resolver import CachingThreadedResolver
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError

from crawler.spiders.urls import host_allowed

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1024)
def _resolves_to_private(host: str) -> bool:
    """True when the host is, or resolves to, an address that is not globally routable."""
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False  # unresolvable: the download itself fails with a DNS error
    return any(_private(address) for address in addresses)


def _private(address: str) -> bool:
    """True for every address that is not globally routable (private, loopback, link-local, reserved,
    carrier-grade NAT 100.64.0.0/10 and the rest ipaddress knows), IPv4-mapped ones too, and multicast."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


class SafetyMiddleware:
    """Downloader middleware refusing requests outside the source's scheme, hosts and address rules."""

    def __init__(self, crawler: Crawler) -> None:
        """Keep the crawler: its spider holds the source config."""
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SafetyMiddleware:
        """Scrapy's factory hook."""
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        """Raise IgnoreRequest (a one-line Vietnamese reason) for a request this source may not make."""
        spider = self.crawler.spider
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https"):
            raise IgnoreRequest(f"giao thức '{parts.scheme}' không được phép: {request.url}")
        host = parts.hostname or ""
        source = getattr(spider, "source", None)
        allowed = tuple(getattr(source, "allowed_domains", ()) or ())
        if allowed and not host_allowed(host, allowed):
            raise IgnoreRequest(f"liên kết/chuyển hướng ra ngoài tên miền cho phép ({host}): {request.url}")
        if not getattr(source, "local", False) and _resolves_to_private(host):
            raise IgnoreRequest(f"địa chỉ mạng nội bộ bị chặn ({host}): {request.url}")



class GuardedResolver(CachingThreadedResolver):
    """The crawl process's resolver: an answer that is not globally routable is refused unless the
    name belongs to a local (loopback test) source, and the checked answer is the one connected to."""

    def __init__(self, reactor: Any, cache_size: int, timeout: float, local_hosts: Sequence[str]) -> None:
        """Scrapy's caching resolver, plus the host names of local sources."""
        super().__init__(reactor, cache_size, timeout)
        self.local_hosts = frozenset(host.lower() for host in local_hosts)

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> GuardedResolver:
        """Scrapy's factory hook: DNS cache and timeout settings, DONDOC_LOCAL_HOSTS."""
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        hosts = settings.getlist("DONDOC_LOCAL_HOSTS")
        return cls(reactor, cache_size, settings.getfloat("DNS_TIMEOUT"), hosts)

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        """Resolve `name` once and refuse a non-global answer."""
        resolved: Deferred[str] = super().getHostByName(name, timeout)
        resolved.addCallback(self._checked, name)
        return resolved

    def _checked(self, address: str, name: str) -> str:
        """The address, unless it is private and `name` is not a local source's host."""
        if name.lower() not in self.local_hosts and _private(address):
            raise DNSLookupError(f"địa chỉ mạng nội bộ bị chặn ({name} → {address})")
        return address
