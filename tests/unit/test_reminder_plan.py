"""When reminders go out (a pure plan, table-driven), and the year's attendance warnings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.rules import AttendanceStatus as S
from domain.rules import AttendanceWarning as W
from domain.rules import attendance_warnings
from notifications.reminders import ReminderSettings, plan

START = datetime(2027, 3, 10, 12, 30, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("settings", "now", "expected"),
    [
        (
            ReminderSettings(),
            START - 48 * H,
            [("remind_day", START - 24 * H), ("remind_soon", START - timedelta(minutes=30))],
        ),
        # scheduled 2 hours ahead: the day-before reminder is not sent late
        (ReminderSettings(), START - 2 * H, [("remind_soon", START - timedelta(minutes=30))]),
        (ReminderSettings(), START - timedelta(minutes=30), []),  # due exactly now: passed
        (
            ReminderSettings(day_before=False),
            START - 48 * H,
            [("remind_soon", START - timedelta(minutes=30))],
        ),
        (ReminderSettings(minutes_before=0), START - 48 * H, [("remind_day", START - 24 * H)]),
        (
            ReminderSettings(minutes_before=90),
            START - 48 * H,
            [("remind_day", START - 24 * H), ("remind_soon", START - timedelta(minutes=90))],
        ),
        # a "soon" reminder longer than a day comes first
        (
            ReminderSettings(minutes_before=1440 + 60),
            START - 72 * H,
            [("remind_soon", START - 25 * H), ("remind_day", START - 24 * H)],
        ),
        (ReminderSettings(day_before=False, minutes_before=0), START - 48 * H, []),
    ],
)
def test_plan(settings, now, expected):
    assert plan(START, settings, now) == expected


P, L, E, U, N = S.PRESENT, S.LATE, S.ABSENT_EXCUSED, S.ABSENT_UNEXCUSED, S.UNKNOWN


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ([], []),
        ([(1, P), (2, L), (3, E)], []),
        ([(1, E), (2, E), (3, E)], []),  # three in a row: at the limit
        ([(1, E), (2, E), (3, E), (4, E)], [W.EXCUSED_IN_A_ROW]),
        ([(1, E), (2, E), (3, P), (4, E), (5, E)], []),  # the run is broken
        ([(1, U)], [W.UNEXCUSED]),
        ([(1, U), (1, U), (2, U)], [W.UNEXCUSED]),  # two months only
        ([(1, U), (4, U), (9, U)], [W.UNEXCUSED, W.REMOVAL_RISK]),
        ([(1, N), (2, N)], []),  # not recorded: no warning from missing data
    ],
)
def test_attendance_warnings(record, expected):
    assert attendance_warnings(record) == expected
