"""Every failure case of SITES.md is recorded for its own source with a clear reason; the rest complete."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crawler.config import Config, GeneralConfig, SourceConfig, load_config
from crawler.crawl import CrawlReport, run_crawl
from crawler.site import RunningSite, demo_sources
from crawler.storage.engine import make_engine, session_factory, upgrade_database
from crawler.storage.schema import Document, Page

from .trapsite import PROVINCE_TITLES

pytestmark = pytest.mark.slow


def _like(template: SourceConfig, name: str, url: str) -> SourceConfig:
    """A copy of a demo source under another name and start URL."""
    return dataclasses.replace(template, name=name, start_url=url)


def _documents(db_url: str) -> list[Document]:
    """Every stored document."""
    with session_factory(make_engine(db_url))() as session:
        return list(session.scalars(select(Document).order_by(Document.id)))


@pytest.fixture(scope="module")
def trap_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The database of the module's one trap crawl."""
    url = f"sqlite:///{tmp_path_factory.mktemp('trapdb') / 'crawl.sqlite3'}"
    upgrade_database(url)
    return url


@pytest.fixture(scope="module")
def trap_report(trap_site: RunningSite, trap_db: str) -> CrawlReport:
    """One crawl over all trap sources with a 1-second download timeout."""
    news, vanban, rss = demo_sources(trap_site.base_url)
    base = trap_site.base_url
    sources = (
        news, vanban,
        _like(vanban, "vb-hong", f"{base}/vb-hong"), _like(vanban, "vb-quet", f"{base}/vb-quet"),
        _like(vanban, "vb-lon", f"{base}/vb-lon"),
        _like(news, "thach-thuc", f"{base}/thach-thuc.htm"),
        _like(news, "khong-ton-tai", f"{base}/khong-co.htm"),
        _like(news, "loi-may-chu", f"{base}/loi-may-chu.htm"), _like(news, "cham", f"{base}/cham.htm"),
        _like(news, "chuyen-huong", f"{base}/chuyen-huong.htm"),
        dataclasses.replace(_like(news, "html-hong", f"{base}/html-hong.htm"), family="generic"),
        _like(rss, "rss-chet", f"{base}/rss/chet.rss"),
        _like(news, "robots", f"{base}/admin/tin.htm"), _like(rss, "rss-sai-ma", f"{base}/rss/sai-ma.rss"),
    )
    general = GeneralConfig(download_timeout_s=1, max_response_mb=50)
    return run_crawl(Config(general=general, sources=sources), trap_db, None, 120)


@pytest.mark.parametrize(("name", "reason"), [
    ("vb-lon", "trang quá lớn (60 MB, giới hạn 50 MB, max_response_mb)"),
    ("thach-thuc", "chống bot"),
    ("khong-ton-tai", "HTTP 404"),
    ("loi-may-chu", "HTTP 500"),
    ("cham", "quá thời gian tải"),
    ("chuyen-huong", "ra ngoài tên miền"),
    ("html-hong", "không có mục nào"),
    ("rss-chet", "không có mục nào"),
    ("robots", "robots.txt"),
])
def test_each_failure_has_its_reason(trap_report: CrawlReport, name: str, reason: str) -> None:
    """The failing source is marked failed with a one-line reason naming the problem."""
    outcome = trap_report.outcome(name)
    assert not outcome.ok, outcome
    assert outcome.reason is not None and reason in outcome.reason and "\n" not in outcome.reason


def test_healthy_sources_complete_beside_the_failures(trap_report: CrawlReport, trap_db: str) -> None:
    """News, vanban (with postback paging and a DOCX), the scanned PDF and the mis-declared feed all work;
    the broken PDF keeps its document from the detail page, with a warning (tests/crawl/test_faults.py)."""
    for name in ("demo-baochinhphu", "demo-vanban-chinhphu", "vb-quet", "rss-sai-ma", "vb-hong"):
        assert trap_report.outcome(name).ok, trap_report.outcome(name)
    assert any("PDF bị hỏng" in w for w in trap_report.outcome("vb-hong").warnings)
    assert trap_report.outcome("rss-sai-ma").items_listed == 21
    assert any("cần OCR" in w for w in trap_report.outcome("vb-quet").warnings)
    docs = {d.number: d for d in _documents(trap_db) if d.number}
    assert docs["215/KH-UBND"].text.startswith("KẾ HOẠCH") and docs["215/KH-UBND"].kind == "directive"
    assert docs["17/CT-UBND"].needs_ocr
    assert "Chỉ thị về kỷ luật, kỷ cương hành chính" in docs["16/CT-UBND"].text
    assert "18/CT-UBND" not in docs


PROVINCE_TOML = """
[general]
operator_contact = "cchc@nghean.gov.vn"

[[sources]]
name = "cong-ttdt-nghe-an"
family = "generic"
start_url = "{base}/web/guest/tin-tuc?_cur=1&_delta=5"
allowed_domains = ["127.0.0.1"]
local = true
max_pages = 10

[sources.options]
item_selector = "div.asset-abstract"
link_selector = "h3.asset-title a::attr(href)"
time_selector = "span.metadata-publish-date"
time_formats = ["%d/%m/%Y"]
page_url = "?_cur={{page}}&_delta=5"
drop_query_params = ["redirect"]
volatile_patterns = ["Trực tuyến:[^<]*"]

[sources.options.article]
title = "h3.header-title"
summary = "p.sapo"
body = "div.journal-content-article"
time = "div.metadata-publish-date"
time_formats = ["%d/%m/%Y %H:%M"]
"""


def test_new_provincial_site_by_config_alone(trap_site: RunningSite, db_url: str, tmp_path: Path) -> None:
    """A Liferay-family provincial portal is crawled from a config file, with no code change."""
    path = tmp_path / "dondoc.toml"
    path.write_text(PROVINCE_TOML.format(base=trap_site.base_url), encoding="utf-8")
    report = run_crawl(load_config(path), db_url, None, 120)
    assert report.ok, report
    again = run_crawl(load_config(path), db_url, None, 120)  # no validators, counters changed
    assert again.ok and again.new_documents == 0
    with session_factory(make_engine(db_url))() as session:
        assert session.scalar(select(func.count()).select_from(Page).where(Page.url.like("%bai-1"))) == 1
    docs = _documents(db_url)
    assert sorted(d.title or "" for d in docs) == sorted(PROVINCE_TITLES)
    first = next(d for d in docs if d.title == PROVINCE_TITLES[0])
    assert first.url == f"{trap_site.base_url}/web/guest/tin-tuc/-/asset_publisher/tin/content/bai-1"
    assert first.published_at is not None and first.published_at.isoformat().startswith("2025-10-01T01:00")
    assert "Trực tuyến" not in first.text


PROFILE_TOML = """
[[sources]]
name = "cong-ttdt-nghe-an"
family = "generic"
profile = "tinh_liferay"
start_url = "{base}/web/guest/tin-tuc?_cur=1&_delta=5"
allowed_domains = ["127.0.0.1"]
local = true

[sources.options]
page_url = "?_cur={{page}}&_delta=5"

[[sources]]
name = "ho-so-sai"
family = "generic"
profile = "khong-co-ho-so-nay"
start_url = "{base}/"
"""


def test_provincial_site_from_a_ready_profile(trap_site: RunningSite, db_url: str, tmp_path: Path) -> None:
    """Naming the bundled Liferay profile and overriding the URL is enough; a bad profile fails alone."""
    path = tmp_path / "dondoc.toml"
    path.write_text(PROFILE_TOML.format(base=trap_site.base_url), encoding="utf-8")
    report = run_crawl(load_config(path), db_url, None, 120)
    assert report.outcome("cong-ttdt-nghe-an").ok and report.outcome("cong-ttdt-nghe-an").new_documents == 12
    bad = report.outcome("ho-so-sai")
    assert not bad.ok and bad.reason is not None and "không có hồ sơ" in bad.reason


def test_time_limit_stops_the_crawl_with_a_reason(trap_site: RunningSite, db_url: str) -> None:
    """A crawl that outlives its time limit ends anyway, the slow source marked with a clear reason."""
    news = demo_sources(trap_site.base_url)[0]
    slow = _like(news, "rat-cham", f"{trap_site.base_url}/rat-cham.htm")
    report = run_crawl(Config(sources=(slow,)), db_url, None, 8)
    outcome = report.outcome("rat-cham")
    assert not outcome.ok and outcome.reason is not None and "quá thời gian" in outcome.reason
