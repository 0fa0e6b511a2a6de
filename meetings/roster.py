"""Who is in this meeting and how they count: memberships + attendance -> the rules' MemberFacts.

The one place that pairs a cell's memberships with a meeting's attendance rows. The room's
snapshot, voting (eligible voters and the base), the minutes and the oversight dashboard all
read members through it, so a member counts the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.extensions import db
from core.timeutil import utcnow
from core.vietnamese import name_sort_key
from domain.rules import AttendanceStatus, Figures, MemberFacts, VoteRuleSet, compute_figures
from meetings.models import Attendance, Meeting
from org.models import Membership
from org.vote_rules import rules_for_cell


@dataclass(frozen=True)
class MemberAtMeeting:
    """One member of the cell at one meeting: the membership, its attendance row, the facts."""

    membership: Membership
    attendance: Attendance | None
    facts: MemberFacts

    @property
    def user_id(self) -> int:
        return self.membership.user_id


def pair(membership: Membership, attendance: Attendance | None) -> MemberAtMeeting:
    """The facts the rules count for a member, with the attendance recorded (or unknown)."""
    status = AttendanceStatus(attendance.status) if attendance else AttendanceStatus.UNKNOWN
    return MemberAtMeeting(membership, attendance, membership.facts(status))


def _memberships(cell_ids: Iterable[int], with_users: bool) -> list[Membership]:
    # One query with the users joined: a lazy load per member made a 1,000-member roster
    # 1,000 queries (profiled: half the cost of joining a meeting).
    query = select(Membership).where(Membership.cell_id.in_(list(cell_ids)))
    if with_users:
        query = query.options(joinedload(Membership.user))
    return list(db.session.scalars(query).all())


def _attendance(meeting_ids: Iterable[int]) -> dict[int, dict[int, Attendance]]:
    rows: dict[int, dict[int, Attendance]] = {}
    query = select(Attendance).where(Attendance.meeting_id.in_(list(meeting_ids)))
    for row in db.session.scalars(query):
        rows.setdefault(row.meeting_id, {})[row.user_id] = row
    return rows


def member_facts(meeting: Meeting, *, with_users: bool = True) -> list[MemberAtMeeting]:
    """Every member of the meeting's cell now, with their attendance at this meeting.

    ``with_users=False`` skips loading the users (figures need no names)."""
    attendance = _attendance([meeting.id]).get(meeting.id, {})
    return [pair(m, attendance.get(m.user_id)) for m in _memberships([meeting.cell_id], with_users)]


def member_facts_as_held(meetings: Sequence[Meeting]) -> dict[int, list[MemberAtMeeting]]:
    """For many meetings at once (the dashboard): the members each meeting was held with.

    A member counts at a meeting recorded for them, or held while they were a member; one who
    joined the cell later is left out of an earlier meeting's record."""
    cells: dict[int, list[Membership]] = {}
    for membership in _memberships({m.cell_id for m in meetings}, with_users=False):
        cells.setdefault(membership.cell_id, []).append(membership)
    attendance = _attendance([m.id for m in meetings])
    out: dict[int, list[MemberAtMeeting]] = {}
    for meeting in meetings:
        rows = attendance.get(meeting.id, {})
        held: datetime = meeting.started_at or utcnow()
        out[meeting.id] = [
            pair(m, rows.get(m.user_id))
            for m in cells.get(meeting.cell_id, [])
            if m.user_id in rows or m.created_at <= held
        ]
    return out


def member(meeting: Meeting, user_id: int) -> MemberAtMeeting | None:
    """One user at this meeting; None when they are not a member of the cell."""
    membership = db.session.scalar(
        select(Membership).where(
            Membership.cell_id == meeting.cell_id, Membership.user_id == user_id
        )
    )
    if membership is None:
        return None
    attendance = db.session.scalar(
        select(Attendance).where(Attendance.meeting_id == meeting.id, Attendance.user_id == user_id)
    )
    return pair(membership, attendance)


def figures(meeting: Meeting, members: Iterable[MemberAtMeeting]) -> Figures:
    """The live figures of the meeting, with the cell's own vote rules for "can still pass"."""
    return compute_figures((m.facts for m in members), rules_of(meeting))


def rules_of(meeting: Meeting) -> VoteRuleSet:
    return rules_for_cell(meeting.cell_id)


# The collation key of a name is pure and costly (about 10 µs); rosters sort the same names on
# every snapshot.
_name_key = lru_cache(maxsize=65536)(name_sort_key)


def by_name(members: Iterable[MemberAtMeeting]) -> list[MemberAtMeeting]:
    """Members in roster order: Vietnamese given name first (needs the users loaded)."""
    return sorted(members, key=lambda m: _name_key(m.membership.user.full_name))
