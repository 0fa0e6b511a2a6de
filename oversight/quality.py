"""Meeting-quality criteria (Hướng dẫn 12-HD/BTCTW, 42-HD/BTCTW; docs/oversight.md), pure functions.

No Flask, no database: `MeetingRecord`s in, figures out, so every figure is table-tested.

Decisions:
* A meeting is *held* when it started and ended. Scheduled or live meetings count for nothing yet.
* Periods are calendar months and quarters in Vietnam time, by the meeting's start.
* Regular meetings: a month is satisfied when at least one regular meeting was held in it; a
  quarter reports how many of its months were satisfied. Thematic: at least one per quarter.
* Attendance rate pools the meetings of the period: Σ present / Σ expected, where each meeting's
  counts come from `domain.rules.compute_figures` (exempted, transferred and suspended members
  excluded; probationary and hosted members included).
* "Excused more than 3 meetings in a row": the longest run of consecutive held meetings a member
  missed with a reason, among the meetings in the 12 months up to the period's end. Exempted
  members are left out (they are excused by definition); a meeting they attended breaks the run.
* Short meetings: under 90 minutes. (The guidance allows 120 when a regular and a thematic meeting
  are held together; chibo's meetings have one kind each, so that case does not arise.)
* Late documents: a held meeting whose latest document release was less than 24 hours before it
  started. A meeting with no document is not flagged (nothing reached members late).
* Minutes signed: meetings whose minutes are sealed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction

from core.timeutil import VIETNAM
from domain.rules import (
    DEFAULT_ATTENDANCE_THRESHOLD,
    AttendanceStatus,
    MemberFacts,
    compute_figures,
)
from meetings.tasks.rules import FollowUp

MIN_MINUTES = 90
DOCUMENT_NOTICE = timedelta(hours=24)
MAX_EXCUSED_IN_A_ROW = 3
ATTENDANCE_TARGET = DEFAULT_ATTENDANCE_THRESHOLD  # the rules' quality threshold

REGULAR, THEMATIC = "regular", "thematic"


@dataclass(frozen=True)
class MeetingRecord:
    """What the criteria need to know about one meeting."""

    id: int
    cell_id: int
    kind: str  # regular / thematic / extraordinary
    started_at: datetime | None
    ended_at: datetime | None
    attendance: tuple[tuple[int, MemberFacts], ...] = ()  # (user id, facts with attendance)
    documents_released_at: tuple[datetime, ...] = ()
    minutes_signed: bool = False  # sealed (signed by chair and minute-taker)

    @property
    def held(self) -> bool:
        return self.started_at is not None and self.ended_at is not None

    @property
    def minutes(self) -> int | None:
        if not self.held:
            return None
        return int((self.ended_at - self.started_at).total_seconds() // 60)

    @property
    def is_short(self) -> bool:
        return self.held and self.minutes < MIN_MINUTES

    @property
    def documents_late(self) -> bool:
        if not self.held or not self.documents_released_at:
            return False
        return self.started_at - max(self.documents_released_at) < DOCUMENT_NOTICE


@dataclass(frozen=True)
class Period:
    """A calendar month or quarter, [start, end) in Vietnam time."""

    kind: str  # "month" or "quarter"
    year: int
    number: int  # 1..12 or 1..4

    @property
    def start(self) -> date:
        month = self.number if self.kind == "month" else 3 * self.number - 2
        return date(self.year, month, 1)

    @property
    def end(self) -> date:
        months = 1 if self.kind == "month" else 3
        index = self.start.month - 1 + months
        return date(self.year + index // 12, index % 12 + 1, 1)

    @property
    def months(self) -> list[tuple[int, int]]:
        first = self.start.month
        count = 1 if self.kind == "month" else 3
        return [(self.year, first + i) for i in range(count)]

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.number:02d}/{self.year}"
        return f"Q{self.number}/{self.year}"

    def contains(self, moment: datetime | None) -> bool:
        if moment is None:
            return False
        day = moment.astimezone(VIETNAM).date()
        return self.start <= day < self.end


def periods(year: int, kind: str) -> list[Period]:
    """The 12 months or 4 quarters of a year."""
    if kind not in ("month", "quarter"):
        raise ValueError(f"period kind must be month or quarter, not {kind!r}")
    return [Period(kind, year, n) for n in range(1, (13 if kind == "month" else 5))]


def _local_month(moment: datetime) -> tuple[int, int]:
    local = moment.astimezone(VIETNAM)
    return local.year, local.month


def excused_runs(meetings: Iterable[MeetingRecord]) -> dict[int, int]:
    """Each member's longest run of consecutive held meetings missed with a reason."""
    ordered = sorted((m for m in meetings if m.held), key=lambda m: (m.started_at, m.id))
    current: dict[int, int] = {}
    longest: dict[int, int] = {}
    for meeting in ordered:
        for user_id, facts in meeting.attendance:
            if facts.exempted:
                continue
            if facts.attendance is AttendanceStatus.ABSENT_EXCUSED:
                current[user_id] = current.get(user_id, 0) + 1
                longest[user_id] = max(longest.get(user_id, 0), current[user_id])
            else:
                current[user_id] = 0
    return longest


@dataclass(frozen=True)
class CellQuality:
    """The criteria for one cell (or, pooled, several) over one period."""

    period: Period
    meetings_held: int
    regular_months: int  # months of the period with a regular meeting held
    months: int  # months of the period that are due (all of them when `as_of` is None)
    thematic_held: int
    expected: int  # Σ members expected (attendance rate's denominator)
    present: int
    unexcused_absences: int
    excused_in_a_row: tuple[int, ...]  # user ids excused more than 3 meetings in a row
    short_meetings: int
    late_documents: int
    minutes_signed: int
    thematic_due: bool = True  # False while the quarter is not over and none was held yet
    flags: tuple[str, ...] = field(default=())
    # Following up the cell's own tasks (set in the period): meetings.tasks.rules.follow_up.
    follow_up: FollowUp = field(default_factory=lambda: FollowUp(0, 0, 0, 0, 0))

    @property
    def attendance_rate(self) -> Fraction | None:
        return Fraction(self.present, self.expected) if self.expected else None

    @property
    def regular_ok(self) -> bool:
        return self.regular_months == self.months

    @property
    def thematic_ok(self) -> bool | None:
        """None for a month (the criterion is per quarter), or for a quarter not over yet."""
        if self.period.kind == "month" or not self.thematic_due:
            return None
        return self.thematic_held >= 1


FLAG_REGULAR = "regular_missing"
FLAG_THEMATIC = "thematic_missing"
FLAG_ATTENDANCE = "low_attendance"
FLAG_UNEXCUSED = "unexcused_absence"
FLAG_EXCUSED_RUN = "excused_in_a_row"
FLAG_SHORT = "short_meeting"
FLAG_LATE_DOCS = "late_documents"
FLAG_UNSIGNED = "minutes_unsigned"


def _month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1)


def assess(
    meetings: Iterable[MeetingRecord],
    period: Period,
    as_of: date | None = None,
) -> CellQuality:
    """The quality criteria of one cell's meetings over one period.

    `meetings` may include meetings outside the period: those within the 12 months before the
    period's end feed the "excused in a row" criterion.
    `as_of` (today): a month or quarter not over yet is only counted once its meeting was held,
    so the current and future months are never reported as missed. None: every month is due.
    """
    meetings = list(meetings)
    held = [m for m in meetings if m.held and period.contains(m.started_at)]
    regular_months = {_local_month(m.started_at) for m in held if m.kind == REGULAR}
    due = [
        month
        for month in period.months
        if as_of is None or _month_end(*month) <= as_of or month in regular_months
    ]
    thematic = sum(1 for m in held if m.kind == THEMATIC)
    thematic_due = as_of is None or period.end <= as_of or thematic > 0
    expected = present = unexcused = 0
    for meeting in held:
        figures = compute_figures(facts for _, facts in meeting.attendance)
        expected += figures.expected
        present += figures.expected_present
        unexcused += figures.unexcused_absences
    window_end = datetime(period.end.year, period.end.month, 1, tzinfo=VIETNAM)
    window = [
        m
        for m in meetings
        if m.held and window_end - timedelta(days=365) <= m.started_at < window_end
    ]
    runs = excused_runs(window)
    in_a_row = tuple(sorted(u for u, run in runs.items() if run > MAX_EXCUSED_IN_A_ROW))
    quality = CellQuality(
        period=period,
        meetings_held=len(held),
        regular_months=sum(1 for month in due if month in regular_months),
        months=len(due),
        thematic_held=thematic,
        thematic_due=thematic_due,
        expected=expected,
        present=present,
        unexcused_absences=unexcused,
        excused_in_a_row=in_a_row,
        short_meetings=sum(1 for m in held if m.is_short),
        late_documents=sum(1 for m in held if m.documents_late),
        minutes_signed=sum(1 for m in held if m.minutes_signed),
    )
    return _with_flags(quality)


def _with_flags(q: CellQuality) -> CellQuality:
    flags = []
    if not q.regular_ok:
        flags.append(FLAG_REGULAR)
    if q.thematic_ok is False:
        flags.append(FLAG_THEMATIC)
    rate = q.attendance_rate
    if rate is not None and rate <= ATTENDANCE_TARGET:
        flags.append(FLAG_ATTENDANCE)
    if q.unexcused_absences:
        flags.append(FLAG_UNEXCUSED)
    if q.excused_in_a_row:
        flags.append(FLAG_EXCUSED_RUN)
    if q.short_meetings:
        flags.append(FLAG_SHORT)
    if q.late_documents:
        flags.append(FLAG_LATE_DOCS)
    if q.minutes_signed < q.meetings_held:
        flags.append(FLAG_UNSIGNED)
    return CellQuality(**{**q.__dict__, "flags": tuple(flags)})


@dataclass(frozen=True)
class CommitteeQuality:
    """A committee's summary over its cells for one period."""

    period: Period
    cells: int
    cells_regular_ok: int  # cells that held a regular meeting every month of the period
    cells_thematic_ok: int | None  # per quarter only
    meetings_held: int
    expected: int
    present: int
    unexcused_absences: int
    excused_in_a_row: int  # members, over all cells
    short_meetings: int
    late_documents: int
    minutes_signed: int
    follow_up: FollowUp = field(default_factory=lambda: FollowUp(0, 0, 0, 0, 0))

    @property
    def attendance_rate(self) -> Fraction | None:
        return Fraction(self.present, self.expected) if self.expected else None


def pooled_follow_up(rows: Iterable[FollowUp]) -> FollowUp:
    rows = list(rows)
    return FollowUp(
        *(sum(getattr(r, name) for r in rows) for name in FollowUp.__dataclass_fields__)
    )


def summarize(by_cell: Mapping[int, CellQuality], period: Period) -> CommitteeQuality:
    """Pool the cells' figures: counts add up; the attendance rate is pooled, not averaged."""
    rows = list(by_cell.values())
    return CommitteeQuality(
        period=period,
        cells=len(rows),
        cells_regular_ok=sum(1 for q in rows if q.regular_ok),
        cells_thematic_ok=(
            None if period.kind == "month" else sum(1 for q in rows if q.thematic_ok)
        ),
        meetings_held=sum(q.meetings_held for q in rows),
        expected=sum(q.expected for q in rows),
        present=sum(q.present for q in rows),
        unexcused_absences=sum(q.unexcused_absences for q in rows),
        excused_in_a_row=sum(len(q.excused_in_a_row) for q in rows),
        short_meetings=sum(q.short_meetings for q in rows),
        late_documents=sum(q.late_documents for q in rows),
        minutes_signed=sum(q.minutes_signed for q in rows),
        follow_up=pooled_follow_up(q.follow_up for q in rows),
    )


@dataclass(frozen=True)
class AssignmentProgress:
    """A leader's attendance at an assigned cell against the yearly target."""

    leader_id: int
    cell_id: int
    target: int
    attended: int

    @property
    def met(self) -> bool:
        return self.attended >= self.target


def assignment_progress(
    assignments: Iterable[tuple[int, int, int]],
    visits: Iterable[tuple[int, int, int, datetime]],
    year: int,
) -> list[AssignmentProgress]:
    """`assignments`: (leader, cell, target per year); `visits`: (leader, cell, meeting, when).

    Attendance counts distinct meetings of the assigned cell the leader joined in that year
    (Vietnam time).
    """
    seen: dict[tuple[int, int], set[int]] = {}
    for leader, cell, meeting, when in visits:
        if when.astimezone(VIETNAM).year == year:
            seen.setdefault((leader, cell), set()).add(meeting)
    return [
        AssignmentProgress(leader, cell, target, len(seen.get((leader, cell), ())))
        for leader, cell, target in assignments
    ]
