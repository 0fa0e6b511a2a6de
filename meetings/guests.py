"""Guests of a meeting (khách mời): recorded by the chair with name and position, printed in
the minutes next to the upper-level delegates, never counted in any figure."""

from __future__ import annotations

from pydantic import Field, StrictInt, StrictStr
from sqlalchemy import select

from core.extensions import db
from core.vietnamese import nfc
from meetings.commands import Context, Effect, Payload, command
from meetings.errors import Conflict, Invalid, NotFound
from meetings.models import MeetingGuest, MeetingStatus
from meetings.snapshot import section

MAX_GUESTS = 100


def guests_of(meeting_id: int) -> list[MeetingGuest]:
    return list(
        db.session.scalars(
            select(MeetingGuest)
            .where(MeetingGuest.meeting_id == meeting_id)
            .order_by(MeetingGuest.id)
        )
    )


@section("guests")
def guests_section(meeting, viewer=None, roles=frozenset()) -> list[dict]:
    return [{"id": g.id, "name": g.name, "position": g.position} for g in guests_of(meeting.id)]


def _change(meeting) -> dict:
    return {"type": "guests", "data": guests_section(meeting)}


def _require_unsealed(ctx: Context) -> None:
    # Guests are part of the record: they can be changed while its minutes are a draft.
    if ctx.meeting.status == MeetingStatus.SCHEDULED or ctx.meeting.record_locked:
        raise Conflict()


class AddGuest(Payload):
    name: StrictStr = Field(min_length=1, max_length=200)
    position: StrictStr = Field(default="", max_length=300)


@command("add_guest", permission="manage_guests", payload=AddGuest)
def add_guest(ctx: Context, payload: AddGuest) -> Effect:
    _require_unsealed(ctx)
    name = nfc(payload.name)
    if not name:
        raise Invalid(field="name")
    if len(guests_of(ctx.meeting.id)) >= MAX_GUESTS:
        raise Conflict()
    guest = MeetingGuest(
        meeting_id=ctx.meeting.id,
        name=name,
        position=nfc(payload.position) or "",
        added_by_id=ctx.actor.id,
    )
    db.session.add(guest)
    db.session.flush()
    return Effect(
        changes=[_change(ctx.meeting)],
        result={"guest_id": guest.id},
        audit={"guest_id": guest.id},
    )


class GuestRef(Payload):
    guest_id: StrictInt


@command("remove_guest", permission="manage_guests", payload=GuestRef)
def remove_guest(ctx: Context, payload: GuestRef) -> Effect:
    _require_unsealed(ctx)
    guest = db.session.get(MeetingGuest, payload.guest_id)
    if guest is None or guest.meeting_id != ctx.meeting.id:
        raise NotFound(field="guest_id")
    db.session.delete(guest)
    db.session.flush()
    return Effect(changes=[_change(ctx.meeting)], audit={"guest_id": payload.guest_id})
