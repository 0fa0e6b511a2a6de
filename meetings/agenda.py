"""Editing the agenda, in the room or on the meeting's form, until the meeting ends."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from pydantic import Field, StrictInt, StrictStr

from core.extensions import db
from core.vietnamese import nfc
from meetings.commands import Context, Effect, Payload, command
from meetings.errors import Conflict, Invalid, NotFound
from meetings.models import AgendaItem, Meeting
from meetings.snapshot import agenda_section

MAX_ITEMS = 50
MAX_MINUTES = 600

# The usual order of a regular meeting (Hướng dẫn 12-HD/BTCTW), prefilled for a new regular meeting.
REGULAR_AGENDA = (
    (
        _l(
            "Opening: party dues, membership report, attendance, adopting the agenda, "
            "appointing the minute-taker"
        ),
        10,
    ),
    (_l("News and directives from the upper committees"), 15),
    (_l("Review of last month's work"), 15),
    (_l("Study item"), 15),
    (_l("Next month's tasks and assignments"), 15),
    (_l("Discussion"), 20),
    (_l("Conclusion and resolution; vote"), 10),
    (_l("Reading back and approving the minutes; closing"), 5),
)


# The year-end review (docs/review.md), prefilled for a new review meeting.
REVIEW_AGENDA = (
    (_l("Opening: attendance, adopting the agenda, appointing the minute-taker"), 10),
    (_l("The committee's report on the cell's work this year"), 20),
    (_l("Each member: self-assessment, discussion, vote on the proposed grade"), 90),
    (_l("The cell's self-assessment and its own grade"), 20),
    (_l("Conclusion; reading back and approving the minutes; closing"), 10),
)


def _require_editable(meeting: Meeting) -> None:
    if meeting.is_closed:
        raise Conflict()


def clean_title(value: str) -> str:
    title = nfc(value) or ""
    if not title or len(title) > 300:
        raise Invalid(field="title")
    return title


def renumber(items: list[AgendaItem]) -> None:
    for position, item in enumerate(items):
        item.position = position


def _changes(meeting: Meeting) -> list[dict]:
    db.session.flush()
    db.session.refresh(meeting, ["agenda"])
    return [{"type": "agenda", "data": agenda_section(meeting)}]


class AddItem(Payload):
    title: StrictStr = Field(max_length=300)
    planned_minutes: StrictInt = Field(ge=1, le=MAX_MINUTES)


@command("agenda_add", permission="edit_agenda", payload=AddItem)
def agenda_add(ctx: Context, payload: AddItem) -> Effect:
    meeting = ctx.meeting
    _require_editable(meeting)
    if len(meeting.agenda) >= MAX_ITEMS:
        raise Invalid(field="items")
    item = AgendaItem(
        meeting_id=meeting.id,
        position=len(meeting.agenda),
        title=clean_title(payload.title),
        planned_minutes=payload.planned_minutes,
    )
    db.session.add(item)
    db.session.flush()
    return Effect(
        changes=_changes(meeting), result={"item_id": item.id}, audit={"item_id": item.id}
    )


def _item(meeting: Meeting, item_id: int) -> AgendaItem:
    for item in meeting.agenda:
        if item.id == item_id:
            return item
    raise NotFound(field="item_id")


class UpdateItem(Payload):
    item_id: StrictInt
    title: StrictStr = Field(max_length=300)
    planned_minutes: StrictInt = Field(ge=1, le=MAX_MINUTES)


@command("agenda_update", permission="edit_agenda", payload=UpdateItem)
def agenda_update(ctx: Context, payload: UpdateItem) -> Effect:
    _require_editable(ctx.meeting)
    item = _item(ctx.meeting, payload.item_id)
    item.title = clean_title(payload.title)
    item.planned_minutes = payload.planned_minutes
    return Effect(changes=_changes(ctx.meeting), audit={"item_id": item.id})


class ItemRef(Payload):
    item_id: StrictInt


@command("agenda_remove", permission="edit_agenda", payload=ItemRef)
def agenda_remove(ctx: Context, payload: ItemRef) -> Effect:
    meeting = ctx.meeting
    _require_editable(meeting)
    item = _item(meeting, payload.item_id)
    if item.started_at is not None or meeting.current_item_id == item.id:
        raise Conflict()  # an item already taken up stays on the record
    meeting.agenda.remove(item)
    db.session.delete(item)
    renumber(meeting.agenda)
    return Effect(changes=_changes(meeting), audit={"item_id": payload.item_id})


class MoveItem(Payload):
    item_id: StrictInt
    position: StrictInt = Field(ge=0, le=MAX_ITEMS)


@command("agenda_move", permission="edit_agenda", payload=MoveItem)
def agenda_move(ctx: Context, payload: MoveItem) -> Effect:
    meeting = ctx.meeting
    _require_editable(meeting)
    item = _item(meeting, payload.item_id)
    items = [i for i in meeting.agenda if i.id != item.id]
    items.insert(min(payload.position, len(items)), item)
    renumber(items)
    return Effect(changes=_changes(meeting), audit={"item_id": item.id, "position": item.position})
