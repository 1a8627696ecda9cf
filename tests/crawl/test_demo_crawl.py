"""End to end: crawl the bundled demo site with the real server and the real worker subprocess."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crawler.config import Config, SourceConfig
from crawler.crawl import run_crawl
from crawler.site import RunningSite, demo_sources
from crawler.storage.engine import make_engine, session_factory
from crawler.storage.schema import Document, Source

pytestmark = pytest.mark.slow

VANBAN_PATH = "/?pageid=27160&docid=212345"
FIRST_ARTICLE = "-10225040100300001.htm"


def _documents(db_url: str) -> list[Document]:
    """Every stored document, in insertion order."""
    with session_factory(make_engine(db_url))() as session:
        return list(session.scalars(select(Document).order_by(Document.id)))


def test_demo_crawl_stores_directive_and_articles(demo_site: RunningSite, db_url: str) -> None:
    """All three demo sources succeed; the directive carries its detail-page metadata and PDF text."""
    report = run_crawl(Config(sources=demo_sources(demo_site.base_url)), db_url, None, 120)
    assert report.ok, report
    docs = _documents(db_url)
    directive = next(d for d in docs if d.url == demo_site.base_url + VANBAN_PATH)
    assert directive.kind == "directive"
    assert directive.number == "10447/UBND-VX"
    assert directive.issued == dt.date(2025, 10, 3)
    assert directive.issuer == "Ủy ban nhân dân tỉnh Nghệ An"
    assert directive.signer == "Hoàng Vĩnh Trường"
    assert directive.title is not None and directive.title.startswith("V/v thực hiện Thông báo kết luận")
    assert "46-TB/TGV" in directive.text and "Khung Kiến trúc tổng thể" in directive.text
    assert directive.extracted_at is None and not directive.needs_ocr
    articles = [d for d in docs if d.kind == "article"]
    assert len(articles) == 21 and len({d.url for d in articles}) == 21
    first = next(d for d in articles if d.url.endswith(FIRST_ARTICLE))
    assert first.published_at is not None
    assert first.published_at.replace(tzinfo=dt.UTC) == dt.datetime(2025, 4, 1, 0, 30, tzinfo=dt.UTC)
    assert first.summary is not None and first.summary.startswith("Phó Thủ tướng Hồ Đức Phớc")
    assert "Ảnh minh họa" not in first.text and "Created:" not in first.text
    assert "Trước ngày 15/5/2025" in first.text
    assert all(d.published_at and d.published_at.year == 2025 and d.published_at.month == 4 for d in articles)


def test_second_crawl_is_cheap_and_a_changed_article_gives_one_version(
    copied_site: RunningSite, site_dir: Path, db_url: str
) -> None:
    """Unchanged sites cost <10% of the first crawl's bytes and add nothing; one edit -> one version
    once the article is due for revalidation (the demo articles are old: monthly)."""
    config = Config(sources=demo_sources(copied_site.base_url))
    start = dt.datetime.now(dt.UTC)
    first = run_crawl(config, db_url, None, 120, now=start)
    second = run_crawl(config, db_url, None, 120, now=start + dt.timedelta(minutes=1))
    assert first.ok and second.ok
    assert second.total_bytes < 0.1 * first.total_bytes, (first.total_bytes, second.total_bytes)
    assert second.new_documents == 0
    count = len(_documents(db_url))
    article = site_dir / "article-10225040100300001.htm"
    article.write_text(article.read_text(encoding="utf-8").replace(
        "Công điện gửi Bộ trưởng", "Công điện (đã cập nhật) gửi Bộ trưởng"), encoding="utf-8")
    third = run_crawl(config, db_url, None, 120, now=start + dt.timedelta(days=31))
    docs = _documents(db_url)
    assert third.ok and len(docs) == count + 1
    changed = [d for d in docs if d.url.endswith(FIRST_ARTICLE)]
    assert [d.version for d in changed] == [1, 2] and "đã cập nhật" in changed[1].text


def test_unreachable_site_is_a_per_source_failure(
    demo_site: RunningSite, db_url: str, closed_port: int
) -> None:
    """A site that is down fails alone, with a one-line reason and health recorded; the others succeed."""
    down = SourceConfig(name="tinh-khong-truy-cap", family="news", start_url=f"http://127.0.0.1:{closed_port}/",
                        allowed_domains=("127.0.0.1",), local=True,
                        options=dict(demo_sources(demo_site.base_url)[0].options))
    sources = (*demo_sources(demo_site.base_url), down)
    report = run_crawl(Config(sources=sources), db_url, None, 120)
    failed = report.outcome("tinh-khong-truy-cap")
    assert not failed.ok and failed.reason is not None
    assert "không kết nối được" in failed.reason and "\n" not in failed.reason
    assert all(o.ok for o in report.sources if o.name != "tinh-khong-truy-cap")
    with session_factory(make_engine(db_url))() as session:
        row = session.scalars(select(Source).where(Source.name == "tinh-khong-truy-cap")).one()
        assert row.consecutive_failures == 1 and row.last_error == failed.reason
        assert session.scalar(select(func.count()).select_from(Document)) == 22


def test_only_named_sources_are_crawled(demo_site: RunningSite, db_url: str) -> None:
    """source_names restricts the run to those sources."""
    sources = demo_sources(demo_site.base_url)
    report = run_crawl(Config(sources=sources), db_url, [sources[1].name], 120)
    assert [o.name for o in report.sources] == [sources[1].name]
    assert [d.number for d in _documents(db_url)] == ["10447/UBND-VX"]
    assert dataclasses.asdict(report.sources[0])["new_documents"] == 1


def test_broken_selectors_fail_the_source_and_alert(
    copied_site: RunningSite, site_dir: Path, db_url: str
) -> None:
    """After a redesign the list parses to nothing: a one-line failure and a selector alert in the report."""
    news = demo_sources(copied_site.base_url)[0]
    assert run_crawl(Config(sources=(news,)), db_url, None, 120).ok
    category = site_dir / "news-category.htm"
    category.write_text(category.read_text(encoding="utf-8").replace("box-stream-item", "timeline-item"),
                        encoding="utf-8")
    outcome = run_crawl(Config(sources=(news,)), db_url, None, 120).outcome(news.name)
    assert not outcome.ok and outcome.reason is not None and "không khớp" in outcome.reason
    assert len(outcome.alerts) == 1 and "lỗi thời" in outcome.alerts[0]


def test_sources_on_one_host_share_one_robots_txt_per_crawl(copied_site: RunningSite, db_url: str) -> None:
    """The three demo sources live on one host: each crawl fetches its robots.txt once, not per source."""
    config = Config(sources=demo_sources(copied_site.base_url))
    first = run_crawl(config, db_url, None, 120)
    assert first.ok, first
    assert len(copied_site.arrivals("/robots.txt")) == 1
    second = run_crawl(config, db_url, None, 120)
    assert second.ok, second
    assert len(copied_site.arrivals("/robots.txt")) == 2



def _tracked(db_url: str) -> list[tuple[str, ...]]:
    """Every stored task with its document's URL, and every event, in a comparable order."""
    from crawler.storage.schema import Task, TaskEvent

    with session_factory(make_engine(db_url))() as session:
        tasks = session.execute(select(Document.url, Task.identity, Task.action, Task.lead, Task.due,
                                       Task.deadline_raw, Task.line)
                                .join(Document, Document.id == Task.document_id))
        events = session.execute(select(Task.identity, TaskEvent.kind, TaskEvent.key, TaskEvent.on)
                                 .join(Task, Task.id == TaskEvent.task_id))
        return sorted(tuple(map(str, row)) for row in [*tasks, *events])


def test_extraction_beside_the_crawl_tracks_what_the_pass_after_it_would(
    demo_site: RunningSite, db_url: str, tmp_path: Path
) -> None:
    """With an extraction plan the worker extracts every document as it crawls; the tasks and events
    are those the extraction pass stores from the same documents once they are all stored."""
    import shutil
    import sqlite3

    from crawler.crawl_extract import ExtractionPlan
    from crawler.extract.units import load_gazetteer
    from crawler.pipeline import extract_pending_documents

    config = Config(sources=demo_sources(demo_site.base_url))
    now = dt.datetime(2025, 4, 20, 3, 0, tzinfo=dt.UTC)
    report = run_crawl(config, db_url, None, 120, now=now, extraction=ExtractionPlan(now.date()))
    assert report.ok
    docs = _documents(db_url)
    assert all(d.extracted_at is not None for d in docs)
    again = tmp_path / "again.sqlite3"
    shutil.copyfile(db_url.removeprefix("sqlite:///"), again)
    with sqlite3.connect(again) as raw:  # the same documents, as the crawl leaves them without a plan
        for table in ("task_events", "task_sightings", "task_refs", "tasks"):
            raw.execute(f"DELETE FROM {table}")
        raw.execute("UPDATE documents SET extracted_at = NULL")
    with session_factory(make_engine(f"sqlite:///{again}"))() as session:
        passed = extract_pending_documents(session, load_gazetteer(), now.date(), now)
        session.commit()
    assert sum(s.extracted_documents for s in report.sources) == passed.documents == len(docs)
    assert sum(s.extracted_tasks for s in report.sources) == passed.tasks > 0
    assert _tracked(db_url) == _tracked(f"sqlite:///{again}")
