"""The voting commands: open_vote, cast_vote, close_vote (thin: rules live elsewhere).

What a secret ballot's command leaves behind: the ack ``result`` and the ``audit`` (both kept in
the command log) hold the vote id only, never a choice or a receipt; nothing about the voter's
ballot is broadcast; the voter alone gets the private ``my_vote`` event.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from pydantic import Field, StrictBool, StrictInt, StrictStr
from sqlalchemy import func, select

from core.extensions import db
from core.timeutil import utcnow
from core.vietnamese import nfc
from meetings.commands import Context, Effect, Payload, command
from meetings.errors import Conflict, Forbidden, Invalid, NotFound
from meetings.models import AgendaItem, Attendance, MeetingStatus
from meetings.rules import AttendanceStatus, Method, VoteKind, compute_figures, is_eligible_voter
from meetings.voting import secrecy, tally
from meetings.voting.models import Ballot, Hand, Vote, VoteParticipation, VoteStatus
from meetings.voting.sections import vote_change, vote_progress_change
from meetings.voting.settings import rule_json, rules_for_cell
from org.models import Membership

MAX_CANDIDATES = 50
NEEDS_SUBJECT = (VoteKind.ADMISSION, VoteKind.RECOGNITION, VoteKind.DISCIPLINE)

NOT_LIVE = _l("The meeting is not in progress.")
ALREADY_OPEN = _l("Another vote is still open: close it first.")
NO_ITEM = _l("Take up an agenda item before opening a vote.")
NO_VOTERS = _l("No eligible voter is present.")
METHOD_REFUSED = _l("The cell's rules do not allow this method for this kind of vote.")
SUBJECT_NEEDED = _l("Name the person this vote is about.")
CLOSED = _l("This vote is closed.")
ALREADY_VOTED = _l("Your ballot is already recorded; a secret ballot cannot be changed.")
BAD_CHOICE = _l("This ballot is not valid.")
WHY_NOT = {
    "probationary": _l("Probationary members do not vote."),
    "hosted": _l("Temporarily hosted members do not vote at the host cell."),
    "not_present": _l("You were not present as an eligible voter when this vote opened."),
    "not_member": _l("Only members of this cell vote."),
}


def eligible_and_base(meeting) -> tuple[list[int], int]:
    """Eligible voters (user ids, sorted) and the base figure, from the live attendance."""
    memberships = db.session.scalars(
        select(Membership).where(Membership.cell_id == meeting.cell_id)
    ).all()
    statuses = {
        row.user_id: AttendanceStatus(row.status)
        for row in db.session.scalars(
            select(Attendance).where(Attendance.meeting_id == meeting.id)
        ).all()
    }
    unknown = AttendanceStatus.UNKNOWN
    facts = {m.user_id: m.facts(statuses.get(m.user_id, unknown)) for m in memberships}
    eligible = sorted(uid for uid, f in facts.items() if is_eligible_voter(f))
    return eligible, compute_figures(facts.values()).base


class OpenVote(Payload):
    kind: StrictStr
    method: StrictStr | None = None
    subject: StrictStr | None = Field(default=None, max_length=300)
    candidates: list[StrictStr] | None = Field(default=None, max_length=MAX_CANDIDATES)
    seats: StrictInt | None = Field(default=None, ge=1, le=MAX_CANDIDATES)
    auto_close: StrictBool = False


def _kind_and_method(ctx: Context, payload: OpenVote):
    try:
        kind = VoteKind(payload.kind)
    except ValueError:
        raise Invalid(field="kind") from None
    rules = rules_for_cell(ctx.meeting.cell_id)
    try:
        method = Method(payload.method) if payload.method else rules.default_methods[kind]
    except ValueError:
        raise Invalid(field="method") from None
    if not rules.method_allowed(kind, method):
        raise Invalid(METHOD_REFUSED, field="method")
    return kind, method, rules


def _options(kind: VoteKind, payload: OpenVote) -> tuple[list[dict], int, int | None]:
    """(options, max choices per ballot, seats) for a kind of vote."""
    if kind is not VoteKind.ELECTION:
        if payload.candidates is not None or payload.seats is not None:
            raise Invalid(field="candidates")
        return [{"key": k, "label": None} for k in tally.option_keys(kind)], 1, None
    names = [nfc(name) or "" for name in payload.candidates or []]
    if not names or any(not name or len(name) > 200 for name in names):
        raise Invalid(field="candidates")
    if len({name.casefold() for name in names}) != len(names):
        raise Invalid(field="candidates")
    seats = payload.seats or 1
    if seats > len(names):
        raise Invalid(field="seats")
    keys = tally.option_keys(kind, len(names))
    return [{"key": k, "label": n} for k, n in zip(keys, names, strict=True)], seats, seats


def open_vote_row(meeting) -> Vote | None:
    return db.session.scalar(
        select(Vote).where(Vote.meeting_id == meeting.id, Vote.status == VoteStatus.OPEN)
    )


@command("open_vote", permission="open_vote", payload=OpenVote)
def open_vote(ctx: Context, payload: OpenVote) -> Effect:
    """The chair opens a vote on the current item; eligible voters and base are fixed now."""
    meeting = ctx.meeting
    if meeting.status != MeetingStatus.LIVE:
        raise Conflict(NOT_LIVE)
    if open_vote_row(meeting) is not None:
        raise Conflict(ALREADY_OPEN)
    item = db.session.get(AgendaItem, meeting.current_item_id) if meeting.current_item_id else None
    if item is None:
        raise Conflict(NO_ITEM)
    kind, method, rules = _kind_and_method(ctx, payload)
    options, max_choices, seats = _options(kind, payload)
    subject = nfc(payload.subject) or ""
    if not subject:
        if kind in NEEDS_SUBJECT:
            raise Invalid(SUBJECT_NEEDED, field="subject")
        subject = item.title
    eligible, base = eligible_and_base(meeting)
    if not eligible:
        raise Conflict(NO_VOTERS)
    vote = Vote(
        meeting_id=meeting.id,
        agenda_item_id=item.id,
        kind=kind.value,
        method=method.value,
        subject=subject,
        options=options,
        max_choices=max_choices,
        seats=seats,
        rule=rule_json(rules, kind),
        eligible=eligible,
        base=base,
        auto_close=payload.auto_close,
        status=VoteStatus.OPEN,
        opened_at=utcnow(),
        opened_by_id=ctx.actor.id,
    )
    db.session.add(vote)
    db.session.flush()
    return Effect(
        changes=[vote_change(vote)],
        result={"vote_id": vote.id},
        audit={"vote_id": vote.id, "kind": kind.value, "method": method.value},
    )


def _vote(ctx: Context, vote_id: int) -> Vote:
    vote = db.session.get(Vote, vote_id)
    if vote is None or vote.meeting_id != ctx.meeting.id:
        raise NotFound(field="vote_id")
    return vote


def _why_not(ctx: Context) -> str:
    membership = db.session.scalar(
        select(Membership).where(
            Membership.cell_id == ctx.meeting.cell_id, Membership.user_id == ctx.actor.id
        )
    )
    if membership is None:
        return "not_member"
    if membership.party_status != "official":
        return "probationary"
    if membership.is_hosted:
        return "hosted"
    return "not_present"


class CastVote(Payload):
    vote_id: StrictInt
    choices: list[StrictStr] = Field(max_length=MAX_CANDIDATES)
    receipt_hash: StrictStr | None = Field(default=None, max_length=64)


def _check_choices(vote: Vote, choices: list[str]) -> list[str]:
    keys = {o["key"] for o in vote.options}
    minimum = 0 if vote.kind == VoteKind.ELECTION else 1
    if len(set(choices)) != len(choices) or not set(choices) <= keys:
        raise Invalid(BAD_CHOICE, field="choices")
    if not minimum <= len(choices) <= vote.max_choices:
        raise Invalid(BAD_CHOICE, field="choices")
    # Stored in the option order, so a ballot never keeps the order a voter clicked in.
    return [o["key"] for o in vote.options if o["key"] in choices]


def voted_count(vote: Vote) -> int:
    model = VoteParticipation if vote.is_secret else Hand
    return db.session.scalar(
        select(func.count()).select_from(model).where(model.vote_id == vote.id)
    )


@command("cast_vote", permission="cast_vote", payload=CastVote)
def cast_vote(ctx: Context, payload: CastVote) -> Effect:
    """An eligible voter casts a ballot (secret: once, final) or raises / changes a hand."""
    vote = _vote(ctx, payload.vote_id)
    if not vote.is_open:
        raise Conflict(CLOSED, reason="closed")
    if ctx.meeting.status != MeetingStatus.LIVE:
        raise Conflict(NOT_LIVE)
    if ctx.actor.id not in vote.eligible:
        reason = _why_not(ctx)
        raise Forbidden(WHY_NOT[reason], reason=reason)
    choices = _check_choices(vote, payload.choices)
    if vote.is_secret:
        _cast_secret(vote, ctx.actor.id, choices, payload.receipt_hash)
    else:
        hand = db.session.get(Hand, (vote.id, ctx.actor.id))
        if hand is None:
            db.session.add(Hand(vote_id=vote.id, user_id=ctx.actor.id, choice=choices[0]))
        else:
            hand.choice = choices[0]
        db.session.flush()
    if vote.auto_close and voted_count(vote) >= len(vote.eligible):
        close(vote, ctx.actor.id)
    return Effect(
        changes=[vote_change(vote) if not vote.is_open else vote_progress_change(vote)],
        # Never the choice or the receipt: this is stored in the command log.
        result={"vote_id": vote.id, "recorded": True},
        audit={"vote_id": vote.id},
        # The voter's other tabs and devices learn it too: only this vote's entry (no re-reading).
        private=[(ctx.actor.id, "my_vote", _my_entry(ctx.meeting.id, vote, choices))],
    )


def _my_entry(meeting_id: int, vote: Vote, choices: list[str]) -> dict:
    """One entry of the voter's `my_votes` section, sent to the voter alone after a ballot."""
    entry = {"meeting_id": meeting_id, "vote_id": vote.id, "eligible": True, "voted": True}
    if not vote.is_secret:
        entry["choice"] = choices[0]  # a raised hand is no secret, and only its owner gets this
    return entry


def _cast_secret(vote: Vote, user_id: int, choices: list[str], receipt_hash: str | None) -> None:
    if receipt_hash is None or not secrecy.RECEIPT_HASH.match(receipt_hash):
        raise Invalid(field="receipt_hash")
    if db.session.get(VoteParticipation, (vote.id, user_id)) is not None:
        raise Conflict(ALREADY_VOTED, reason="already_voted")
    taken = db.session.scalar(
        select(Ballot.id).where(Ballot.vote_id == vote.id, Ballot.receipt_hash == receipt_hash)
    )
    if taken is not None:
        raise Invalid(field="receipt_hash")  # a reused code: the client must draw a new one
    db.session.add(VoteParticipation(vote_id=vote.id, user_id=user_id))
    db.session.add(
        Ballot(
            id=secrecy.new_ballot_id(),
            vote_id=vote.id,
            choices=choices,
            receipt_hash=receipt_hash,
        )
    )
    db.session.flush()


def close(vote: Vote, actor_id: int | None) -> None:
    """Tally, unlink secret ballots from voters, and record the result (in the caller's txn)."""
    keys = [o["key"] for o in vote.options]
    if vote.is_secret:
        ballots = db.session.scalars(select(Ballot.choices).where(Ballot.vote_id == vote.id))
        counts, cast = tally.count(ballots, keys)
        secrecy.rewrite(vote.id)
    else:
        hands = db.session.scalars(select(Hand.choice).where(Hand.vote_id == vote.id))
        counts, cast = tally.count(([choice] for choice in hands), keys)
    vote.result = tally.result(
        VoteKind(vote.kind), vote.options, vote.base, vote.rule, counts, cast, vote.seats
    )
    vote.ballots_cast = cast
    vote.status = VoteStatus.CLOSED
    vote.closed_at = utcnow()
    vote.closed_by_id = actor_id
    db.session.flush()


class VoteRef(Payload):
    vote_id: StrictInt


@command("close_vote", permission="close_vote", payload=VoteRef)
def close_vote(ctx: Context, payload: VoteRef) -> Effect:
    """The chair closes a vote: everyone sees the counts and the verdict."""
    vote = _vote(ctx, payload.vote_id)
    if not vote.is_open:
        raise Conflict(CLOSED, reason="closed")
    close(vote, ctx.actor.id)
    return Effect(
        changes=[vote_change(vote)],
        result={"vote_id": vote.id},
        audit={"vote_id": vote.id},
    )
