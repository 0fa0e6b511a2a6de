"""The member's profile as the Party's handbook keeps it (sổ tay đảng viên), with the member's
notification choices and private calendar token (the handbook page, notifications and the
calendar feed read it; it sits here, below them all)."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.models import User
from core.extensions import db


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class MemberProfile(db.Model):
    """One per user, created on first need. The member edits phone and email (and their
    channels); the administrator edits the rest (or imports it from CSV)."""

    __tablename__ = "member_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    admitted_on: Mapped[date | None] = mapped_column(Date)  # ngày vào Đảng
    official_on: Mapped[date | None] = mapped_column(Date)  # ngày chính thức
    card_number: Mapped[str | None] = mapped_column(String(20))  # số thẻ đảng viên
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(254))
    # Channels: in-app always; email when on and an address and SMTP exist.
    email_notifications: Mapped[bool] = mapped_column(default=True)
    # Only invitations (scheduled, moved, cancelled) reach a member who mutes the rest.
    invitations_only: Mapped[bool] = mapped_column(default=False)
    # The private calendar address; resetting it kills every old subscription.
    calendar_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_calendar_token)

    user: Mapped[User] = relationship()


def profile_to_show(user_id: int) -> MemberProfile:
    """The user's profile for a page to read: the stored one, else a blank one that is not
    saved (nothing is written by reading; the commands create it on the first edit)."""
    stored = db.session.get(MemberProfile, user_id)
    if stored is not None:
        return stored
    return MemberProfile(user_id=user_id, email_notifications=True, invitations_only=False)


def profile_of(user_id: int) -> MemberProfile:
    """The user's profile, created (and flushed) when missing: for a command that edits it."""
    profile = db.session.get(MemberProfile, user_id)
    if profile is None:
        profile = MemberProfile(user_id=user_id, calendar_token=new_calendar_token())
        db.session.add(profile)
        db.session.flush()
    return profile
