"""Scrapy spiders, one base per CMS family, each configured entirely by its source's profile."""

from __future__ import annotations

from crawler.spiders.base import SourceSpider
from crawler.spiders.listing import ListingSpider
from crawler.spiders.rss import RssSpider
from crawler.spiders.vanban import VanbanSpider

SPIDERS: dict[str, type[SourceSpider]] = {
    "news": ListingSpider,
    "generic": ListingSpider,
    "vanban": VanbanSpider,
    "rss": RssSpider,
}
"""Spider class by `SourceConfig.family`."""
