"""Issue 12's crawl faults against the local trap site, through the real crawl worker and `dondoc status`:
an attachment that cannot be read (a Word or Excel zip bomb, a truncated PDF) keeps its document with
its detail page's text and is a warning of its source, never silent and never "tốt"; an Excel plan is
read as a table; Retry-After is honoured within the time limit or the page is given up with a reason;
redirect loops, over-long chains, a gzip bomb and oversized bodies are named in Vietnamese."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from sqlalchemy import select

import scheduler
from crawler.config import load_config
from crawler.crawl import CrawlReport, run_crawl
from crawler.site import RunningSite
from crawler.storage.engine import make_engine, session_factory, upgrade_database
from crawler.storage.schema import Document

from .trapsite import REDIRECT_CHAIN, SHORT_WAIT_S

pytestmark = pytest.mark.slow

VANBAN = ("vb-hong", "vb-docx-hong", "vb-xlsx-bom", "vb-bang")
NEWS = {"cho-lau": "/cho-lau.htm", "cho-ngay": "/cho-ngay.htm", "cho-ngan": "/cho-ngan.htm",
        "vong": "/vong-a.htm", "xa": "/xa-1.htm", "bom-gzip": "/bom-gzip.htm", "lon-an": "/lon-an.htm"}
TIME_LIMIT_S = 60


def fault_toml(base: str, database: Path) -> str:
    """A dondoc.toml crawling every fault of the trap site with the bundled profiles."""
    parts = [f'[general]\ndatabase = "{database}"\nmax_response_mb = 50\ndownload_timeout_s = 5\n']
    source = ('[[sources]]\nname = "{name}"\nfamily = "{family}"\nprofile = "{profile}"\n'
              'start_url = "{url}"\nallowed_domains = ["127.0.0.1"]\nlocal = true\n')
    parts += [source.format(name=n, family="vanban", profile="vanban_chinhphu", url=f"{base}/{n}")
              for n in VANBAN]
    parts += [source.format(name=n, family="news", profile="baochinhphu", url=base + p)
              for n, p in NEWS.items()]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def config_path(trap_site: RunningSite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fault sources' config file, its SQLite database beside it."""
    folder = tmp_path_factory.mktemp("faults")
    path = folder / "dondoc.toml"
    path.write_text(fault_toml(trap_site.base_url, folder / "dondoc.sqlite3"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def report(config_path: Path) -> CrawlReport:
    """One crawl of every fault source."""
    config = load_config(config_path)
    upgrade_database(config.database_url())
    return run_crawl(config, config.database_url(), None, TIME_LIMIT_S)


def documents(config_path: Path) -> dict[str, Document]:
    """The stored documents by number."""
    with session_factory(make_engine(load_config(config_path).database_url()))() as session:
        return {d.number or "": d for d in session.scalars(select(Document))}


@pytest.mark.parametrize(("name", "number", "docid", "file", "reason"), [
    ("vb-docx-hong", "19/CT-UBND", 300005, "19-CT-UBND.docx", "tệp nén bung ra 100 MB, vượt giới hạn 64 MB"),
    ("vb-xlsx-bom", "20/KH-UBND", 300006, "20-KH-UBND.xlsx", "tệp nén bung ra 100 MB, vượt giới hạn 64 MB"),
    ("vb-hong", "16/CT-UBND", 300002, "16-CT-UBND.pdf", "tệp PDF bị hỏng hoặc không đầy đủ"),
])
def test_unreadable_attachment_keeps_its_document_with_a_warning(
    report: CrawlReport, config_path: Path, name: str, number: str, docid: int, file: str, reason: str
) -> None:
    """The document is stored from its detail page (number, summary); the warning names the file,
    why it was refused and that the document was kept."""
    outcome = report.outcome(name)
    assert outcome.ok, outcome
    assert len(outcome.warnings) == 1
    warning = outcome.warnings[0]
    assert reason in warning and f"/files/{file}" in warning and "văn bản được giữ" in warning
    doc = documents(config_path)[number]
    assert doc.url.endswith(f"docid={docid}") and "Trích yếu" in doc.text


def test_status_does_not_call_a_source_with_a_bad_attachment_good(
    report: CrawlReport, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`dondoc status`: the zip-bomb sources show CẢNH BÁO and the reason; only the clean one is "tốt"."""
    assert report.outcome("vb-bang").ok
    assert scheduler.main(["status", "--config", str(config_path)]) == 0
    out = capsys.readouterr().out
    lines = {line.split(":")[0].strip(): line for line in out.splitlines() if ": " in line}
    for name in ("vb-docx-hong", "vb-xlsx-bom", "vb-hong"):
        assert "CẢNH BÁO" in lines[name] and "tốt" not in lines[name], lines[name]
    assert "bom zip" in lines["vb-docx-hong"] and "19-CT-UBND.docx" in lines["vb-docx-hong"]
    assert ": tốt," in lines["vb-bang"]


def test_an_excel_plan_attachment_is_read_as_its_table(report: CrawlReport, config_path: Path) -> None:
    """The .xlsx attachment's row is the document's text, its deadline day first, and a stored table."""
    doc = documents(config_path)["21/KH-UBND"]
    assert "1 | Công bố danh mục thủ tục hành chính liên thông | Sở Tư pháp | 30/04/2026" in doc.text
    assert doc.tables and doc.tables[0]


@pytest.mark.parametrize(("name", "asked"), [("cho-lau", r"3600 giây"),
                                             ("cho-ngay", r"\d+ giây, khoảng [\d.]+ ngày")])
def test_a_retry_after_past_the_time_limit_gives_up_the_page_at_once(
    report: CrawlReport, trap_site: RunningSite, name: str, asked: str
) -> None:
    """429 with Retry-After: 3600, 503 with a 2099 date: asked once, not retried, and the reason says
    what the site asked and that the page is left for the next run."""
    assert len(trap_site.arrivals(NEWS[name])) == 1
    outcome = report.outcome(name)
    assert not outcome.ok and outcome.reason is not None
    assert re.search(rf"máy chủ trả HTTP (429|503) và yêu cầu chờ {asked} \(Retry-After\)", outcome.reason)
    assert "lần thu thập sau sẽ thử lại" in outcome.reason and NEWS[name] in outcome.reason


def test_a_short_retry_after_is_waited_before_each_retry(report: CrawlReport, trap_site: RunningSite) -> None:
    """429 with Retry-After: 2 (the local backoff is 0.1 s): each of the two retries comes 2 s or more
    after the answer before it; then the source fails with the status."""
    arrivals = trap_site.arrivals("/cho-ngan.htm")
    assert len(arrivals) == 3
    assert all(later - earlier >= SHORT_WAIT_S for earlier, later in itertools.pairwise(arrivals))
    assert report.outcome("cho-ngan").reason == f"HTTP 429 tại {trap_site.base_url}/cho-ngan.htm"


@pytest.mark.parametrize(("name", "reason"), [
    ("vong", "vòng chuyển hướng: {base}/vong-b.htm chuyển hướng quay lại {base}/vong-a.htm "
             "(vòng qua 2 địa chỉ)"),
    ("xa", "quá 5 lần chuyển hướng liên tiếp (có thể là vòng chuyển hướng) từ {base}/xa-1.htm, dừng ở "
           "{base}/xa-6.htm"),
    ("bom-gzip", "trang nén bung ra quá lớn (nén 0,1 MB, giải nén hơn 50 MB, giới hạn 50 MB, max_response_mb)"
                 ", đã hủy: {base}/bom-gzip.htm"),
    ("lon-an", "trang quá lớn (hơn 50 MB, giới hạn 50 MB, max_response_mb), đã hủy tải: {base}/lon-an.htm"),
])
def test_redirects_and_sizes_are_named_in_vietnamese(
    report: CrawlReport, trap_site: RunningSite, name: str, reason: str
) -> None:
    """The reason is the Vietnamese one naming the URL, not Scrapy's text nor "không tải được trang nào"."""
    outcome = report.outcome(name)
    assert not outcome.ok and outcome.reason == reason.format(base=trap_site.base_url)
    assert REDIRECT_CHAIN > 5  # the chain is longer than REDIRECT_MAX, so "xa" stops at the sixth URL


def test_a_document_past_its_time_limit_is_stopped_and_the_pool_reads_the_next() -> None:
    """A job over its limit fails that one document (its process is stopped with it); the next job
    gets a new pool process and is read, with its tasks."""
    import asyncio
    import datetime as dt

    from crawler.document_pool import DocumentPool, ReadJob
    from crawler.errors import UnusableInputError
    from crawler.models import FetchedPage
    from crawler.site.server import SITE_DIR

    pdf = (SITE_DIR / "10447-UBND-VX.pdf").read_bytes()
    page = FetchedPage(source="s", url="http://127.0.0.1/a.pdf", status=200, content=pdf,
                       content_type="application/pdf", fetched_at=dt.datetime.now(dt.UTC))
    job = ReadJob(page=page, document_url=page.url, extract=True)
    pool = DocumentPool(workers=1)

    async def read_twice() -> tuple[str, int]:
        """The first job with no time to start, then the same job with the usual limit."""
        with pytest.raises(UnusableInputError, match="quá"):
            await pool.run(job, limit_s=0.001)
        result = await pool.run(job)
        return result.doc.text, len(result.tasks or ())

    try:
        text, tasks = asyncio.run(read_twice())
    finally:
        pool.shutdown()
    assert "46-TB/TGV" in text and tasks > 0
