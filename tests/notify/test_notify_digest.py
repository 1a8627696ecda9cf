"""Digest building: sections, ordering, lateness, quiet digests, change windows."""

from __future__ import annotations

import datetime as dt

from notify_helpers import AS_OF, event, view

from notifier.digest import build_digest, shorten


def test_sections_in_order_with_days_late_and_left() -> None:
    """Overdue first (most late first), then due soon (soonest first), then new/changed."""
    tasks = [
        view(1, dt.date(2025, 9, 30)),
        view(2, dt.date(2025, 9, 20)),
        view(3, dt.date(2025, 10, 5)),
        view(4, dt.date(2025, 10, 2)),
        view(5, dt.date(2025, 12, 31)),
        view(6, None),
    ]
    events = [event(5, "new", AS_OF), event(6, "deadline_changed", AS_OF)]
    digest = build_digest(
        "Sở Tài chính", AS_OF, "daily:2025-10-01", tasks, events, since=AS_OF - dt.timedelta(1)
    )
    assert digest is not None
    assert [i.task_id for i in digest.overdue] == [2, 1]
    assert [i.days_late for i in digest.overdue] == [11, 1]
    assert [i.task_id for i in digest.due_soon] == [4, 3]
    assert [i.days_left for i in digest.due_soon] == [1, 4]
    assert [(i.task_id, i.event_kind) for i in digest.changes] == [(5, "new"), (6, "deadline_changed")]
    assert [s.key for s in digest.sections] == ["overdue", "due_soon", "changes"]


def test_quiet_when_nothing_to_say() -> None:
    """Nothing overdue, nothing due soon, no change: no digest at all."""
    tasks = [view(1, dt.date(2026, 1, 1)), view(2, dt.date(2025, 9, 1), status="done")]
    assert build_digest("X", AS_OF, "daily", tasks, []) is None
    assert build_digest("X", AS_OF, "daily", [], []) is None


def test_done_and_unlisted_tasks_are_not_overdue_but_changes_show() -> None:
    """A task reported done leaves the overdue list; its done event shows as a change."""
    tasks = [view(1, dt.date(2025, 9, 1), status="done"), view(2, dt.date(2025, 9, 1), listed=False)]
    events = [event(1, "new", dt.date(2025, 9, 1)), event(1, "done", AS_OF)]
    digest = build_digest("X", AS_OF, "daily", tasks, events, since=dt.date(2025, 9, 25))
    assert digest is not None
    assert digest.overdue == () and digest.due_soon == ()
    assert [(i.task_id, i.event_kind) for i in digest.changes] == [(1, "done")]


def test_events_outside_window_are_ignored_and_due_soon_horizon() -> None:
    """Changes before `since` or after `as_of` do not count; due_soon_days sets the horizon."""
    tasks = [view(1, dt.date(2026, 3, 1)), view(2, dt.date(2025, 10, 4))]
    events = [event(1, "new", dt.date(2025, 9, 20)), event(1, "status_changed", dt.date(2025, 10, 2))]
    assert (
        build_digest("X", AS_OF, "daily", tasks, events, since=dt.date(2025, 9, 30), due_soon_days=2) is None
    )
    digest = build_digest("X", AS_OF, "daily", tasks, events, since=dt.date(2025, 9, 30), due_soon_days=3)
    assert digest is not None and [i.task_id for i in digest.due_soon] == [2]
    assert digest.due_soon[0].days_left == 3


def test_new_overdue_task_is_listed_once_with_its_event() -> None:
    """A new task already overdue appears in the overdue section, marked new, not twice."""
    digest = build_digest("X", AS_OF, "daily", [view(1, dt.date(2025, 9, 1))], [event(1, "new", AS_OF)])
    assert digest is not None
    assert digest.item_count == 1 and digest.overdue[0].event_kind == "new"


def test_a_task_new_in_the_window_stays_new_unless_finished() -> None:
    """Seen first and reported on the same day: "new" for the reader; done or delisted still show."""
    events = [
        event(1, "new", AS_OF),
        event(1, "status_changed", AS_OF),
        event(2, "new", AS_OF - dt.timedelta(days=1)),
        event(2, "deadline_changed", AS_OF),
        event(3, "new", AS_OF),
        event(3, "done", AS_OF),
        event(4, "new", AS_OF - dt.timedelta(days=9)),
        event(4, "status_changed", AS_OF),
    ]
    views = [view(n, None) for n in (1, 2, 3, 4)]
    digest = build_digest("X", AS_OF, "daily", views, events, since=AS_OF - dt.timedelta(days=7))
    assert digest is not None
    assert [(i.task_id, i.event_kind) for i in digest.changes] == [
        (1, "new"),
        (2, "new"),
        (4, "status_changed"),
        (3, "done"),
    ]


def test_duplicate_task_views_count_once() -> None:
    """A task reached through two followed units is one item."""
    task = view(1, dt.date(2025, 9, 1))
    digest = build_digest("X", AS_OF, "daily", [task, task], [])
    assert digest is not None and digest.item_count == 1


def test_shorten_cuts_at_word_boundary() -> None:
    """Long actions are cut on a word boundary with an ellipsis; whitespace is collapsed."""
    text = "Xây dựng   kế hoạch\nchuyển đổi số " * 30
    short = shorten(text, 80)
    assert len(short) <= 80 and short.endswith("…") and "\n" not in short and "  " not in short
    assert shorten("ngắn gọn") == "ngắn gọn"
