"""Digests reach units through aliases and collective addressees (the storage's resolver)."""

from __future__ import annotations

import datetime as dt

from notify_helpers import AS_OF, add_document, add_task, tasks_for_unit
from sqlalchemy.orm import Session

from crawler.storage.tasks import index_by_unit, load_tasks, tasks_for_units
from crawler.storage.units import default_directory, load_resolver
from notifier.planning import digest_for, load_inputs

MINISTRIES = "Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ"
PROVINCES = "Các tỉnh, thành phố trực thuộc Trung ương"


def _store(session: Session) -> None:
    """Tasks led by two collectives, by an alias, and by a province's People's Committee."""
    doc = add_document(session, "60/CĐ-TTg", "http://127.0.0.1/vb/60")
    add_task(session, "m", "Đẩy nhanh giải ngân", [MINISTRIES], dt.date(2025, 10, 5), document=doc)
    add_task(session, "p", "Rà soát dự án", [PROVINCES], dt.date(2025, 9, 20), document=doc)
    add_task(session, "k", "Xây dựng cơ sở dữ liệu", ["Bộ KH&CN"], None, new_on=AS_OF)
    add_task(session, "n", "Báo cáo kết quả", ["Ủy ban nhân dân tỉnh Nghệ An"], dt.date(2025, 10, 3))
    session.commit()


def test_collectives_and_aliases_reach_their_units(session: Session) -> None:
    """A ministry gets the ministries' collective and its alias; a province the provinces' collective."""
    _store(session)
    assert [v.action for v in tasks_for_unit(session, "Bộ Khoa học và Công nghệ")] == [
        "Đẩy nhanh giải ngân",
        "Xây dựng cơ sở dữ liệu",
    ]
    assert [v.action for v in tasks_for_unit(session, "Nghệ An")] == ["Rà soát dự án", "Báo cáo kết quả"]
    assert [v.action for v in tasks_for_unit(session, "UBND tỉnh Nghệ An")] == [
        "Rà soát dự án",
        "Báo cáo kết quả",
    ]
    assert [v.action for v in tasks_for_unit(session, "Bộ Y tế")] == ["Đẩy nhanh giải ngân"]
    assert tasks_for_unit(session, "Sở Tài chính") == []


def test_following_a_collective_follows_its_members(session: Session) -> None:
    """A recipient following the provinces' collective sees each province's own tasks too."""
    _store(session)
    resolver = load_resolver(session, default_directory())
    index = index_by_unit(load_tasks(session), resolver)
    found = tasks_for_units(index, [PROVINCES], resolver)
    assert [v.action for v in found] == ["Rà soát dự án", "Báo cáo kết quả"]


def test_digest_for_a_recipient_of_several_units_lists_each_task_once(session: Session) -> None:
    """A task reaching two followed units appears once; overdue first, then due soon, then new."""
    _store(session)
    inputs = load_inputs(session, AS_OF - dt.timedelta(days=1), AS_OF)
    digest = digest_for(inputs, "Văn phòng", ["Bộ KH&CN", "Bộ Y tế", "Nghệ An"], AS_OF, "daily:2025-10-01")
    assert digest is not None
    assert [i.action for i in digest.overdue] == ["Rà soát dự án"]
    assert [i.action for i in digest.due_soon] == ["Báo cáo kết quả", "Đẩy nhanh giải ngân"]
    assert [(i.action, i.event_kind) for i in digest.changes] == [("Xây dựng cơ sở dữ liệu", "new")]
