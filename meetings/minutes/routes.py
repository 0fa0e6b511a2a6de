"""HTTP views of the minutes: the page, the PDF, approval/signing/correction forms, verification.

Signing is an HTTP form (never a socket event): the signer retypes their password, the form
carries a CSRF token and the route is rate-limited like the login.
"""

from __future__ import annotations

import re
import unicodedata

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from core.extensions import db, limiter
from meetings.commands import run
from meetings.errors import CommandError
from meetings.minutes import pdf, queries, signing, verification
from meetings.minutes.models import MinutesVersion, VersionState
from meetings.models import Meeting
from meetings.permissions import can, meeting_roles

bp = Blueprint("minutes", __name__)


class ActionForm(FlaskForm):
    """A button that changes state: only the CSRF token."""


class ApproveForm(FlaskForm):
    """Recorded by the chair, or ("vote") by the meeting's passed procedural vote `vote_id`."""

    method = HiddenField(default="chair", validators=[Optional(), Length(max=20)])
    vote_id = HiddenField(validators=[Optional(), Length(max=20)])


class SignForm(FlaskForm):
    password = PasswordField(validators=[DataRequired(), Length(max=200)])


class CorrectForm(FlaskForm):
    reason = TextAreaField(validators=[DataRequired(), Length(max=1000)])


class VerifyForm(FlaskForm):
    code = StringField(validators=[Optional(), Length(max=100)])
    file = FileField()


def _meeting_for(meeting_id: int, action: str = "view_minutes") -> Meeting:
    meeting = db.get_or_404(Meeting, meeting_id)
    if not can(current_user, action, meeting):
        abort(403)
    return meeting


def _version(meeting: Meeting) -> MinutesVersion | None:
    """The version asked for (?version=N), else the current one."""
    number = request.args.get("version", type=int)
    if number is None:
        return queries.current_version(meeting.id)
    version = db.session.scalar(
        select(MinutesVersion).where(
            MinutesVersion.meeting_id == meeting.id, MinutesVersion.number == number
        )
    )
    if version is None:
        abort(404)
    return version


@bp.route("/meetings/<int:meeting_id>/minutes")
@login_required
def page(meeting_id: int):
    meeting = _meeting_for(meeting_id)
    version = _version(meeting)
    roles = meeting_roles(current_user, meeting)
    doc = queries.document(meeting, version)
    current = queries.current_version(meeting.id)
    signed_roles = {s.role for s in current.signatures} if current else set()
    return render_template(
        "minutes/page.html",
        meeting=meeting,
        version=version,
        current=current,
        is_current=version is None or current is None or version.id == current.id,
        versions=queries.versions(meeting.id),
        doc=doc,
        seal=pdf.seal_info(version),
        draft=version is None or not version.is_sealed,
        roles=roles,
        can_approve=can(current_user, "approve_minutes", meeting),
        can_sign=can(current_user, "sign_minutes", meeting),
        can_correct=can(current_user, "edit_minutes", meeting),
        my_roles_unsigned=[
            r for r in signing.signer_roles(current_user, meeting) if r not in signed_roles
        ],
        approve_form=ApproveForm(),
        sign_form=SignForm(),
        correct_form=CorrectForm(),
    )


def _ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    folded = folded.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:80] or "bien-ban"


@bp.route("/meetings/<int:meeting_id>/minutes.pdf")
@login_required
def download(meeting_id: int):
    meeting = _meeting_for(meeting_id)
    version = _version(meeting)
    doc = queries.document(meeting, version)
    data = pdf.pdf_for(meeting, version, doc)
    number = version.number if version else 1
    state = "" if version and version.is_sealed else "-du-thao"
    day = f"{meeting.scheduled_at:%Y%m%d}"
    name = f"bien-ban-{_ascii_slug(meeting.cell.name)}-{day}-v{number}{state}.pdf"
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store" if state else "private, max-age=3600"
    return response


def _run(meeting: Meeting, name: str, payload: dict) -> bool:
    try:
        run(current_user._get_current_object(), meeting.id, name, payload)
    except CommandError as exc:
        flash(str(exc.message), "error")
        return False
    return True


@bp.route("/meetings/<int:meeting_id>/minutes/approve", methods=["POST"])
@login_required
def approve(meeting_id: int):
    meeting = _meeting_for(meeting_id, "approve_minutes")
    form = ApproveForm()
    if not form.validate_on_submit():
        abort(400)
    payload: dict = {"method": form.method.data or "chair"}
    if (form.vote_id.data or "").isdigit():
        payload["vote_id"] = int(form.vote_id.data)
    if _run(meeting, "minutes_approve", payload):
        flash(_("The approval of the minutes is recorded."), "info")
    return redirect(url_for("minutes.page", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/minutes/sign", methods=["POST"])
@login_required
@limiter.limit("5 per minute")
def sign(meeting_id: int):
    meeting = _meeting_for(meeting_id, "sign_minutes")
    form = SignForm()
    if not form.validate_on_submit():
        flash(_("Type your password to sign."), "error")
    elif not current_user.check_password(form.password.data):
        flash(_("Wrong password: the minutes were not signed."), "error")
    else:
        try:
            status = signing.sign(current_user._get_current_object(), meeting.id)
        except CommandError as exc:
            flash(str(exc.message), "error")
        else:
            if status.get("state") == VersionState.SEALED:
                flash(_("Signed. Both signatures are in: the minutes are sealed."), "info")
            else:
                flash(_("Signed. The minutes are sealed once the other signer signs."), "info")
    return redirect(url_for("minutes.page", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/minutes/correct", methods=["POST"])
@login_required
def correct(meeting_id: int):
    meeting = _meeting_for(meeting_id, "edit_minutes")
    form = CorrectForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for the correction."), "error")
    elif _run(meeting, "minutes_correct", {"reason": form.reason.data}):
        flash(
            _("A new version is open for the correction; it must be approved and signed again."),
            "info",
        )
    return redirect(url_for("minutes.page", meeting_id=meeting.id))


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit("30 per minute")
def verify():
    """Public: anyone holding the paper or the file may check it (no login). It shows only the
    meeting's title, cell and date, the version and who signed it when — never the text."""
    form = VerifyForm()
    outcome = None
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        upload = form.file.data
        if upload and getattr(upload, "filename", ""):
            outcome = verification.by_file(upload.read(), form.code.data)
        else:
            outcome = verification.by_code(form.code.data)
    elif request.args.get("code"):
        form.code.data = request.args.get("code", "")[:100]
        outcome = verification.by_code(form.code.data)
    return render_template("minutes/verify.html", form=form, outcome=outcome)


@bp.app_template_global("sealed_minutes_of")
def sealed_minutes_of(meetings) -> dict[int, MinutesVersion]:
    """meeting id -> its latest sealed minutes version, for lists of meetings (cell page)."""
    ids = [m.id for m in meetings]
    if not ids:
        return {}
    rows = db.session.scalars(
        select(MinutesVersion)
        .where(MinutesVersion.meeting_id.in_(ids), MinutesVersion.state == VersionState.SEALED)
        .order_by(MinutesVersion.number)
    ).all()
    return {row.meeting_id: row for row in rows}
