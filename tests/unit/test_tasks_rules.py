"""The rules of conclusions and tasks, table by table (pure: no database, no Flask)."""

from __future__ import annotations

from datetime import date

import pytest

from meetings.tasks.rules import (
    TaskFacts,
    deadline_refusal,
    done_on_time,
    follow_up,
    is_open,
    is_overdue,
    update_refusal,
)

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (None, "missing"),
        (date(2026, 11, 30), "past"),
        (date(2026, 12, 1), None),  # today is still on time
        (date(2027, 1, 15), None),
    ],
)
def test_deadline(due, expected):
    assert deadline_refusal(due, TODAY) == expected


@pytest.mark.parametrize(
    ("status", "open_"),
    [
        ("open", True),
        ("in_progress", True),
        ("not_done", True),
        ("done", False),
        ("dropped", False),
    ],
)
def test_only_done_and_dropped_close_a_task(status, open_):
    assert is_open(status) is open_


@pytest.mark.parametrize(
    ("status", "note", "owner", "chair", "in_meeting", "expected"),
    [
        ("done", "", True, False, False, None),  # the owner, between meetings
        ("done", "", False, True, True, None),  # the chair, in the meeting
        ("done", "", False, True, False, "not_owner"),  # the chair's right is in the meeting
        ("done", "", False, False, True, "not_owner"),
        ("in_progress", "", True, False, False, "note"),
        ("in_progress", "half", True, False, False, None),
        ("not_done", "", False, True, True, "note"),
        ("not_done", "no funds", False, True, True, None),
        ("dropped", "moot", True, False, True, "chair_only"),  # an owner never drops
        ("dropped", "moot", True, True, False, "chair_only"),  # not between meetings
        ("dropped", "", False, True, True, "note"),
        ("dropped", "moot", False, True, True, None),
        ("open", "", True, True, True, "status"),  # back to "not reported": no
        ("finished", "", True, True, True, "status"),
    ],
)
def test_who_may_set_what(status, note, owner, chair, in_meeting, expected):
    assert (
        update_refusal(status, note, is_owner=owner, is_chair=chair, in_meeting=in_meeting)
        == expected
    )


@pytest.mark.parametrize(
    ("status", "due", "expected"),
    [
        ("open", date(2026, 11, 30), True),
        ("open", date(2026, 12, 1), False),  # due today: not yet overdue
        ("not_done", date(2026, 11, 1), True),
        ("in_progress", date(2026, 11, 1), True),
        ("done", date(2026, 11, 1), False),
        ("dropped", date(2026, 11, 1), False),
    ],
)
def test_overdue(status, due, expected):
    assert is_overdue(status, due, TODAY) is expected


@pytest.mark.parametrize(
    ("status", "due", "done", "expected"),
    [
        ("done", date(2026, 11, 30), date(2026, 11, 30), True),
        ("done", date(2026, 11, 30), date(2026, 12, 1), False),
        ("done", date(2026, 11, 30), None, False),
        ("dropped", date(2026, 11, 30), date(2026, 11, 1), False),
    ],
)
def test_done_on_time(status, due, done, expected):
    assert done_on_time(status, due, done) is expected


def test_follow_up_counts():
    tasks = [
        TaskFacts("done", date(2026, 11, 20), date(2026, 11, 18)),  # on time
        TaskFacts("done", date(2026, 11, 20), date(2026, 11, 25)),  # late
        TaskFacts("open", date(2026, 11, 20), None),  # overdue
        TaskFacts("not_done", date(2026, 12, 20), None),  # open, not overdue
        TaskFacts("dropped", date(2026, 11, 1), None),
    ]
    figures = follow_up(tasks, TODAY)
    assert figures.as_dict() == {
        "tasks_set": 5,
        "done": 2,
        "done_on_time": 1,
        "overdue": 1,
        "open": 2,
    }
    assert figures.on_time_rate == 0.2
    assert follow_up([], TODAY).on_time_rate is None
