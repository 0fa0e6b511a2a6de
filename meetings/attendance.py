"""Check-in and attendance marking (điểm danh)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from pydantic import Field, StrictInt, StrictStr

from core.extensions import db
from core.timeutil import to_utc, utcnow
from core.vietnamese import nfc
from domain.rules import AttendanceStatus, needs_settling
from meetings import roster
from meetings.commands import Context, Effect, Payload, command
from meetings.errors import Conflict, Invalid, NotFound
from meetings.models import Attendance, MeetingStatus
from meetings.snapshot import attendance_change
from org.models import Membership

RECORD_DECIDED = _l("The minutes are approved: attendance can no longer change.")
SETTLED_MEANWHILE = _l("Someone's attendance changed meanwhile: check the list again.")

MARKABLE = {s.value for s in AttendanceStatus if s is not AttendanceStatus.UNKNOWN}


def _require_open(ctx: Context) -> None:
    # Attendance is taken once the meeting has started, and corrected until it ends.
    if ctx.meeting.status != MeetingStatus.LIVE:
        raise Conflict()


def _require_unsettled_record(ctx: Context) -> None:
    # The chair settles attendance while the meeting runs and after it ended, until the minutes
    # are approved: the record the minutes state must be complete before it is approved.
    if ctx.meeting.status == MeetingStatus.SCHEDULED or ctx.meeting.record_locked:
        raise Conflict(RECORD_DECIDED)


def unsettled(meeting) -> list[int]:
    """Members whose attendance the chair must still settle (rules.needs_settling)."""
    members = roster.member_facts(meeting, with_users=False)
    return sorted(m.user_id for m in members if needs_settling(m.facts))


def _set(ctx: Context, user_id: int, status: str, arrived_at: datetime | None, reason: str | None):
    row = db.session.get(Attendance, (ctx.meeting.id, user_id))
    if row is None:
        row = Attendance(meeting_id=ctx.meeting.id, user_id=user_id, status=status)
        db.session.add(row)
    row.status = status
    row.arrived_at = arrived_at
    row.reason = reason
    row.updated_at = utcnow()
    row.updated_by_id = ctx.actor.id
    db.session.flush()


@command("check_in", permission="check_in")
def check_in(ctx: Context, _payload) -> Effect:
    """A member checks in; arriving well after the start counts as late, with the time."""
    _require_open(ctx)
    now = utcnow()
    grace = timedelta(minutes=current_app.config["CHIBO_LATE_AFTER_MINUTES"])
    existing = db.session.get(Attendance, (ctx.meeting.id, ctx.actor.id))
    if existing and existing.status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE):
        return Effect.nothing({"status": existing.status})
    late = ctx.meeting.started_at is not None and now - ctx.meeting.started_at > grace
    status = AttendanceStatus.LATE if late else AttendanceStatus.PRESENT
    _set(ctx, ctx.actor.id, status.value, now, None)
    return Effect(
        changes=[attendance_change(ctx.meeting, {ctx.actor.id})],
        result={"status": status.value},
        audit={"status": status.value},
    )


class MarkAttendance(Payload):
    user_id: StrictInt
    status: StrictStr
    reason: StrictStr | None = Field(default=None, max_length=500)
    arrived_at: StrictStr | None = None  # ISO 8601; Vietnam time when no offset


@command("mark_attendance", permission="mark_attendance", payload=MarkAttendance)
def mark_attendance(ctx: Context, payload: MarkAttendance) -> Effect:
    _require_unsettled_record(ctx)
    if payload.status not in MARKABLE:
        raise Invalid(field="status")
    member = (
        db.session.query(Membership)
        .filter_by(cell_id=ctx.meeting.cell_id, user_id=payload.user_id)
        .one_or_none()
    )
    if member is None:
        raise NotFound(field="user_id")
    status = AttendanceStatus(payload.status)
    reason = nfc(payload.reason) or None
    if status == AttendanceStatus.ABSENT_EXCUSED and not reason:
        raise Invalid(field="reason")
    arrived_at = None
    if status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE):
        reason = None
        arrived_at = _parse_time(payload.arrived_at) if payload.arrived_at else utcnow()
    _set(ctx, payload.user_id, status.value, arrived_at, reason)
    return Effect(
        changes=[attendance_change(ctx.meeting, {payload.user_id})],
        result={"status": status.value},
        audit={"user_id": payload.user_id, "status": status.value},
    )


def _parse_time(text: str) -> datetime:
    try:
        return to_utc(datetime.fromisoformat(text))
    except ValueError:
        raise Invalid(field="arrived_at") from None


class SettleAttendance(Payload):
    # The members the chair saw listed: anyone settled meanwhile is refused, not overwritten.
    user_ids: list[StrictInt] = Field(min_length=1, max_length=5000)


@command("settle_attendance", permission="mark_attendance", payload=SettleAttendance)
def settle_attendance(ctx: Context, payload: SettleAttendance) -> Effect:
    """One step for the rest: every listed member without a status is absent without reason."""
    _require_unsettled_record(ctx)
    wanted = set(payload.user_ids)
    if not wanted <= set(unsettled(ctx.meeting)):
        raise Conflict(SETTLED_MEANWHILE, reason="settled_meanwhile")
    for user_id in sorted(wanted):
        _set(ctx, user_id, AttendanceStatus.ABSENT_UNEXCUSED.value, None, None)
    return Effect(
        changes=[attendance_change(ctx.meeting, wanted)],
        result={"settled": len(wanted)},
        audit={"user_ids": sorted(wanted)},
    )
