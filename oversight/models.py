"""Leaders' attendance assignments: a committee assigns a leader to attend given cells' meetings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.models import User
from core.extensions import db
from core.timeutil import UTCDateTime, utcnow
from org.models import Organization

DEFAULT_TARGET = 2  # meetings a year


class Assignment(db.Model):
    """A leader (with oversight above the cell) assigned to attend a cell's meetings."""

    __tablename__ = "attendance_assignments"
    __table_args__ = (UniqueConstraint("leader_id", "cell_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    leader_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    # The committee that made the assignment (one the assigner leads, or any for an admin).
    committee_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    target_per_year: Mapped[int] = mapped_column(Integer, default=DEFAULT_TARGET)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    leader: Mapped[User] = relationship(foreign_keys=[leader_id])
    cell: Mapped[Organization] = relationship(foreign_keys=[cell_id])
    committee: Mapped[Organization] = relationship(foreign_keys=[committee_id])
