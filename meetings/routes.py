"""HTTP views: the home page, a cell's page, scheduling, the room, and commands over HTTP."""

from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from core.extensions import db, limiter
from core.timeutil import VIETNAM, utcnow
from core.vietnamese import name_sort_key
from meetings import changes, room, scheduling, wire_json
from meetings.agenda import REGULAR_AGENDA, REVIEW_AGENDA
from meetings.commands import dispatch, run, run_org
from meetings.errors import CommandError
from meetings.event_limits import MAX_MESSAGE_BYTES
from meetings.forms import MeetingForm
from meetings.models import CommandLog, Meeting, MeetingKind, MeetingStatus
from meetings.permissions import MEETING_PERMISSIONS, allowed, can, can_in_cell, meeting_roles
from meetings.room_strings import room_strings
from org.models import Organization
from org.queries import member_cells, observed_cells

bp = Blueprint("meetings", __name__)
bp.add_app_template_global(room_strings, "room_strings")
bp.add_app_template_global(changes.table, "change_table")


def _error_response(exc: CommandError):
    return jsonify(exc.as_dict()), exc.http_status


PAST_ON_HOME = 8  # the rest are on each cell's page


@bp.route("/")
@login_required
def home():
    memberships = member_cells(current_user)
    cells = [m.cell for m in memberships]
    observed = observed_cells(current_user)
    # The cells a leader oversees have their own sections (oversight/_home_sections.html):
    # these lists are the user's own cells', so nothing shows twice.
    cell_ids = {c.id for c in cells}
    meetings = (
        db.session.scalars(
            select(Meeting).where(Meeting.cell_id.in_(cell_ids)).order_by(Meeting.scheduled_at)
        ).all()
        if cell_ids
        else []
    )
    now = utcnow()
    live = [m for m in meetings if m.status == MeetingStatus.LIVE]
    upcoming = [m for m in meetings if m.status == MeetingStatus.SCHEDULED]
    past = [m for m in meetings if m.status == MeetingStatus.ENDED][::-1][:PAST_ON_HOME]
    return render_template(
        "home.html",
        memberships=memberships,
        observed=observed,
        live=live,
        upcoming=upcoming,
        past=past,
        now=now,
    )


def _cell_or_404(cell_id: int) -> Organization:
    cell = db.session.get(Organization, cell_id)
    if cell is None or not cell.is_cell:
        abort(404)
    return cell


@bp.route("/cells/<int:cell_id>")
@login_required
def cell_page(cell_id: int):
    cell = _cell_or_404(cell_id)
    if not can_in_cell(current_user, "view_cell", cell):
        abort(403)
    members = sorted(cell.memberships, key=lambda m: name_sort_key(m.user.full_name))
    meetings = db.session.scalars(
        select(Meeting).where(Meeting.cell_id == cell.id).order_by(Meeting.scheduled_at.desc())
    ).all()
    return render_template(
        "cells/cell.html",
        cell=cell,
        members=members,
        meetings=meetings,
        can_schedule=can_in_cell(current_user, "schedule_meeting", cell),
    )


def _prepare_form(form: MeetingForm, cell: Organization) -> None:
    form.chair_id.choices = [
        SelectChoice(m.user_id, m.user.full_name) for m in scheduling.chair_candidates(cell)
    ]
    form.minute_taker_id.choices = [
        SelectChoice(m.user_id, m.user.full_name) for m in scheduling.minute_taker_candidates(cell)
    ]


def _details(form: MeetingForm) -> dict:
    """The form as the payload of `schedule_meeting` / `edit_meeting`."""
    agenda = []
    for entry in form.agenda.entries:
        title = (entry.form.title.data or "").strip()
        if not title:
            continue  # blank rows are the form's spare rows
        item_id = entry.form.item_id.data
        agenda.append(
            {
                "item_id": int(item_id) if item_id and item_id.isdigit() else None,
                "title": title,
                "planned_minutes": entry.form.planned_minutes.data or 10,
            }
        )
    return {
        "kind": form.kind.data,
        "title": form.title.data,
        "scheduled_at": form.scheduled_at.data.isoformat(timespec="minutes"),
        "place": form.place.data,
        "online_url": form.online_url.data,
        "chair_id": form.chair_id.data,
        "minute_taker_id": form.minute_taker_id.data,
        "agenda": agenda,
    }


@bp.route("/cells/<int:cell_id>/meetings/new", methods=["GET", "POST"])
@login_required
def schedule_meeting(cell_id: int):
    cell = _cell_or_404(cell_id)
    if not can_in_cell(current_user, "schedule_meeting", cell):
        abort(403)
    form = MeetingForm()
    _prepare_form(form, cell)
    if request.method == "GET":
        kind = request.args.get("kind", MeetingKind.REGULAR)
        form.kind.data = kind if kind in {k.value for k in MeetingKind} else MeetingKind.REGULAR
        form.place.data = cell.place
        form.online_url.data = cell.video_url
        secretary = next((m for m in cell.memberships if m.cell_role == "secretary"), None)
        form.chair_id.data = secretary.user_id if secretary else None
        if form.kind.data == MeetingKind.REGULAR:
            month = datetime.now(VIETNAM)
            form.title.data = _(
                "Regular meeting of %(month)s/%(year)s", month=month.month, year=month.year
            )
            while len(form.agenda.entries):
                form.agenda.pop_entry()
            for title, minutes in REGULAR_AGENDA:
                form.agenda.append_entry({"title": str(title), "planned_minutes": minutes})
        elif form.kind.data == MeetingKind.YEAR_REVIEW:
            year = datetime.now(VIETNAM).year
            form.title.data = _("Year-end review meeting %(year)s", year=year)
            while len(form.agenda.entries):
                form.agenda.pop_entry()
            for title, minutes in REVIEW_AGENDA:
                form.agenda.append_entry({"title": str(title), "planned_minutes": minutes})
    if form.validate_on_submit():
        try:
            actor = current_user._get_current_object()
            ack = run_org(actor, cell.id, "schedule_meeting", _details(form))
        except CommandError as exc:
            flash(exc.message, "error")
        else:
            flash(_("The meeting is scheduled."), "info")
            return redirect(url_for("meetings.room_page", meeting_id=ack["result"]["meeting_id"]))
    return render_template("meetings/form.html", form=form, cell=cell, meeting=None)


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit_meeting(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    if not can(current_user, "edit_meeting", meeting):
        abort(403)
    if meeting.is_closed:
        flash(_("This meeting has ended and can no longer be edited."), "error")
        return redirect(url_for("meetings.room_page", meeting_id=meeting.id))
    form = MeetingForm(obj=meeting if request.method == "GET" else None)
    _prepare_form(form, meeting.cell)
    if request.method == "GET":
        form.scheduled_at.data = meeting.scheduled_at.astimezone(VIETNAM).replace(tzinfo=None)
        while len(form.agenda.entries):
            form.agenda.pop_entry()
        for item in meeting.agenda:
            form.agenda.append_entry(
                {
                    "item_id": str(item.id),
                    "title": item.title,
                    "planned_minutes": item.planned_minutes,
                }
            )
    if form.validate_on_submit():
        try:
            run(current_user._get_current_object(), meeting.id, "edit_meeting", _details(form))
        except CommandError as exc:
            flash(exc.message, "error")
        else:
            flash(_("The meeting is saved."), "info")
            return redirect(url_for("meetings.room_page", meeting_id=meeting.id))
    return render_template("meetings/form.html", form=form, cell=meeting.cell, meeting=meeting)


@bp.route("/meetings/<int:meeting_id>")
@login_required
def room_page(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    roles = meeting_roles(current_user, meeting)
    if not allowed(roles, "view", MEETING_PERMISSIONS):
        abort(403)
    return render_template(
        "meetings/room.html",
        meeting=meeting,
        can_edit=allowed(roles, "edit_meeting", MEETING_PERMISSIONS),
        max_message_bytes=MAX_MESSAGE_BYTES,
    )


@bp.route("/meetings/<int:meeting_id>/audit")
@login_required
def audit_trail(meeting_id: int):
    """The meeting's command log: who did what, when (never a secret ballot's choice)."""
    meeting = db.get_or_404(Meeting, meeting_id)
    if not can(current_user, "view_audit", meeting):
        abort(403)
    entries = db.session.scalars(
        select(CommandLog)
        .where(CommandLog.meeting_id == meeting.id)
        .order_by(CommandLog.created_at, CommandLog.id)
    ).all()
    return render_template("meetings/audit.html", meeting=meeting, entries=entries)


@bp.route("/meetings/<int:meeting_id>/state")
@login_required
def state(meeting_id: int):
    try:
        snapshot = room.state_for(current_user, meeting_id)
        return current_app.response_class(
            wire_json.dumps({"ok": True, "snapshot": snapshot}), mimetype="application/json"
        )
    except CommandError as exc:
        return _error_response(exc)


@bp.route("/meetings/<int:meeting_id>/commands/<name>", methods=["POST"])
@login_required
@limiter.limit(
    lambda: current_app.config["CHIBO_EVENT_LIMIT_USER"],
    key_func=lambda: f"commands:{current_user.id}",
)
def http_command(meeting_id: int, name: str):
    """The same commands as the socket's `command` event, for clients without a socket."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        body = {}
    try:
        return jsonify(
            dispatch(
                current_user._get_current_object(),
                meeting_id,
                name,
                body.get("cid"),
                body.get("payload"),
            )
        )
    except CommandError as exc:
        return _error_response(exc)
