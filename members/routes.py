"""The member's handbook page (/me): summary, contact and channels, calendar address, record."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from auth.forms import ActionForm
from core.timeutil import vietnam_today
from meetings.commands import run_site
from meetings.errors import CommandError
from meetings.review.queries import grade_history
from meetings.tasks import queries as task_queries
from meetings.tasks.rules import is_open, is_overdue
from members import record
from members.forms import ContactForm
from notifications import mail
from org.profiles import profile_to_show
from org.queries import member_cells

bp = Blueprint("handbook", __name__)


def _calendar_url(token: str) -> str:
    from notifications.texts import public_base

    return f"{public_base()}{url_for('calendar.feed', token=token)}"


@bp.route("/me", methods=["GET", "POST"])
@login_required
def me():
    profile = profile_to_show(current_user.id)  # reading writes nothing
    form = ContactForm(obj=profile)
    if form.validate_on_submit():
        contact = {
            "phone": form.phone.data or "",
            "email": form.email.data or "",
            "email_notifications": bool(form.email_notifications.data),
            "invitations_only": bool(form.invitations_only.data),
        }
        try:
            run_site(current_user._get_current_object(), "edit_contact", contact)
        except CommandError as exc:
            flash(str(exc.message), "error")
        else:
            flash(_("Your contact details and channels are saved."), "info")
            return redirect(url_for("handbook.me"))
    return render_template(
        "members/me.html",
        profile=profile,
        form=form,
        action=ActionForm(),
        memberships=member_cells(current_user),
        calendar_url=_calendar_url(profile.calendar_token) if profile.calendar_token else None,
        email_enabled=mail.enabled(),
        record=record.for_member(current_user),
        tasks=_open_tasks(),
        grades=grade_history(current_user.id),
    )


def _open_tasks() -> list[dict]:
    """The member's open tasks, each marked overdue or not: the year at a glance (the update
    itself is on the "My tasks" page)."""
    today = vietnam_today()
    return [
        {"task": t, "overdue": bool(t.due_on) and is_overdue(t.status, t.due_on, today)}
        for t in task_queries.tasks_of(current_user.id)
        if is_open(t.status)
    ]


@bp.route("/me/calendar/reset", methods=["POST"])
@login_required
def reset_calendar():
    form = ActionForm()
    if form.validate_on_submit():
        run_site(current_user._get_current_object(), "reset_calendar")
        flash(_("Your calendar address is new: the old one no longer works."), "info")
    return redirect(url_for("handbook.me") + "#calendar")


@bp.route("/me/vote-alert", methods=["POST"])
@login_required
def vote_alert():
    """The room's "vibrate and beep when a vote opens" box: JSON `{on: bool}`, the person's own
    preference, through the command path (`set_vote_alert`)."""
    try:
        body = request.get_json(silent=True)
        return jsonify(run_site(current_user._get_current_object(), "set_vote_alert", body))
    except CommandError as exc:
        return jsonify(exc.as_dict()), exc.http_status
