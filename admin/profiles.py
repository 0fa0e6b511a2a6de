"""The handbook fields the administrator keeps: one member's profile, and a CSV import."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import DateField, StringField
from wtforms.validators import Length, Optional, Regexp

from admin import bp
from auth.models import User
from core.extensions import db
from core.vietnamese import nfc
from members.forms import PHONE, EmailAddress, normalized_email
from members.profile_csv import CARD, COLUMNS, parse
from org.profiles import profile_of

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


@bp.route("/users/<int:user_id>/profile", methods=["GET", "POST"])
def profile(user_id: int):
    user = db.get_or_404(User, user_id)
    record = profile_of(user.id)
    db.session.commit()
    form = ProfileForm(obj=record)
    if form.validate_on_submit():
        record.date_of_birth = form.date_of_birth.data
        record.admitted_on = form.admitted_on.data
        record.official_on = form.official_on.data
        record.card_number = nfc(form.card_number.data) or None
        record.phone = nfc(form.phone.data) or None
        record.email = normalized_email(form.email.data)
        db.session.commit()
        flash(_("The handbook profile is saved."), "info")
        return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/profile.html", form=form, user=user)


@bp.route("/profiles/import", methods=["GET", "POST"])
def import_profiles():
    form = ImportForm()
    problems: list[tuple[int, str, str]] = []
    if form.validate_on_submit():
        parsed = parse(request.files["file"].read(256 * 1024 + 1)[: 256 * 1024])
        users = {
            u.username: u
            for u in db.session.scalars(
                select(User).where(User.username.in_([r["username"] for r in parsed.rows]))
            )
        }
        problems = list(parsed.problems)
        for row in parsed.rows:
            if row["username"] not in users:
                problems.append((row["line"], "username", "username"))
        if not problems:
            for row in parsed.rows:
                record = profile_of(users[row["username"]].id)
                for column, value in row.items():
                    if column not in ("line", "username"):
                        setattr(record, column, value)
            db.session.commit()
            flash(_("%(n)s profiles updated.", n=len(parsed.rows)), "info")
            return redirect(url_for("admin.users"))
    shown = [(line, column, str(PROBLEMS[code])) for line, column, code in sorted(problems)]
    return render_template("admin/profiles_import.html", form=form, problems=shown, columns=COLUMNS)
