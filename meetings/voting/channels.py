"""Who voted where in a vote of a hybrid meeting, read from the database (no commands here).

Online: a secret ballot's participation row, or a hand the voter raised on their own device.
Hall: a hand counted in the room. Paper: a member the counting team marked at the ballot box.
The paper totals (``PaperTally``) are an aggregate; while the vote is open only the counting team
and the chair see them (``paper_detail``), everyone else sees how many ballots were entered.
"""

from __future__ import annotations

from sqlalchemy import select

from auth.models import User
from core.extensions import db
from core.timeutil import iso
from domain.rules import AttendanceStatus, Channel, PaperEntry, is_present, not_voted
from meetings.models import Attendance, CountingTeamMember
from meetings.voting.models import (
    Hand,
    PaperConfirmation,
    PaperTally,
    PaperVoter,
    Vote,
    VoteParticipation,
)
from org.models import Membership


def team_ids(meeting_id: int) -> list[int]:
    return sorted(
        db.session.scalars(
            select(CountingTeamMember.user_id).where(CountingTeamMember.meeting_id == meeting_id)
        )
    )


def present_members(meeting) -> set[int]:
    rows = db.session.execute(
        select(Attendance.user_id, Attendance.status)
        .join(
            Membership,
            (Membership.user_id == Attendance.user_id) & (Membership.cell_id == meeting.cell_id),
        )
        .where(Attendance.meeting_id == meeting.id)
    ).all()
    return {uid for uid, status in rows if is_present(AttendanceStatus(status))}


def online_voters(vote: Vote) -> set[int]:
    if vote.is_secret:
        return set(
            db.session.scalars(
                select(VoteParticipation.user_id).where(VoteParticipation.vote_id == vote.id)
            )
        )
    return set(
        db.session.scalars(
            select(Hand.user_id).where(Hand.vote_id == vote.id, Hand.channel == Channel.ONLINE)
        )
    )


def hall_hands(vote: Vote) -> dict[int, str]:
    return dict(
        db.session.execute(
            select(Hand.user_id, Hand.choice).where(
                Hand.vote_id == vote.id, Hand.channel == Channel.HALL
            )
        ).all()
    )


def paper_voters(vote: Vote) -> set[int]:
    return set(db.session.scalars(select(PaperVoter.user_id).where(PaperVoter.vote_id == vote.id)))


def pending(vote: Vote) -> list[int]:
    """Eligible voters who have not voted in any channel yet."""
    return not_voted(vote.eligible, online_voters(vote), hall_hands(vote), paper_voters(vote))


def paper_entry(vote: Vote) -> PaperEntry | None:
    row = db.session.get(PaperTally, vote.id)
    if row is None:
        return None
    return PaperEntry(counts=dict(row.counts), valid=row.valid, spoiled=row.spoiled)


def confirmed(vote: Vote, row: PaperTally) -> list[int]:
    return sorted(
        db.session.scalars(
            select(PaperConfirmation.user_id).where(
                PaperConfirmation.vote_id == vote.id,
                PaperConfirmation.revision == row.revision,
            )
        )
    )


def names(user_ids) -> str:
    users = db.session.scalars(select(User).where(User.id.in_(list(user_ids)))).all()
    return ", ".join(sorted(u.full_name for u in users))


def name(user_id: int) -> str:
    user = db.session.get(User, user_id)
    return user.full_name if user else str(user_id)


def hall_public(vote: Vote) -> dict:
    """The hall's part of a vote as everyone sees it: who voted where, never a paper choice
    before the close (the totals are with the counting team until the vote closes)."""
    row = db.session.get(PaperTally, vote.id)
    paper = None
    if row is not None:
        paper = {
            "revision": row.revision,
            "ballots": row.valid + row.spoiled,
            "entered_by": name(row.entered_by_id),
            "entered_at": iso(row.entered_at),
            "confirmed_ids": confirmed(vote, row),
        }
    # Who voted online and who has not voted yet are not here: they change with every ballot, and
    # a list of the roster sent to every client on every ballot made a burst of 300 ballots cost
    # O(N²). The chair and the counting team ask for them (`hall_waiting`); the online count is
    # `voted` minus the hall's hands and paper voters.
    return {
        "hands": {str(uid): choice for uid, choice in sorted(hall_hands(vote).items())},
        "paper_ids": sorted(paper_voters(vote)),
        "paper": paper,
    }


def hall_waiting(vote: Vote) -> dict:
    """Who has not voted yet in any channel, for the chair's close prompt and the hall's lists."""
    return {"vote_id": vote.id, "pending_ids": pending(vote)}


def paper_detail(vote: Vote) -> dict | None:
    """The entered paper totals, for the counting team and the chair only while the vote is open."""
    row = db.session.get(PaperTally, vote.id)
    if row is None:
        return None
    return {
        "meeting_id": vote.meeting_id,  # a private event names its meeting (room.js)
        "vote_id": vote.id,
        "revision": row.revision,
        "counts": dict(row.counts),
        "valid": row.valid,
        "spoiled": row.spoiled,
    }
