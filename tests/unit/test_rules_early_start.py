"""Starting a meeting more than 30 minutes before its planned time asks the chair to confirm
(issue 12, item 8): every boundary, on fixed clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.rules import starts_too_early

PLANNED = datetime(2027, 1, 1, 12, 30, tzinfo=UTC)  # 19:30 on 1 January in Vietnam

CASES = [
    # (now relative to the planned time, allowed minutes, asks?)
    (-timedelta(days=3), 30, True),
    (-timedelta(minutes=31), 30, True),
    (-timedelta(minutes=30, seconds=1), 30, True),
    (-timedelta(minutes=30), 30, False),  # exactly 30 minutes early: no question
    (-timedelta(minutes=29, seconds=59), 30, False),
    (timedelta(0), 30, False),
    (timedelta(hours=2), 30, False),  # late is never asked about
    (-timedelta(minutes=1), 0, True),  # a cell that wants every early start confirmed
    (timedelta(0), 0, False),
    (-timedelta(minutes=90), 120, False),
]


@pytest.mark.parametrize(("offset", "allowed", "asks"), CASES)
def test_starts_too_early(offset, allowed, asks):
    assert starts_too_early(PLANNED, PLANNED + offset, allowed) is asks


def test_time_zones_do_not_matter():
    """The same moments written in Vietnam time give the same answer."""
    from zoneinfo import ZoneInfo

    vietnam = ZoneInfo("Asia/Ho_Chi_Minh")
    now = (PLANNED - timedelta(minutes=31)).astimezone(vietnam)
    assert starts_too_early(PLANNED, now, 30)
    assert not starts_too_early(PLANNED.astimezone(vietnam), PLANNED - timedelta(minutes=30), 30)
