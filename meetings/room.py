"""Entering a meeting's room: the right to attend, the observer's visit, the snapshot."""

from __future__ import annotations

from auth.models import User
from core import recent_changes
from core.extensions import db
from core.timeutil import utcnow
from meetings import snapshot, snapshot_cache
from meetings.commands import system_change
from meetings.errors import Forbidden, NotFound
from meetings.models import Meeting, ObserverVisit
from meetings.permissions import MEETING_PERMISSIONS, allowed, meeting_roles, oversight_of
from meetings.presence import presence
from meetings.wire_json import RawJSON
from org import roster_versions


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
    """An upper-level leader in a live meeting is listed once as a delegate (never counted).

    One who came before the start is recorded by the start itself (``record_visits``)."""
    if not meeting.is_live or db.session.get(ObserverVisit, (meeting.id, user.id)):
        return

    def apply(locked: Meeting) -> list[dict]:
        if not record_visits(locked, [user.id], utcnow()):
            return []
        return [{"type": "observers", "data": snapshot.observers_section(locked)}]

    system_change(meeting.id, apply, name="observer_joined")


def record_visits(meeting: Meeting, user_ids, at) -> bool:
    """Record a visit for each of these users who is an upper-level observer of the meeting's
    cell and not yet recorded, as attending from ``at``; True when any was added. Runs inside
    the caller's locked transaction (a command or ``system_change``)."""
    added = False
    for user_id in sorted(set(user_ids)):
        if db.session.get(ObserverVisit, (meeting.id, user_id)) is not None:
            continue
        user = db.session.get(User, user_id)
        if user is None or "observer" not in meeting_roles(user, meeting):
            continue
        oversight = oversight_of(user, meeting.cell)
        office = oversight.office if oversight else ""
        db.session.add(
            ObserverVisit(meeting_id=meeting.id, user_id=user_id, office=office, first_joined_at=at)
        )
        added = True
    db.session.flush()
    return added


def state_for(user, meeting_id) -> RawJSON:
    """The viewer's snapshot for the wire: the shared part from the cache, their own part built."""
    meeting, roles = load_viewable(user, meeting_id)
    return snapshot_of(user, meeting, roles)


def snapshot_of(user, meeting: Meeting, roles: frozenset[str]) -> RawJSON:
    """`state_for` for a meeting and roles the caller has just checked (`load_viewable`)."""
    db.session.refresh(meeting)
    return snapshot_cache.snapshot_for(meeting, user, roles, presence.online(meeting.id))


def catch_up_for(user, meeting: Meeting, roles: frozenset[str], since: dict) -> dict | None:
    """For a client that held `since` = `{version, tag, roster_version}`: the `changes` messages it
    missed and its own sections afresh, or None when a snapshot is needed (the changes are no
    longer kept, or the roster changed: memberships are not carried by `changes`). `meeting` and
    `roles` as checked by the caller (`load_viewable`)."""
    db.session.refresh(meeting)
    if roster_versions.token(meeting.cell_id) != since["roster_version"]:
        return None
    messages = recent_changes.since(
        meeting.id, since["version"], since["tag"], meeting.version, meeting.version_tag
    )
    if messages is None:
        return None
    own = snapshot.for_viewer(meeting, user, roles, presence.online(meeting.id))
    return {"version": meeting.version, "messages": messages, **own}
