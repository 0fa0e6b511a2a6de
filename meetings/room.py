"""Entering a meeting's room: the right to attend, the observer's visit, the snapshot."""

from __future__ import annotations

from core.extensions import db
from meetings import snapshot
from meetings.commands import system_change
from meetings.errors import Forbidden, NotFound
from meetings.models import Meeting, ObserverVisit
from meetings.permissions import MEETING_PERMISSIONS, allowed, meeting_roles, oversight_of
from meetings.presence import presence


def load_viewable(user, meeting_id) -> tuple[Meeting, frozenset[str]]:
    if not isinstance(meeting_id, int) or isinstance(meeting_id, bool):
        raise NotFound(field="meeting_id")
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(field="meeting_id")
    roles = meeting_roles(user, meeting)
    if not allowed(roles, "view", MEETING_PERMISSIONS):
        raise Forbidden()
    return meeting, roles


def record_observer_visit(user, meeting: Meeting) -> None:
    """An upper-level leader in a live meeting is listed once as a delegate (never counted)."""
    if not meeting.is_live or db.session.get(ObserverVisit, (meeting.id, user.id)):
        return
    oversight = oversight_of(user, meeting.cell)
    office = oversight.office if oversight else ""

    def apply(locked: Meeting) -> list[dict]:
        if db.session.get(ObserverVisit, (locked.id, user.id)):
            return []
        db.session.add(ObserverVisit(meeting_id=locked.id, user_id=user.id, office=office))
        db.session.flush()
        return [{"type": "observers", "data": snapshot.observers_section(locked)}]

    system_change(meeting.id, apply, name="observer_joined")


def state_for(user, meeting_id) -> dict:
    meeting, roles = load_viewable(user, meeting_id)
    db.session.refresh(meeting)
    return snapshot.build(meeting, user, roles, presence.online(meeting.id))
