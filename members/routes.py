"""The member's handbook page (/me): summary, contact and channels, calendar address, record."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from auth.forms import ActionForm
from core.extensions import db
from core.timeutil import vietnam_today
from core.vietnamese import nfc
from meetings.review.queries import grade_history
from meetings.tasks import queries as task_queries
from meetings.tasks.rules import is_open, is_overdue
from members import record
from members.forms import ContactForm, normalized_email
from notifications import mail
from org.profiles import new_calendar_token, profile_of
from org.queries import member_cells

bp = Blueprint("handbook", __name__)


def _calendar_url(token: str) -> str:
    from notifications.texts import public_base

    return f"{public_base()}{url_for('calendar.feed', token=token)}"


@bp.route("/me", methods=["GET", "POST"])
@login_required
def me():
    profile = profile_of(current_user.id)
    db.session.commit()
    form = ContactForm(obj=profile)
    if form.validate_on_submit():
        profile.phone = nfc(form.phone.data) or None
        profile.email = normalized_email(form.email.data)
        profile.email_notifications = form.email_notifications.data
        profile.invitations_only = form.invitations_only.data
        db.session.commit()
        flash(_("Your contact details and channels are saved."), "info")
        return redirect(url_for("handbook.me"))
    return render_template(
        "members/me.html",
        profile=profile,
        form=form,
        action=ActionForm(),
        memberships=member_cells(current_user),
        calendar_url=_calendar_url(profile.calendar_token),
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
        profile = profile_of(current_user.id)
        profile.calendar_token = new_calendar_token()
        db.session.commit()
        flash(_("Your calendar address is new: the old one no longer works."), "info")
    return redirect(url_for("handbook.me") + "#calendar")
