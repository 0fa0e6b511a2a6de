"""Who is told, the in-app notification with its live bell, and the email handed to a job."""

from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy import func, select

from auth.models import User
from core import broadcast
from core.extensions import db
from meetings.models import Meeting
from notifications import mail
from notifications.models import Invitation, Notification
from notifications.texts import INVITATION_KINDS, render
from org.models import Oversight
from org.profiles import MemberProfile
from org.queries import taking_part

LIST_LIMIT = 100


def cell_members(cell_id: int) -> list[int]:
    """Members who take part in the cell's activities (not transferred out or suspended)."""
    return taking_part(cell_id)


def overseers(meeting: Meeting) -> list[int]:
    """Leaders of the committees above the cell (they may attend as observers)."""
    above = [org.id for org in meeting.cell.ancestors()]
    if not above:
        return []
    return list(
        db.session.scalars(
            select(Oversight.user_id).where(Oversight.organization_id.in_(above)).distinct()
        ).all()
    )


def recipients(meeting: Meeting) -> list[int]:
    members = cell_members(meeting.cell_id)
    return members + [u for u in overseers(meeting) if u not in set(members)]


def invite(meeting: Meeting) -> None:
    """An invitation row per member (their replies go there); kept when the meeting moves."""
    have = set(
        db.session.scalars(select(Invitation.user_id).where(Invitation.meeting_id == meeting.id))
    )
    for user_id in cell_members(meeting.cell_id):
        if user_id not in have:
            db.session.add(Invitation(meeting_id=meeting.id, user_id=user_id))
    db.session.commit()


def notify(meeting: Meeting, kind: str, user_ids: list[int], data: dict | None = None) -> int:
    """Create the notifications, push each to its reader's open pages, queue the emails.
    A member who mutes all but invitations gets only those. Returns how many were created."""
    if not user_ids:
        return 0
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
    profiles = {
        p.user_id: p
        for p in db.session.scalars(
            select(MemberProfile).where(MemberProfile.user_id.in_(user_ids))
        )
    }
    created: list[Notification] = []
    for user_id in dict.fromkeys(user_ids):
        user, profile = users.get(user_id), profiles.get(user_id)
        if user is None or not user.is_active_account:
            continue
        if profile is not None and profile.invitations_only and kind not in INVITATION_KINDS:
            continue
        row = Notification(user_id=user_id, kind=kind, meeting_id=meeting.id, data=data or {})
        db.session.add(row)
        created.append(row)
    db.session.commit()
    counts = unread_counts([row.user_id for row in created])
    for row in created:
        user = users[row.user_id]
        with force_locale(user.language):
            text = render(row.kind, meeting, row.data)
            broadcast.to_user(
                row.user_id,
                "notification",
                {"id": row.id, "headline": text.headline, "unread": counts.get(row.user_id, 0)},
            )
            profile = profiles.get(row.user_id)
            if profile is not None and profile.email and profile.email_notifications:
                mail.queue(row.user_id, profile.email, text)
    return len(created)


def unread_counts(user_ids: list[int]) -> dict[int, int]:
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(Notification.user_id, func.count())
        .where(Notification.user_id.in_(user_ids), Notification.read_at.is_(None))
        .group_by(Notification.user_id)
    ).all()
    return dict(rows)


def unread_count(user_id: int) -> int:
    return unread_counts([user_id]).get(user_id, 0)


def latest(user_id: int) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(LIST_LIMIT)
        )
    )
