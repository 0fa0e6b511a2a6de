"""Scheduling a meeting and editing its details and agenda from the meeting form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.extensions import db
from core.timeutil import to_utc
from core.vietnamese import nfc
from meetings.agenda import clean_title, renumber
from meetings.commands import system_change
from meetings.errors import Conflict, Invalid
from meetings.models import AgendaItem, Meeting, MeetingKind
from meetings.snapshot import agenda_section, meeting_section


@dataclass
class MeetingDetails:
    kind: str
    title: str
    scheduled_at: datetime  # naive = Vietnam time, as typed
    place: str | None
    online_url: str | None
    chair_id: int | None
    minute_taker_id: int | None
    agenda: list[tuple[int | None, str, int]]  # (existing item id or None, title, planned minutes)


def _apply(meeting: Meeting, details: MeetingDetails) -> None:
    if details.kind not in {k.value for k in MeetingKind}:
        raise Invalid(field="kind")
    meeting.kind = details.kind
    meeting.title = clean_title(details.title)
    meeting.scheduled_at = to_utc(details.scheduled_at)
    meeting.place = nfc(details.place) or None
    meeting.online_url = (details.online_url or "").strip() or None
    meeting.chair_id = details.chair_id
    meeting.minute_taker_id = details.minute_taker_id
    existing = {item.id: item for item in meeting.agenda}
    kept: list[AgendaItem] = []
    for item_id, title, minutes in details.agenda:
        item = existing.pop(item_id, None) if item_id is not None else None
        if item is None:
            item = AgendaItem(meeting=meeting)
        item.title = clean_title(title)
        item.planned_minutes = minutes
        kept.append(item)
    for removed in existing.values():
        if removed.started_at is not None:
            raise Conflict()  # items already taken up stay on the record
        db.session.delete(removed)
    meeting.agenda = kept
    renumber(kept)


def schedule(cell_id: int, creator_id: int, details: MeetingDetails) -> Meeting:
    meeting = Meeting(cell_id=cell_id, created_by_id=creator_id)
    db.session.add(meeting)
    _apply(meeting, details)
    db.session.commit()
    return meeting


def update(meeting_id: int, details: MeetingDetails) -> None:
    """Edit from the form; the room hears of it like any command (locked, versioned, broadcast)."""

    def apply(meeting: Meeting) -> list[dict]:
        if meeting.is_closed:
            raise Conflict()
        _apply(meeting, details)
        db.session.flush()
        return [
            {"type": "meeting", "data": meeting_section(meeting)},
            {"type": "agenda", "data": agenda_section(meeting)},
        ]

    system_change(meeting_id, apply)
