"""The handbook fields the administrator keeps: one member's profile, and a CSV import."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, StringField
from wtforms.validators import Length, Optional, Regexp

from admin import bp
from admin.helpers import REFUSED, refuse
from auth.models import User
from core.extensions import db
from meetings.commands import run_site
from members.commands import ProfilesRefused
from members.forms import PHONE, EmailAddress
from members.profile_csv import CARD, COLUMNS
from org.profiles import profile_to_show

MAX_BYTES = 256 * 1024  # the file read, at most

PROBLEMS = {
    "encoding": _l("The file is not UTF-8 text."),
    "header": _l("The first line must name the columns (username and any of the others)."),
    "username": _l("No such user."),
    "date": _l("Not a date (dd/mm/yyyy)."),
    "order": _l("Becoming official comes after admission."),
    "card": _l("Not a card number."),
    "phone": _l("Not a phone number."),
    "email": _l("This is not a valid email address."),
    "rows": _l("Too many lines."),
}


class ProfileForm(FlaskForm):
    date_of_birth = DateField(_l("Date of birth"), validators=[Optional()])
    admitted_on = DateField(_l("Date of admission"), validators=[Optional()])
    official_on = DateField(_l("Date of becoming official"), validators=[Optional()])
    card_number = StringField(
        _l("Party card number"),
        validators=[Optional(), Regexp(CARD.pattern, message=_l("Not a card number."))],
    )
    phone = StringField(
        _l("Phone"),
        validators=[Optional(), Length(max=30), Regexp(PHONE, message=_l("Not a phone number."))],
    )
    email = StringField(_l("Email"), validators=[Optional(), Length(max=254), EmailAddress()])


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired()])


def _day_text(day) -> str:
    return day.isoformat() if day else ""


@bp.route("/users/<int:user_id>/profile", methods=["GET", "POST"])
def profile(user_id: int):
    """One member's handbook fields: the `edit_profile` command (reading writes nothing)."""
    user = db.get_or_404(User, user_id)
    form = ProfileForm(obj=profile_to_show(user.id))
    if form.validate_on_submit():
        fields = {
            "user_id": user.id,
            "date_of_birth": _day_text(form.date_of_birth.data),
            "admitted_on": _day_text(form.admitted_on.data),
            "official_on": _day_text(form.official_on.data),
            "card_number": form.card_number.data or "",
            "phone": form.phone.data or "",
            "email": form.email.data or "",
        }
        try:
            run_site(current_user._get_current_object(), "edit_profile", fields)
        except REFUSED as exc:
            refuse(form, exc)
        else:
            flash(_("The handbook profile is saved."), "info")
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/profile.html", form=form, user=user)


@bp.route("/profiles/import", methods=["GET", "POST"])
def import_profiles():
    """The `import_profiles` command: every line saved, or none and each problem listed."""
    form = ImportForm()
    problems: list[tuple[int, str, str]] = []
    if form.validate_on_submit():
        data = request.files["file"].read(MAX_BYTES + 1)[:MAX_BYTES]
        try:
            done = run_site(current_user._get_current_object(), "import_profiles", {"data": data})
        except ProfilesRefused as refused:
            problems = refused.problems
        except REFUSED as exc:
            refuse(form, exc)
        else:
            flash(_("%(n)s profiles updated.", n=done["result"]["profiles"]), "info")
            return redirect(url_for("admin.users"))
    shown = [(line, column, str(PROBLEMS[code])) for line, column, code in problems]
    return render_template("admin/profiles_import.html", form=form, problems=shown, columns=COLUMNS)
