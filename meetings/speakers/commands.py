"""Commands of the list of speakers: raise and lower a hand, give the floor, end a speech,
reorder the queue, set the speaking time limit. Thin: rules of order live in `sections`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from pydantic import Field, StrictInt

from core.extensions import db
from core.timeutil import utcnow
from meetings.commands import Context, Effect, Payload, command
from meetings.errors import Conflict, NotFound
from meetings.models import MeetingStatus
from meetings.permissions import oversight_of
from meetings.speakers import sections
from meetings.speakers.models import (
    MAX_LIMIT_SECONDS,
    MIN_LIMIT_SECONDS,
    RequestStatus,
    SpeakerRequest,
    SpeakingSettings,
)

MAX_WAITING = 200  # per item: a bound on what one client can make every other client download


def _require_live(ctx: Context) -> None:
    if ctx.meeting.status != MeetingStatus.LIVE:
        raise Conflict(_l("The list of speakers opens when the meeting starts."))


def _mine(ctx: Context) -> SpeakerRequest | None:
    """The actor's open request (waiting or speaking) for the current item, if any."""
    for request in sections.waiting(ctx.meeting.id, ctx.meeting.current_item_id):
        if request.user_id == ctx.actor.id:
            return request
    current = sections.speaking(ctx.meeting.id)
    if (
        current is not None
        and current.user_id == ctx.actor.id
        and current.agenda_item_id == ctx.meeting.current_item_id
    ):
        return current
    return None


@command("raise_hand", permission="raise_hand")
def raise_hand(ctx: Context, _payload) -> Effect:
    """Ask for the floor on the current item. Raising an already raised hand changes nothing."""
    _require_live(ctx)
    existing = _mine(ctx)
    if existing is not None:
        return Effect.nothing({"request_id": existing.id, "status": existing.status})
    waiting = sections.waiting(ctx.meeting.id, ctx.meeting.current_item_id)
    if len(waiting) >= MAX_WAITING:
        raise Conflict()
    is_observer = "observer" in ctx.roles and "member" not in ctx.roles
    office = None
    if is_observer:
        oversight = oversight_of(ctx.actor, ctx.meeting.cell)
        office = oversight.office if oversight else None
    request = SpeakerRequest(
        meeting_id=ctx.meeting.id,
        agenda_item_id=ctx.meeting.current_item_id,
        user_id=ctx.actor.id,
        is_observer=is_observer,
        office=office,
        status=RequestStatus.WAITING,
        position=(waiting[-1].position + 1) if waiting else 0,
        requested_at=utcnow(),
    )
    db.session.add(request)
    db.session.flush()
    return Effect(
        changes=[sections.speakers_change(ctx.meeting)],
        result={"request_id": request.id, "status": request.status},
        audit={"request_id": request.id, "observer": is_observer},
    )


@command("lower_hand", permission="lower_hand")
def lower_hand(ctx: Context, _payload) -> Effect:
    """Withdraw one's own waiting request; with none waiting, nothing changes."""
    for request in sections.waiting(ctx.meeting.id, ctx.meeting.current_item_id):
        if request.user_id == ctx.actor.id:
            request.status = RequestStatus.WITHDRAWN
            return Effect(
                changes=[sections.speakers_change(ctx.meeting)],
                result={"request_id": request.id, "status": request.status},
                audit={"request_id": request.id},
            )
    return Effect.nothing({"request_id": None, "status": None})


def _finish(request: SpeakerRequest, now) -> None:
    request.status = RequestStatus.DONE
    request.ended_at = now
    request.seconds = max(0, round((now - request.started_at).total_seconds()))


class GiveFloor(Payload):
    request_id: StrictInt | None = None  # None: the first in the current item's queue


@command("give_floor", permission="give_floor", payload=GiveFloor)
def give_floor(ctx: Context, payload: GiveFloor) -> Effect:
    """Give the floor to the first waiting request (or the one named); whoever spoke stops."""
    _require_live(ctx)
    waiting = sections.waiting(ctx.meeting.id, ctx.meeting.current_item_id)
    if payload.request_id is None:
        if not waiting:
            raise Conflict(_l("Nobody is waiting to speak."))
        chosen = waiting[0]
    else:
        chosen = next((r for r in waiting if r.id == payload.request_id), None)
        if chosen is None:
            raise NotFound(field="request_id")
    now = utcnow()
    previous = sections.speaking(ctx.meeting.id)
    if previous is not None:
        _finish(previous, now)
    chosen.status = RequestStatus.SPEAKING
    chosen.started_at = now
    chosen.limit_seconds = sections.limit_seconds(ctx.meeting.id)
    return Effect(
        changes=[sections.speakers_change(ctx.meeting)],
        result={"request_id": chosen.id},
        audit={"request_id": chosen.id, "ended": previous.id if previous else None},
    )


@command("end_speech", permission="end_speech")
def end_speech(ctx: Context, _payload) -> Effect:
    """End the current speech and record how long it lasted."""
    current = sections.speaking(ctx.meeting.id)
    if current is None:
        raise Conflict(_l("Nobody has the floor."))
    _finish(current, utcnow())
    return Effect(
        changes=[sections.speakers_change(ctx.meeting)],
        result={"request_id": current.id, "seconds": current.seconds},
        audit={"request_id": current.id, "seconds": current.seconds},
    )


class Reorder(Payload):
    request_id: StrictInt
    position: StrictInt = Field(ge=0, le=MAX_WAITING)  # 0: to the front


@command("reorder_speakers", permission="reorder_speakers", payload=Reorder)
def reorder_speakers(ctx: Context, payload: Reorder) -> Effect:
    """Move a waiting request to a place in its item's queue (e.g. a delegate to the front)."""
    request = db.session.get(SpeakerRequest, payload.request_id)
    if (
        request is None
        or request.meeting_id != ctx.meeting.id
        or request.status != RequestStatus.WAITING
    ):
        raise NotFound(field="request_id")
    item_queue = sections.waiting(ctx.meeting.id, request.agenda_item_id)
    others = [r for r in item_queue if r.id != request.id]
    others.insert(min(payload.position, len(others)), request)
    for position, row in enumerate(others):
        row.position = position
    return Effect(
        changes=[sections.speakers_change(ctx.meeting)],
        audit={"request_id": request.id, "position": request.position},
    )


class SpeakingLimit(Payload):
    seconds: StrictInt = Field(ge=MIN_LIMIT_SECONDS, le=MAX_LIMIT_SECONDS)


@command("set_speaking_limit", permission="set_speaking_limit", payload=SpeakingLimit)
def set_speaking_limit(ctx: Context, payload: SpeakingLimit) -> Effect:
    """The meeting's default time per speech; applies from the next floor given."""
    if ctx.meeting.is_closed:
        raise Conflict()
    settings = db.session.get(SpeakingSettings, ctx.meeting.id)
    if settings is None:
        settings = SpeakingSettings(meeting_id=ctx.meeting.id)
        db.session.add(settings)
    settings.limit_seconds = payload.seconds
    return Effect(
        changes=[sections.speakers_change(ctx.meeting)],
        audit={"seconds": payload.seconds},
    )
