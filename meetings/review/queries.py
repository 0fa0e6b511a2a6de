"""Who is graded in a review meeting, their self-assessments, and the grades the cell voted."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.extensions import db
from core.vietnamese import name_sort_key
from meetings.models import Meeting, MeetingKind
from meetings.review.models import CellReport, GradeVote, ReviewFocus, SelfAssessment
from meetings.review.rules import cap_counts
from meetings.voting.models import Vote, VoteStatus
from org.models import Membership


def is_review(meeting: Meeting) -> bool:
    return meeting.kind == MeetingKind.YEAR_REVIEW


def graded_members(cell_id: int) -> list[Membership]:
    """Members the cell grades, by given name: official and probationary members taking part in
    the cell's activities. Decision (docs/review.md): members hosted temporarily are graded by
    their own cell; exempted, transferred-out and suspended members are not graded here."""
    rows = db.session.scalars(
        select(Membership)
        .where(
            Membership.cell_id == cell_id,
            Membership.is_hosted.is_(False),
            Membership.is_exempted.is_(False),
            Membership.is_transferred_out.is_(False),
            Membership.is_suspended.is_(False),
        )
        .options(joinedload(Membership.user))
    ).all()
    return sorted(rows, key=lambda m: name_sort_key(m.user.full_name))


def assessments(meeting_id: int) -> dict[int, SelfAssessment]:
    rows = db.session.scalars(
        select(SelfAssessment).where(SelfAssessment.meeting_id == meeting_id)
    ).all()
    return {row.user_id: row for row in rows}


def assessment_of(meeting_id: int, user_id: int) -> SelfAssessment | None:
    return db.session.scalar(
        select(SelfAssessment).where(
            SelfAssessment.meeting_id == meeting_id, SelfAssessment.user_id == user_id
        )
    )


def cell_report(meeting_id: int) -> CellReport | None:
    return db.session.get(CellReport, meeting_id)


def focus(meeting_id: int) -> ReviewFocus | None:
    return db.session.get(ReviewFocus, meeting_id)


def grade_votes(meeting_id: int) -> list[tuple[GradeVote, Vote]]:
    rows = db.session.execute(
        select(GradeVote, Vote)
        .join(Vote, Vote.id == GradeVote.vote_id)
        .where(GradeVote.meeting_id == meeting_id)
        .order_by(Vote.id)
    ).all()
    return [(g, v) for g, v in rows]


def decided(meeting_id: int) -> dict[int | None, tuple[GradeVote, Vote]]:
    """Per subject (None: the cell), the last passed grade vote: the cell's proposed grade."""
    out: dict[int | None, tuple[GradeVote, Vote]] = {}
    for grade_vote, vote in grade_votes(meeting_id):
        if vote.status == VoteStatus.CLOSED and vote.result and vote.result.get("passed"):
            out[grade_vote.subject_user_id] = (grade_vote, vote)
    return out


def voted_grades(meeting_id: int, proposal: tuple[int, str] | None = None) -> tuple[int, int]:
    """(excellent, good-or-better) among the members' decided grades (the cell's own excluded);
    with `proposal` (subject, grade): as if that vote being opened passed."""
    grades = {s: g.grade for s, (g, _v) in decided(meeting_id).items() if s is not None}
    if proposal is not None:
        grades[proposal[0]] = proposal[1]
    return cap_counts(list(grades.values()))


def grade_history(user_id: int) -> list[dict]:
    """A member's year-end reviews, newest first: their self-score and grade, and the cell's."""
    meetings = db.session.scalars(
        select(Meeting)
        .join(SelfAssessment, SelfAssessment.meeting_id == Meeting.id, isouter=True)
        .join(GradeVote, GradeVote.meeting_id == Meeting.id, isouter=True)
        .where(
            Meeting.kind == MeetingKind.YEAR_REVIEW,
            (SelfAssessment.user_id == user_id) | (GradeVote.subject_user_id == user_id),
        )
        .distinct()
        .order_by(Meeting.scheduled_at.desc())
    ).all()
    rows = []
    for meeting in meetings:
        own = assessment_of(meeting.id, user_id)
        decided_row = decided(meeting.id).get(user_id)
        rows.append(
            {
                "meeting": meeting,
                "self_score": own.score if own else None,
                "self_grade": own.grade if own else None,
                "grade": decided_row[0].grade if decided_row else None,
            }
        )
    return rows
