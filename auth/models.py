"""Accounts."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import String, false
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from core.config import DEFAULTS
from core.extensions import db
from core.timeutil import UTCDateTime, utcnow
from core.vietnamese import name_sort_key


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str] = mapped_column(String(5), default="vi")
    # A short sound and vibration when a vote opens (issue 12): off by default, the user's own
    # choice on every device (set by the `set_vote_alert` command, read by the room's page).
    vote_alert: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Rotated on logout, password change and deactivation: every session cookie and remember-me
    # cookie carries it (get_id), so copies taken before any of these stop working.
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def set_password(self, password: str) -> None:
        # werkzeug's default is scrypt, a memory-hard modern algorithm; tests may pick a cheap one.
        config = current_app.config if current_app else DEFAULTS
        method = config["PASSWORD_HASH_METHOD"]
        self.password_hash = generate_password_hash(password, method=method)
        self.rotate_session_token()

    def rotate_session_token(self) -> None:
        """End every session of this user: cookies issued before carry the old token."""
        self.session_token = secrets.token_hex(16)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        # Flask-Login stores this in the session; a rotated token logs the old session out.
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account

    @property
    def sort_key(self) -> tuple:
        return name_sort_key(self.full_name)

    def __repr__(self) -> str:
        return f"<User {self.username}>"
