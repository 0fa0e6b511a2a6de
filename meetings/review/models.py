"""Tables of the year-end review: self-assessments, grade votes, the member taken up."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.models import User
from core.extensions import db
from core.timeutil import UTCDateTime, utcnow


class SelfAssessment(db.Model):
    """A member's self-assessment (bản tự kiểm điểm) for one review meeting: a text per criterion,
    a self-score and a proposed grade. Editable until the meeting starts."""

    __tablename__ = "self_assessments"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)  # criterion key -> text
    score: Mapped[int] = mapped_column()
    grade: Mapped[str] = mapped_column(String(20))  # rules.Grade
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class CellReport(db.Model):
    """The cell's own written self-assessment for the year (báo cáo kiểm điểm của tập thể chi
    bộ), one per review meeting: a text per section, a self-score and a proposed grade. The
    secretary drafts it before the meeting so members read it ahead; the meeting discusses it,
    may amend it while in progress, and votes the cell's own grade (a GradeVote with no subject).
    Closed once the meeting ends: the minutes print it as it then stands."""

    __tablename__ = "cell_reports"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)  # CELL_CRITERIA key -> text
    score: Mapped[int] = mapped_column()
    grade: Mapped[str] = mapped_column(String(20))  # rules.Grade
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    updated_by: Mapped[User] = relationship()


class GradeVote(db.Model):
    """A vote of the meeting on a proposed grade: for a member, or (subject None) for the cell.

    The vote itself is an ordinary motion of meetings.voting (same ballots, tally, secrecy); this
    row says what it was about. The cell's proposed grade is that of the last passed vote."""

    __tablename__ = "grade_votes"

    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    grade: Mapped[str] = mapped_column(String(20))


class ReviewFocus(db.Model):
    """Who the review is on now (one row per meeting): a member, or the cell (user None)."""

    __tablename__ = "review_focus"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    taken_up_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
