"""Editors' corrections survive re-extraction, and a false task leaves every reader's lists."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.extract.units import load_gazetteer
from crawler.models import Deadline, ExtractedTask, Precision
from crawler.pipeline import extract_pending_documents
from crawler.pipelines import text_hash
from crawler.storage import corrections, documents
from crawler.storage.corrections import Change, Field
from crawler.storage.differ import record_time_events
from crawler.storage.schema import Document, Task, TaskEvent, TaskSighting
from crawler.storage.tasks import load_tasks
from notifier.digest import Digest
from notifier.planning import digest_for, load_inputs
from notifier.render import render_digest
from notifier.reports import dated_tasks
from tests.test_pipeline import LETTER, NOW, add_document

POLICE, FINANCE, HOME_AFFAIRS = "Công an tỉnh Nghệ An", "Sở Tài chính tỉnh Nghệ An", "Sở Nội vụ tỉnh Nghệ An"
LATER = NOW + dt.timedelta(days=1)
URL = "http://127.0.0.1:8000/?docid=7"


def _extract(session: Session, now: dt.datetime = NOW) -> None:
    """Run the crawl's extraction step over the pending documents."""
    extract_pending_documents(session, load_gazetteer(), now.date(), now)


def _police_task(session: Session) -> Task:
    """The stored task the letter gives the provincial police."""
    return next(t for t in session.scalars(select(Task)) if "Công an tỉnh" in t.action)


def _new_version(session: Session, text: str = LETTER) -> Document:
    """A re-crawled copy of the letter: version 2 of the same URL, not yet extracted."""
    row = Document(url=URL, version=2, kind="directive", number="10447/UBND-VX", text=text,
                   text_hash=text_hash(text), created_at=LATER)
    session.add(row)
    session.commit()
    return row


def _event_kinds(session: Session, task_id: int) -> list[str]:
    """The kinds of a task's events, in order."""
    query = select(TaskEvent.kind).where(TaskEvent.task_id == task_id).order_by(TaskEvent.id)
    return list(session.scalars(query))


def _digest_ids(digest: Digest | None) -> set[int]:
    """The tasks a digest names in any section."""
    if digest is None:
        return set()
    return {item.task_id for item in (*digest.overdue, *digest.due_soon, *digest.changes)}


def test_correction_survives_reextraction_of_the_same_document_and_a_new_version(db_session: Session) -> None:
    doc = add_document(db_session, URL, LETTER)
    _extract(db_session)
    task = _police_task(db_session)
    stored = corrections.correct_task(
        db_session, task.id, doc.id,
        [Change(Field.LEAD, [FINANCE]), Change(Field.DEADLINE, "2025-10-30"), Change(Field.SUPPORT, [])],
        "bientap", NOW, NOW.date())
    db_session.commit()
    assert [c.field for c in stored] == [Field.LEAD, Field.DEADLINE]  # support was empty already
    documents.reopen_for_extraction(db_session, doc.id)
    db_session.commit()
    _extract(db_session, LATER)
    _new_version(db_session)
    _extract(db_session, LATER)
    assert db_session.scalar(select(func.count()).select_from(Task)) == 2  # re-seen, not a new task
    read = load_tasks(db_session, [task.id])[0]
    assert read.lead == (FINANCE,)
    assert read.deadline.due == dt.date(2025, 10, 30)
    assert _event_kinds(db_session, task.id) == ["new", "corrected", "corrected"]
    history = db_session.scalars(select(TaskEvent.detail).where(TaskEvent.kind == "corrected")).all()
    assert [(d["old"], d["new"], d["by"], d["note"]) for d in history] == [
        (POLICE, FINANCE, "bientap", "chủ trì"), ("16/10/2025", "30/10/2025", "bientap", "thời hạn")]
    day = dt.date(2025, 10, 27)  # due soon under the corrected deadline, not yet under the extracted one
    inputs = load_inputs(db_session, None, day)
    assert task.id not in _digest_ids(digest_for(inputs, POLICE, [POLICE], day, "daily:x"))
    finance = digest_for(inputs, FINANCE, [FINANCE], day, "daily:x")
    assert finance is not None and task.id in {item.task_id for item in finance.due_soon}


def test_false_task_leaves_digests_reports_and_time_events_after_reextraction(db_session: Session) -> None:
    doc = add_document(db_session, URL, LETTER)
    _extract(db_session)
    task = _police_task(db_session)
    corrections.correct_task(db_session, task.id, doc.id, [Change(Field.FALSE, True)], "bientap", NOW,
                             NOW.date())
    db_session.commit()
    _new_version(db_session)
    _extract(db_session, LATER)
    assert corrections.false_task_ids(db_session) == {task.id}
    assert task.id not in {t.id for t in load_tasks(db_session)}
    assert task.id not in {t.id for t in dated_tasks(db_session)}
    assert len(load_tasks(db_session)) == 1
    inputs = load_inputs(db_session, None, LATER.date())
    assert task.id not in _digest_ids(digest_for(inputs, POLICE, [POLICE], LATER.date(), "x"))
    record_time_events(db_session, dt.date(2025, 10, 20))
    assert _event_kinds(db_session, task.id) == ["new", "corrected"]  # no overdue alert for a false task
    corrections.correct_task(db_session, task.id, doc.id, [Change(Field.FALSE, False)], "bientap", LATER,
                             LATER.date())
    assert task.id in {t.id for t in load_tasks(db_session) if t.listed}  # the mark undone


def test_a_missed_task_added_by_an_editor_stays_in_the_next_version(db_session: Session) -> None:
    doc = add_document(db_session, URL, LETTER)
    _extract(db_session)
    due = Deadline(raw=None, due=dt.date(2025, 11, 1), precision=Precision.DAY)
    missed = ExtractedTask(action="Sở Nội vụ rà soát biên chế các đơn vị sự nghiệp", lead=(HOME_AFFAIRS,),
                           support=(), deadline=due, status=None, source_refs=(), line=0, anchor="")
    task_id = corrections.add_missed_task(db_session, doc.id, missed, "bientap", NOW, NOW.date())
    db_session.commit()
    v2 = _new_version(db_session)
    _extract(db_session, LATER)
    read = load_tasks(db_session, [task_id])[0]
    assert read.listed and read.lead == (HOME_AFFAIRS,) and read.document_number == "10447/UBND-VX"
    sighted = db_session.scalars(select(TaskSighting.document_id).where(TaskSighting.task_id == task_id))
    assert sorted(sighted) == [doc.id, v2.id]
    assert _event_kinds(db_session, task_id) == ["new", "corrected"]
    assert [c.field for c in corrections.corrections_of(db_session, [task_id])[task_id]] == [Field.ADDED]


def test_a_correction_is_a_change_in_the_next_digest_of_the_unit_it_now_reaches(db_session: Session) -> None:
    doc = add_document(db_session, URL, LETTER)
    _extract(db_session)
    task = _police_task(db_session)
    corrections.correct_task(db_session, task.id, doc.id, [Change(Field.LEAD, [FINANCE])], "bientap", LATER,
                             LATER.date())
    db_session.commit()
    inputs = load_inputs(db_session, NOW.date(), LATER.date())
    digest = digest_for(inputs, FINANCE, [FINANCE], LATER.date(), "daily:x", since=NOW.date())
    assert digest is not None
    assert [(item.task_id, item.event_kind) for item in digest.changes] == [(task.id, "corrected")]
    assert "[Biên tập viên sửa]" in render_digest(digest, "console").body
    assert task.id not in _digest_ids(digest_for(inputs, POLICE, [POLICE], LATER.date(), "daily:x",
                                                 since=NOW.date()))
