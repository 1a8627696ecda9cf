"""A task read from a scan says so on its web page: the scan's page, OCR's confidence and a link to
that page of the original file."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from crawler.storage.schema import Document, Task
from tests.webapp.webdata import Seeded


def test_task_from_a_scan_links_to_its_page(client: TestClient, seeded: Seeded, web_engine: Engine) -> None:
    """The overdue task's document becomes a three-page scan with the task on page 2."""
    path = f"/nhiem-vu/{seeded.overdue}"
    client.get(f"/lien-ket/{seeded.health_link}")
    assert "bản quét" not in client.get(path).text  # a document with a text layer says nothing
    with Session(web_engine) as session:
        document_id = session.get_one(Task, seeded.overdue).document_id
        session.execute(update(Task).where(Task.id == seeded.overdue).values(line=60))
        session.execute(update(Document).where(Document.id == document_id)
                        .values(ocr_confidence=91.4, ocr_pages=[1, 48, 95]))
        session.commit()
    page = client.get(path).text
    assert "Nhiệm vụ đọc từ bản quét, trang 2 (nhận dạng chữ tự động, độ tin cậy 91%)" in page
    assert 'href="http://127.0.0.1/van-ban/12#page=2"' in page and "Mở trang 2 của bản quét gốc" in page
