"""One robots.txt per host per crawl: the sources crawled by one worker share the parsed files.

Scrapy's RobotsTxtMiddleware keeps its parsers per crawler, so every source on a host fetched the
same robots.txt again. Here the parsers live in one table for the worker process (one worker is one
crawl, and `crawl_worker.crawl` clears it at its start); a source asking while another source's
fetch is under way waits for that fetch instead of starting its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Request
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.robotstxt import RobotParser

_PARSERS: dict[str, Any] = {}  # netloc -> parser, None (no usable file) or the Deferred of its fetch


def reset_shared_robots() -> None:
    """Forget every host's robots.txt (at the start of a crawl)."""
    _PARSERS.clear()


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """RobotsTxtMiddleware over the worker-wide table of parsers."""

    def __init__(self, crawler: Crawler) -> None:
        """Scrapy's middleware, its per-crawler table replaced by the shared one."""
        super().__init__(crawler)
        self._parsers = _PARSERS

    async def robot_parser(self, request: Request) -> RobotParser | None:
        """The host's parser: wait for a fetch under way (another source's), else Scrapy's lookup."""
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if isinstance(pending, Deferred):
            parser: RobotParser | None = await maybe_deferred_to_future(_follower(pending))
            return parser
        return await super().robot_parser(request)


def _follower(pending: Deferred[Any]) -> Deferred[Any]:
    """A Deferred firing with `pending`'s result, which stays in place for its other waiters."""
    follower: Deferred[Any] = Deferred()

    def relay(result: Any) -> Any:
        """Pass the result on and keep it for the next callback."""
        follower.callback(result)
        return result

    pending.addCallback(relay)
    return follower
