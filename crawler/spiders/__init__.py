"""Scrapy spiders, one base per CMS family, each configured entirely by its source's profile.

`SourceConfig.options` keys (selectors are CSS, or XPath when prefixed "xpath:"; dates use strptime
formats; times without a zone are in `utc_offset`, default "+07:00"):

- every family: `volatile_patterns` (regexes removed before hashing: comments, live counters),
  `drop_query_params` (session/redirect parameters left out of seen URLs), `utc_offset`, and
  `article` (title, summary, summary_prefix, author, section, body, drop, time, time_formats, utc_offset:
  selectors of the article page; empty ones fall back to generic rules, see crawler.documents.html).
- news / generic (list -> article): `item_selector`, `link_selector` (required); `time_selector` +
  `time_formats` (list time, used only when the article has none); paging by `page_url` (template
  with {page} and {zone}; zone read with `zone_selector`) or `next_selector` (href of the next page).
- vanban (list -> detail fields -> attachment): `row_selector`, `link_selector`, `label_selector`,
  `fields` (our name -> label without diacritics: number, issued, kind, issuer, signer, summary)
  (required); `title_selector`, `attachment_selector`, `date_formats`, `report_kinds`,
  `pager_selector` (the ASP.NET __doPostBack links; the control prefix is read from them).
- rss (RSS 2.0 / Atom feed -> linked articles): `time_formats` (RFC 822 and ISO always tried).
"""

from __future__ import annotations

import dataclasses

from crawler.config import SourceConfig
from crawler.documents import ArticleProfile
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
