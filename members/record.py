"""What the handbook page shows of a member's year: attendance with warnings, votes as
participation only (never a choice), coming meetings with the member's answers, documents."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from core.extensions import db
from core.timeutil import VIETNAM, utcnow
from domain.rules import AttendanceStatus, AttendanceWarning, attendance_warnings
from meetings.documents.models import MeetingDocument
from meetings.models import Attendance, Meeting, MeetingStatus
from meetings.voting.models import Vote, VoteParticipation
from notifications.models import Invitation
from org.queries import member_cells


@dataclass
class Record:
    year: int
    counts: Counter = field(default_factory=Counter)
    held: int = 0
    warnings: list[AttendanceWarning] = field(default_factory=list)
    secret_votes: list[tuple[Meeting, Vote]] = field(default_factory=list)
    coming: list[tuple[Meeting, Invitation | None]] = field(default_factory=list)
    documents: list[tuple[Meeting, MeetingDocument]] = field(default_factory=list)


def _year_bounds(now: datetime) -> tuple[datetime, datetime]:
    local = now.astimezone(VIETNAM)
    start = datetime(local.year, 1, 1, tzinfo=VIETNAM)
    return start, datetime(local.year + 1, 1, 1, tzinfo=VIETNAM)


def for_member(user) -> Record:
    now = utcnow()
    start, end = _year_bounds(now)
    record = Record(year=start.year)
    cell_ids = [m.cell_id for m in member_cells(user)]
    if not cell_ids:
        return record
    meetings = db.session.scalars(
        select(Meeting)
        .where(Meeting.cell_id.in_(cell_ids), Meeting.scheduled_at >= start)
        .order_by(Meeting.scheduled_at)
    ).all()
    held = [m for m in meetings if m.status == MeetingStatus.ENDED and m.scheduled_at < end]
    marks = {
        row.meeting_id: AttendanceStatus(row.status)
        for row in db.session.scalars(
            select(Attendance).where(
                Attendance.user_id == user.id, Attendance.meeting_id.in_([m.id for m in held])
            )
        )
    }
    year = [
        (m.scheduled_at.astimezone(VIETNAM).month, marks.get(m.id, AttendanceStatus.UNKNOWN))
        for m in held
    ]
    record.held = len(held)
    record.counts = Counter(status for _month, status in year)
    record.warnings = attendance_warnings(year)
    votes = db.session.execute(
        select(Meeting, Vote)
        .join(Vote, Vote.meeting_id == Meeting.id)
        .join(VoteParticipation, VoteParticipation.vote_id == Vote.id)
        .where(VoteParticipation.user_id == user.id, Meeting.id.in_([m.id for m in held]))
        .order_by(Vote.opened_at)
    ).all()
    record.secret_votes = [(m, v) for m, v in votes]
    coming = [m for m in meetings if m.status in (MeetingStatus.SCHEDULED, MeetingStatus.LIVE)]
    replies = {
        i.meeting_id: i
        for i in db.session.scalars(
            select(Invitation).where(
                Invitation.user_id == user.id, Invitation.meeting_id.in_([m.id for m in coming])
            )
        )
    }
    record.coming = [(m, replies.get(m.id)) for m in coming]
    recent = [m.id for m in coming] + [m.id for m in held[-3:]]
    docs = db.session.execute(
        select(Meeting, MeetingDocument)
        .join(MeetingDocument, MeetingDocument.meeting_id == Meeting.id)
        .where(Meeting.id.in_(recent), MeetingDocument.released_at.is_not(None))
        .order_by(Meeting.scheduled_at.desc(), MeetingDocument.id)
    ).all()
    record.documents = [(m, d) for m, d in docs]
    return record
