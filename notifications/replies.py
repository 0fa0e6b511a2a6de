"""A member's answer to an invitation (sẽ dự / xin vắng + lý do), and the room's `replies` section.

An excused answer is only a proposal: the chair sees it in the room and still marks the absence
(accepting the reason or not); nothing here touches attendance.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, StrictStr
from sqlalchemy import select

from core.extensions import db
from core.timeutil import iso, utcnow
from core.vietnamese import nfc
from meetings.commands import Context, Effect, Payload, command
from meetings.errors import Conflict, Invalid
from meetings.models import Meeting, MeetingStatus
from meetings.snapshot import section
from notifications.models import Invitation


class Answer(StrEnum):
    ATTEND = "attend"  # sẽ dự
    EXCUSED = "excused"  # xin vắng (with a reason)


REASON_MAX = 500


class Reply(Payload):
    answer: StrictStr
    reason: StrictStr | None = Field(default=None, max_length=REASON_MAX)


def replies_section(meeting: Meeting, viewer=None, roles=frozenset()) -> dict:
    """{user_id: {answer, reason, replied_at}} for every member who replied."""
    rows = db.session.scalars(
        select(Invitation).where(
            Invitation.meeting_id == meeting.id, Invitation.answer.is_not(None)
        )
    ).all()
    return {
        str(row.user_id): {
            "answer": row.answer,
            "reason": row.reason,
            "replied_at": iso(row.replied_at),
        }
        for row in rows
    }


section("replies")(replies_section)


@command("reply_invitation", permission="reply_invitation", payload=Reply)
def reply_invitation(ctx: Context, payload: Reply) -> Effect:
    if ctx.meeting.status not in (MeetingStatus.SCHEDULED, MeetingStatus.LIVE):
        raise Conflict()
    if payload.answer not in {a.value for a in Answer}:
        raise Invalid(field="answer")
    reason = nfc(payload.reason) or None
    if payload.answer == Answer.EXCUSED and not reason:
        raise Invalid(field="reason")
    if payload.answer == Answer.ATTEND:
        reason = None
    row = db.session.get(Invitation, (ctx.meeting.id, ctx.actor.id))
    if row is None:  # a member who joined the cell after the invitations went out
        row = Invitation(meeting_id=ctx.meeting.id, user_id=ctx.actor.id)
        db.session.add(row)
    row.answer, row.reason, row.replied_at = payload.answer, reason, utcnow()
    db.session.flush()
    return Effect(
        changes=[{"type": "replies", "data": replies_section(ctx.meeting)}],
        result={"answer": payload.answer},
        audit={"answer": payload.answer},
    )
