"""Notifications follow the meeting's commands: one listener after each commit, so scheduling,
changes, cancellation, the start and document releases notify from the one path that makes them
(never from a view)."""

from __future__ import annotations

from datetime import datetime

from core.extensions import db
from core.timeutil import iso
from meetings.commands import after_commit
from meetings.models import Meeting
from meetings.presence import presence
from notifications import reminders, service


def _scheduled(meeting: Meeting, actor_id, details: dict) -> None:
    service.invite(meeting)
    others = [u for u in service.recipients(meeting) if u != actor_id]
    service.notify(meeting, "invited", others)
    reminders.queue_reminders(meeting)


def _updated(meeting: Meeting, actor_id, audit: dict) -> None:
    others = [u for u in service.recipients(meeting) if u != actor_id]
    previous = audit.get("previous_scheduled_at")
    previous_at = datetime.fromisoformat(previous) if previous else None
    if previous_at is not None and previous_at != meeting.scheduled_at:
        service.notify(meeting, "moved", others, {"previous_at": iso(previous_at)})
        reminders.queue_reminders(meeting)
    elif (audit.get("previous_place") or None) != (meeting.place or None):
        service.notify(meeting, "place_changed", others)


def _cancelled(meeting: Meeting, actor_id, details: dict) -> None:
    others = [u for u in service.recipients(meeting) if u != actor_id]
    service.notify(meeting, "cancelled", others)


def _started(meeting: Meeting, actor_id, details: dict) -> None:
    """Members not yet in the room hear that it has started (observers are not expected)."""
    here = set(presence.online(meeting.id)) | {actor_id}
    absent = [u for u in service.cell_members(meeting.cell_id) if u not in here]
    service.notify(meeting, "started", absent)


def _document_released(meeting: Meeting, actor_id, details: dict) -> None:
    others = [u for u in service.recipients(meeting) if u != actor_id]
    service.notify(meeting, "document", others, {"document": details.get("title", "")})


HANDLERS = {
    "schedule_meeting": _scheduled,
    "edit_meeting": _updated,
    "cancel_meeting": _cancelled,
    "start_meeting": _started,
    "release_document": _document_released,
}


@after_commit
def notify_after_commit(name: str, meeting_id: int, actor_id, details: dict) -> None:
    handler = HANDLERS.get(name)
    if handler is None:
        return
    db.session.rollback()  # a fresh transaction: read what was committed
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is not None:
        handler(meeting, actor_id, details or {})
