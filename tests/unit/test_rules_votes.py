"""Table-driven tests of majorities, default vote rules and the tallies of motions, discipline
and elections."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import pytest

from domain.rules import (
    DEFAULT_RULES,
    DISCIPLINE_OPTIONS,
    MOTION_CHOICES,
    Denominator,
    Majority,
    Method,
    Threshold,
    VoteKind,
    VoteRuleSet,
    reaches,
    tally_discipline,
    tally_election,
    tally_motion,
)

HALF = Majority.MORE_THAN_HALF
TWO_THIRDS = Majority.AT_LEAST_TWO_THIRDS
HALF_BASE = Threshold(HALF, Denominator.BASE)
TWO_THIRDS_BASE = Threshold(TWO_THIRDS, Denominator.BASE)
HALF_VOTING = Threshold(HALF, Denominator.VOTING)
HANDS = Method.SHOW_OF_HANDS
SECRET = Method.SECRET


@pytest.mark.parametrize(
    ("votes", "denominator", "majority", "expected"),
    [
        pytest.param(5, 10, HALF, False, id="half-exactly-half-fails"),
        pytest.param(6, 10, HALF, True, id="half-one-more-passes"),
        pytest.param(4, 9, HALF, False, id="half-4-of-9"),
        pytest.param(5, 9, HALF, True, id="half-5-of-9"),
        pytest.param(1, 1, HALF, True, id="half-1-of-1"),
        pytest.param(1, 2, HALF, False, id="half-1-of-2"),
        pytest.param(6, 9, TWO_THIRDS, True, id="two-thirds-exactly-6-of-9"),
        pytest.param(5, 9, TWO_THIRDS, False, id="two-thirds-5-of-9"),
        pytest.param(7, 10, TWO_THIRDS, True, id="two-thirds-7-of-10"),
        pytest.param(6, 10, TWO_THIRDS, False, id="two-thirds-6-of-10"),
        pytest.param(2, 3, TWO_THIRDS, True, id="two-thirds-2-of-3"),
        pytest.param(66, 100, TWO_THIRDS, False, id="two-thirds-66-percent-fails"),
        pytest.param(67, 100, TWO_THIRDS, True, id="two-thirds-67-percent"),
        pytest.param(0, 0, HALF, False, id="zero-denominator-half"),
        pytest.param(0, 0, TWO_THIRDS, False, id="zero-denominator-two-thirds"),
        pytest.param(0, 1, TWO_THIRDS, False, id="no-votes"),
    ],
)
def test_reaches(votes: int, denominator: int, majority: Majority, expected: bool) -> None:
    assert reaches(votes, denominator, majority) is expected


@pytest.mark.parametrize(("votes", "denominator"), [(-1, 5), (1, -5)], ids=["votes", "denom"])
def test_reaches_rejects_negative(votes: int, denominator: int) -> None:
    with pytest.raises(ValueError, match="negative"):
        reaches(votes, denominator, HALF)


@pytest.mark.parametrize(
    ("kind", "threshold", "allowed", "default"),
    [
        (VoteKind.RESOLUTION, HALF_BASE, {HANDS, SECRET}, HANDS),
        (VoteKind.ADMISSION, TWO_THIRDS_BASE, {HANDS, SECRET}, SECRET),
        (VoteKind.RECOGNITION, TWO_THIRDS_BASE, {HANDS, SECRET}, SECRET),
        (VoteKind.DISCIPLINE, HALF_BASE, {SECRET}, SECRET),
        (VoteKind.ELECTION, HALF_BASE, {SECRET}, SECRET),
        (VoteKind.PROCEDURAL, HALF_VOTING, {HANDS}, HANDS),
    ],
    ids=[str(kind) for kind in VoteKind],
)
def test_default_rules(
    kind: VoteKind, threshold: Threshold, allowed: set[Method], default: Method
) -> None:
    assert DEFAULT_RULES.threshold(kind) == threshold
    assert DEFAULT_RULES.allowed_methods[kind] == frozenset(allowed)
    assert DEFAULT_RULES.default_methods[kind] == default
    for method in Method:
        assert DEFAULT_RULES.method_allowed(kind, method) is (method in allowed)


def test_default_discipline_thresholds() -> None:
    assert dict(DEFAULT_RULES.discipline_thresholds) == {
        "expulsion": TWO_THIRDS_BASE,
        "removal_from_post": HALF_BASE,
        "warning": HALF_BASE,
        "reprimand": HALF_BASE,
    }


def test_default_rules_are_read_only() -> None:
    with pytest.raises(TypeError):
        DEFAULT_RULES.thresholds[VoteKind.RESOLUTION] = TWO_THIRDS_BASE  # type: ignore[index]


def _rules(field: str, key: object, value: object) -> VoteRuleSet:
    """DEFAULT_RULES with one entry of one mapping changed (validation runs again)."""
    changed = {**getattr(DEFAULT_RULES, field), key: value}
    return dataclasses.replace(DEFAULT_RULES, **{field: changed})


def test_cell_may_configure_a_stricter_resolution_rule() -> None:
    rules = _rules("thresholds", VoteKind.RESOLUTION, TWO_THIRDS_BASE)
    assert rules.threshold(VoteKind.RESOLUTION) == TWO_THIRDS_BASE
    assert DEFAULT_RULES.threshold(VoteKind.RESOLUTION) == HALF_BASE


@pytest.mark.parametrize(
    ("field", "kind", "value", "message"),
    [
        pytest.param(
            "allowed_methods",
            VoteKind.DISCIPLINE,
            frozenset({HANDS, SECRET}),
            "secret ballot only",
            id="discipline-by-hands-refused",
        ),
        pytest.param(
            "allowed_methods",
            VoteKind.ELECTION,
            frozenset({HANDS}),
            "not allowed",
            id="election-by-hands-refused",
        ),
        pytest.param(
            "default_methods",
            VoteKind.PROCEDURAL,
            SECRET,
            "not allowed",
            id="default-not-allowed",
        ),
        pytest.param(
            "allowed_methods",
            VoteKind.RESOLUTION,
            frozenset(),
            "no allowed method",
            id="no-method",
        ),
    ],
)
def test_rule_set_validation(field: str, kind: VoteKind, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _rules(field, kind, value)


def test_rule_set_requires_every_kind_and_option() -> None:
    thresholds = dict(DEFAULT_RULES.thresholds)
    del thresholds[VoteKind.PROCEDURAL]
    with pytest.raises(ValueError, match="no threshold for procedural"):
        VoteRuleSet(thresholds, DEFAULT_RULES.allowed_methods, DEFAULT_RULES.default_methods)
    discipline = dict(DEFAULT_RULES.discipline_thresholds)
    del discipline["warning"]
    with pytest.raises(ValueError, match="warning"):
        VoteRuleSet(
            DEFAULT_RULES.thresholds,
            DEFAULT_RULES.allowed_methods,
            DEFAULT_RULES.default_methods,
            discipline,
        )


# (counts, base, threshold, passed, cast, denominator)
MOTIONS = [
    pytest.param({"agree": 6, "disagree": 0, "abstain": 0}, 10, HALF_BASE, True, 6, 10,
                 id="resolution-6-of-base-10-passes"),
    pytest.param({"agree": 5}, 10, HALF_BASE, False, 5, 10,
                 id="resolution-5-of-base-10-fails-though-unanimous-of-present"),
    pytest.param({"agree": 5, "disagree": 0, "abstain": 0}, 9, HALF_BASE, True, 5, 9,
                 id="resolution-5-of-base-9"),
    pytest.param({"agree": 6, "disagree": 2, "abstain": 1}, 9, TWO_THIRDS_BASE, True, 9, 9,
                 id="admission-exactly-two-thirds"),
    pytest.param({"agree": 5, "disagree": 1, "abstain": 0}, 9, TWO_THIRDS_BASE, False, 6, 9,
                 id="admission-5-of-9-fails"),
    pytest.param({"agree": 6, "disagree": 1}, 10, TWO_THIRDS_BASE, False, 7, 10,
                 id="recognition-6-of-10-fails"),
    pytest.param({"agree": 5, "disagree": 3, "abstain": 2}, 12, HALF_VOTING, False, 10, 10,
                 id="procedural-exactly-half-of-cast-fails"),
    pytest.param({"agree": 6, "disagree": 3, "abstain": 1}, 12, HALF_VOTING, True, 10, 10,
                 id="procedural-6-of-10-cast"),
    pytest.param({"agree": 4, "disagree": 3}, 12, HALF_VOTING, True, 7, 7,
                 id="procedural-counts-cast-not-base"),
    pytest.param({"agree": 4, "disagree": 1, "abstain": 3}, 12, HALF_VOTING, False, 8, 8,
                 id="procedural-abstentions-count-in-cast"),
    pytest.param({}, 10, HALF_BASE, False, 0, 10, id="no-ballots"),
    pytest.param({}, 0, HALF_VOTING, False, 0, 0, id="procedural-no-ballots"),
]  # fmt: skip


@pytest.mark.parametrize(("counts", "base", "threshold", "passed", "cast", "denominator"), MOTIONS)
def test_tally_motion(
    counts: Mapping[str, int],
    base: int,
    threshold: Threshold,
    passed: bool,
    cast: int,
    denominator: int,
) -> None:
    result = tally_motion(counts, base, threshold)
    assert result.passed is passed
    assert result.cast == cast
    assert result.denominator == denominator
    expected_counts = tuple(counts.get(c, 0) for c in MOTION_CHOICES)
    assert (result.yes, result.no, result.abstain) == expected_counts
    assert result.threshold == threshold


@pytest.mark.parametrize(
    ("counts", "base", "message"),
    [
        pytest.param({"yes": 3}, 10, "unknown choices", id="unknown-choice"),
        pytest.param({"agree": -1}, 10, "negative", id="negative"),
        pytest.param({"agree": 6, "disagree": 5}, 10, "ballots cast", id="more-ballots-than-base"),
        pytest.param({"agree": 1}, -1, "negative base", id="negative-base"),
    ],
)
def test_tally_motion_rejects_bad_data(counts: dict[str, int], base: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        tally_motion(counts, base, HALF_BASE)


DEFAULT_DISCIPLINE = DEFAULT_RULES.discipline_thresholds


def _ballot(exp: int, rem: int, warn: int, rep: int, none: int) -> dict[str, int]:
    return dict(zip((*DISCIPLINE_OPTIONS, "none"), (exp, rem, warn, rep, none), strict=True))


# Hand-computed: expulsion needs 3*v >= 2*base, the others 2*v > base, on cumulative votes.
DISCIPLINE_CASES = [
    pytest.param(
        _ballot(6, 0, 0, 0, 3), 9, DEFAULT_DISCIPLINE, "expulsion",
        (("expulsion", 6, True),),
        id="expulsion-exactly-two-thirds",
    ),
    pytest.param(
        _ballot(5, 0, 0, 0, 4), 9, DEFAULT_DISCIPLINE, "removal_from_post",
        (("expulsion", 5, False), ("removal_from_post", 5, True)),
        id="expulsion-majority-not-two-thirds-rolls-to-removal",
    ),
    pytest.param(
        _ballot(5, 1, 1, 1, 1), 9, DEFAULT_DISCIPLINE, "removal_from_post",
        (("expulsion", 5, False), ("removal_from_post", 6, True)),
        id="removal-after-adding-expulsion",
    ),
    pytest.param(
        _ballot(2, 2, 3, 4, 1), 12, DEFAULT_DISCIPLINE, "warning",
        (("expulsion", 2, False), ("removal_from_post", 4, False), ("warning", 7, True)),
        id="warning-on-cumulative-7-of-12",
    ),
    pytest.param(
        _ballot(3, 1, 1, 1, 4), 10, DEFAULT_DISCIPLINE, "reprimand",
        (
            ("expulsion", 3, False),
            ("removal_from_post", 4, False),
            ("warning", 5, False),
            ("reprimand", 6, True),
        ),
        id="reprimand-6-of-10",
    ),
    pytest.param(
        _ballot(2, 1, 1, 1, 5), 10, DEFAULT_DISCIPLINE, "none",
        (
            ("expulsion", 2, False),
            ("removal_from_post", 3, False),
            ("warning", 4, False),
            ("reprimand", 5, False),
        ),
        id="exactly-half-at-reprimand-no-discipline",
    ),
    pytest.param(
        _ballot(0, 0, 0, 0, 9), 9, DEFAULT_DISCIPLINE, "none",
        (
            ("expulsion", 0, False),
            ("removal_from_post", 0, False),
            ("warning", 0, False),
            ("reprimand", 0, False),
        ),
        id="all-none",
    ),
    pytest.param(
        _ballot(1, 1, 1, 1, 3), 20, dict.fromkeys(DISCIPLINE_OPTIONS, HALF_VOTING), "reprimand",
        (
            ("expulsion", 1, False),
            ("removal_from_post", 2, False),
            ("warning", 3, False),
            ("reprimand", 4, True),
        ),
        id="configured-of-ballots-cast-4-of-7",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("counts", "base", "thresholds", "outcome", "steps"), DISCIPLINE_CASES)
def test_tally_discipline(
    counts: dict[str, int],
    base: int,
    thresholds: Mapping[str, Threshold],
    outcome: str,
    steps: tuple[tuple[str, int, bool], ...],
) -> None:
    result = tally_discipline(counts, base, thresholds)
    assert result.outcome == outcome
    assert result.steps == steps
    assert result.base == base
    assert result.cast == sum(counts.values())


def test_tally_discipline_rejects_more_ballots_than_base() -> None:
    with pytest.raises(ValueError, match="ballots cast"):
        tally_discipline(_ballot(5, 0, 0, 0, 5), 9, DEFAULT_DISCIPLINE)


# (votes, seats, base, elected, tie, passing)
ELECTIONS = [
    pytest.param({"A": 9, "B": 8, "C": 7, "D": 6, "E": 5}, 3, 10,
                 ("A", "B", "C"), (), ("A", "B", "C", "D"),
                 id="more-passing-than-seats-top-three"),
    pytest.param({"A": 9, "B": 8, "C": 7, "D": 7}, 3, 10,
                 ("A", "B"), ("C", "D"), ("A", "B", "C", "D"),
                 id="tie-straddles-last-seat"),
    pytest.param({"A": 9, "B": 9, "C": 9, "D": 9}, 3, 10,
                 (), ("A", "B", "C", "D"), ("A", "B", "C", "D"),
                 id="all-tied-nobody-elected"),
    pytest.param({"A": 8, "B": 8, "C": 7, "D": 5}, 3, 10,
                 ("A", "B", "C"), (), ("A", "B", "C"),
                 id="tie-inside-seats-is-fine"),
    pytest.param({"A": 9, "B": 6, "C": 5}, 3, 10,
                 ("A", "B"), (), ("A", "B"),
                 id="fewer-passing-seats-stay-empty"),
    pytest.param({"A": 9, "B": 7, "C": 5, "D": 5}, 3, 10,
                 ("A", "B"), (), ("A", "B"),
                 id="tie-below-threshold-is-no-tie"),
    pytest.param({"Secretary": 5}, 1, 10, (), (), (),
                 id="exactly-half-of-base-fails"),
    pytest.param({"Secretary": 6, "Other": 4}, 1, 10, ("Secretary",), (), ("Secretary",),
                 id="secretary-6-of-10"),
    pytest.param({"X": 6, "Y": 6}, 1, 10, (), ("X", "Y"), ("X", "Y"),
                 id="one-seat-tie"),
]  # fmt: skip


@pytest.mark.parametrize(("votes", "seats", "base", "elected", "tie", "passing"), ELECTIONS)
def test_tally_election(
    votes: dict[str, int],
    seats: int,
    base: int,
    elected: tuple[str, ...],
    tie: tuple[str, ...],
    passing: tuple[str, ...],
) -> None:
    result = tally_election(votes, seats, base, HALF_BASE)
    assert result.elected == elected
    assert result.tie == tie
    assert result.passing == passing
    assert result.votes == votes
    assert result.seats_left == seats - len(elected)
    assert (result.seats, result.base, result.cast) == (seats, base, None)


def test_tally_election_of_ballots_cast() -> None:
    result = tally_election({"A": 4, "B": 3}, 1, 20, HALF_VOTING, cast=7)
    assert (result.elected, result.cast) == (("A",), 7)
    with pytest.raises(ValueError, match="ballots cast"):
        tally_election({"A": 4}, 1, 20, HALF_VOTING)


@pytest.mark.parametrize(
    ("votes", "seats", "base", "cast", "message"),
    [
        pytest.param({"A": 1}, 0, 10, None, "seats", id="no-seats"),
        pytest.param({"A": -1}, 1, 10, None, "negative", id="negative-votes"),
        pytest.param({"A": 11}, 1, 10, None, "more votes than the base", id="votes-over-base"),
        pytest.param({"A": 6}, 1, 10, 5, "only 5 ballots", id="votes-over-cast"),
        pytest.param({"A": 6}, 1, 10, 11, "base figure is 10", id="cast-over-base"),
    ],
)
def test_tally_election_rejects_bad_data(
    votes: dict[str, int], seats: int, base: int, cast: int | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        tally_election(votes, seats, base, HALF_BASE, cast=cast)
