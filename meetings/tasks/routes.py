"""The member's "my tasks" page: their tasks, done and open, an update between meetings, and their
grades of past year-end reviews (a member's year at a glance, until the member's page exists).

The update goes through the command path (`task_update`) on the meeting that will review the task.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from core.extensions import db
from core.timeutil import vietnam_today
from meetings.commands import CLIENT_ID, dispatch
from meetings.errors import CommandError
from meetings.models import Meeting
from meetings.review.queries import grade_history
from meetings.tasks import queries
from meetings.tasks.models import Task
from meetings.tasks.rules import CHAIR_ONLY, SETTABLE, TaskStatus, is_open, is_overdue
from meetings.tasks.strings import STATUS_LABELS, status_label, tasks_strings

bp = Blueprint("tasks", __name__)
bp.add_app_template_global(tasks_strings, "tasks_strings")
bp.add_app_template_global(status_label, "task_status_label")

MEMBER_CHOICES = [s for s in TaskStatus if s in SETTABLE and s not in CHAIR_ONLY]


class UpdateForm(FlaskForm):
    cid = HiddenField()
    status = SelectField(choices=[SelectChoice(s.value, STATUS_LABELS[s]) for s in MEMBER_CHOICES])
    note = TextAreaField(validators=[Length(max=1000)])


@bp.route("/my/tasks")
@login_required
def my_tasks():
    today = vietnam_today()
    tasks = queries.tasks_of(current_user.id)
    meetings = {t.meeting_id: db.session.get(Meeting, t.meeting_id) for t in tasks}
    rows = [
        {
            "task": t,
            "meeting": meetings[t.meeting_id],
            "open": is_open(t.status),
            "overdue": bool(t.due_on) and is_overdue(t.status, t.due_on, today),
            "form": UpdateForm(formdata=None, cid=secrets.token_hex(12), status=t.status),
        }
        for t in tasks
    ]
    return render_template(
        "tasks/mine.html",
        grades=grade_history(current_user.id),
        open_rows=[r for r in rows if r["open"]],
        closed_rows=[r for r in rows if not r["open"]],
    )


@bp.route("/my/tasks/<int:task_id>", methods=["POST"])
@login_required
def update_task(task_id: int):
    task = db.session.get(Task, task_id)
    if task is None:
        abort(404)
    if not queries.owns(task, current_user.id):
        abort(403)  # only the owner reports between meetings; the chair marks it in the meeting
    form = UpdateForm()
    if not form.validate_on_submit() or not CLIENT_ID.match(form.cid.data or ""):
        flash(_("The update was not saved: check the status and the note."), "error")
        return redirect(url_for("tasks.my_tasks"))
    meeting = queries.reviewing_meeting(task)
    try:
        dispatch(
            current_user._get_current_object(),
            meeting.id,
            "task_update",
            form.cid.data,
            {"task_id": task.id, "status": form.status.data, "note": form.note.data or ""},
        )
    except CommandError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        flash(_("Your report on the task is saved."), "info")
    return redirect(url_for("tasks.my_tasks") + f"#task-{task.id}")
