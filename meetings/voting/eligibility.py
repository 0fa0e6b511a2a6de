"""Why a person may not vote: one answer, told by a refused ballot and shown by the panel.

The Party's rule is `domain.rules.why_not_voter` (the member's facts at this meeting); here it
meets the two things the room adds: an upper-level delegate ("observer") and a vote that leaves
one member out (their own grade). The page displays the reason it is sent (`my_votes`), never
works one out."""

from __future__ import annotations

from domain.rules import why_not_voter
from meetings import roster
from meetings.models import Meeting
from meetings.voting.models import Vote

ABSENT_AT_OPENING = "not_present"


def standing(meeting: Meeting, user_id: int | None, roles: frozenset[str]) -> str | None:
    """Why this person may not vote in this meeting as they stand now (None: they may)."""
    if "observer" in roles:
        return "observer"
    member = roster.member(meeting, user_id) if user_id is not None else None
    return why_not_voter(member.facts if member else None)


def on_vote(vote: Vote | None, user_id: int | None, standing_reason: str | None) -> str:
    """Why this person is not on a vote's list (fixed when it opened): left out of it (their
    own grade), else as they stand now, else they were not present when it opened. With no
    vote: the reason for any vote opened later that leaves nobody out."""
    excluded = (vote.rule or {}).get("excluded") if vote is not None else None
    if excluded and excluded.get("user_id") == user_id:
        return excluded["reason"]
    return standing_reason or ABSENT_AT_OPENING
