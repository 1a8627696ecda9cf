"""Scrapy spiders, one base per CMS family, each configured entirely by its source's profile."""

from __future__ import annotations

import dataclasses

from crawler.config import SourceConfig
from crawler.extract.text import ArticleProfile
from crawler.spiders.base import COMMON_OPTIONS, SourceSpider
from crawler.spiders.listing import ListingSpider
from crawler.spiders.rss import RssSpider
from crawler.spiders.vanban import VanbanSpider

ARTICLE_KEYS = frozenset(f.name for f in dataclasses.fields(ArticleProfile))

SPIDERS: dict[str, type[SourceSpider]] = {
    "news": ListingSpider,
    "generic": ListingSpider,
    "vanban": VanbanSpider,
    "rss": RssSpider,
}
"""Spider class by `SourceConfig.family`."""


def option_problem(source: SourceConfig) -> str | None:
    """A one-line reason why the source's profile options cannot drive its spider, or None."""
    spider = SPIDERS.get(source.family)
    if spider is None:
        return f"họ trang '{source.family}' không được hỗ trợ"
    missing = [key for key in spider.required_options if key not in source.options]
    if missing:
        return f"cấu hình nguồn thiếu khóa options: {', '.join(missing)}"
    known = COMMON_OPTIONS | spider.optional_options | set(spider.required_options)
    unknown = sorted(set(source.options) - known)
    article = source.options.get("article", {})
    if isinstance(article, dict):
        unknown += [f"article.{key}" for key in sorted(set(article) - ARTICLE_KEYS)]
    if unknown:
        return f"khóa options không hợp lệ cho họ '{source.family}': {', '.join(unknown)}"
    return None
