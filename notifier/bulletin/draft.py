"""Draft the weekly bulletin: pick a period's articles, drop reprints, sort them into sections, and write
an editable TOML file (see `draftfile.py`) that the editor trims, reorders and rewrites by hand.

Articles are documents of kind "article" whose publication day (in Asia/Ho_Chi_Minh) falls in the
period; for a URL stored in several versions the newest is used. Within a section, items are in
publication order, as the seed bulletins print them; `order` counts in tens so an editor can slot an
item between two others without renumbering.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from crawler.config import Config
from crawler.errors import BulletinInputError
from crawler.storage.documents import StoredArticle, articles_published, known_articles
from notifier.bulletin.body import article_paragraphs
from notifier.bulletin.classify import DEFAULT_SECTIONS, check_rules, classify_with_reason, section_rules
from notifier.bulletin.dedupe import DEFAULT_THRESHOLD, Story, drop_near_duplicates
from notifier.bulletin.draftfile import paragraphs_of, write_draft
from notifier.bulletin.model import Article, Draft, DraftItem, DraftSection, Period, SectionRule
from notifier.bulletin.titles import headline_case

logger = logging.getLogger(__name__)

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
BULLETIN_TITLE = "Bản tin cải cách hành chính"
LEAD_CHARS = 600
ORDER_STEP = 10
_WEEK = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)
_IP = re.compile(r"^[\d.]+$|^\[?[0-9a-f:]+\]?$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…](?=\s|$)")


def week_period(week: str) -> Period:
    """The Monday-to-Sunday period of an ISO week written like "2025-W14"."""
    match = _WEEK.match(week)
    if not match:
        raise BulletinInputError(f"Tuần không hợp lệ: {week!r} (cần dạng 2025-W14).")
    year, number = int(match.group(1)), int(match.group(2))
    try:
        monday = dt.date.fromisocalendar(year, number, 1)
    except ValueError:
        problem = f"Năm {year} không có tuần {number} (tuần ISO từ 1 đến 52 hoặc 53)."
        raise BulletinInputError(problem) from None
    return Period(start=monday, end=monday + dt.timedelta(days=6), label=f"{year}-W{number:02d}")


def date_period(start: dt.date, end: dt.date) -> Period:
    """The period from `start` to `end`, both included; refuses a period that ends before it starts."""
    if end < start:
        raise BulletinInputError(
            f"Khoảng thời gian không hợp lệ: ngày kết thúc {end:%d/%m/%Y} "
            f"trước ngày bắt đầu {start:%d/%m/%Y}."
        )
    return Period(start=start, end=end, label=f"{start.isoformat()}..{end.isoformat()}")


def issue_label(period: Period) -> str:
    """The issue number printed on the masthead, the ISO week of the period's start: "Số 14/2025"."""
    year, week, _ = period.start.isocalendar()
    return f"Số {week}/{year}"


def source_name(url: str, fallback: str | None, outlet: str | None = None) -> str:
    """The attribution name of a source as the seed bulletins write it: the outlet's name from its site
    profile, else the host without "www.", first letter capitalized ("Nhandan.vn"); the configured
    source name when the URL has no host name (none, an IP address, localhost)."""
    if outlet and outlet.strip():
        return outlet.strip()
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    if host and "." in host and not _IP.match(host):
        return host[:1].upper() + host[1:]
    return fallback or host


def lead_summary(summary: str | None, text: str) -> str:
    """The item's lead: the stored summary, else the first paragraph(s) of the text cut at a sentence
    end near LEAD_CHARS, so the editor starts from something readable. Paragraph breaks are kept."""
    if summary and summary.strip():
        return "\n\n".join(paragraphs_of(summary))
    lead = ""
    for paragraph in paragraphs_of(text):
        if lead and len(lead) + len(paragraph) > LEAD_CHARS:
            break
        lead = f"{lead}\n\n{paragraph}" if lead else paragraph
    if len(lead) <= LEAD_CHARS:
        return lead
    ends = [m.end() for m in _SENTENCE_END.finditer(lead, 0, LEAD_CHARS)]
    return lead[: ends[-1]] if ends else lead[:LEAD_CHARS].rsplit(" ", 1)[0] + "…"


def local_day(moment: dt.datetime) -> dt.date:
    """The Asia/Ho_Chi_Minh day of an aware timestamp."""
    return moment.astimezone(TIMEZONE).date()


def load_articles(session: Session, period: Period) -> list[Article]:
    """The newest version of every article published (local day) within the period."""
    margin = dt.timedelta(days=1)
    start = dt.datetime.combine(period.start - margin, dt.time(), tzinfo=TIMEZONE)
    end = dt.datetime.combine(period.end + margin * 2, dt.time(), tzinfo=TIMEZONE)
    newest: dict[str, Article] = {}
    for document in articles_published(session, start, end):
        article = _article(document)
        if period.start <= article.published <= period.end:
            newest[document.url] = article
    return list(newest.values())


def _article(document: StoredArticle) -> Article:
    """The bulletin's view of one stored article: its title with the source's capitals (an ALL-CAPS
    one re-cased), its lead and cleaned full text, the outlet's name, the author as written."""
    raw_title = " ".join((document.title or "").split())
    author = document.author.strip() if document.author and document.author.strip() else None
    paragraphs = article_paragraphs(document.text, raw_title, document.summary, author)
    text = "\n\n".join(paragraphs)
    return Article(
        id=document.id,
        url=document.url,
        title=headline_case(raw_title, document.text) or document.url,
        summary=lead_summary(document.summary, text),
        source=source_name(document.url, document.source_name, document.outlet),
        published=local_day(document.published_at),
        author=author,
        text=text,
        section=document.section,
    )


def build_draft(
    stories: Iterable[Story],
    period: Period,
    rules: Sequence[SectionRule],
    issue: str | None = None,
    *,
    title: str = BULLETIN_TITLE,
    publisher: str = "",
    lead_only: bool = False,
) -> Draft:
    """Assemble the draft: each story classified into a section (with the reason), items in
    publication order, each with the article's full text or, with `lead_only`, its lead."""
    check_rules(rules)
    by_section: dict[str, list[tuple[Story, str]]] = {rule.key: [] for rule in rules}
    for story in stories:
        key, reason = classify_with_reason(story.article, rules)
        by_section[key].append((story, reason))
    items = [
        _item(story, key, (position + 1) * ORDER_STEP, reason, lead_only)
        for key, members in by_section.items()
        for position, (story, reason) in enumerate(
            sorted(members, key=lambda m: (m[0].article.published, m[0].article.id))
        )
    ]
    return Draft(
        title=title,
        issue=issue or issue_label(period),
        publisher=publisher,
        period_start=period.start,
        period_end=period.end,
        sections=tuple(DraftSection(key=rule.key, title=rule.title) for rule in rules),
        items=tuple(items),
    )


def _item(story: Story, section: str, order: int, reason: str, lead_only: bool) -> DraftItem:
    """One draft item from a kept story, included by default."""
    article = story.article
    return DraftItem(
        id=article.id,
        section=section,
        order=order,
        include=True,
        title=article.title,
        summary=article.summary if lead_only or not article.text else article.text,
        source=article.source,
        date=article.published,
        author=article.author,
        url=article.url,
        duplicates=story.duplicates,
        reason=reason,
    )


def draft_bulletin(
    session: Session,
    period: Period,
    out_path: Path,
    *,
    sections: Sequence[SectionRule] = DEFAULT_SECTIONS,
    issue: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    overwrite: bool = False,
    title: str = BULLETIN_TITLE,
    publisher: str = "",
    lead_only: bool = False,
) -> Draft:
    """Select the period's articles, drop near-duplicates, classify and order them, write the TOML
    draft to `out_path` and return it; an existing draft (maybe already edited) is kept unless
    `overwrite` is set."""
    if out_path.exists() and not overwrite:
        raise BulletinInputError(
            f"Bản nháp đã có: {out_path} (có thể đã được biên tập); chọn tệp khác hoặc cho phép ghi đè."
        )
    articles = load_articles(session, period)
    stories = drop_near_duplicates(articles, threshold)
    draft = build_draft(
        stories, period, sections, issue, title=title, publisher=publisher, lead_only=lead_only
    )
    write_draft(draft, out_path)
    logger.info(
        "bulletin draft %s: %d articles, %d after dropping near-duplicates, written to %s",
        period.label,
        len(articles),
        len(stories),
        out_path,
    )
    return draft


def draft_from_config(
    session: Session,
    config: Config,
    period: Period,
    out_path: Path,
    *,
    overwrite: bool = False,
    lead_only: bool | None = None,
) -> Draft:
    """Draft the bulletin with the masthead, sections and text length of the config's [bulletin]
    table; `lead_only` given (the command line) wins over the config's."""
    settings = config.bulletin
    return draft_bulletin(
        session,
        period,
        out_path,
        sections=section_rules(settings.sections),
        overwrite=overwrite,
        title=settings.title,
        publisher=settings.publisher,
        lead_only=settings.lead_only if lead_only is None else lead_only,
    )


def check_draft_ids(session: Session, draft: Draft, path: Path) -> None:
    """Refuse a draft naming an article the database does not hold (a mistyped or foreign id),
    naming the draft file and the line of the id."""
    ids = {item.id for item in draft.items}
    known = known_articles(session, ids)
    for item in draft.items:
        if item.id not in known:
            raise BulletinInputError(
                f"Bản nháp {path}, dòng {item.line}: không có bài viết mã {item.id} trong cơ sở dữ liệu."
            )
