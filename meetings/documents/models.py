"""A file attached to a meeting (or one of its agenda items)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.models import User
from core.extensions import db
from core.timeutil import UTCDateTime, utcnow


class MeetingDocument(db.Model):
    """Stored in the instance folder under a random name; members see it once released.

    `released_at` feeds the quality criterion "documents reach members 24 hours before".
    """

    __tablename__ = "meeting_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id"))
    title: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(255))  # as uploaded, cleaned; for the download
    kind: Mapped[str] = mapped_column(String(10))  # pdf, docx, png, jpeg: from the file's bytes
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Random, never user input. Not unique: the demo's documents share one file.
    storage_name: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    uploaded_by: Mapped[User | None] = relationship()


class DocumentRead(db.Model):
    """The first time a member opened a released document (the secretary's read receipts)."""

    __tablename__ = "document_reads"

    document_id: Mapped[int] = mapped_column(ForeignKey("meeting_documents.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
