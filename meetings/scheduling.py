"""Scheduling a meeting and editing its details and agenda: two commands.

`schedule_meeting` is an organisation command (the cell's; there is no meeting to lock yet, and
its log row names the new meeting, so the meeting's audit trail starts with it); `edit_meeting`
is a meeting command (locked, versioned, logged, and broadcast to the room).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, StrictInt, StrictStr

from core.extensions import db
from core.timeutil import to_utc
from core.vietnamese import name_sort_key, nfc
from meetings.agenda import clean_title, renumber
from meetings.commands import Context, Effect, OrgContext, Payload, command, org_command
from meetings.errors import Conflict, Invalid
from meetings.models import AgendaItem, Meeting, MeetingKind
from meetings.snapshot import agenda_section, meeting_section
from org.models import Membership, Organization


class AgendaEntry(Payload):
    item_id: StrictInt | None = None  # an existing item of the meeting, or None for a new one
    title: StrictStr = Field(min_length=1, max_length=300)
    planned_minutes: StrictInt = Field(default=10, ge=1, le=600)


class MeetingDetails(Payload):
    kind: StrictStr
    title: StrictStr = Field(min_length=1, max_length=300)
    scheduled_at: StrictStr  # Vietnam time as typed: "2026-12-05T19:30"
    place: StrictStr | None = Field(default=None, max_length=300)
    online_url: StrictStr | None = Field(default=None, max_length=500)
    chair_id: StrictInt | None = None
    minute_taker_id: StrictInt | None = None
    agenda: list[AgendaEntry] = Field(default_factory=list, max_length=50)


def _taking_part(cell: Organization) -> list[Membership]:
    """Members who take part in the cell's activities (not transferred out, suspended, hosted)."""
    return [
        m for m in cell.memberships if not (m.is_transferred_out or m.is_suspended or m.is_hosted)
    ]


def chair_candidates(cell: Organization) -> list[Membership]:
    """Who may chair: official members taking part, sorted by given name."""
    members = [m for m in _taking_part(cell) if m.party_status == "official"]
    return sorted(members, key=lambda m: name_sort_key(m.user.full_name))


def minute_taker_candidates(cell: Organization) -> list[Membership]:
    """Who may take the minutes: any member taking part, sorted by given name."""
    return sorted(_taking_part(cell), key=lambda m: name_sort_key(m.user.full_name))


def _scheduled_at(text: str) -> datetime:
    try:
        return to_utc(datetime.fromisoformat(text))  # ValueError too for a moment UTC can't hold
    except ValueError:
        raise Invalid(field="scheduled_at") from None


def _apply(meeting: Meeting, cell: Organization, details: MeetingDetails) -> None:
    if details.kind not in {k.value for k in MeetingKind}:
        raise Invalid(field="kind")
    if details.chair_id not in {None} | {m.user_id for m in chair_candidates(cell)}:
        raise Invalid(field="chair_id")
    if details.minute_taker_id not in {None} | {m.user_id for m in minute_taker_candidates(cell)}:
        raise Invalid(field="minute_taker_id")
    url = (details.online_url or "").strip()
    if url and not url.lower().startswith(("https://", "http://")):
        raise Invalid(field="online_url")
    meeting.kind = details.kind
    meeting.title = clean_title(details.title)
    meeting.scheduled_at = _scheduled_at(details.scheduled_at)
    meeting.place = nfc(details.place) or None
    meeting.online_url = url or None
    meeting.chair_id = details.chair_id
    meeting.minute_taker_id = details.minute_taker_id
    existing = {item.id: item for item in meeting.agenda}
    kept: list[AgendaItem] = []
    for entry in details.agenda:
        item = existing.pop(entry.item_id, None) if entry.item_id is not None else None
        if item is None:
            item = AgendaItem(meeting=meeting)
        item.title = clean_title(entry.title)
        item.planned_minutes = entry.planned_minutes
        kept.append(item)
    for removed in existing.values():
        if removed.started_at is not None:
            raise Conflict()  # items already taken up stay on the record
        db.session.delete(removed)
    meeting.agenda = kept
    renumber(kept)


def _audit(meeting: Meeting) -> dict:
    return {
        "title": meeting.title,
        "kind": meeting.kind,
        "scheduled_at": meeting.scheduled_at.isoformat(),
        "agenda_items": len(meeting.agenda),
    }


@org_command("schedule_meeting", permission="schedule_meeting", payload=MeetingDetails)
def schedule_meeting(ctx: OrgContext, details: MeetingDetails) -> Effect:
    cell = ctx.organization
    if not cell.is_cell:
        raise Invalid(field="cell_id")
    meeting = Meeting(cell_id=cell.id, created_by_id=ctx.actor.id)
    _apply(meeting, cell, details)  # checked in full before the session holds it
    db.session.add(meeting)
    db.session.flush()
    return Effect(result={"meeting_id": meeting.id}, audit=_audit(meeting), meeting_id=meeting.id)


@command("edit_meeting", permission="edit_meeting", payload=MeetingDetails)
def edit_meeting(ctx: Context, details: MeetingDetails) -> Effect:
    """Edit from the form; the room hears of it like any command."""
    meeting = ctx.meeting
    if meeting.is_closed or meeting.is_cancelled:
        raise Conflict()
    before = {
        "previous_scheduled_at": meeting.scheduled_at.isoformat(),
        "previous_place": meeting.place,
    }
    _apply(meeting, meeting.cell, details)
    db.session.flush()
    return Effect(
        changes=[
            {"type": "meeting", "data": meeting_section(meeting)},
            {"type": "agenda", "data": agenda_section(meeting)},
        ],
        audit=_audit(meeting) | before,  # members hear of a new time or place (notifications)
    )
