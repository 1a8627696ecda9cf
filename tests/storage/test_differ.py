"""The differ: task identity across runs and documents, change events and time events, replayable."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.models import Deadline, ExtractedTask, Precision, Status
from crawler.storage.differ import (
    EventKind,
    TaskEventRecord,
    action_words,
    apply_document_tasks,
    period_end,
    record_time_events,
    ref_key,
    similarity,
)
from crawler.storage.schema import Document, Task, TaskEvent

D1 = dt.date(2025, 9, 20)
D2 = dt.date(2025, 9, 27)
BKHCN = "Bộ Khoa học và Công nghệ"
ACTION = ("Ban hành Khung Kiến trúc tổng thể quốc gia số, bảo đảm kết nối, chia sẻ dữ liệu giữa các bộ, "
          "ngành, địa phương và hướng dẫn triển khai thống nhất trên toàn quốc")


def _task(action: str = ACTION, lead: tuple[str, ...] = (BKHCN,), due: dt.date | None = dt.date(2025, 10, 5),
          precision: Precision = Precision.DAY, status: Status | None = None,
          refs: tuple[str, ...] = ("46-TB/TGV",), raw: str | None = "05/10/2025") -> ExtractedTask:
    """An extracted task with sensible defaults (the 46-TB/TGV architecture task)."""
    return ExtractedTask(action=action, lead=lead, support=(), deadline=Deadline(raw, due, precision),
                         status=status, source_refs=refs, line=10, anchor=action[:30])


def _document(session: Session, url: str = "http://127.0.0.1/vb/46", version: int = 1,
              number: str | None = "46-TB/TGV", kind: str = "directive") -> int:
    """Store a document row and return its id."""
    row = Document(url=url, version=version, kind=kind, number=number, text="…", text_hash=f"h{version}",
                   created_at=dt.datetime(2025, 9, 1, tzinfo=dt.UTC))
    session.add(row)
    session.flush()
    return row.id


def _kinds(events: list[TaskEventRecord]) -> list[str]:
    """Event kinds in order, for compact assertions."""
    return [e.kind.value for e in events]


def _task_count(session: Session) -> int:
    """How many tasks are stored."""
    return session.scalar(select(func.count()).select_from(Task)) or 0


def test_keys_normalize_numbers_words_and_periods() -> None:
    """Numbers, action words and period deadlines normalize as the identity rules need."""
    assert ref_key("Thông báo số 03-\nTB/BCĐTW ngày 06/3/2025") == "03-TB/BCĐTW"
    assert ref_key("46-ТВ/TGV") == "46-TB/TGV"  # Cyrillic look-alikes
    assert action_words("Uỷ ban  nhân dân hoá") == action_words("Ủy ban nhân dân hóa")
    assert len(action_words("từ " * 100)) == 40
    assert similarity(["a", "b"], ["a", "b"]) == 1.0
    assert period_end(dt.date(2025, 10, 1), Precision.MONTH) == dt.date(2025, 10, 31)
    assert period_end(dt.date(2025, 4, 1), Precision.QUARTER) == dt.date(2025, 6, 30)
    assert period_end(dt.date(2025, 1, 1), Precision.HALF) == dt.date(2025, 6, 30)
    assert period_end(dt.date(2022, 1, 1), Precision.YEAR) == dt.date(2022, 12, 31)
    assert period_end(dt.date(2025, 1, 1), Precision.RECURRING) is None


def test_new_task_then_recrawl_is_the_same_task(db_session: Session) -> None:
    """A first sighting is `new`; the same page re-crawled links to it and records nothing."""
    doc = _document(db_session)
    assert _kinds(apply_document_tasks(db_session, doc, [_task()], D1)) == ["new"]
    assert apply_document_tasks(db_session, doc, [_task()], D1) == []
    v2 = _document(db_session, version=2)
    assert apply_document_tasks(db_session, v2, [_task()], D2) == []
    assert _task_count(db_session) == 1
    row = db_session.scalars(select(Task)).one()
    assert (row.first_seen, row.last_seen, len(row.identity)) == (D1, D2, 64)


def test_small_edit_is_tolerated_and_republishing_links(db_session: Session) -> None:
    """An edited word, old tone marks or a republication under another URL stay the same task."""
    apply_document_tasks(db_session, _document(db_session), [_task()], D1)
    edited = ACTION.replace("hướng dẫn", "hướng dẫn cụ thể").replace("hóa", "hoá")
    republished = _document(db_session, url="http://127.0.0.1/tin/khung-kien-truc")
    assert apply_document_tasks(db_session, republished, [_task(action=edited)], D2) == []
    assert _task_count(db_session) == 1


def test_different_lead_is_a_different_task(db_session: Session) -> None:
    """The same action assigned to another unit in another document is another task."""
    apply_document_tasks(db_session, _document(db_session), [_task()], D1)
    other = _document(db_session, url="http://127.0.0.1/vb/46-bis")
    events = apply_document_tasks(db_session, other, [_task(lead=("Bộ Tài chính",))], D2)
    assert _kinds(events) == ["new"]
    assert _task_count(db_session) == 2


def test_same_action_for_two_leads_in_one_document_stays_two_tasks(db_session: Session) -> None:
    """A directive giving the same work to two units keeps two tasks across re-crawls."""
    tasks = [_task(), _task(lead=("Bộ Tài chính",))]
    assert _kinds(apply_document_tasks(db_session, _document(db_session), tasks, D1)) == ["new", "new"]
    assert apply_document_tasks(db_session, _document(db_session, version=2), tasks, D2) == []
    assert _task_count(db_session) == 2


def test_same_words_under_two_deadlines_stay_two_tasks(db_session: Session) -> None:
    """One document listing the same work for August and for September keeps both, across re-crawls."""
    august = _task(due=dt.date(2025, 8, 31), precision=Precision.MONTH, raw="Nhiệm vụ tháng 8/2025")
    september = _task(due=dt.date(2025, 9, 30), precision=Precision.MONTH, raw="Nhiệm vụ tháng 9/2025")
    events = apply_document_tasks(db_session, _document(db_session), [august, september, august], D1)
    assert _kinds(events) == ["new", "new"]
    assert apply_document_tasks(db_session, _document(db_session, version=2), [september, august], D2) == []
    dues = db_session.scalars(select(Task.due).order_by(Task.due)).all()
    assert dues == [august.deadline.due, september.deadline.due]


def test_follow_up_report_links_by_cited_number_and_reports_done(db_session: Session) -> None:
    """A report row citing the directive's number (no lead given) updates the task: done."""
    apply_document_tasks(db_session, _document(db_session), [_task()], D1)
    report = _document(db_session, url="http://127.0.0.1/bc/12", number="12/BC-SKHCN", kind="report")
    row = _task(lead=(), status=Status.DONE, refs=("Thông báo số 46-TB/TGV",), raw=None, due=None,
                precision=Precision.NONE)
    events = apply_document_tasks(db_session, report, [row], D2)
    assert [(e.kind, e.old, e.new) for e in events] == [(EventKind.DONE, None, "done")]
    assert _task_count(db_session) == 1
    assert db_session.scalars(select(Task)).one().due == dt.date(2025, 10, 5)  # no deadline: kept


def test_a_task_first_seen_citing_two_numbers_is_found_by_either(db_session: Session) -> None:
    """A report row citing two numbers links to later sightings under its second number too."""
    report = _document(db_session, url="http://127.0.0.1/bc/7", number="7/BC-UBND", kind="report")
    apply_document_tasks(db_session, report, [_task(refs=("71/NQ-CP", "46-TB/TGV"))], D1)
    assert apply_document_tasks(db_session, _document(db_session), [_task()], D2) == []
    assert _task_count(db_session) == 1


def test_deadline_status_and_lead_changes(db_session: Session) -> None:
    """A re-crawled version that moves the deadline, reports progress and changes the lead records each."""
    apply_document_tasks(db_session, _document(db_session), [_task()], D1)
    changed = _task(lead=("Bộ Tài chính",), due=dt.date(2025, 11, 1), precision=Precision.MONTH,
                    raw="Tháng 11/2025", status=Status.IN_PROGRESS)
    events = apply_document_tasks(db_session, _document(db_session, version=2), [changed], D2)
    assert [(e.kind, e.old, e.new) for e in events] == [
        (EventKind.LEAD_CHANGED, BKHCN, "Bộ Tài chính"),
        (EventKind.DEADLINE_CHANGED, "2025-10-05", "2025-11-30"),
        (EventKind.STATUS_CHANGED, None, "in_progress"),
    ]
    assert _task_count(db_session) == 1


def test_task_dropped_by_a_new_version_is_no_longer_listed(db_session: Session) -> None:
    """A task the previous version listed and the re-crawled one does not: no_longer_listed, once."""
    other = _task(action="Tổng kết việc thực hiện Nghị quyết số 57-NQ/TW và báo cáo Ban Chỉ đạo Trung ương")
    apply_document_tasks(db_session, _document(db_session), [_task(), other], D1)
    v2 = _document(db_session, version=2)
    events = apply_document_tasks(db_session, v2, [_task()], D2)
    assert _kinds(events) == ["no_longer_listed"]
    assert apply_document_tasks(db_session, v2, [_task()], D2) == []
    assert not db_session.scalars(select(Task).where(Task.id == events[0].task_id)).one().listed
    assert apply_document_tasks(db_session, _document(db_session, version=3), [_task()], D2) == []


def test_time_events_respect_precision_offsets_and_replay(db_session: Session) -> None:
    """due_soon at the tightest crossed offset, overdue from the first day past due, each once."""
    month = _task(action="Hoàn thành số hóa hồ sơ thủ tục hành chính", due=dt.date(2025, 10, 1),
                  precision=Precision.MONTH, raw="Tháng 10/2025")
    recurring = _task(action="Báo cáo định kỳ hằng tháng", due=None, precision=Precision.RECURRING,
                      raw="Hàng tháng")
    apply_document_tasks(db_session, _document(db_session), [_task(), month, recurring], D1)
    assert _time(db_session, dt.date(2025, 9, 28)) == [("due_soon", "7d:2025-10-05", 7)]
    assert _time(db_session, dt.date(2025, 9, 28)) == []
    assert _time(db_session, dt.date(2025, 9, 29)) == []
    assert _time(db_session, dt.date(2025, 10, 4)) == [("due_soon", "1d:2025-10-05", 1)]
    assert _time(db_session, dt.date(2025, 10, 5)) == []
    assert _time(db_session, dt.date(2025, 10, 6)) == [("overdue", "2025-10-05", None)]
    assert _time(db_session, dt.date(2025, 10, 29)) == [("due_soon", "3d:2025-10-31", 3)]
    assert _time(db_session, dt.date(2025, 11, 20)) == [("overdue", "2025-10-31", None)]


def _time(session: Session, as_of: dt.date) -> list[tuple[str, str, int | None]]:
    """Time events recorded on one day, compactly."""
    return [(e.kind.value, e.key, e.days) for e in record_time_events(session, as_of)]


def test_done_tasks_get_no_time_events(db_session: Session) -> None:
    """A task reported done is neither due soon nor overdue."""
    apply_document_tasks(db_session, _document(db_session), [_task(status=Status.DONE)], D1)
    assert record_time_events(db_session, dt.date(2025, 10, 20)) == []


def _run_history(session: Session) -> list[tuple[str, str, dt.date, str | None]]:
    """Apply a fixed history of documents and days and return every stored event."""
    doc = _document(session)
    apply_document_tasks(session, doc, [_task()], D1)
    record_time_events(session, dt.date(2025, 10, 1))
    moved = replace(_task(), deadline=Deadline("20/10/2025", dt.date(2025, 10, 20), Precision.DAY))
    apply_document_tasks(session, _document(session, version=2), [moved], dt.date(2025, 10, 2))
    record_time_events(session, dt.date(2025, 10, 20))
    record_time_events(session, dt.date(2025, 10, 21))
    rows = session.scalars(select(TaskEvent).order_by(TaskEvent.id))
    return [(r.kind, r.key, r.on, r.detail.get("new")) for r in rows]  # type: ignore[misc]


def test_replay_gives_the_same_events_and_never_duplicates(db_session: Session) -> None:
    """Replaying the same history with the same as_of dates adds nothing; the history reads right."""
    first = _run_history(db_session)
    assert [k for k, *_ in first] == ["new", "due_soon", "deadline_changed", "due_soon", "overdue"]
    assert first[1][1:3] == ("7d:2025-10-05", dt.date(2025, 10, 1))
    assert first[4][1:3] == ("2025-10-20", dt.date(2025, 10, 21))
    doc = db_session.scalars(select(Document.id).where(Document.version == 1)).one()
    apply_document_tasks(db_session, doc, [_task()], D1)
    for day in (dt.date(2025, 10, 1), dt.date(2025, 10, 20), dt.date(2025, 10, 21)):
        record_time_events(db_session, day)
    rows = db_session.scalars(select(TaskEvent).order_by(TaskEvent.id))
    again = [(r.kind, r.key, r.on, r.detail.get("new")) for r in rows]
    assert again[:5] == first


def test_required_result_is_stored_and_updated(db_session: Session) -> None:
    """The required result is stored on create, kept when a sighting has none, replaced by a new one."""
    doc = _document(db_session)
    apply_document_tasks(db_session, doc, [replace(_task(), required_result="Khung được ban hành")], D1)
    row = db_session.scalars(select(Task)).one()
    assert row.required_result == "Khung được ban hành"
    apply_document_tasks(db_session, _document(db_session, version=2), [_task()], D2)
    assert row.required_result == "Khung được ban hành"
    updated = replace(_task(), required_result="Báo cáo Thủ tướng Chính phủ")
    apply_document_tasks(db_session, _document(db_session, version=3), [updated], D2)
    assert db_session.scalars(select(Task)).one().required_result == "Báo cáo Thủ tướng Chính phủ"
