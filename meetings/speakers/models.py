"""A request for the floor, which becomes a speech once the chair gives the floor."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.models import User
from core.extensions import db
from core.timeutil import UTCDateTime, utcnow

DEFAULT_LIMIT_SECONDS = 5 * 60
MIN_LIMIT_SECONDS = 30
MAX_LIMIT_SECONDS = 60 * 60


class RequestStatus(StrEnum):
    WAITING = "waiting"  # hand raised, in the queue
    SPEAKING = "speaking"  # has the floor
    DONE = "done"  # spoke; seconds recorded
    WITHDRAWN = "withdrawn"  # lowered the hand before speaking


class SpeakerRequest(db.Model):
    """One raised hand for one agenda item; the same row records the speech that follows."""

    __tablename__ = "speaker_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    # None when no item was current (before the first item, or between items).
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # An upper-level delegate (cấp ủy viên cấp trên) asking to address the meeting.
    is_observer: Mapped[bool] = mapped_column(default=False)
    office: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default=RequestStatus.WAITING, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    limit_seconds: Mapped[int | None] = mapped_column(Integer)  # the limit when the floor was given
    seconds: Mapped[int | None] = mapped_column(Integer)  # spoken, recorded when the speech ends

    user: Mapped[User] = relationship()


class SpeakingSettings(db.Model):
    """Per-meeting settings of the list of speakers; no row means the defaults."""

    __tablename__ = "speaking_settings"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    limit_seconds: Mapped[int] = mapped_column(Integer, default=DEFAULT_LIMIT_SECONDS)
