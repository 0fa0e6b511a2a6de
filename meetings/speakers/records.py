"""Who spoke, on which item, for how long: what the minutes take from the list of speakers.

Public API for other features (the minutes): `speeches(meeting_id) -> list[Speech]`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from core.extensions import db
from core.timeutil import utcnow
from meetings.models import Meeting
from meetings.speakers.models import RequestStatus, SpeakerRequest


@dataclass(frozen=True)
class Speech:
    """One speech. `is_observer`: an upper-level delegate; `office` is then their office."""

    agenda_item_id: int | None
    user_id: int
    name: str
    is_observer: bool
    office: str | None
    started_at: datetime
    ended_at: datetime | None  # None while the speech goes on
    seconds: int  # recorded length; for a speech still going on, the seconds so far


def speeches(meeting_id: int) -> list[Speech]:
    """Every speech of a meeting in the order given, ended or going on (withdrawn hands and
    requests never given the floor are not speeches). A speech left open when the meeting ended
    is taken to end with the meeting."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        return []
    rows = db.session.scalars(
        select(SpeakerRequest)
        .where(
            SpeakerRequest.meeting_id == meeting_id,
            SpeakerRequest.status.in_((RequestStatus.SPEAKING, RequestStatus.DONE)),
            SpeakerRequest.started_at.is_not(None),
        )
        .order_by(SpeakerRequest.started_at, SpeakerRequest.id)
    ).all()
    result = []
    for row in rows:
        ended_at, seconds = row.ended_at, row.seconds
        if ended_at is None:
            if meeting.is_closed and meeting.ended_at is not None:
                ended_at = max(meeting.ended_at, row.started_at)
                seconds = round((ended_at - row.started_at).total_seconds())
            else:
                seconds = max(0, round((utcnow() - row.started_at).total_seconds()))
        result.append(
            Speech(
                agenda_item_id=row.agenda_item_id,
                user_id=row.user_id,
                name=row.user.full_name,
                is_observer=row.is_observer,
                office=row.office,
                started_at=row.started_at,
                ended_at=ended_at,
                seconds=int(seconds or 0),
            )
        )
    return result
