"""From counted ballots to a stored result: plain data in, JSON-ready dict out (no database).

The arithmetic is domain.rules (tally_motion, tally_discipline, tally_election); this module
only chooses the right one for a kind of vote and records what it decided, in a form that stays
readable after the cell's settings change and that the verdict builder turns into words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from domain.rules import (
    DISCIPLINE_NONE,
    DISCIPLINE_OPTIONS,
    MOTION_CHOICES,
    VoteKind,
    tally_discipline,
    tally_election,
    tally_motion,
)
from org.vote_rules import threshold_from_json


def option_keys(kind: VoteKind, candidates: int = 0) -> tuple[str, ...]:
    """The choices on a ballot of this kind (candidates are keyed c1, c2...)."""
    if kind is VoteKind.DISCIPLINE:
        return (*DISCIPLINE_OPTIONS, DISCIPLINE_NONE)
    if kind is VoteKind.ELECTION:
        return tuple(f"c{i}" for i in range(1, candidates + 1))
    return MOTION_CHOICES


def count(ballots: Iterable[Iterable[str]], keys: Iterable[str]) -> tuple[dict[str, int], int]:
    """Votes per key and ballots cast, from each ballot's list of choices."""
    counts = dict.fromkeys(keys, 0)
    cast = 0
    for choices in ballots:
        cast += 1
        for key in choices:
            counts[key] += 1
    return counts, cast


def result(
    kind: VoteKind,
    options: list[dict],
    base: int,
    rule: Mapping,
    counts: Mapping[str, int],
    cast: int,
    seats: int | None = None,
) -> dict:
    """The decided result of a closed vote (see docs/voting.md for its shape)."""
    threshold = threshold_from_json(rule["threshold"])
    if kind is VoteKind.DISCIPLINE:
        thresholds = {o: threshold_from_json(t) for o, t in rule["discipline"].items()}
        d = tally_discipline(counts, base, thresholds)
        return {
            "type": "discipline",
            "counts": dict(counts),
            "cast": d.cast,
            "base": base,
            "outcome": d.outcome,
            "steps": [list(step) for step in d.steps],
            "passed": d.outcome != DISCIPLINE_NONE,
        }
    if kind is VoteKind.ELECTION:
        by_label = {o["label"]: o["key"] for o in options}
        votes = {o["label"]: counts.get(o["key"], 0) for o in options}
        e = tally_election(votes, seats or 1, base, threshold, cast=cast)
        return {
            "type": "election",
            "counts": dict(counts),
            "cast": cast,
            "base": base,
            "denominator": cast if threshold.denominator.value == "voting" else base,
            "seats": e.seats,
            "elected": [by_label[name] for name in e.elected],
            "tie": [by_label[name] for name in e.tie],
            "passing": [by_label[name] for name in e.passing],
            "seats_left": e.seats_left,
            "passed": None,
        }
    m = tally_motion(counts, base, threshold)
    return {
        "type": "motion",
        "counts": {"agree": m.yes, "disagree": m.no, "abstain": m.abstain},
        "cast": m.cast,
        "base": base,
        "denominator": m.denominator,
        "passed": m.passed,
    }
