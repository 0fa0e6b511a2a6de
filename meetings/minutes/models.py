"""Minutes: the live text of each agenda item, the versions and their signatures.

While the current version is a draft, the automatic parts are assembled from the meeting on every
read and the texts live in `MinutesSection`. Sealing freezes everything into
`MinutesVersion.content` (JSON) with its SHA-256 fingerprint; a sealed version never changes again.
A correction is a new version (with a reason) that must be approved and signed again; the old one
is kept.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.models import User
from core.extensions import db
from core.timeutil import UTCDateTime, utcnow


class VersionState(StrEnum):
    DRAFT = "draft"  # dự thảo: being written
    APPROVED = "approved"  # read back and approved (thông qua); awaiting signatures
    SEALED = "sealed"  # signed by chair and minute-taker; frozen with its fingerprint


class SignerRole(StrEnum):
    CHAIR = "chair"  # chủ trì
    MINUTE_TAKER = "minute_taker"  # thư ký


class MinutesSection(db.Model):
    """The minute-taker's text under one agenda item; `revision` guards against lost updates."""

    __tablename__ = "minutes_sections"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), primary_key=True)
    html: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(default=0)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    updated_by: Mapped[User | None] = relationship()


class MinutesVersion(db.Model):
    """One version of a meeting's minutes. Number 1 is the original; later ones are corrections."""

    __tablename__ = "minutes_versions"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    state: Mapped[str] = mapped_column(String(20), default=VersionState.DRAFT)
    reason: Mapped[str | None] = mapped_column(Text)  # why a correction was made
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approval_method: Mapped[str | None] = mapped_column(String(20))  # "chair" or "vote"
    approval_vote_id: Mapped[int | None] = mapped_column()
    sealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Frozen at sealing: everything the document shows, as canonical JSON hashes it.
    content: Mapped[dict | None] = mapped_column(JSON)
    fingerprint: Mapped[str | None] = mapped_column(String(64), unique=True)
    # SHA-256 of the one PDF file rendered for this sealed version (kept in the instance folder).
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), index=True)

    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    signatures: Mapped[list[MinutesSignature]] = relationship(
        back_populates="version",
        cascade="all, delete-orphan",
        order_by="MinutesSignature.signed_at",
    )

    @property
    def is_sealed(self) -> bool:
        return self.state == VersionState.SEALED


class MinutesSignature(db.Model):
    """A signer's confirmation (with their password) of the content whose digest it records."""

    __tablename__ = "minutes_signatures"
    __table_args__ = (UniqueConstraint("version_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("minutes_versions.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(200))  # as printed under the signature
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Digest of the content (without signatures) the signer saw: both must match to seal.
    content_digest: Mapped[str] = mapped_column(String(64))

    version: Mapped[MinutesVersion] = relationship(back_populates="signatures")
    user: Mapped[User] = relationship()
