"""The bundled local demo site: files under www/, a loopback server and the sources that crawl it.

The demo sources use the ready profiles of the real sites (crawler/profiles) pointed at the local
copy, so `dondoc demo` exercises exactly the selectors an operator would use in production.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import urlsplit

from crawler.config import SourceConfig
from crawler.profiles import load_profile
from crawler.site.server import RunningSite, serve_site

__all__ = ["DEMO_PATHS", "RunningSite", "demo_sources", "serve_site"]

DEMO_PATHS = {
    "baochinhphu": "/cai-cach-hanh-chinh.htm",
    "vanban_chinhphu": "/he-thong-van-ban?classid=2&mode=1",
    "baochinhphu_rss": "/rss/cai-cach-hanh-chinh.rss",
}


def demo_sources(base_url: str) -> tuple[SourceConfig, ...]:
    """Source configs that crawl the demo site served at `base_url` with the real sites' profiles."""
    host = urlsplit(base_url).hostname or "127.0.0.1"
    return tuple(
        dataclasses.replace(
            load_profile(profile), name=f"demo-{profile.replace('_', '-')}",
            start_url=base_url.rstrip("/") + path, allowed_domains=(host,), local=True,
        )
        for profile, path in DEMO_PATHS.items()
    )
