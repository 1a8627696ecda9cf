"""A real letter stored and extracted the way the crawl does it, for the Văn bản page tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from crawler.extract.units import load_gazetteer
from crawler.pipeline import extract_pending_documents
from crawler.storage.documents import reopen_for_extraction
from crawler.storage.schema import Document, Task
from tests.test_pipeline import LETTER, add_document

POLICE, FINANCE_NA = "Công an tỉnh Nghệ An", "Sở Tài chính tỉnh Nghệ An"
EXTRACTED_AT = dt.datetime(2025, 10, 1, 8, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Letter:
    """The stored letter and the task it gives the provincial police."""

    document_id: int
    police_task: int


def extract_again(engine: Engine, document_id: int, now: dt.datetime = EXTRACTED_AT) -> None:
    """Have the crawl's extraction step read the document again."""
    with Session(engine) as session:
        reopen_for_extraction(session, document_id)
        session.commit()
        extract_pending_documents(session, load_gazetteer(), now.date(), now)


def store_letter(engine: Engine) -> Letter:
    """Store the letter as the crawl worker leaves it, then run the crawl's extraction step."""
    with Session(engine) as session:
        document = add_document(session, "http://127.0.0.1:8000/?docid=10447", LETTER)
        row = session.get_one(Document, document.id)
        row.issuer, row.issued = "UBND tỉnh Nghệ An", dt.date(2025, 10, 3)
        row.title = "Về việc triển khai nhiệm vụ"
        session.commit()
        document_id = document.id
        extract_pending_documents(session, load_gazetteer(), EXTRACTED_AT.date(), EXTRACTED_AT)
        police = next(t.id for t in session.scalars(select(Task).where(Task.document_id == document_id))
                      if t.lead == [POLICE])
    return Letter(document_id, police)
