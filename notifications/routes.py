"""The notification list, replies from an invitation, and the bell on every page."""

from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    abort,
    flash,
    has_request_context,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, IntegerField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from core.extensions import db
from meetings.commands import dispatch, run_org, run_site
from meetings.errors import CommandError
from meetings.models import Meeting, MeetingStatus
from meetings.permissions import can, can_in_cell
from notifications import overview, reminders, service
from notifications.models import Invitation
from notifications.reminders import MAX_MINUTES_BEFORE
from notifications.replies import REASON_MAX
from notifications.texts import INVITATION_KINDS, render
from org.models import Organization

bp = Blueprint("notifications", __name__)


class ReplyForm(FlaskForm):
    answer = RadioField(
        choices=[SelectChoice("attend", "attend"), SelectChoice("excused", "excused")],
        validators=[DataRequired()],
    )
    reason = StringField(validators=[Optional(), Length(max=REASON_MAX)])


@bp.app_context_processor
def bell():
    # Templates are also rendered outside requests (the minutes' PDF): no user, no bell.
    if not has_request_context() or not current_user or not current_user.is_authenticated:
        return {}
    return {"unread_notifications": service.unread_count(current_user.id)}


@bp.route("/notifications")
@login_required
def index():
    rows = service.latest(current_user.id)
    meetings = {
        m.id: m
        for m in db.session.scalars(
            select(Meeting).where(Meeting.id.in_({r.meeting_id for r in rows if r.meeting_id}))
        )
    }
    invitations = {
        i.meeting_id: i
        for i in db.session.scalars(
            select(Invitation).where(
                Invitation.user_id == current_user.id, Invitation.meeting_id.in_(meetings)
            )
        )
    }
    items, answerable = [], set()
    for row in rows:
        meeting = meetings.get(row.meeting_id)
        if meeting is None:
            continue
        invitation = invitations.get(meeting.id)
        # One reply form per meeting, on its newest invitation-kind notification.
        can_reply = (
            row.kind in INVITATION_KINDS
            and invitation is not None
            and meeting.status == MeetingStatus.SCHEDULED
            and meeting.id not in answerable
        )
        if can_reply:
            answerable.add(meeting.id)
        items.append(
            {
                "row": row,
                "meeting": meeting,
                "text": render(row.kind, meeting, row.data),
                "invitation": invitation,
                "can_reply": can_reply,
            }
        )
    unread = {item["row"].id for item in items if item["row"].read_at is None}
    # Seen: the bell goes back to zero on every page (a command: the reading is the event).
    run_site(current_user._get_current_object(), "mark_notifications_read")
    return render_template("notifications/list.html", items=items, form=ReplyForm(), unread=unread)


@bp.route("/meetings/<int:meeting_id>/reply", methods=["POST"])
@login_required
def reply(meeting_id: int):
    """The member's answer from an invitation: the `reply_invitation` command."""
    meeting = db.get_or_404(Meeting, meeting_id)
    if not can(current_user, "reply_invitation", meeting):
        abort(403)  # before reading the form: a caller without the right learns nothing more
    form = ReplyForm()
    if not form.validate_on_submit():
        flash(_("Please choose an answer."), "error")
        return redirect(url_for("notifications.index"))
    payload = {"answer": form.answer.data}
    if form.reason.data and form.reason.data.strip():
        payload["reason"] = form.reason.data
    try:
        dispatch(
            current_user._get_current_object(),
            meeting_id,
            "reply_invitation",
            secrets.token_hex(12),
            payload,
        )
    except CommandError as exc:
        if exc.code == "forbidden":
            abort(403)
        if exc.code == "not_found":
            abort(404)
        flash(exc.message, "error")
    else:
        flash(_("Your answer is sent to the cell's leaders."), "info")
    return redirect(url_for("notifications.index"))


class RemindersForm(FlaskForm):
    day_before = BooleanField(_l("The day before"))
    minutes_before = IntegerField(
        _l("Minutes before the start (0: none)"),
        validators=[InputRequired(), NumberRange(min=0, max=MAX_MINUTES_BEFORE)],
    )


@bp.route("/cells/<int:cell_id>/reminders", methods=["GET", "POST"])
@login_required
def cell_reminders(cell_id: int):
    """When the cell's members are reminded (the secretary and the deputy decide)."""
    cell = db.session.get(Organization, cell_id)
    if cell is None or not cell.is_cell:
        abort(404)
    if not can_in_cell(current_user, "schedule_meeting", cell):
        abort(403)
    current = reminders.settings_for(cell.id)
    form = RemindersForm(
        data={"day_before": current.day_before, "minutes_before": current.minutes_before}
    )
    if request.method == "POST":
        form = RemindersForm()
        if not form.validate():
            return render_template("notifications/reminders.html", form=form, cell=cell), 400
        settings = {
            "day_before": bool(form.day_before.data),
            "minutes_before": form.minutes_before.data,
        }
        try:
            run_org(current_user._get_current_object(), cell.id, "set_reminders", settings)
        except CommandError as exc:
            flash(str(exc.message), "error")
            return render_template("notifications/reminders.html", form=form, cell=cell), 400
        flash(_("Reminders saved: they apply to meetings scheduled or moved from now on."), "info")
        return redirect(url_for("meetings.cell_page", cell_id=cell.id))
    return render_template("notifications/reminders.html", form=form, cell=cell)


@bp.app_template_global()
def may_view_invitations(meeting) -> bool:
    return can(current_user, "view_invitations", meeting)


@bp.route("/meetings/<int:meeting_id>/invitations")
@login_required
def invitations(meeting_id: int):
    """Who was invited, who answered what, who read the documents (the leaders' view)."""
    meeting = db.get_or_404(Meeting, meeting_id)
    if not can(current_user, "view_invitations", meeting):
        abort(403)
    rows, documents = overview.overview(meeting)
    context = {"meeting": meeting, "rows": rows, "documents": documents}
    if request.args.get("part") == "table":
        response = make_response(
            render_template("notifications/_invitations_table.html", **context)
        )
        response.headers["Cache-Control"] = "no-store"
        return response
    return render_template("notifications/invitations.html", **context)
