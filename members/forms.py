"""The member's own edits: phone, email, channels."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, ValidationError
from wtforms.validators import Length, Optional, Regexp

PHONE = r"^\+?[0-9][0-9 .-]{6,19}$"


def normalized_email(text: str | None) -> str | None:
    """The address in its normalized form, or None when blank; ValueError when not an address.
    Syntax only: no DNS lookup from a form (offline deployments exist)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None


class EmailAddress:
    def __call__(self, form, field):
        try:
            normalized_email(field.data)
        except ValueError:
            raise ValidationError(_l("This is not a valid email address.")) from None


class ContactForm(FlaskForm):
    phone = StringField(
        _l("Phone"),
        validators=[
            Optional(),
            Length(max=30),
            Regexp(PHONE, message=_l("Digits, spaces, + only.")),
        ],
    )
    email = StringField(_l("Email"), validators=[Optional(), Length(max=254), EmailAddress()])
    email_notifications = BooleanField(_l("Also send my notifications by email"))
    invitations_only = BooleanField(_l("Notify me only of invitations (mute reminders and news)"))
