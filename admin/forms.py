"""Administration forms (Flask-WTF, CSRF on). Text is NFC-normalized as it is read.

Rules that need the database (unique username, one secretary...) live in the org services
(org.accounts, org.memberships...); the forms only read and shape the input.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Length, Optional

from core.config import LANGUAGES, MIN_PASSWORD_LENGTH
from core.vietnamese import nfc
from domain import labels


def _nfc(value):
    return nfc(value) if isinstance(value, str) else value


def _username(value):
    return nfc(value).lower() if isinstance(value, str) else value


class ConfirmForm(FlaskForm):
    """Only a CSRF token: for buttons that change state (deactivate, remove)."""


class OrganizationForm(FlaskForm):
    name = StringField(_l("Name"), filters=[_nfc], validators=[DataRequired(), Length(max=200)])
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(k, v) for k, v in labels.ORG_KINDS.items()]
    )
    parent_id = SelectField(_l("Parent committee"), coerce=int)
    place = StringField(
        _l("Place (for the minutes' date line)"),
        filters=[_nfc],
        validators=[Optional(), Length(max=200)],
        description=_l("Cells only."),
    )
    video_url = URLField(
        _l("Usual video conference link"),
        filters=[_nfc],
        validators=[Optional(), URL(require_tld=False), Length(max=500)],
        description=_l("Cells only."),
    )
    submit = SubmitField(_l("Save"))


class UserForm(FlaskForm):
    username = StringField(
        _l("Username"),
        filters=[_username],
        validators=[DataRequired(), Length(max=64)],
        description=_l("Lowercase letters without accents, digits, and . _ -"),
        render_kw={"autocapitalize": "none", "autocomplete": "off", "spellcheck": "false"},
    )
    full_name = StringField(
        _l("Full name"), filters=[_nfc], validators=[DataRequired(), Length(max=200)]
    )
    password = PasswordField(
        _l("Initial password"),
        validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH, max=256)],
        description=_l("At least 10 characters. Leave empty to generate one, shown once."),
        render_kw={"autocomplete": "new-password"},
    )
    language = SelectField(
        _l("Language"), choices=[SelectChoice(k, v) for k, v in LANGUAGES.items()]
    )
    is_admin = BooleanField(_l("Administrator"))
    submit = SubmitField(_l("Create"))


class UserEditForm(FlaskForm):
    full_name = StringField(
        _l("Full name"), filters=[_nfc], validators=[DataRequired(), Length(max=200)]
    )
    language = SelectField(
        _l("Language"), choices=[SelectChoice(k, v) for k, v in LANGUAGES.items()]
    )
    is_admin = BooleanField(_l("Administrator"))
    submit = SubmitField(_l("Save"))


class PasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH, max=256)],
        description=_l("Leave empty to generate one, shown once. The user is logged out."),
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Reset the password"))


class MembershipForm(FlaskForm):
    username = StringField(
        _l("Username"),
        filters=[_username],
        validators=[DataRequired(), Length(max=64)],
        render_kw={"autocapitalize": "none", "autocomplete": "off", "spellcheck": "false"},
    )
    party_status = SelectField(
        _l("Party status"), choices=[SelectChoice(k, v) for k, v in labels.PARTY_STATUSES.items()]
    )
    cell_role = SelectField(
        _l("Post in the cell"),
        choices=[SelectChoice(k, v) for k, v in labels.CELL_ROLES.items()],
        default="member",
    )
    exempted = BooleanField(_l("Exempted from activities (miễn sinh hoạt)"))
    hosted = BooleanField(_l("Hosted here temporarily from another cell (sinh hoạt tạm thời)"))
    transferred_out = BooleanField(_l("Temporarily transferred out (tạm chuyển đi)"))
    suspended = BooleanField(_l("Suspended or prosecuted (đình chỉ, bị truy tố)"))
    submit = SubmitField(_l("Save"))


class MembershipEditForm(MembershipForm):
    """The same form without the username: a membership's user does not change."""

    username = None


class OversightForm(FlaskForm):
    username = StringField(
        _l("Username"),
        filters=[_username],
        validators=[DataRequired(), Length(max=64)],
        render_kw={"autocapitalize": "none", "autocomplete": "off", "spellcheck": "false"},
    )
    organization_id = SelectField(_l("Committee"), coerce=int)
    office = StringField(
        _l("Office"),
        filters=[_nfc],
        validators=[DataRequired(), Length(max=200)],
        description=_l("For example: Ủy viên Ban Thường vụ Tỉnh ủy"),
    )
    submit = SubmitField(_l("Give oversight"))


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV file (UTF-8)"),
        validators=[FileRequired()],
        render_kw={"accept": ".csv,text/csv"},
    )
    submit = SubmitField(_l("Check and import"))
