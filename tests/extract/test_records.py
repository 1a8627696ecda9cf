"""The FORMAT.md record of a task."""

from __future__ import annotations

import datetime as dt

from crawler.extract.records import task_record
from crawler.models import Deadline, ExtractedTask, Precision, Status


def test_record_fields() -> None:
    """Dates are ISO, time is HH:MM, precision a string, tuples lists."""
    task = ExtractedTask(
        action="Gửi báo cáo",
        lead=("Bộ Y tế",),
        support=(),
        status=Status.DONE,
        source_refs=("46-TB/TGV",),
        deadline=Deadline(
            "trước 10 giờ, ngày 03/10/2025", dt.date(2025, 10, 3), Precision.DAY, dt.time(10, 0)
        ),
        line=7,
        anchor="Gửi báo cáo",
    )
    record = task_record(task, "a.txt")
    assert record == {
        "seed": "a.txt",
        "line": 7,
        "anchor": "Gửi báo cáo",
        "action": "Gửi báo cáo",
        "source_refs": ["46-TB/TGV"],
        "lead": ["Bộ Y tế"],
        "support": [],
        "deadline": {
            "raw": "trước 10 giờ, ngày 03/10/2025",
            "due": "2025-10-03",
            "time": "10:00",
            "precision": "day",
        },
        "status": "done",
        "note": "",
    }
    empty = task_record(ExtractedTask("x", (), (), Deadline.none(), None, (), 1, "x"), "b.txt")
    assert empty["deadline"] == {"raw": None, "due": None, "time": None, "precision": "none"}
    assert empty["status"] is None


def test_record_prints_departments_plainly() -> None:
    """Routing keeps a department's province; the FORMAT.md record prints its plain name."""
    from crawler.extract.records import plain_name

    assert plain_name("Sở Tài chính tỉnh Nghệ An") == "Sở Tài chính"
    assert plain_name("Sở Y tế thành phố Cần Thơ") == "Sở Y tế"
    assert plain_name("Ủy ban nhân dân tỉnh Nghệ An") == "Ủy ban nhân dân tỉnh Nghệ An"
