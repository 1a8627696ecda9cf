"""What spiders yield: a fetched page to store, possibly the content of a document, or the check of
a URL that answered 304."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from crawler.documents import DocumentMeta
from crawler.models import FetchedPage


@dataclass(frozen=True)
class FetchedItem:
    """A page to store by content hash; when `document_url` is set, its content is that document's.

    `meta` comes from the source's own pages (a vanban detail page) and overrides what the file says;
    `listed_published` (from a list item or a feed entry) is used only when the page gives no time;
    `stand_in` (the detail page of an attachment) is read instead when the file cannot be, so the
    document is kept with what its page says.
    """

    page: FetchedPage
    document_url: str | None = None
    meta: DocumentMeta = field(default_factory=DocumentMeta)
    listed_published: dt.datetime | None = None
    stand_in: FetchedPage | None = None


@dataclass(frozen=True)
class CheckedItem:
    """A URL answered 304 Not Modified at `checked_at`: its stored copy is current, its schedule restarts."""

    url: str
    checked_at: dt.datetime
