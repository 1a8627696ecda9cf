"""SSRF (issue 12, row 8): every non-global address is refused, 100.64.0.0/10 included, by the
request check and by the crawl's resolver, which checks the very address the connection uses; a
local (loopback test) source's host stays allowed."""

from __future__ import annotations

import pytest
from twisted.internet.error import DNSLookupError

from crawler.config import SourceConfig
from crawler.crawl_settings import local_hosts
from crawler.spiders.safety import GuardedResolver, _private


@pytest.mark.parametrize("address", ["100.64.0.1", "100.100.100.200", "127.0.0.1", "169.254.169.254",
                                     "10.0.0.1", "::ffff:100.100.100.200", "fd00::1"])
def test_non_global_addresses_are_private(address: str) -> None:
    """Carrier-grade NAT, loopback, link-local, private and their IPv6 forms are all refused."""
    assert _private(address)


def test_the_resolver_refuses_a_name_that_answers_a_private_address() -> None:
    """A name resolving to 100.100.100.200 is refused at resolution, i.e. for the connection itself."""
    resolver = GuardedResolver(None, 0, 5.0, ())
    with pytest.raises(DNSLookupError, match="địa chỉ mạng nội bộ bị chặn"):
        resolver._checked("100.100.100.200", "metadata.example.invalid")
    assert resolver._checked("93.184.216.34", "example.com") == "93.184.216.34"


def test_local_sources_keep_their_loopback_host() -> None:
    """The hosts of local sources (test sites) resolve to loopback as before; other names do not."""
    local = SourceConfig(name="site", family="news", start_url="http://127.0.0.1:8123/", local=True)
    remote = SourceConfig(name="xa", family="news", start_url="http://rebind.example.invalid/")
    resolver = GuardedResolver(None, 0, 5.0, local_hosts((local, remote)))
    assert resolver._checked("127.0.0.1", "127.0.0.1") == "127.0.0.1"
    with pytest.raises(DNSLookupError):
        resolver._checked("127.0.0.1", "rebind.example.invalid")
