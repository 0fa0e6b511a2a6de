"""Notifications, invitations and their replies, reminders sent, emails."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow


class Notification(db.Model):
    """One in-app notification. Its text is rendered when shown, in the reader's language, from
    `kind` and `data` (the facts at the time: a moved meeting keeps its old time in `data`)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Invitation(db.Model):
    """A member invited to a meeting, and their reply (sẽ dự / xin vắng + lý do)."""

    __tablename__ = "invitations"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str | None] = mapped_column(String(20))  # attend | excused
    reason: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CellReminders(db.Model):
    """When a cell's members are reminded; a cell without a row uses the defaults."""

    __tablename__ = "cell_reminders"

    cell_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    day_before: Mapped[bool] = mapped_column(default=True)
    minutes_before: Mapped[int] = mapped_column(Integer, default=30)  # 0: off


class ReminderSent(db.Model):
    """A reminder claimed for one meeting time: the key that makes it go out once, however
    many processes or queued copies try (a moved meeting has a new time, so a new key)."""

    __tablename__ = "reminders_sent"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EmailDelivery(db.Model):
    """One email and how its delivery went: the administrator sees the failures."""

    __tablename__ = "email_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
