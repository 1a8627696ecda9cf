"""Nothing vanishes silently (issue 12, rows 5 and 6): a page in another encoding than it declares
is read in its real encoding and says so; too-deep HTML and a page without text carry a notice;
a crawl's warnings reach the source's health, and `dondoc status` does not call it "tốt"."""

from __future__ import annotations

import datetime as dt

from crawler.config import Config, SourceConfig
from crawler.crawl import SourceOutcome, record_outcome
from crawler.documents import document_from_html
from crawler.storage.engine import make_engine, session_factory, upgrade_database
from service.status import status_lines
from tools.hostile_files import nested_html, windows_1258_page

NOW = dt.datetime(2025, 10, 1, 1, 0, tzinfo=dt.UTC)


def test_windows_1258_declared_utf8_is_read_in_its_real_encoding_with_a_notice() -> None:
    """Windows-1258 bytes declared UTF-8: the text has no U+FFFD and the notice names cp1258."""
    doc = document_from_html(windows_1258_page(), "cp1258.htm")
    assert "\ufffd" not in doc.text and "Ủy ban nhân dân tỉnh giao Sở Tư pháp" in doc.text
    assert any("cp1258" in notice for notice in doc.notices)


def test_html_nested_too_deep_carries_a_notice() -> None:
    """HTML nested 300 deep: the reader says the deep part was dropped and that no text remains."""
    doc = document_from_html(nested_html(300), "sau.htm")
    assert any("lồng quá sâu" in notice for notice in doc.notices)
    assert "trang không có nội dung chữ" in doc.notices


def test_a_warned_source_is_not_reported_good_in_status(sqlite_url: str) -> None:
    """A crawl that succeeded with a warning shows CẢNH BÁO and the warning in `dondoc status`."""
    upgrade_database(sqlite_url)
    source = SourceConfig(name="cong-tinh", family="news", start_url="http://127.0.0.1:9/")
    outcome = SourceOutcome("cong-tinh", True, warnings=("trang không có nội dung chữ: http://x/1",))
    with session_factory(make_engine(sqlite_url))() as session:
        record_outcome(session, source, outcome, NOW)
        session.commit()
        text = "\n".join(status_lines(session, Config(sources=(source,)), False, NOW))
    assert "cong-tinh: CẢNH BÁO" in text and "trang không có nội dung chữ" in text and "tốt" not in text
