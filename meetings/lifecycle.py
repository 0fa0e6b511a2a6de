"""Starting, moving through and ending a meeting."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from pydantic import StrictBool, StrictInt

from core.i18n import format_when
from core.timeutil import iso, utcnow
from domain.rules import starts_too_early
from meetings.commands import Context, Effect, Payload, command
from meetings.errors import Conflict, NotFound
from meetings.models import MeetingStatus
from meetings.presence import presence
from meetings.room import record_visits
from meetings.snapshot import agenda_section, meeting_section, observers_section


def _meeting_changes(ctx: Context) -> list[dict]:
    return [
        {"type": "meeting", "data": meeting_section(ctx.meeting)},
        {"type": "agenda", "data": agenda_section(ctx.meeting)},
    ]


class StartMeeting(Payload):
    # The chair saw "planned for 19:30, more than 30 minutes from now" and still starts.
    confirm_early: StrictBool = False


@command("start_meeting", permission="start_meeting", payload=StartMeeting)
def start_meeting(ctx: Context, payload: StartMeeting) -> Effect:
    meeting = ctx.meeting
    if meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict()
    now = utcnow()
    allowed = current_app.config["CHIBO_EARLY_START_MINUTES"]
    if not payload.confirm_early and starts_too_early(meeting.scheduled_at, now, allowed):
        raise Conflict(
            _(
                "This meeting is planned for %(when)s, more than %(minutes)s minutes from now.",
                when=format_when(meeting.scheduled_at),
                minutes=allowed,
            ),
            reason="early_start",
            scheduled_at=iso(meeting.scheduled_at),
        )
    meeting.status = MeetingStatus.LIVE
    meeting.started_at = now
    if meeting.agenda:
        first = meeting.agenda[0]
        first.started_at = meeting.started_at
        meeting.current_item_id = first.id
    changes = _meeting_changes(ctx)
    # Upper-level delegates already in the room attend from the start (a visit used to be
    # recorded only when joining a meeting already live, so early arrivals were missed).
    if record_visits(meeting, presence.online(meeting.id), meeting.started_at):
        changes.append({"type": "observers", "data": observers_section(meeting)})
    return Effect(changes=changes)


@command("cancel_meeting", permission="cancel_meeting")
def cancel_meeting(ctx: Context, _payload) -> Effect:
    """Called off before it starts: the meeting stays on record, members and calendars hear."""
    meeting = ctx.meeting
    if meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict()
    meeting.status = MeetingStatus.CANCELLED
    return Effect(changes=_meeting_changes(ctx))


@command("end_meeting", permission="end_meeting")
def end_meeting(ctx: Context, _payload) -> Effect:
    meeting = ctx.meeting
    if meeting.status != MeetingStatus.LIVE:
        raise Conflict()
    now = utcnow()
    meeting.status = MeetingStatus.ENDED
    meeting.ended_at = now
    for item in meeting.agenda:
        if item.started_at and not item.ended_at:
            item.ended_at = now
    meeting.current_item_id = None
    return Effect(changes=_meeting_changes(ctx))


class SetCurrentItem(Payload):
    item_id: StrictInt | None


@command("set_current_item", permission="set_current_item", payload=SetCurrentItem)
def set_current_item(ctx: Context, payload: SetCurrentItem) -> Effect:
    meeting = ctx.meeting
    if meeting.status != MeetingStatus.LIVE:
        raise Conflict()
    items = {item.id: item for item in meeting.agenda}
    if payload.item_id is not None and payload.item_id not in items:
        raise NotFound(field="item_id")
    now = utcnow()
    previous = items.get(meeting.current_item_id)
    if previous is not None and previous.id != payload.item_id:
        previous.ended_at = now
    if payload.item_id is not None:
        item = items[payload.item_id]
        if item.started_at is None or item.ended_at is not None:
            item.started_at, item.ended_at = now, None
    meeting.current_item_id = payload.item_id
    return Effect(changes=_meeting_changes(ctx), audit={"item_id": payload.item_id})
