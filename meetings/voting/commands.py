"""The voting commands: open_vote, cast_vote, close_vote, reopen_vote (thin: rules live elsewhere).

What a secret ballot's command leaves behind: the ack ``result`` and the ``audit`` (both kept in
the command log) hold the vote id only, never a choice or a receipt; the payload's fingerprint in
the log is keyed with the vote's in-memory secret; nothing about the voter's ballot is broadcast;
the voter alone gets the private ``my_vote`` event. Sealing and counting: ``secret_ballots``.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from pydantic import Field, StrictBool, StrictInt, StrictStr
from sqlalchemy import select

from core.extensions import db
from core.timeutil import utcnow
from core.vietnamese import nfc
from domain.rules import (
    Channel,
    Method,
    VoteKind,
    combine_channels,
    is_eligible_voter,
)
from meetings import roster
from meetings.commands import Context, Effect, Payload, command
from meetings.errors import CommandError, Conflict, Forbidden, Invalid, NotFound
from meetings.models import AgendaItem, MeetingStatus
from meetings.voting import channels, hall, sealing, secret_ballots, tally
from meetings.voting.eligibility import on_vote, standing
from meetings.voting.models import Hand, Vote, VoteStatus
from meetings.voting.sections import vote_change, vote_progress_change
from meetings.voting.strings import WHY_NOT
from org.vote_rules import rule_json, rules_for_cell

MAX_CANDIDATES = 50
NEEDS_SUBJECT = (VoteKind.ADMISSION, VoteKind.RECOGNITION, VoteKind.DISCIPLINE)

NOT_LIVE = _l("The meeting is not in progress.")
ALREADY_OPEN = _l("Another vote is still open: close it first.")
NO_ITEM = _l("Take up an agenda item before opening a vote.")
NO_VOTERS = _l("No eligible voter is present.")
METHOD_REFUSED = _l("The cell's rules do not allow this method for this kind of vote.")
SUBJECT_NEEDED = _l("Name the person this vote is about.")
CLOSED = _l("This vote is closed.")
NOT_VOID = _l("Only a void vote is taken again.")
BAD_CHOICE = _l("This ballot is not valid.")


def eligible_and_base(meeting) -> tuple[list[int], int]:
    """Eligible voters (user ids, sorted) and the base figure, from the live attendance."""
    members = roster.member_facts(meeting, with_users=False)
    eligible = sorted(m.user_id for m in members if is_eligible_voter(m.facts))
    return eligible, roster.figures(meeting, members).base


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


class VoteRef(Payload):
    vote_id: StrictInt


def open_vote_row(meeting) -> Vote | None:
    return db.session.scalar(
        select(Vote).where(Vote.meeting_id == meeting.id, Vote.status == VoteStatus.OPEN)
    )


@command("open_vote", permission="open_vote", payload=OpenVote)
def open_vote(ctx: Context, payload: OpenVote) -> Effect:
    """The chair opens a vote on the current item; eligible voters and base are fixed now."""
    return start_vote(ctx, payload)


def start_vote(ctx: Context, payload: OpenVote, excluded: tuple[int, str] | None = None) -> Effect:
    """Open a vote (the body of `open_vote`, shared by commands that open a vote of their own,
    e.g. a grade in the year-end review). `excluded`: (user id, reason) of a member who does not
    vote on this question although present (their own grade); the base figure is unchanged. The
    exclusion is part of the vote's rule, so a retaken vote keeps it."""
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
        auto_close=payload.auto_close,
    )
    if excluded is not None:
        vote.rule["excluded"] = {"user_id": excluded[0], "reason": excluded[1]}
    return _start(ctx, vote)


def _start(ctx: Context, vote: Vote) -> Effect:
    """Fix the eligible voters and the base now, store the vote, make a secret vote's key."""
    vote.eligible, vote.base = eligible_and_base(ctx.meeting)
    excluded = (vote.rule or {}).get("excluded")
    if excluded:
        vote.eligible = [uid for uid in vote.eligible if uid != excluded["user_id"]]
    if not vote.eligible:
        raise Conflict(NO_VOTERS)
    vote.status = VoteStatus.OPEN
    vote.opened_at = utcnow()
    vote.opened_by_id = ctx.actor.id
    db.session.add(vote)
    db.session.flush()
    if vote.is_secret:
        # Before the commit: no ballot can be cast until the other processes may hold the key.
        secret_ballots.new_key(vote)
    effect = Effect(
        changes=[vote_change(vote)],
        result={"vote_id": vote.id},
        audit={"vote_id": vote.id, "kind": vote.kind, "method": vote.method},
    )
    if excluded:  # the member left out hears why on their own page
        left_out = {
            "eligible": False,
            "voted": False,
            "why_not": on_vote(vote, excluded["user_id"], None),
        }
        entry = {"meeting_id": ctx.meeting.id, "vote_id": vote.id} | left_out
        effect.private.append((excluded["user_id"], "my_vote", entry))
    return effect


@command("reopen_vote", permission="open_vote", payload=VoteRef)
def reopen_vote(ctx: Context, payload: VoteRef) -> Effect:
    """A void vote is taken again: a new vote with the same question, rule and choices, on the
    same agenda item; who may vote and the base are fixed anew from the attendance now."""
    void = _vote(ctx, payload.vote_id)
    if void.status != VoteStatus.VOID:
        raise Conflict(NOT_VOID, reason="not_void")
    if ctx.meeting.status != MeetingStatus.LIVE:
        raise Conflict(NOT_LIVE)
    if open_vote_row(ctx.meeting) is not None:
        raise Conflict(ALREADY_OPEN)
    copy = Vote(
        meeting_id=ctx.meeting.id,
        agenda_item_id=void.agenda_item_id,
        kind=void.kind,
        method=void.method,
        subject=void.subject,
        options=void.options,
        max_choices=void.max_choices,
        seats=void.seats,
        rule=void.rule,
        auto_close=void.auto_close,
    )
    effect = _start(ctx, copy)
    effect.audit["retakes"] = void.id
    return effect


def _vote(ctx: Context, vote_id: int) -> Vote:
    vote = db.session.get(Vote, vote_id)
    if vote is None or vote.meeting_id != ctx.meeting.id:
        raise NotFound(field="vote_id")
    return vote


def _open_vote(ctx: Context, vote_id: int) -> Vote:
    vote = _vote(ctx, vote_id)
    if vote.status == VoteStatus.VOID:
        raise Conflict(secret_ballots.VOID, reason="void")
    if not vote.is_open:
        raise Conflict(CLOSED, reason="closed")
    return vote


def _why_not(ctx: Context, vote: Vote) -> str:
    """Why the actor is not on this vote's list (`eligibility.on_vote`)."""
    return on_vote(vote, ctx.actor.id, standing(ctx.meeting, ctx.actor.id, ctx.roles))


def _never_votes(ctx: Context) -> CommandError:
    """Why someone without the right to vote at all is refused: as they stand in the meeting."""
    reason = standing(ctx.meeting, ctx.actor.id, ctx.roles) or "not_member"
    return Forbidden(WHY_NOT[reason], reason=reason)


class CastVote(Payload):
    vote_id: StrictInt
    choices: list[StrictStr] = Field(max_length=MAX_CANDIDATES)
    receipt_hash: StrictStr | None = Field(default=None, max_length=64)


def _ballot_fingerprint_secret(raw: dict) -> bytes | None:
    """A secret ballot's command is fingerprinted with the vote's secret (see sealing)."""
    vote_id = raw.get("vote_id")
    if not isinstance(vote_id, int) or isinstance(vote_id, bool):
        return None
    vote = db.session.get(Vote, vote_id)
    if vote is None or not vote.is_secret:
        return None
    try:
        return sealing.command_key(secret_ballots.secret_of(vote))
    except secret_ballots.KeyLost:
        return None


def _check_choices(vote: Vote, choices: list[str]) -> list[str]:
    keys = {o["key"] for o in vote.options}
    minimum = 0 if vote.kind == VoteKind.ELECTION else 1
    if len(set(choices)) != len(choices) or not set(choices) <= keys:
        raise Invalid(BAD_CHOICE, field="choices")
    if not minimum <= len(choices) <= vote.max_choices:
        raise Invalid(BAD_CHOICE, field="choices")
    # Stored in the option order, so a ballot never keeps the order a voter clicked in.
    return [o["key"] for o in vote.options if o["key"] in choices]


@command(
    "cast_vote",
    permission="cast_vote",
    payload=CastVote,
    refusal=_never_votes,
    fingerprint_secret=_ballot_fingerprint_secret,
    grouped=True,  # a whole meeting votes within seconds
)
def cast_vote(ctx: Context, payload: CastVote) -> Effect:
    """An eligible voter casts a ballot (secret: once, final) or raises / changes a hand."""
    vote = _open_vote(ctx, payload.vote_id)
    if ctx.meeting.status != MeetingStatus.LIVE:
        raise Conflict(NOT_LIVE)
    if ctx.actor.id not in vote.eligible:
        reason = _why_not(ctx, vote)
        raise Forbidden(WHY_NOT[reason], reason=reason)
    choices = _check_choices(vote, payload.choices)
    hall.refuse_online(vote, ctx.actor.id)
    effect = Effect(
        # Never the choice or the receipt: this is stored in the command log.
        result={"vote_id": vote.id, "recorded": True},
        audit={"vote_id": vote.id},
        # The voter's other tabs and devices learn it too: only this vote's entry (no re-reading).
        private=[(ctx.actor.id, "my_vote", _my_entry(ctx.meeting.id, vote, choices))],
    )
    try:
        if vote.is_secret:
            secret_ballots.cast(vote, ctx.actor.id, choices, payload.receipt_hash)
        else:
            hand = db.session.get(Hand, (vote.id, ctx.actor.id))
            if hand is None:
                db.session.add(Hand(vote_id=vote.id, user_id=ctx.actor.id, choice=choices[0]))
            else:
                hand.choice = choices[0]
            db.session.flush()
        if vote.auto_close and not channels.pending(vote) and hall.close_problem(vote) is None:
            close(vote, ctx.actor.id, effect)
    except secret_ballots.KeyLost:
        raise secret_ballots.refuse_void(ctx.meeting.id, vote.id) from None
    effect.changes = (
        [vote_change(vote), *after_close(vote)]
        if not vote.is_open
        else [vote_progress_change(vote)]
    )
    return effect


def _my_entry(meeting_id: int, vote: Vote, choices: list[str]) -> dict:
    """One entry of the voter's `my_votes` section, sent to the voter alone after a ballot."""
    entry = {"meeting_id": meeting_id, "vote_id": vote.id, "eligible": True, "voted": True}
    if not vote.is_secret:
        entry["choice"] = choices[0]  # a raised hand is no secret, and only its owner gets this
    return entry


def count(vote: Vote) -> tuple[dict[str, int], int]:
    """The vote's counts per option and ballots cast, from what was cast online.

    A secret vote's ballots are opened, shuffled and deleted here (``secret_ballots.open_all``);
    its receipts are published apart from them. Raises ``secret_ballots.KeyLost``."""
    keys = [o["key"] for o in vote.options]
    if vote.is_secret:
        ballots, vote.receipts = secret_ballots.open_all(vote)
        return tally.count(ballots, keys)
    hands = db.session.scalars(
        select(Hand.choice).where(Hand.vote_id == vote.id, Hand.channel != Channel.HALL)
    )
    return tally.count(([choice] for choice in hands), keys)


def count_every_channel(vote: Vote) -> tuple[dict[str, int], int, dict[str, int]]:
    """Counts and ballots cast over every channel, and the ballots per channel: online (above),
    hands counted in the hall, the confirmed paper totals (domain.rules.combine_channels adds
    them up before the rule is applied, against the same base figure)."""
    keys = [o["key"] for o in vote.options]
    online, online_cast = count(vote)
    hall_votes = channels.hall_hands(vote).values()
    hall_counts, hall_cast = tally.count(([choice] for choice in hall_votes), keys)
    paper = channels.paper_entry(vote) if vote.is_secret else None
    counts, cast = combine_channels(keys, online, online_cast, hall_counts, paper)
    ballots = {
        "online": online_cast,
        "hall_hands": hall_cast,
        "paper": paper.valid if paper else 0,
        "spoiled": paper.spoiled if paper else 0,
    }
    return counts, cast, ballots


def record_result(
    vote: Vote,
    counts: dict[str, int],
    cast: int,
    actor_id: int | None,
    ballots: dict[str, int] | None = None,
) -> None:
    """Decide by the vote's rule from the counts and close it; ``ballots`` says how many were
    cast in each channel (the minutes: "… trong đó N phiếu giấy tại hội trường")."""
    result = tally.result(
        VoteKind(vote.kind), vote.options, vote.base, vote.rule, counts, cast, vote.seats
    )
    if ballots is not None:
        result["channels"] = ballots
    vote.result = result
    vote.ballots_cast = cast
    vote.status = VoteStatus.CLOSED
    vote.closed_at = utcnow()
    vote.closed_by_id = actor_id
    db.session.flush()


# Features whose state follows a vote's result (e.g. the review's grades) add their changes to
# the close's: fn(vote) -> changes. Registered by those features, so voting imports none of them.
CLOSE_LISTENERS: list = []


def after_close(vote: Vote) -> list[dict]:
    return [change for listener in CLOSE_LISTENERS for change in listener(vote)]


def close(vote: Vote, actor_id: int | None, effect: Effect) -> None:
    """Count, decide and close (in the caller's transaction); a secret vote's key is forgotten
    once that is committed. Raises ``secret_ballots.KeyLost``."""
    counts, cast, ballots = count_every_channel(vote)
    record_result(vote, counts, cast, actor_id, ballots)
    if vote.is_secret:
        effect.after_commit.append(secret_ballots.forget_key(vote.id))


class CloseVote(VoteRef):
    # How many had not voted when the chair confirmed the close: if that changed meanwhile, the
    # chair is asked again with the new names (the prompt must say what it closes on).
    not_voted: StrictInt | None = Field(default=None, ge=0)


@command("close_vote", permission="close_vote", payload=CloseVote)
def close_vote(ctx: Context, payload: CloseVote) -> Effect:
    """The chair closes a vote: everyone sees the counts and the verdict.

    Refused while the hall's part is incomplete (paper totals missing, not matching the paper
    voters, or not confirmed by every member of the counting team).
    """
    vote = _open_vote(ctx, payload.vote_id)
    problem = hall.close_problem(vote)
    if problem:
        raise Conflict(problem, reason="hall_incomplete")
    waiting = channels.pending(vote)
    if payload.not_voted is not None and payload.not_voted != len(waiting):
        raise Conflict(
            str(hall.PENDING_CHANGED) % {"count": len(waiting)},
            reason="not_voted_changed",
            not_voted=waiting,
        )
    effect = Effect(result={"vote_id": vote.id}, audit={"vote_id": vote.id})
    try:
        close(vote, ctx.actor.id, effect)
    except secret_ballots.KeyLost:
        raise secret_ballots.refuse_void(ctx.meeting.id, vote.id) from None
    effect.changes = [vote_change(vote), *after_close(vote)]
    return effect
