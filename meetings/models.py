"""Meetings, their agenda, attendance, visiting observers, and the command log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.models import User
from core.extensions import db
from core.timeutil import UTCDateTime, utcnow
from org.models import Organization


class MeetingKind(StrEnum):
    REGULAR = "regular"  # sinh hoạt thường kỳ
    THEMATIC = "thematic"  # sinh hoạt chuyên đề
    EXTRAORDINARY = "extraordinary"  # bất thường
    YEAR_REVIEW = "year_review"  # kiểm điểm, đánh giá, xếp loại chất lượng cuối năm


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"
    CANCELLED = "cancelled"  # before it started; kept so members and calendars learn of it


class Meeting(db.Model):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default=MeetingKind.REGULAR)
    title: Mapped[str] = mapped_column(String(300))
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    place: Mapped[str | None] = mapped_column(String(300))
    online_url: Mapped[str | None] = mapped_column(String(500))
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    minute_taker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20), default=MeetingStatus.SCHEDULED, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    current_item_id: Mapped[int | None] = mapped_column(Integer)
    # True while the minutes are approved or sealed (the minutes feature keeps it): the record
    # they state (attendance, guests) no longer changes. An edit that voids the approval clears it.
    record_locked: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Bumped by every command in its transaction; events carry it (snapshot + versioned events).
    version: Mapped[int] = mapped_column(default=0)
    # A random tag drawn at each bump, and the one before it: a `changes` message carries both,
    # so a chain of kept messages can be checked link by link. Version numbers repeat after a
    # database restore (the new changes count up from the restored version); tags do not, so a
    # client is never caught up with another history's changes (core/recent_changes.py).
    version_tag: Mapped[str | None] = mapped_column(String(16))
    previous_version_tag: Mapped[str | None] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cell: Mapped[Organization] = relationship()
    chair: Mapped[User | None] = relationship(foreign_keys=[chair_id])
    minute_taker: Mapped[User | None] = relationship(foreign_keys=[minute_taker_id])
    agenda: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )

    @property
    def is_live(self) -> bool:
        return self.status == MeetingStatus.LIVE

    @property
    def is_closed(self) -> bool:
        return self.status == MeetingStatus.ENDED

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED


class AgendaItem(db.Model):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(300))
    planned_minutes: Mapped[int] = mapped_column(default=10)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting] = relationship(back_populates="agenda")


class Attendance(db.Model):
    """One member's attendance at one meeting; no row means not yet recorded."""

    __tablename__ = "attendances"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ObserverVisit(db.Model):
    """An upper-level leader who joined the meeting: listed as a delegate, never counted."""

    __tablename__ = "observer_visits"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    office: Mapped[str] = mapped_column(String(200))
    first_joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class CountingTeamMember(db.Model):
    """A member of the meeting's vote-counting team (tổ kiểm phiếu), named by the chair."""

    __tablename__ = "counting_team"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class MeetingGuest(db.Model):
    """A guest (khách mời) the chair recorded: e.g. a mass organisation's representative.

    Printed in the minutes with the upper-level delegates; never counted anywhere.
    """

    __tablename__ = "meeting_guests"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(300), default="")
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CommandLog(db.Model):
    """Every state change, append-only: the audit trail and the idempotency record.

    A repeated (actor, command id) returns the stored result instead of acting twice. Rows of
    the server's own changes have no actor; rows of the server's forms have no client id;
    organisation commands name their organisation (and the meeting, when they created one).
    """

    __tablename__ = "command_log"
    __table_args__ = (UniqueConstraint("actor_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    client_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    version: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The payload's fingerprint, to refuse the same client id sent with another payload
    # (commands.payload_fingerprint: keyed with the vote's secret for a secret ballot).
    payload_fingerprint: Mapped[str | None] = mapped_column(String(80))

    actor: Mapped[User | None] = relationship()
