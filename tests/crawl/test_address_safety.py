"""The crawler reaches only globally routable addresses: carrier-grade NAT (100.64.0.0/10, where some
clouds serve metadata at 100.100.100.200) and every other non-global range are refused."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request

from crawler.config import SourceConfig
from crawler.spiders import safety


@pytest.mark.parametrize("address", [
    "100.64.0.1", "100.100.100.200", "100.127.255.254",  # shared address space (RFC 6598)
    "192.0.0.1", "198.18.0.1", "192.0.2.10", "240.0.0.1", "0.0.0.0",  # protocol, benchmark, doc, future
    "::ffff:100.64.0.1", "::ffff:10.0.0.1", "2001:db8::1", "fc00::1", "fe80::1%eth0", "224.0.1.1",
])
def test_non_global_addresses_are_blocked(address: str) -> None:
    """Every address that `ipaddress` does not call global is blocked."""
    assert safety._private(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "203.113.131.1", "100.63.255.255", "100.128.0.1",
                                     "2001:4860:4860::8888"])
def test_global_addresses_are_allowed(address: str) -> None:
    """Public addresses, including those just outside 100.64.0.0/10, pass."""
    assert not safety._private(address)


class FakeCrawler:
    """The piece of a Crawler the middleware reads: its spider's source."""

    def __init__(self, source: SourceConfig) -> None:
        """Hold a spider-like object with the source."""
        self.spider = type("Spider", (), {"source": source})()


def test_a_name_resolving_to_carrier_grade_nat_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A site name whose DNS answer is 100.100.100.200 is refused with the Vietnamese reason."""

    def resolve(host: str, *_args: Any, **_kwargs: Any) -> list[Any]:
        """A DNS answer pointing the name at the metadata address (no network reached)."""
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("100.100.100.200", 0))]

    monkeypatch.setattr(safety.socket, "getaddrinfo", resolve)
    safety._resolves_to_private.cache_clear()
    source = SourceConfig(name="cgnat", family="news", start_url="http://metadata.example.vn/",
                          allowed_domains=("example.vn",))
    middleware = safety.SafetyMiddleware(FakeCrawler(source))  # type: ignore[arg-type]
    with pytest.raises(IgnoreRequest, match="địa chỉ mạng nội bộ bị chặn"):
        middleware.process_request(Request("http://metadata.example.vn/latest"))
    safety._resolves_to_private.cache_clear()
