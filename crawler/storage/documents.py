"""Documents and raw pages: the articles a bulletin reads, counts, and the pruning of old raw pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from crawler.storage.schema import Document, Page, Source


@dataclass(frozen=True)
class StoredArticle:
    """One stored version of an article, with the configured name of its source."""

    id: int
    url: str
    title: str | None
    summary: str | None
    text: str
    author: str | None
    published_at: dt.datetime
    source_name: str | None


def articles_published(session: Session, start: dt.datetime, end: dt.datetime) -> list[StoredArticle]:
    """Every version of the articles published in [start, end), by URL then version."""
    query = (
        select(Document, Source.name)
        .outerjoin(Source, Source.id == Document.source_id)
        .where(Document.kind == "article", Document.published_at.is_not(None))
        .where(Document.published_at >= start, Document.published_at < end)
        .order_by(Document.url, Document.version)
    )
    return [
        StoredArticle(d.id, d.url, d.title, d.summary, d.text, d.author, d.published_at, name)
        for d, name in session.execute(query)
        if d.published_at is not None
    ]


def known_articles(session: Session, ids: Collection[int]) -> set[int]:
    """Which of these document ids are stored articles."""
    query = select(Document.id).where(Document.id.in_(list(ids)), Document.kind == "article")
    return set(session.scalars(query))


def document_count(session: Session) -> int:
    """How many documents are stored (all versions)."""
    return session.scalar(select(func.count(Document.id))) or 0


def prune_raw_pages(session: Session, cutoff: dt.datetime) -> int:
    """Delete stored raw pages fetched before `cutoff`, except each URL's latest copy (its ETag keeps
    conditional requests working) and pages a document was read from."""
    latest = select(func.max(Page.id)).group_by(Page.url)
    used = select(Document.page_id).where(Document.page_id.is_not(None))
    result = session.execute(
        delete(Page)
        .where(Page.fetched_at < cutoff, Page.id.not_in(latest), Page.id.not_in(used))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
