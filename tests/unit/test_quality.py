"""Every quality figure against a hand-made fixture whose answers were worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest

from domain.rules import AttendanceStatus as S
from domain.rules import MemberFacts, PartyStatus
from oversight.quality import (
    FLAG_ATTENDANCE,
    FLAG_EXCUSED_RUN,
    FLAG_LATE_DOCS,
    FLAG_REGULAR,
    FLAG_SHORT,
    FLAG_THEMATIC,
    FLAG_UNEXCUSED,
    FLAG_UNSIGNED,
    VIETNAM,
    MeetingRecord,
    Period,
    assess,
    assignment_progress,
    excused_runs,
    periods,
    summarize,
)

A, B, C, D, E = 1, 2, 3, 4, 5  # A, B, E official; C probationary; D official, exempted


def vn(month, day, hour=19, minute=30, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=VIETNAM)


def att(a, b, c, d, e):
    """Attendance of A..E at one meeting."""
    official = PartyStatus.OFFICIAL
    return (
        (A, MemberFacts(official, attendance=a)),
        (B, MemberFacts(official, attendance=b)),
        (C, MemberFacts(PartyStatus.PROBATIONARY, attendance=c)),
        (D, MemberFacts(official, exempted=True, attendance=d)),
        (E, MemberFacts(official, attendance=e)),
    )


P, L, X, U = S.PRESENT, S.LATE, S.ABSENT_EXCUSED, S.ABSENT_UNEXCUSED


def meeting(id, kind, start, minutes, attendance, docs=(), signed=True, cell=1):
    return MeetingRecord(
        id=id,
        cell_id=cell,
        kind=kind,
        started_at=start,
        ended_at=start + timedelta(minutes=minutes) if minutes is not None else None,
        attendance=attendance,
        documents_released_at=docs,
        minutes_signed=signed,
    )


# Cell 1, 2026. Worked answers are in the tests below.
M1 = meeting(1, "regular", vn(1, 10), 120, att(P, P, P, X, X), docs=(vn(1, 8, 9),))
M7 = meeting(7, "extraordinary", vn(1, 20, 19, 0), 40, att(P, P, P, X, X), signed=False)
M2 = meeting(
    2, "regular", vn(2, 12), 75, att(P, U, L, P, X), docs=(vn(2, 10), vn(2, 12, 8)), signed=False
)
M3 = meeting(3, "thematic", vn(2, 25), 120, att(P, P, P, X, X))
M4 = meeting(4, "regular", vn(3, 11), 90, att(P, P, P, X, X), docs=(vn(3, 10, 19, 30),))
M5 = meeting(5, "regular", None, None, ())  # scheduled for April, never held
M6 = meeting(6, "regular", vn(5, 14), 85, att(P, P, P, X, P))
CELL1 = [M1, M7, M2, M3, M4, M5, M6]


def test_periods_are_calendar_months_and_quarters_in_vietnam_time():
    q4 = Period("quarter", 2026, 4)
    assert (q4.start, q4.end, q4.label) == (date(2026, 10, 1), date(2027, 1, 1), "Q4/2026")
    assert Period("month", 2026, 2).label == "02/2026"
    assert [p.number for p in periods(2026, "quarter")] == [1, 2, 3, 4]
    assert len(periods(2026, "month")) == 12
    # 31 March 17:30 UTC is 1 April 00:30 in Vietnam: the second quarter.
    moment = datetime(2026, 3, 31, 17, 30, tzinfo=UTC)
    assert Period("quarter", 2026, 2).contains(moment)
    assert not Period("quarter", 2026, 1).contains(moment)
    with pytest.raises(ValueError):
        periods(2026, "week")


def test_meeting_level_flags():
    assert [m.minutes for m in (M1, M7, M2, M4, M6)] == [120, 40, 75, 90, 85]
    assert [m.is_short for m in (M1, M7, M2, M4, M6)] == [False, True, True, False, True]
    # M2's last document came at 08:00 on the day: less than 24 h. M4's exactly 24 h before: fine.
    assert [m.documents_late for m in (M1, M2, M3, M4)] == [False, True, False, False]
    assert not M5.held and M5.minutes is None and not M5.is_short


def test_excused_runs_leave_out_exempted_members_and_break_on_attendance():
    # E: M1, M7, M2, M3, M4 excused in a row (5), then present at M6. D is exempted: ignored.
    assert excused_runs(CELL1) == {E: 5}
    # Order of input does not matter: runs follow the meetings' start times (M1, M7, M2, M6).
    assert excused_runs([M6, M2, M1, M7]) == {E: 3}
    late_return = meeting(8, "regular", vn(6, 10), 90, att(P, P, P, X, X))
    assert excused_runs([M1, M7, M6, late_return]) == {E: 2}  # broken by M6


def test_first_quarter():
    q = assess(CELL1, Period("quarter", 2026, 1))
    assert q.meetings_held == 5  # M1, M7, M2, M3, M4
    assert (q.regular_months, q.months, q.regular_ok) == (3, 3, True)
    assert (q.thematic_held, q.thematic_ok) == (1, True)
    # Expected per meeting: A, B, C, E (D exempted) = 4; present 3+3+2+3+3.
    assert (q.expected, q.present) == (20, 14)
    assert q.attendance_rate == Fraction(7, 10)
    assert q.unexcused_absences == 1
    assert q.excused_in_a_row == (E,)
    assert q.short_meetings == 2  # M7 (40 min), M2 (75 min)
    assert q.late_documents == 1  # M2
    assert q.minutes_signed == 3  # M1, M3, M4
    assert q.flags == (
        FLAG_ATTENDANCE,
        FLAG_UNEXCUSED,
        FLAG_EXCUSED_RUN,
        FLAG_SHORT,
        FLAG_LATE_DOCS,
        FLAG_UNSIGNED,
    )


def test_second_quarter():
    q = assess(CELL1, Period("quarter", 2026, 2))
    assert q.meetings_held == 1  # M6; April's meeting was never held
    assert (q.regular_months, q.regular_ok) == (1, False)  # only May
    assert (q.thematic_held, q.thematic_ok) == (0, False)
    assert (q.expected, q.present, q.attendance_rate) == (4, 4, Fraction(1))
    assert q.short_meetings == 1  # 85 min < 90
    # The run of 5 lies within the 12 months up to the end of June.
    assert q.excused_in_a_row == (E,)
    assert q.flags == (FLAG_REGULAR, FLAG_THEMATIC, FLAG_EXCUSED_RUN, FLAG_SHORT)


def test_months():
    feb = assess(CELL1, Period("month", 2026, 2))
    assert (feb.meetings_held, feb.regular_months, feb.months) == (2, 1, 1)
    assert feb.thematic_ok is None  # a quarterly criterion
    assert (feb.expected, feb.present, feb.unexcused_absences) == (8, 5, 1)
    assert (feb.short_meetings, feb.late_documents, feb.minutes_signed) == (1, 1, 1)
    april = assess(CELL1, Period("month", 2026, 4))
    assert (april.meetings_held, april.attendance_rate) == (0, None)
    assert FLAG_REGULAR in april.flags and FLAG_ATTENDANCE not in april.flags
    # A year later the run has left the 12-month window.
    assert assess(CELL1, Period("month", 2027, 6)).excused_in_a_row == ()


def test_thematic_missing_in_a_quarter():
    q = assess([M1], Period("quarter", 2026, 1))
    assert q.thematic_ok is False and FLAG_THEMATIC in q.flags


def test_committee_summary_pools_cells():
    other = [
        meeting(
            20,
            "regular",
            vn(1, 5),
            95,
            (
                (10, MemberFacts(PartyStatus.OFFICIAL, attendance=P)),
                (11, MemberFacts(PartyStatus.OFFICIAL, attendance=P)),
            ),
            cell=2,
        )
    ]
    period = Period("quarter", 2026, 1)
    s = summarize({1: assess(CELL1, period), 2: assess(other, period)}, period)
    assert (s.cells, s.cells_regular_ok, s.cells_thematic_ok) == (2, 1, 1)
    assert (s.meetings_held, s.expected, s.present) == (6, 22, 16)
    assert s.attendance_rate == Fraction(16, 22)  # pooled, not the mean of 70% and 100%
    assert (s.unexcused_absences, s.excused_in_a_row) == (1, 1)
    assert (s.short_meetings, s.late_documents, s.minutes_signed) == (2, 1, 4)
    month = summarize({1: assess(CELL1, Period("month", 2026, 1))}, Period("month", 2026, 1))
    assert month.cells_thematic_ok is None


def test_assignment_progress_counts_distinct_meetings_of_the_year():
    leader = 99
    visits = [
        (leader, 1, 10, vn(1, 10)),
        (leader, 1, 10, vn(1, 10, 20)),  # the same meeting twice: once
        (leader, 1, 11, vn(3, 11)),
        (leader, 2, 20, vn(12, 20, year=2025)),  # last year
        (leader, 3, 30, vn(6, 1)),  # not assigned: ignored
    ]
    rows = assignment_progress([(leader, 1, 2), (leader, 2, 2)], visits, 2026)
    assert [(r.cell_id, r.target, r.attended, r.met) for r in rows] == [
        (1, 2, 2, True),
        (2, 2, 0, False),
    ]


def test_months_not_over_yet_are_not_reported_missed():
    # As of 15 May: April is over (missed); May is in progress; June has not come.
    q2 = assess(CELL1, Period("quarter", 2026, 2), as_of=date(2026, 5, 15))
    assert (q2.regular_months, q2.months) == (1, 2)  # April missed, May held (M6)
    assert q2.thematic_ok is None  # none held yet, and the quarter is not over
    june = assess(CELL1, Period("month", 2026, 6), as_of=date(2026, 5, 15))
    assert (june.months, june.regular_ok) == (0, True)
    q3 = assess(CELL1, Period("quarter", 2026, 3), as_of=date(2026, 8, 1))
    assert q3.thematic_ok is None and FLAG_THEMATIC not in q3.flags
    q3_over = assess(CELL1, Period("quarter", 2026, 3), as_of=date(2026, 10, 1))
    assert q3_over.thematic_ok is False and FLAG_THEMATIC in q3_over.flags
