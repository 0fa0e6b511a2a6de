"""Reading the list of speakers, and the "speakers" snapshot section built from it."""

from __future__ import annotations

from sqlalchemy import select

from core.extensions import db
from core.timeutil import iso
from meetings.models import Meeting
from meetings.snapshot import section
from meetings.speakers.models import (
    DEFAULT_LIMIT_SECONDS,
    RequestStatus,
    SpeakerRequest,
    SpeakingSettings,
)


def limit_seconds(meeting_id: int) -> int:
    settings = db.session.get(SpeakingSettings, meeting_id)
    return settings.limit_seconds if settings else DEFAULT_LIMIT_SECONDS


def waiting(meeting_id: int, agenda_item_id: int | None) -> list[SpeakerRequest]:
    """The queue of one agenda item, in speaking order."""
    return list(
        db.session.scalars(
            select(SpeakerRequest)
            .where(
                SpeakerRequest.meeting_id == meeting_id,
                SpeakerRequest.agenda_item_id.is_(agenda_item_id)
                if agenda_item_id is None
                else SpeakerRequest.agenda_item_id == agenda_item_id,
                SpeakerRequest.status == RequestStatus.WAITING,
            )
            .order_by(SpeakerRequest.position, SpeakerRequest.id)
        ).all()
    )


def speaking(meeting_id: int) -> SpeakerRequest | None:
    """Who has the floor now (one speaker at a time in a meeting)."""
    return db.session.scalar(
        select(SpeakerRequest).where(
            SpeakerRequest.meeting_id == meeting_id,
            SpeakerRequest.status == RequestStatus.SPEAKING,
        )
    )


def _row(request: SpeakerRequest) -> dict:
    return {
        "id": request.id,
        "agenda_item_id": request.agenda_item_id,
        "user_id": request.user_id,
        "name": request.user.full_name,
        "is_observer": request.is_observer,
        "office": request.office,
    }


def speakers_data(meeting: Meeting) -> dict:
    """The whole list of speakers of a meeting: what the section and its change events carry.

    The queue holds every item's waiting requests (the client shows the current item's), so a
    change of current item needs no speakers event. The timer is `started_at` + `limit_seconds`;
    clients count down against the server's clock (see the `clock` socket event).
    """
    rows = db.session.scalars(
        select(SpeakerRequest)
        .where(
            SpeakerRequest.meeting_id == meeting.id,
            SpeakerRequest.status != RequestStatus.WITHDRAWN,
        )
        .order_by(SpeakerRequest.position, SpeakerRequest.id)
    ).all()
    queue, spoken, current = [], [], None
    for request in rows:
        if request.status == RequestStatus.WAITING:
            queue.append(_row(request) | {"requested_at": iso(request.requested_at)})
        elif request.status == RequestStatus.SPEAKING:
            current = _row(request) | {
                "started_at": iso(request.started_at),
                "limit_seconds": request.limit_seconds,
            }
        else:
            spoken.append(
                _row(request)
                | {
                    "started_at": iso(request.started_at),
                    "ended_at": iso(request.ended_at),
                    "seconds": request.seconds,
                }
            )
    spoken.sort(key=lambda r: (r["started_at"] or "", r["id"]))
    return {
        "limit_seconds": limit_seconds(meeting.id),
        "queue": queue,
        "speaking": current,
        "spoken": spoken,
    }


def speakers_change(meeting: Meeting) -> dict:
    db.session.flush()
    return {"type": "speakers", "data": speakers_data(meeting)}


@section("speakers")
def speakers_section(meeting: Meeting, viewer, roles: frozenset[str]) -> dict:
    return speakers_data(meeting)
