"""The self-assessment form (a member, before the review meeting) and the cell's own report (the
secretary). Writes go through the command path (`review_submit`, `review_cell_report`). The
result list's exports are documents: meetings/minutes/review_results."""

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
from meetings.review.strings import CELL_CRITERIA, CRITERIA, GRADE_LABELS, review_strings

bp = Blueprint("review", __name__)
bp.add_app_template_global(review_strings, "review_strings")


class _ScoredForm(FlaskForm):
    """A text per section (added below), a self-score and a proposed grade."""

    cid = HiddenField()
    score = IntegerField(validators=[InputRequired(), NumberRange(0, 100)])
    grade = SelectField(choices=[SelectChoice(g.value, GRADE_LABELS[g]) for g in Grade])


class AssessmentForm(_ScoredForm):
    """A member's self-assessment."""


class CellReportForm(_ScoredForm):
    """The cell's own report."""


for _form, _keys in ((AssessmentForm, CRITERIA), (CellReportForm, CELL_CRITERIA)):
    for _key in _keys:
        setattr(_form, f"answer_{_key}", TextAreaField(validators=[Length(max=8000)]))


def _review_meeting(meeting_id: int, action: str) -> Meeting:
    meeting = db.get_or_404(Meeting, meeting_id)
    if not can(current_user, action, meeting):
        abort(403)
    if not queries.is_review(meeting):
        abort(404)
    return meeting


def _submitted(form, meeting: Meeting, command: str, keys) -> bool:
    """Send the form's command; False (and a flashed error) when it is refused."""
    cid = form.cid.data if CLIENT_ID.match(form.cid.data or "") else secrets.token_hex(12)
    payload = {
        "answers": {k: getattr(form, f"answer_{k}").data or "" for k in keys},
        "score": form.score.data,
        "grade": form.grade.data,
    }
    try:
        dispatch(current_user._get_current_object(), meeting.id, command, cid, payload)
    except CommandError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return False
    return True


def _fill(form, row, keys) -> None:
    """A GET shows what is stored; a refused POST keeps what was typed; either way the next
    submit is a new command."""
    if request.method == "GET" and row is not None:
        form.score.data, form.grade.data = row.score, row.grade
        for key in keys:
            getattr(form, f"answer_{key}").data = row.answers.get(key, "")
    form.cid.data = secrets.token_hex(12)


@bp.route("/meetings/<int:meeting_id>/self-assessment", methods=["GET", "POST"])
@login_required
def self_assessment(meeting_id: int):
    meeting = _review_meeting(meeting_id, "self_assess")
    if current_user.id not in {m.user_id for m in queries.graded_members(meeting.cell_id)}:
        abort(403)
    mine = queries.assessment_of(meeting.id, current_user.id)
    form = AssessmentForm()
    if request.method == "POST" and form.validate_on_submit():
        if _submitted(form, meeting, "review_submit", CRITERIA):
            flash(_("Your self-assessment is submitted."), "info")
            return redirect(url_for("review.self_assessment", meeting_id=meeting.id))
    elif request.method == "POST":
        flash(_("Check the self-score (0 to 100) and the texts."), "error")
    _fill(form, mine, CRITERIA)
    return render_template(
        "review/self_assessment.html",
        meeting=meeting,
        form=form,
        mine=mine,
        criteria=CRITERIA,
        bands=settings.bands(),
        open_for_edit=meeting.status == MeetingStatus.SCHEDULED,
    )


@bp.route("/meetings/<int:meeting_id>/cell-report", methods=["GET", "POST"])
@login_required
def cell_report(meeting_id: int):
    """The cell's own written self-assessment, drafted by the secretary before the meeting."""
    meeting = _review_meeting(meeting_id, "draft_cell_report")
    report = queries.cell_report(meeting.id)
    form = CellReportForm()
    if request.method == "POST" and form.validate_on_submit():
        if _submitted(form, meeting, "review_cell_report", CELL_CRITERIA):
            flash(_("The cell's self-assessment is saved."), "info")
            return redirect(url_for("review.cell_report", meeting_id=meeting.id))
    elif request.method == "POST":
        flash(_("Check the self-score (0 to 100) and the texts."), "error")
    _fill(form, report, CELL_CRITERIA)
    return render_template(
        "review/cell_report.html",
        meeting=meeting,
        form=form,
        report=report,
        criteria=CELL_CRITERIA,
        bands=settings.bands(),
        open_for_edit=meeting.status in (MeetingStatus.SCHEDULED, MeetingStatus.LIVE),
    )
