"""Accounts: find, create, edit, deactivate, and reset a password.

Each function validates and writes into the session, or raises :class:`org.errors.AdminError`.
The administrator's commands (`admin.commands`) call them, log, commit once, and close the
person's sockets only after the commit, so a client that reconnects sees the new state.
"""

from __future__ import annotations

from sqlalchemy import select

from auth.models import User
from core.config import LANGUAGES, MIN_PASSWORD_LENGTH
from core.extensions import db
from core.vietnamese import matches, name_sort_key, nfc
from org import csv_import
from org.errors import AdminError


def find_user(username: str) -> User | None:
    return db.session.scalar(
        select(User).where(User.username == csv_import.clean_username(username))
    )


def search_users(query: str = "") -> list[User]:
    """Users whose name or username matches ``query`` accent-insensitively, by given name."""
    users = db.session.scalars(select(User)).all()
    found = [u for u in users if matches(query, f"{u.full_name} {u.username}")]
    return sorted(found, key=lambda u: (name_sort_key(u.full_name), u.username))


def password_or_generated(password: str | None) -> tuple[str, bool]:
    """The given password if long enough, else a generated one (True when generated)."""
    password = (password or "").strip()
    if not password:
        return csv_import.generate_password(), True
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AdminError("password_too_short", "password", min=MIN_PASSWORD_LENGTH)
    return password, False


def new_user(username: str, full_name: str, password: str, language: str = "vi") -> User:
    """Add an account to the session (the caller has checked the values and commits)."""
    user = User(username=username, full_name=full_name, language=language)
    user.set_password(password)
    db.session.add(user)
    return user


def create_user(
    *,
    username: str,
    full_name: str,
    password: str | None = None,
    language: str = "vi",
    is_admin: bool = False,
) -> tuple[User, str | None]:
    """Create an account; returns it with the generated password (None when one was given)."""
    username = csv_import.clean_username(username)
    if not csv_import.username_ok(username):
        raise AdminError("bad_username", "username")
    if find_user(username) is not None:
        raise AdminError("username_taken", "username")
    full_name = nfc(full_name)
    if not full_name:
        raise AdminError("required", "full_name")
    if language not in LANGUAGES:
        raise AdminError("bad_language", "language")
    secret, generated = password_or_generated(password)
    user = new_user(username, full_name, secret, language)
    user.is_admin = is_admin
    db.session.flush()  # the command's result names the new account
    return user, secret if generated else None


def update_user(user: User, *, full_name: str, language: str, is_admin: bool, acting: User) -> None:
    """Edit name, language and the admin flag; an admin cannot remove their own admin flag."""
    full_name = nfc(full_name)
    if not full_name:
        raise AdminError("required", "full_name")
    if language not in LANGUAGES:
        raise AdminError("bad_language", "language")
    if user.id == acting.id and not is_admin:
        raise AdminError("own_admin", "is_admin")
    user.full_name, user.language, user.is_admin = full_name, language, is_admin


def set_active(user: User, active: bool, *, acting: User) -> None:
    """Deactivate (logs the user out everywhere; the command closes their sockets) or
    reactivate."""
    if user.id == acting.id and not active:
        raise AdminError("own_account")
    user.is_active_account = active
    if not active:
        user.rotate_session_token()  # reactivation must not revive cookies issued before


def reset_password(user: User, password: str | None = None) -> str | None:
    """Set a new password; returns it when generated. Old sessions die (token rotated)."""
    secret, generated = password_or_generated(password)
    user.set_password(secret)
    return secret if generated else None
