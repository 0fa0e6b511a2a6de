"""The secretary's view of a coming meeting: who was invited, who answered what, who read the
documents. Live: the leaders' open pages hear `invitations_changed` and fetch the table again."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from auth.models import User
from core import broadcast
from core.extensions import db
from core.vietnamese import name_sort_key
from meetings.commands import after_commit
from meetings.documents.models import DocumentRead, MeetingDocument
from meetings.models import Meeting
from notifications.models import Invitation
from org.models import CellRole, Membership


@dataclass
class Row:
    user: User
    invitation: Invitation | None
    reads: dict[int, object]  # document id -> read_at


def overview(meeting: Meeting) -> tuple[list[Row], list[MeetingDocument]]:
    members = db.session.scalars(
        select(Membership).where(
            Membership.cell_id == meeting.cell_id,
            Membership.is_transferred_out.is_(False),
            Membership.is_suspended.is_(False),
        )
    ).all()
    invitations = {
        i.user_id: i
        for i in db.session.scalars(select(Invitation).where(Invitation.meeting_id == meeting.id))
    }
    documents = list(
        db.session.scalars(
            select(MeetingDocument)
            .where(
                MeetingDocument.meeting_id == meeting.id, MeetingDocument.released_at.is_not(None)
            )
            .order_by(MeetingDocument.id)
        )
    )
    reads: dict[int, dict[int, object]] = {}
    if documents:
        for read in db.session.scalars(
            select(DocumentRead).where(DocumentRead.document_id.in_([d.id for d in documents]))
        ):
            reads.setdefault(read.user_id, {})[read.document_id] = read.read_at
    rows = [Row(m.user, invitations.get(m.user_id), reads.get(m.user_id, {})) for m in members]
    rows.sort(key=lambda r: name_sort_key(r.user.full_name))
    return rows, documents


def leaders(meeting: Meeting) -> set[int]:
    ids = set(
        db.session.scalars(
            select(Membership.user_id).where(
                Membership.cell_id == meeting.cell_id,
                Membership.cell_role.in_([CellRole.SECRETARY, CellRole.DEPUTY]),
            )
        )
    )
    if meeting.chair_id:
        ids.add(meeting.chair_id)
    return ids


@after_commit
def tell_the_leaders(name: str, meeting_id: int, actor_id, details: dict) -> None:
    if name not in ("reply_invitation", "read_document"):
        return
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        return
    for user_id in leaders(meeting):
        broadcast.to_user(user_id, "invitations_changed", {"meeting_id": meeting_id})
