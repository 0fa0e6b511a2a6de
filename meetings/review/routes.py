"""The self-assessment form (a member, before the review meeting). Writes go through the command
path (`review_submit`). The result list's exports are documents: meetings/minutes/review_results."""

from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange

from core.extensions import db
from meetings.commands import CLIENT_ID, dispatch
from meetings.errors import CommandError
from meetings.models import Meeting, MeetingStatus
from meetings.permissions import can
from meetings.review import queries, settings
from meetings.review.rules import Grade
from meetings.review.strings import CRITERIA, GRADE_LABELS, review_strings

bp = Blueprint("review", __name__)
bp.add_app_template_global(review_strings, "review_strings")


class AssessmentForm(FlaskForm):
    cid = HiddenField()
    score = IntegerField(validators=[InputRequired(), NumberRange(0, 100)])
    grade = SelectField(choices=[SelectChoice(g.value, GRADE_LABELS[g]) for g in Grade])


for _key in CRITERIA:
    setattr(AssessmentForm, f"answer_{_key}", TextAreaField(validators=[Length(max=8000)]))


def _review_meeting(meeting_id: int, action: str) -> Meeting:
    meeting = db.get_or_404(Meeting, meeting_id)
    if not can(current_user, action, meeting):
        abort(403)
    if not queries.is_review(meeting):
        abort(404)
    return meeting


@bp.route("/meetings/<int:meeting_id>/self-assessment", methods=["GET", "POST"])
@login_required
def self_assessment(meeting_id: int):
    meeting = _review_meeting(meeting_id, "self_assess")
    if current_user.id not in {m.user_id for m in queries.graded_members(meeting.cell_id)}:
        abort(403)
    mine = queries.assessment_of(meeting.id, current_user.id)
    form = AssessmentForm()
    if request.method == "POST" and form.validate_on_submit():
        cid = form.cid.data if CLIENT_ID.match(form.cid.data or "") else secrets.token_hex(12)
        payload = {
            "answers": {k: getattr(form, f"answer_{k}").data or "" for k in CRITERIA},
            "score": form.score.data,
            "grade": form.grade.data,
        }
        try:
            dispatch(current_user._get_current_object(), meeting.id, "review_submit", cid, payload)
        except CommandError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            flash(_("Your self-assessment is submitted."), "info")
            return redirect(url_for("review.self_assessment", meeting_id=meeting.id))
    elif request.method == "POST":
        flash(_("Check the self-score (0 to 100) and the texts."), "error")
    if request.method == "GET":
        form.cid.data = secrets.token_hex(12)
        if mine is not None:
            form.score.data, form.grade.data = mine.score, mine.grade
            for key in CRITERIA:
                getattr(form, f"answer_{key}").data = mine.answers.get(key, "")
    else:
        form.cid.data = secrets.token_hex(12)  # a corrected form is a new command
    return render_template(
        "review/self_assessment.html",
        meeting=meeting,
        form=form,
        mine=mine,
        criteria=CRITERIA,
        bands=settings.bands(),
        open_for_edit=meeting.status == MeetingStatus.SCHEDULED,
    )
