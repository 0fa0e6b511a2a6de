"""The voting state a client holds: ``votes`` (public) and ``my_votes`` (the viewer's own).

``votes`` is the same for everyone and every change event of type ``vote`` carries one element
of it (the client replaces the vote with that id). While a secret vote is open it shows only how
many have voted. ``my_votes`` is built for one viewer only: whether they voted and, for a show of
hands, their raised hand; never the choice of a secret ballot (the server cannot tell it anyway:
nothing links the ballot to the voter).
"""

from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy import func, select

from core.config import LANGUAGES
from core.extensions import db
from core.timeutil import iso
from meetings.snapshot import section
from meetings.voting import channels, eligibility, verdict
from meetings.voting.models import Hand, PaperVoter, Vote, VoteParticipation


def in_languages(build) -> dict[str, object]:
    """``build()`` run once per language: broadcasts reach readers of both languages."""
    out = {}
    for lang in LANGUAGES:
        with force_locale(lang):
            out[lang] = build()
    return out


def _voted(vote: Vote) -> int:
    """Members who voted, in every channel (online, hands in the hall, paper in the hall)."""
    model = VoteParticipation if vote.is_secret else Hand
    counted = select(func.count()).select_from(model).where(model.vote_id == vote.id)
    if not vote.is_secret:
        return db.session.scalar(counted)
    # One statement after every ballot: online participations + paper voters in the hall.
    paper = select(func.count()).select_from(PaperVoter).where(PaperVoter.vote_id == vote.id)
    return db.session.scalar(select(counted.scalar_subquery() + paper.scalar_subquery()))


def _hand_counts(vote: Vote) -> dict[str, int]:
    counts = {o["key"]: 0 for o in vote.options}
    rows = db.session.execute(
        select(Hand.choice, func.count()).where(Hand.vote_id == vote.id).group_by(Hand.choice)
    ).all()
    for choice, n in rows:
        counts[choice] = n
    return counts


def receipts(vote: Vote) -> list[str]:
    """The published receipts of a closed secret vote: hashes of the voters' codes, sorted."""
    return list(vote.receipts or [])


def _localized_result(vote: Vote) -> dict:
    return {
        "verdict": verdict.verdict_text(vote.kind, vote.options, vote.rule, vote.result),
        "lines": [
            {"key": key, "label": label, "count": n, "percent": pct}
            for key, label, n, pct in verdict.result_lines(vote.options, vote.result)
        ],
    }


def vote_public(vote: Vote) -> dict:
    """One vote as everyone may see it."""
    closed = vote.is_closed
    data = {
        "id": vote.id,
        "agenda_item_id": vote.agenda_item_id,
        "kind": vote.kind,
        "method": vote.method,
        "subject": vote.subject,
        "options": vote.options,
        "max_choices": vote.max_choices,
        "seats": vote.seats,
        "rule": vote.rule,
        "rule_text": in_languages(
            lambda: verdict.rule_text(vote.kind, vote.rule, vote.base, vote.seats)
        ),
        "eligible_ids": list(vote.eligible),
        "eligible": len(vote.eligible),
        "base": vote.base,
        "auto_close": vote.auto_close,
        "status": vote.status,
        "opened_at": iso(vote.opened_at),
        "closed_at": iso(vote.closed_at),
        "voted": _voted(vote),
        # A show of hands is counted in the open, as in the room; a secret ballot only at the end.
        "counts": _hand_counts(vote) if not vote.is_secret else None,
        "hall": channels.hall_public(vote),
        "result": None,
        "receipts": None,
    }
    if closed:
        data["counts"] = vote.result["counts"]
        data["result"] = {
            "passed": vote.result["passed"],
            "cast": vote.result["cast"],
            "data": vote.result,
            "text": in_languages(lambda: _localized_result(vote)),
        }
        if vote.is_secret:
            data["receipts"] = receipts(vote)
    return data


def vote_change(vote: Vote) -> dict:
    """The change event for one vote (the client upserts it into ``state.votes`` by id)."""
    db.session.flush()
    return {"type": "vote", "data": vote_public(vote)}


def vote_progress_change(vote: Vote, hall: bool = False) -> dict:
    """After a ballot: only what moved (how many voted; a show of hands' counts), and the hall's
    part when a hall entry moved it (`hall`). Re-sending the whole vote to every client on every
    ballot is what made a burst of 300 ballots slow: an online ballot's change stays a few bytes."""
    db.session.flush()
    data = {
        "id": vote.id,
        "voted": _voted(vote),
        "counts": _hand_counts(vote) if not vote.is_secret else None,
    }
    if hall:
        data["hall"] = channels.hall_public(vote)
    return {"type": "vote_progress", "data": data}


def meeting_votes(meeting_id: int) -> list[Vote]:
    return list(
        db.session.scalars(select(Vote).where(Vote.meeting_id == meeting_id).order_by(Vote.id))
    )


@section("votes")
def votes_section(meeting, viewer, roles) -> list[dict]:
    return [vote_public(vote) for vote in meeting_votes(meeting.id)]


def my_votes(meeting, viewer, roles: frozenset[str]) -> dict:
    """The viewer's own part: eligible or not (and why not: `eligibility`, the one answer the
    page shows), voted or not, and a raised hand's choice. `why_not` at the top is the reason
    for a vote opened later without them."""
    votes = meeting_votes(meeting.id)
    ids = [v.id for v in votes]
    secret_done = set()
    hands = {}
    if ids and viewer is not None:
        secret_done = set(
            db.session.scalars(
                select(VoteParticipation.vote_id).where(
                    VoteParticipation.vote_id.in_(ids), VoteParticipation.user_id == viewer.id
                )
            )
        )
        hands = dict(
            db.session.execute(
                select(Hand.vote_id, Hand.choice).where(
                    Hand.vote_id.in_(ids), Hand.user_id == viewer.id
                )
            ).all()
        )
    viewer_id = viewer.id if viewer is not None else None
    reason = eligibility.standing(meeting, viewer_id, roles)
    mine = {}
    for vote in votes:
        entry = {"eligible": viewer_id is not None and viewer_id in vote.eligible}
        if not entry["eligible"]:
            entry["why_not"] = eligibility.on_vote(vote, viewer_id, reason)
        if vote.is_secret:
            entry["voted"] = vote.id in secret_done
        else:
            entry["voted"] = vote.id in hands
            entry["choice"] = hands.get(vote.id)
        mine[str(vote.id)] = entry
    later = eligibility.on_vote(None, viewer_id, reason)
    return {"meeting_id": meeting.id, "votes": mine, "why_not": later}


@section("my_votes")
def my_votes_section(meeting, viewer, roles) -> dict:
    return my_votes(meeting, viewer, roles)


@section("counting_team")
def counting_team_section(meeting, viewer, roles) -> list[int]:
    return channels.team_ids(meeting.id)


@section("paper_detail")
def paper_detail_section(meeting, viewer, roles) -> dict | None:
    """The open vote's paper totals, for the counting team and the chair only."""
    if not ({"counter", "chair"} & set(roles)):
        return None
    for vote in meeting_votes(meeting.id):
        if vote.is_open and vote.is_secret:
            return channels.paper_detail(vote)
    return None
