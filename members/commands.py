"""A person's own account and the handbook, through the command path (site commands,
`meetings.commands.run_site`): each change authorized, logged with its actor, committed once.

The member's own: a new password, the interface language, logging out (the session token
rotated: every copy of the cookie dies), contact and channels, a new calendar address (the
`own_account` right of every logged-in user, on themselves only). The administrator's: one
member's handbook profile, and the CSV import of many (all rows or none).

Nothing personal reaches the log: a password never, contact details and profile fields only by
the names of the fields that changed."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from pydantic import ConfigDict, Field, StrictBool, StrictBytes, StrictInt, StrictStr
from sqlalchemy import select

from auth.models import User
from auth.sessions import disconnect_sockets
from core.config import LANGUAGES, MIN_PASSWORD_LENGTH
from core.extensions import db
from core.vietnamese import nfc
from meetings.commands import Effect, Payload, SiteContext, site_command
from meetings.errors import Invalid, NotFound
from members.forms import PHONE, normalized_email
from members.profile_csv import check_fields, parse
from org.errors import AdminError
from org.profiles import new_calendar_token, profile_of

WRONG_PASSWORD = _l("The current password is wrong.")
PROFILE_FIELDS = ("date_of_birth", "admitted_on", "official_on", "card_number", "phone", "email")


def _closing_sockets(user_id: int) -> list:
    return [lambda: disconnect_sockets(user_id)]


def _changed(record, values: dict) -> list[str]:
    """Write ``values`` into ``record``; the names of the fields whose value moved."""
    moved = [name for name, value in values.items() if getattr(record, name) != value]
    for name in moved:
        setattr(record, name, values[name])
    return moved


class NewPassword(Payload):
    # A password is taken as typed: no stripping (a space may be part of it).
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=False)

    current: StrictStr = Field(max_length=256)
    new: StrictStr = Field(max_length=256)


@site_command("change_password", permission="own_account", payload=NewPassword)
def change_password(ctx: SiteContext, payload: NewPassword) -> Effect:
    """A new password rotates the session token: every other session and socket ends."""
    user = ctx.actor
    if not user.check_password(payload.current):
        raise Invalid(WRONG_PASSWORD, field="current", reason="wrong_password")
    if len(payload.new) < MIN_PASSWORD_LENGTH:
        raise Invalid(field="new", reason="too_short")
    user.set_password(payload.new)
    return Effect(after_commit=_closing_sockets(user.id))


class Language(Payload):
    language: StrictStr


@site_command("set_language", permission="own_account", payload=Language)
def set_language(ctx: SiteContext, payload: Language) -> Effect:
    if payload.language not in LANGUAGES:
        raise Invalid(field="language")
    if ctx.actor.language == payload.language:
        return Effect.nothing({"language": payload.language})
    ctx.actor.language = payload.language
    return Effect(result={"language": payload.language}, audit={"language": payload.language})


class VoteAlert(Payload):
    on: StrictBool


@site_command("set_vote_alert", permission="own_account", payload=VoteAlert)
def set_vote_alert(ctx: SiteContext, payload: VoteAlert) -> Effect:
    """A short sound and vibration when a vote opens (issue 12, item 4): off by default, kept
    on the account so the room's page on every device follows it."""
    if ctx.actor.vote_alert == payload.on:
        return Effect.nothing({"on": payload.on})
    ctx.actor.vote_alert = payload.on
    return Effect(result={"on": payload.on}, audit={"on": payload.on})


@site_command("log_out", permission="own_account")
def log_out(ctx: SiteContext, payload: Payload) -> Effect:
    """A copy of this browser's session or remember-me cookie must not outlive the logout: the
    token both carry is rotated (which ends the user's other sessions too: logout everywhere)."""
    ctx.actor.rotate_session_token()
    return Effect(after_commit=_closing_sockets(ctx.actor.id))


class Contact(Payload):
    phone: StrictStr = Field(default="", max_length=30)
    email: StrictStr = Field(default="", max_length=254)
    email_notifications: StrictBool
    invitations_only: StrictBool


@site_command("edit_contact", permission="own_account", payload=Contact)
def edit_contact(ctx: SiteContext, payload: Contact) -> Effect:
    """The member's own phone, email and channels (the rest of the profile is the
    administrator's); the profile is created on this first edit."""
    phone = nfc(payload.phone) or None
    if phone and not re.match(PHONE, phone):
        raise Invalid(field="phone")
    try:
        email = normalized_email(payload.email)
    except ValueError:
        raise Invalid(field="email") from None
    values = {
        "phone": phone,
        "email": email,
        "email_notifications": payload.email_notifications,
        "invitations_only": payload.invitations_only,
    }
    moved = _changed(profile_of(ctx.actor.id), values)
    if not moved:
        return Effect.nothing({})
    return Effect(audit={"fields": moved})


@site_command("reset_calendar", permission="own_account")
def reset_calendar(ctx: SiteContext, payload: Payload) -> Effect:
    """A new private calendar address: every old subscription stops working."""
    profile_of(ctx.actor.id).calendar_token = new_calendar_token()
    return Effect()


class ProfileEdit(Payload):
    """The administrator's form: dates as YYYY-MM-DD, an empty text clears the field."""

    user_id: StrictInt
    date_of_birth: StrictStr = Field(default="", max_length=10)
    admitted_on: StrictStr = Field(default="", max_length=10)
    official_on: StrictStr = Field(default="", max_length=10)
    card_number: StrictStr = Field(default="", max_length=20)
    phone: StrictStr = Field(default="", max_length=30)
    email: StrictStr = Field(default="", max_length=254)


@site_command("edit_profile", permission="manage_profiles", payload=ProfileEdit)
def edit_profile(ctx: SiteContext, payload: ProfileEdit) -> Effect:
    if db.session.get(User, payload.user_id) is None:
        raise NotFound(field="user_id")
    given = {name: nfc(getattr(payload, name)) for name in PROFILE_FIELDS}
    values, problems = check_fields(given)
    if problems:
        raise Invalid(fields=sorted({column for column, _code in problems}))
    moved = _changed(profile_of(payload.user_id), values)
    if not moved:
        return Effect.nothing({})
    return Effect(audit={"user_id": payload.user_id, "fields": moved})


class ProfilesRefused(AdminError):
    """The file has problems: nothing is saved; `problems` lists (line, column, code)."""

    def __init__(self, problems: list[tuple[int, str, str]]):
        super().__init__("rows_refused", count=len(problems))
        self.problems = sorted(problems)


class ProfileList(Payload):
    data: StrictBytes  # the CSV file; the page reads at most csv_import's size


@site_command("import_profiles", permission="manage_profiles", payload=ProfileList)
def import_profiles(ctx: SiteContext, payload: ProfileList) -> Effect:
    """The whole file in one command: every row saved, or none (`ProfilesRefused`)."""
    parsed = parse(payload.data)
    names = [row["username"] for row in parsed.rows]
    users = {
        u.username: u for u in db.session.scalars(select(User).where(User.username.in_(names)))
    }
    problems = list(parsed.problems)
    problems += [
        (row["line"], "username", "username") for row in parsed.rows if row["username"] not in users
    ]
    if problems:
        raise ProfilesRefused(problems)
    for row in parsed.rows:
        values = {k: v for k, v in row.items() if k not in ("line", "username")}
        _changed(profile_of(users[row["username"]].id), values)
    counts = {"profiles": len(parsed.rows)}
    return Effect(result=counts, audit=counts | {"bytes": len(payload.data)})
