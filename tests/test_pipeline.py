"""Stored documents -> tasks -> events: what the service does after each crawl."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.extract.units import load_gazetteer
from crawler.pipeline import extract_pending_documents
from crawler.pipelines import text_hash
from crawler.storage.schema import Document, Task
from tests.docfiles import task_table_docx

NOW = dt.datetime(2025, 10, 1, 8, 0, tzinfo=dt.UTC)
LETTER = (
    "ỦY BAN NHÂN DÂN\nTỈNH NGHỆ AN\n\nSố: 10447/UBND-VX\n\nNghệ An, ngày 03 tháng 10 năm 2025\n\n"
    "Phó Chủ tịch Ủy ban nhân dân tỉnh giao:\n\n"
    "1. Sở Khoa học và Công nghệ chủ trì, phối hợp với Sở Tài chính triển khai nhiệm vụ được giao; "
    "báo cáo kết quả thực hiện cho UBND tỉnh trước ngày 16/10/2025.\n\n"
    "2. Công an tỉnh chủ trì triển khai nhiệm vụ được giao tại điểm 6; báo cáo kết quả thực hiện "
    "cho UBND tỉnh trước ngày 16/10/2025.\n"
)


def add_document(session: Session, url: str, text: str) -> Document:
    """Store a document as the crawl worker leaves it: not yet extracted."""
    row = Document(
        url=url, version=1, kind="directive", number="10447/UBND-VX", text=text,
        text_hash=text_hash(text), created_at=NOW,
    )
    session.add(row)
    session.commit()
    return row


def test_pending_documents_become_tracked_tasks(db_session: Session) -> None:
    add_document(db_session, "http://127.0.0.1:8000/?docid=1", LETTER)
    report = extract_pending_documents(db_session, load_gazetteer(), NOW.date(), NOW)
    assert (report.documents, report.tasks, report.failed) == (1, 2, 0)
    dues = sorted(task.due for task in db_session.scalars(select(Task)))
    assert dues == [dt.date(2025, 10, 16)] * 2
    again = extract_pending_documents(db_session, load_gazetteer(), NOW.date(), NOW)
    assert again.documents == 0


def test_same_text_under_another_url_is_not_tracked_twice(db_session: Session) -> None:
    add_document(db_session, "http://127.0.0.1:8000/?docid=1", LETTER)
    extract_pending_documents(db_session, load_gazetteer(), NOW.date(), NOW)
    copy = add_document(db_session, "http://127.0.0.1:9000/?docid=1", LETTER)
    report = extract_pending_documents(db_session, load_gazetteer(), NOW.date(), NOW)
    assert report.tasks == 0
    assert db_session.scalar(select(func.count()).select_from(Task)) == 2
    assert db_session.get(Document, copy.id).extracted_at is not None  # type: ignore[union-attr]


def test_tables_survive_storage_and_extract_as_from_the_file(db_session: Session) -> None:
    """A crawled document keeps its tables as cells: the stored row reads back to the same document
    text and tables, and its tasks are those `dondoc extract` reads from the same file."""
    from crawler.documents import document_from_bytes
    from crawler.extract import extract_tasks
    from crawler.pipelines import store_document
    from crawler.storage.documents import document_text
    from crawler.storage.schema import Page, Source

    content = task_table_docx()
    doc = document_from_bytes(content, "ke-hoach.docx", url="http://127.0.0.1:8000/ke-hoach.docx")
    assert doc.tables
    source = Source(name="local", family="generic", start_url="http://127.0.0.1:8000/")
    db_session.add(source)
    db_session.flush()
    page = Page(
        source_id=source.id, url=doc.url, content_hash="x", content=content, status=200, fetched_at=NOW
    )
    db_session.add(page)
    db_session.flush()
    stored_id = store_document(db_session, source.id, page.id, doc.url or "", doc, NOW)
    assert stored_id is not None
    db_session.commit()
    db_session.expire_all()
    stored = document_text(db_session, stored_id)
    assert stored.tables == doc.tables and stored.text == doc.text
    gazetteer = load_gazetteer()
    expected = [(t.line, t.action, t.lead, t.deadline) for t in extract_tasks(doc, gazetteer)]
    got = [(t.line, t.action, t.lead, t.deadline) for t in extract_tasks(stored, gazetteer)]
    assert got == expected and [t[2] for t in got] == [("Sở Tư pháp",), ("Sở Khoa học và Công nghệ",)]


def test_the_view_read_beside_the_crawl_is_the_one_stored(db_session: Session) -> None:
    """The document the pool extracts from before the row exists (stored_view) is the one extraction
    reads back from the row: named by its URL, its +07:00 time in UTC, its tables through their cells."""
    import dataclasses

    from crawler.document_pool import stored_view
    from crawler.documents import document_from_bytes
    from crawler.pipelines import store_document
    from crawler.storage.documents import document_text
    from crawler.storage.schema import Page, Source

    content = task_table_docx()
    url = "http://127.0.0.1:8000/ke-hoach.docx"
    published = dt.datetime(2025, 10, 1, 5, 30, 12, 345, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    doc = dataclasses.replace(document_from_bytes(content, "ke-hoach.docx", url=url), published=published,
                              title="Kế hoạch", number="12/KH-UBND", notices=("đọc lại mã hóa",))
    source = Source(name="local", family="generic", start_url="http://127.0.0.1:8000/")
    db_session.add(source)
    db_session.flush()
    page = Page(source_id=source.id, url=url, content_hash="x", content=content, status=200, fetched_at=NOW)
    db_session.add(page)
    db_session.flush()
    stored_id = store_document(db_session, source.id, page.id, url, doc, NOW)
    assert stored_id is not None
    db_session.commit()
    db_session.expire_all()
    assert stored_view(doc, url) == document_text(db_session, stored_id)
