"""Closed votes summarised for the minutes (the contract the minutes feature relies on).

``vote_summaries(meeting_id)`` returns the meeting's CLOSED votes in the order they were opened;
labels, percentages, the verdict and the rule are in the current locale (call it inside
``flask_babel.force_locale`` to choose).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from meetings.voting import verdict
from meetings.voting.models import VoteStatus
from meetings.voting.sections import meeting_votes


@dataclass(frozen=True)
class VoteSummary:
    vote_id: int
    agenda_item_id: int | None
    kind: str  # domain.rules.VoteKind value
    method: str  # domain.rules.Method value
    subject: str
    opened_at: datetime
    closed_at: datetime
    eligible: int  # eligible voters fixed at opening
    base: int  # the base figure at opening
    cast: int  # ballots cast (raised hands for a show of hands)
    lines: tuple[tuple[str, int, str], ...]  # (label, count, percent), localised
    passed: bool | None  # None for an election (see verdict)
    verdict: str  # localised
    rule: str  # localised description of the rule applied
    # Ballots per channel: {"online", "hall_hands", "paper", "spoiled"} (empty before hybrid votes)
    channels: dict


def summarize(vote) -> VoteSummary:
    """One closed vote as a summary in the current locale."""
    lines = verdict.result_lines(vote.options, vote.result)
    return VoteSummary(
        vote_id=vote.id,
        agenda_item_id=vote.agenda_item_id,
        kind=vote.kind,
        method=vote.method,
        subject=vote.subject,
        opened_at=vote.opened_at,
        closed_at=vote.closed_at,
        eligible=len(vote.eligible),
        base=vote.base,
        cast=vote.ballots_cast or 0,
        lines=tuple((label, n, pct) for _key, label, n, pct in lines),
        passed=vote.result["passed"],
        verdict=verdict.verdict_text(vote.kind, vote.options, vote.rule, vote.result),
        rule=verdict.rule_text(vote.kind, vote.rule, vote.base, vote.seats),
        channels=dict(vote.result.get("channels") or {}),
    )


def vote_summaries(meeting_id: int) -> list[VoteSummary]:
    """The meeting's closed votes, oldest first, for the minutes."""
    return [
        summarize(vote) for vote in meeting_votes(meeting_id) if vote.status == VoteStatus.CLOSED
    ]
