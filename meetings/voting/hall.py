"""Votes cast in the hall of a hybrid meeting (docs/voting.md, "Hybrid meetings").

A show of hands in the hall is entered by the chair or a member of the counting team, one member
at a time or many at once ("all remaining present: for", the exceptions picked out). A secret
ballot in the hall is cast on paper: the counting team (tổ kiểm phiếu, two or more present
members) marks who put a ballot in the box, enters the totals per option and the spoiled ballots,
and every member of the team confirms that entry in their own session before the vote can close.

Everything stored here is public in the room or an aggregate: hands are counted in the open, and
paper totals are not linked to any voter. The online secret ballot (``secrecy``) stays apart;
the channels meet only in ``close_channels``, which adds them up before the rule is applied.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr
from sqlalchemy import delete, select

from core.extensions import db
from core.timeutil import utcnow
from domain.rules import (
    Channel,
    PaperEntry,
    channel_refusal,
    counting_team_problem,
    paper_problem,
    vote_channel,
)
from meetings.commands import Context, Effect, Payload, command
from meetings.errors import Conflict, Forbidden, Invalid, NotFound
from meetings.events import handler
from meetings.models import CountingTeamMember, Meeting, MeetingStatus
from meetings.permissions import MEETING_PERMISSIONS, allowed
from meetings.room import load_viewable
from meetings.voting import channels
from meetings.voting.models import Hand, PaperConfirmation, PaperTally, PaperVoter, Vote
from meetings.voting.sections import vote_change, vote_progress_change

MAX_ENTRIES = 2000

NOT_LIVE = _l("The meeting is not in progress.")
CLOSED = _l("This vote is closed.")
NOT_HANDS = _l("Hands are counted only in a show-of-hands vote.")
NOT_SECRET = _l("Paper ballots are counted only in a secret ballot.")
TEAM_OPEN_VOTE = _l("Change the counting team between votes, not while one is open.")
TEAM_NOT_MEMBER = _l("Only members present in the meeting can count votes.")
TEAM_PROBLEMS = {
    "too_few": _l(
        "The counting team needs at least two members present (the chair alone is not enough)."
    ),
    "not_present": _l("Every member of the counting team must be present."),
}
NOT_ELIGIBLE = _l("%(name)s is not an eligible voter in this vote.")
REFUSALS = {
    # Said to the one recording (the chair or a counter) about a member.
    Channel.ONLINE: _l("%(name)s has already voted online: a vote in the hall cannot be added."),
    Channel.HALL: _l("%(name)s's hand was already counted in the hall."),
    Channel.PAPER: _l("%(name)s has already cast a paper ballot in the hall."),
}
OWN_REFUSALS = {
    # Said to the voter trying to vote online.
    Channel.HALL: _l("Your hand was already counted in the hall: you cannot also vote online."),
    Channel.PAPER: _l("Your paper ballot in the hall is recorded: you cannot also vote online."),
}
PAPER_PROBLEMS = {
    "mismatch": _l(
        "%(ballots)s paper ballots entered (%(valid)s valid, %(spoiled)s spoiled) but "
        "%(voters)s members are marked as voting on paper: count again."
    ),
    "choices": _l("The votes per option do not fit the number of valid ballots."),
}
STALE_ENTRY = _l("The paper totals were changed since you looked: check them again.")
NEEDS_ENTRY = _l("Enter the paper ballots' totals before closing.")
NEEDS_CONFIRMATION = _l("Not yet confirmed by every member of the counting team: %(names)s.")
PENDING_CHANGED = _l("Someone voted meanwhile: %(count)s have not voted yet.")


# ---- who has not voted yet: read by the chair and the counting team ---------------------------


@handler("hall_waiting")
def on_hall_waiting(data: dict) -> dict:
    """A read-only socket event (docs/protocol.md): `{meeting_id, vote_id}` -> `waiting_for`."""
    if set(data) - {"meeting_id", "vote_id"}:
        raise Invalid(field=sorted(set(data) - {"meeting_id", "vote_id"})[0])
    meeting, roles = load_viewable(current_user, data.get("meeting_id"))
    return {"ok": True, **waiting_for(meeting, roles, data.get("vote_id"))}


def waiting_for(meeting: Meeting, roles: frozenset[str], vote_id) -> dict:
    """The open vote's voters who have not voted in any channel, for those who close votes or
    count in the hall (the page asks after ballots, a few times a second at most: an online
    ballot's broadcast stays small, see `vote_progress_change`)."""
    if not any(allowed(roles, a, MEETING_PERMISSIONS) for a in ("close_vote", "record_hall")):
        raise Forbidden()
    if not isinstance(vote_id, int) or isinstance(vote_id, bool):
        raise Invalid(field="vote_id")
    vote = db.session.get(Vote, vote_id)
    if vote is None or vote.meeting_id != meeting.id:
        raise NotFound(field="vote_id")
    return channels.hall_waiting(vote)


# ---- checks shared with the close -------------------------------------------------------------


def close_problem(vote: Vote) -> str | None:
    """Why the hall's part keeps this vote from closing (a message), or None."""
    if not vote.is_secret:
        return None
    voters = channels.paper_voters(vote)
    row = db.session.get(PaperTally, vote.id)
    if row is None:
        return str(NEEDS_ENTRY) if voters else None
    problem = _paper_problem(vote, channels.paper_entry(vote), len(voters))
    if problem:
        return problem
    missing = set(channels.team_ids(vote.meeting_id)) - set(channels.confirmed(vote, row))
    if missing:
        return str(NEEDS_CONFIRMATION) % {"names": channels.names(missing)}
    return None


def _paper_problem(vote: Vote, entry: PaperEntry, voters: int) -> str | None:
    reason = paper_problem(entry, [o["key"] for o in vote.options], vote.max_choices, voters)
    if reason == "mismatch":
        return str(PAPER_PROBLEMS["mismatch"]) % {
            "ballots": entry.valid + entry.spoiled,
            "valid": entry.valid,
            "spoiled": entry.spoiled,
            "voters": voters,
        }
    return str(PAPER_PROBLEMS[reason]) if reason else None


def refuse_online(vote: Vote, user_id: int) -> None:
    """An online ballot from a member whose vote is already in the hall is refused by name."""
    if vote.is_secret:
        blocked = Channel.PAPER if db.session.get(PaperVoter, (vote.id, user_id)) else None
    else:
        hand = db.session.get(Hand, (vote.id, user_id))
        blocked = Channel.HALL if hand is not None and hand.channel == Channel.HALL else None
    if blocked is not None:
        raise Conflict(OWN_REFUSALS[blocked], reason=f"voted_{blocked.value}")


def _refuse_second(vote: Vote, user_id: int, wanted: Channel, hall: dict, paper: set) -> None:
    existing = vote_channel(user_id, channels.online_voters(vote), hall, paper)
    blocked = channel_refusal(existing, wanted)
    if blocked is not None:
        raise Conflict(
            str(REFUSALS[blocked]) % {"name": channels.name(user_id)},
            reason=f"voted_{blocked.value}",
            user_id=user_id,
        )


# ---- commands -----------------------------------------------------------------------------------


def _open_vote(ctx: Context, vote_id: int) -> Vote:
    vote = db.session.get(Vote, vote_id)
    if vote is None or vote.meeting_id != ctx.meeting.id:
        raise NotFound(field="vote_id")
    if not vote.is_open:
        raise Conflict(CLOSED, reason="closed")
    if ctx.meeting.status != MeetingStatus.LIVE:
        raise Conflict(NOT_LIVE)
    return vote


def _check_eligible(vote: Vote, user_ids) -> None:
    for uid in user_ids:
        if uid not in vote.eligible:
            raise Invalid(
                str(NOT_ELIGIBLE) % {"name": channels.name(uid)}, field="user_id", user_id=uid
            )


class SetCountingTeam(Payload):
    user_ids: list[StrictInt] = Field(max_length=50)


@command("set_counting_team", permission="set_counting_team", payload=SetCountingTeam)
def set_counting_team(ctx: Context, payload: SetCountingTeam) -> Effect:
    """The chair names who counts in the hall (one counter for hands; two or more for paper)."""
    meeting = ctx.meeting
    if meeting.status != MeetingStatus.LIVE:
        raise Conflict(NOT_LIVE)
    if db.session.scalar(
        select(Vote.id).where(Vote.meeting_id == meeting.id, Vote.status == "open")
    ):
        raise Conflict(TEAM_OPEN_VOTE)
    wanted = sorted(set(payload.user_ids))
    if not set(wanted) <= channels.present_members(meeting):
        raise Invalid(TEAM_NOT_MEMBER, field="user_ids")
    db.session.execute(
        delete(CountingTeamMember).where(CountingTeamMember.meeting_id == meeting.id)
    )
    for uid in wanted:
        db.session.add(CountingTeamMember(meeting_id=meeting.id, user_id=uid))
    db.session.flush()
    return Effect(
        changes=[{"type": "counting_team", "data": wanted}],
        result={"user_ids": wanted},
        audit={"user_ids": wanted},
    )


class HallHand(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    user_id: StrictInt
    choice: StrictStr | None  # None takes a hall entry back (a correction)


class RecordHallHands(Payload):
    vote_id: StrictInt
    hands: list[HallHand] = Field(min_length=1, max_length=MAX_ENTRIES)


@command("record_hall_hands", permission="record_hall", payload=RecordHallHands)
def record_hall_hands(ctx: Context, payload: RecordHallHands) -> Effect:
    """Hands counted in the hall, one member or many at once; all or none are recorded."""
    vote = _open_vote(ctx, payload.vote_id)
    if vote.is_secret:
        raise Conflict(NOT_HANDS)
    keys = {o["key"] for o in vote.options}
    ids = [h.user_id for h in payload.hands]
    if len(set(ids)) != len(ids):
        raise Invalid(field="hands")
    _check_eligible(vote, ids)
    hall = channels.hall_hands(vote)
    for h in payload.hands:
        if h.choice is not None and h.choice not in keys:
            raise Invalid(field="choice")
        if h.choice is not None:
            _refuse_second(vote, h.user_id, Channel.HALL, hall, set())
    for h in payload.hands:
        row = db.session.get(Hand, (vote.id, h.user_id))
        if h.choice is None:
            if row is not None and row.channel == Channel.HALL:
                db.session.delete(row)
        elif row is None:
            db.session.add(
                Hand(
                    vote_id=vote.id,
                    user_id=h.user_id,
                    choice=h.choice,
                    channel=Channel.HALL.value,
                    recorded_by_id=ctx.actor.id,
                )
            )
        else:
            row.choice, row.recorded_by_id = h.choice, ctx.actor.id
    db.session.flush()
    return Effect(
        changes=[vote_progress_change(vote, hall=True)],
        result={"vote_id": vote.id, "recorded": len(ids)},
        audit={"vote_id": vote.id, "hands": {str(h.user_id): h.choice for h in payload.hands}},
    )


def _require_team(ctx: Context) -> list[int]:
    team = channels.team_ids(ctx.meeting.id)
    problem = counting_team_problem(team, channels.present_members(ctx.meeting))
    if problem:
        raise Conflict(TEAM_PROBLEMS[problem], reason=problem)
    return team


class MarkPaperVoters(Payload):
    vote_id: StrictInt
    user_ids: list[StrictInt] = Field(min_length=1, max_length=MAX_ENTRIES)
    voted: bool = True


@command("mark_paper_voters", permission="count_paper", payload=MarkPaperVoters)
def mark_paper_voters(ctx: Context, payload: MarkPaperVoters) -> Effect:
    """The counting team marks who put a paper ballot in the box (or takes a mark back)."""
    vote = _open_vote(ctx, payload.vote_id)
    if not vote.is_secret:
        raise Conflict(NOT_SECRET)
    _require_team(ctx)
    ids = sorted(set(payload.user_ids))
    _check_eligible(vote, ids)
    paper = channels.paper_voters(vote)
    for uid in ids:
        if payload.voted:
            _refuse_second(vote, uid, Channel.PAPER, {}, paper)
    for uid in ids:
        row = db.session.get(PaperVoter, (vote.id, uid))
        if payload.voted and row is None:
            db.session.add(PaperVoter(vote_id=vote.id, user_id=uid, recorded_by_id=ctx.actor.id))
        elif not payload.voted and row is not None:
            db.session.delete(row)
    db.session.flush()
    return Effect(
        changes=[vote_progress_change(vote, hall=True)],
        result={"vote_id": vote.id, "paper_voters": len(channels.paper_voters(vote))},
        audit={"vote_id": vote.id, "user_ids": ids, "voted": payload.voted},
    )


class EnterPaperTally(Payload):
    vote_id: StrictInt
    counts: dict[StrictStr, StrictInt]
    valid: StrictInt | None = Field(default=None, ge=0, le=100000)
    spoiled: StrictInt = Field(default=0, ge=0, le=100000)


def _team_private(meeting, team: list[int], vote: Vote) -> list[tuple[int, str, dict]]:
    """The entered totals go to the counting team and the chair only, while the vote is open."""
    detail = channels.paper_detail(vote)
    readers = sorted({*team, *([meeting.chair_id] if meeting.chair_id else [])})
    return [(uid, "paper_detail", detail) for uid in readers]


@command("enter_paper_tally", permission="count_paper", payload=EnterPaperTally)
def enter_paper_tally(ctx: Context, payload: EnterPaperTally) -> Effect:
    """A member of the counting team enters the paper totals; the others must confirm them."""
    vote = _open_vote(ctx, payload.vote_id)
    if not vote.is_secret:
        raise Conflict(NOT_SECRET)
    team = _require_team(ctx)
    keys = [o["key"] for o in vote.options]
    if set(payload.counts) - set(keys) or any(n < 0 or n > 100000 for n in payload.counts.values()):
        raise Invalid(field="counts")
    counts = {k: payload.counts.get(k, 0) for k in keys}
    # One choice per ballot except in an election, where the team counts the ballots too.
    valid = payload.valid if vote.max_choices > 1 else sum(counts.values())
    if valid is None:
        raise Invalid(field="valid")
    entry = PaperEntry(counts=counts, valid=valid, spoiled=payload.spoiled)
    problem = _paper_problem(vote, entry, len(channels.paper_voters(vote)))
    if problem:
        raise Invalid(problem, field="counts")
    row = db.session.get(PaperTally, vote.id)
    if row is None:
        row = PaperTally(vote_id=vote.id, revision=0)
        db.session.add(row)
    row.counts, row.valid, row.spoiled = counts, valid, payload.spoiled
    row.revision = (row.revision or 0) + 1
    row.entered_by_id, row.entered_at = ctx.actor.id, utcnow()
    # Entering is the enterer's own confirmation; earlier confirmations were of other numbers.
    db.session.execute(delete(PaperConfirmation).where(PaperConfirmation.vote_id == vote.id))
    db.session.add(PaperConfirmation(vote_id=vote.id, user_id=ctx.actor.id, revision=row.revision))
    db.session.flush()
    return Effect(
        changes=[vote_change(vote)],
        result={"vote_id": vote.id, "revision": row.revision},
        audit={"vote_id": vote.id, "revision": row.revision},
        private=_team_private(ctx.meeting, team, vote),
    )


class ConfirmPaperTally(Payload):
    vote_id: StrictInt
    revision: StrictInt


@command("confirm_paper_tally", permission="count_paper", payload=ConfirmPaperTally)
def confirm_paper_tally(ctx: Context, payload: ConfirmPaperTally) -> Effect:
    """A member of the counting team confirms the entry they saw (its revision), as themself."""
    vote = _open_vote(ctx, payload.vote_id)
    row = db.session.get(PaperTally, vote.id)
    if row is None or row.revision != payload.revision:
        raise Conflict(STALE_ENTRY, reason="stale", detail=channels.paper_detail(vote))
    existing = db.session.get(PaperConfirmation, (vote.id, ctx.actor.id))
    if existing is None:
        db.session.add(
            PaperConfirmation(vote_id=vote.id, user_id=ctx.actor.id, revision=row.revision)
        )
    else:
        existing.revision, existing.confirmed_at = row.revision, utcnow()
    db.session.flush()
    return Effect(
        changes=[vote_change(vote)],
        result={"vote_id": vote.id, "revision": row.revision},
        audit={"vote_id": vote.id, "revision": row.revision},
    )
