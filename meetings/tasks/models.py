"""Tables of the conclusions and tasks a meeting records, and of their follow-up."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.models import User
from core.extensions import db
from core.timeutil import UTCDateTime, utcnow
from meetings.tasks.rules import EntryKind, TaskStatus


class Task(db.Model):
    """A conclusion or a task recorded in a meeting (numbered per meeting and kind).

    A task belongs to its cell and is followed up in the cell's later regular meetings until it is
    done or dropped; a conclusion is printed and adopted, never followed up.
    """

    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id"))
    kind: Mapped[str] = mapped_column(String(20), default=EntryKind.TASK)
    number: Mapped[int] = mapped_column(default=1)
    text: Mapped[str] = mapped_column(Text)
    owner_committee: Mapped[bool] = mapped_column(default=False)  # the cell committee (chi ủy)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=TaskStatus.OPEN, index=True)
    note: Mapped[str | None] = mapped_column(Text)  # the last update's note or reason
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # done or dropped
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owners: Mapped[list[TaskOwner]] = relationship(
        cascade="all, delete-orphan", order_by="TaskOwner.user_id"
    )
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])


class TaskOwner(db.Model):
    __tablename__ = "task_owners"

    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)

    user: Mapped[User] = relationship()


class TaskUpdate(db.Model):
    """One status change: in a meeting's review (meeting_id set) or by the owner between meetings
    (meeting_id null). The history the minutes and the next review show."""

    __tablename__ = "task_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    by: Mapped[User] = relationship()
