"""The revisit schedule: known documents are revalidated by age, spread over time, and an edit to an
old document is found when its schedule comes due (crawled with an injected clock), not before."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from crawler.config import Config, RevisitConfig, load_config
from crawler.crawl import run_crawl
from crawler.errors import ConfigError
from crawler.extract.units import load_gazetteer
from crawler.pipeline import extract_pending_documents
from crawler.pipelines import content_hash
from crawler.revisit import DAY, KnownPage, interval, is_due, next_check
from crawler.site import RunningSite, demo_sources
from crawler.storage.documents import known_pages
from crawler.storage.engine import make_engine, session_factory
from crawler.storage.schema import Document, TaskEvent

POLICY = RevisitConfig()
T0 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
FIRST_ARTICLE = "-10225040100300001.htm"


def test_interval_follows_the_age_bands() -> None:
    """Daily while young, weekly up to a year, then the old interval; 0 means never again."""
    assert interval(POLICY, dt.timedelta(days=2)) == DAY
    assert interval(POLICY, dt.timedelta(days=30)) == 7 * DAY
    assert interval(POLICY, dt.timedelta(days=364)) == 7 * DAY
    assert interval(POLICY, dt.timedelta(days=400)) == 30 * DAY
    assert interval(RevisitConfig(old_every_days=0), dt.timedelta(days=400)) is None


def test_checks_are_spread_over_the_interval() -> None:
    """1,400 documents checked at the same moment fall due on all seven days of the week, none bursting."""
    born = T0 - dt.timedelta(days=100)
    known = KnownPage(None, None, T0, born)
    days = Counter((next_check(f"https://so.gov.vn/tin-{n}.htm", known, POLICY, T0) or T0).date()
                   for n in range(1400))
    assert len(days) in (7, 8)  # the seven days after T0 (the first and last may be partial)
    assert max(days.values()) < 2 * 1400 / 7
    url = "https://so.gov.vn/tin-1.htm"
    due = next_check(url, known, POLICY, T0)
    assert due is not None and T0 < due <= T0 + 7 * DAY
    assert not is_due(url, known, POLICY, due - dt.timedelta(seconds=1))
    assert is_due(url, known, POLICY, due)
    assert next_check(url, known, POLICY, T0 + 30 * DAY) == due  # stable: the same slot every run


def test_live_counters_do_not_change_a_pages_hash() -> None:
    """Without validators a page is compared by hash: view counts, visitors online, "Cập nhật lúc" and
    today's date are left out on every source, while an edit of the text still changes the hash."""
    page = ("<p>Lượt xem: {views}</p><span>Cập nhật lúc {at}</span><div>Trực tuyến: {online}</div>"
            "<i>Hôm nay: {today}</i><p>Hoàn thành trước ngày {due}.</p>")
    html = "text/html; charset=utf-8"

    def digest(views: str, at: str, online: str, today: str, due: str) -> str:
        """The hash of the page with these live parts and this deadline."""
        filled = page.format(views=views, at=at, online=online, today=today, due=due)
        return content_hash(filled.encode(), html)

    first = digest("1.204", "08:15 02/12/2026", "37", "Thứ Tư, 02/12/2026", "30/6/2025")
    assert digest("1.377", "10:40 03/12/2026", "52", "Thứ Năm, 03/12/2026", "30/6/2025") == first
    assert digest("1.204", "08:15 02/12/2026", "37", "Thứ Tư, 02/12/2026", "31/7/2025") != first


def test_revisit_ranges_are_checked(tmp_path: Path) -> None:
    """A negative interval or a weekly band ending before the daily one is a Vietnamese ConfigError."""
    base = '[[sources]]\nname = "a"\nfamily = "news"\nstart_url = "https://a.gov.vn/"\n[sources.revisit]\n'
    path = tmp_path / "dondoc.toml"
    path.write_text(base + "old_every_days = -1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"sources\[0\]\.revisit\.old_every_days' = -1 không hợp lệ"):
        load_config(path)
    path.write_text(base + "daily_days = 60\nweekly_days = 30\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"weekly_days' = 30 không hợp lệ: phải từ"):
        load_config(path)
    path.write_text(base + "daily_days = 7\nweekly_days = 90\nold_every_days = 0\n", encoding="utf-8")
    assert load_config(path).sources[0].revisit == RevisitConfig(7, 90, 0)


def _known(db_url: str) -> dict[str, KnownPage]:
    """What the next crawl will know of every stored URL."""
    with session_factory(make_engine(db_url))() as session:
        return known_pages(session)


def _document_urls(db_url: str) -> set[str]:
    """The URLs of the stored documents."""
    with session_factory(make_engine(db_url))() as session:
        return set(session.scalars(select(Document.url)))


def _target(url: str) -> str:
    """The path and query of a URL, as the site server keys its arrivals."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_a_list_answered_304_revisits_only_the_documents_due(copied_site: RunningSite, db_url: str) -> None:
    """Fifteen days after the first crawl the lists are unchanged (304): exactly the documents whose
    slot has come are revalidated, the others are not asked for."""
    config = Config(sources=demo_sources(copied_site.base_url))
    start = dt.datetime.now(dt.UTC)
    assert run_crawl(config, db_url, None, 120, now=start).ok
    urls = _document_urls(db_url)
    before = {url: len(copied_site.arrivals(_target(url))) for url in urls}
    later = start + 15 * DAY
    known = _known(db_url)
    due = {url for url in urls if is_due(url, known[url], POLICY, later)}
    assert run_crawl(config, db_url, None, 120, now=later).ok
    asked = {url for url in urls if len(copied_site.arrivals(_target(url))) > before[url]}
    assert asked == due and 0 < len(due) < len(urls)
    known_after = _known(db_url)
    assert all(known_after[url].checked_at > known[url].checked_at for url in due)
    assert all(known_after[url].checked_at == known[url].checked_at for url in urls - due)


def _deadline_events(db_url: str) -> list[str]:
    """The keys of the deadline_changed events recorded so far."""
    with session_factory(make_engine(db_url))() as session:
        return list(session.scalars(select(TaskEvent.key).where(TaskEvent.kind == "deadline_changed")))


def _crawl_and_extract(config: Config, db_url: str, now: dt.datetime) -> None:
    """Crawl at `now`, then extract the new documents' tasks into the differ's events."""
    assert run_crawl(config, db_url, None, 120, now=now).ok
    with session_factory(make_engine(db_url))() as session:
        extract_pending_documents(session, load_gazetteer(), now.date(), now)
        session.commit()


def test_an_old_articles_edit_is_found_when_due_not_before(
    copied_site: RunningSite, site_dir: Path, db_url: str
) -> None:
    """An old article's corrected deadline is not seen while its schedule is not due, and becomes a
    'deadline changed' event in the crawl after its slot, although no list page fetched then lists it
    (it is on the news list's second page, which unchanged crawls no longer reach)."""
    config = Config(sources=demo_sources(copied_site.base_url)[:1])
    start = dt.datetime.now(dt.UTC)
    _crawl_and_extract(config, db_url, start)
    url = next(u for u in _document_urls(db_url) if u.endswith(FIRST_ARTICLE))
    known = _known(db_url)[url]
    due = next_check(url, known, POLICY, start)
    assert due is not None and start < due <= start + 30 * DAY  # a year-old article: monthly
    article = site_dir / "article-10225040100300001.htm"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("Trước ngày 15/5/2025", "Trước ngày 30/5/2025"), encoding="utf-8")
    _crawl_and_extract(config, db_url, known.checked_at + (due - known.checked_at) / 2)
    assert _deadline_events(db_url) == []
    with session_factory(make_engine(db_url))() as session:
        assert list(session.scalars(select(Document.version).where(Document.url == url))) == [1]
    _crawl_and_extract(config, db_url, due + dt.timedelta(minutes=5))
    assert _deadline_events(db_url) == ["2025-05-15>2025-05-30"]
    assert len(copied_site.arrivals("/timelinelist/1001/2.htm")) == 1  # listed only by the first crawl
