"""One eligibility function that also gives the reason, and "can it pass" from the cell's rules."""

from __future__ import annotations

import pytest

from domain.rules import (
    DEFAULT_RULES,
    AttendanceStatus,
    Denominator,
    Majority,
    MemberFacts,
    PartyStatus,
    Threshold,
    VoteKind,
    VoteRuleSet,
    compute_figures,
    decisions_possible,
    is_eligible_voter,
    why_not_voter,
)

OFF, PROB = PartyStatus.OFFICIAL, PartyStatus.PROBATIONARY
A = AttendanceStatus


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        (None, "not_member"),
        (MemberFacts(OFF, attendance=A.PRESENT), None),
        (MemberFacts(OFF, attendance=A.LATE), None),
        (MemberFacts(OFF, attendance=A.UNKNOWN), "not_present"),
        (MemberFacts(OFF, attendance=A.ABSENT_EXCUSED), "not_present"),
        (MemberFacts(OFF, attendance=A.ABSENT_UNEXCUSED), "not_present"),
        (MemberFacts(OFF, exempted=True, attendance=A.PRESENT), None),
        (MemberFacts(OFF, exempted=True, attendance=A.UNKNOWN), "not_present"),
        (MemberFacts(PROB, attendance=A.PRESENT), "probationary"),
        (MemberFacts(PROB, hosted=True, attendance=A.PRESENT), "probationary"),
        (MemberFacts(OFF, hosted=True, attendance=A.PRESENT), "hosted"),
        (MemberFacts(OFF, transferred_out=True, attendance=A.PRESENT), "transferred"),
        # The bug this replaces: a suspended member was told "not present".
        (MemberFacts(OFF, suspended=True, attendance=A.PRESENT), "suspended"),
        (
            MemberFacts(OFF, suspended=True, transferred_out=True, attendance=A.PRESENT),
            "transferred",
        ),
    ],
)
def test_the_reason_a_member_may_not_vote(facts, reason):
    assert why_not_voter(facts) == reason
    if facts is not None:
        assert is_eligible_voter(facts) is (reason is None)


def _cell(base: int, present: int) -> list[MemberFacts]:
    return [
        MemberFacts(OFF, attendance=A.PRESENT if i < present else A.UNKNOWN) for i in range(base)
    ]


def _rules(**thresholds: Threshold) -> VoteRuleSet:
    return VoteRuleSet(
        {**DEFAULT_RULES.thresholds, **{VoteKind(k): t for k, t in thresholds.items()}},
        DEFAULT_RULES.allowed_methods,
        DEFAULT_RULES.default_methods,
    )


HALF = Threshold(Majority.MORE_THAN_HALF, Denominator.BASE)
TWO_THIRDS = Threshold(Majority.AT_LEAST_TWO_THIRDS, Denominator.BASE)


@pytest.mark.parametrize(
    ("base", "present", "rules", "resolution", "two_thirds"),
    [
        # The defaults: more than half for a resolution, at least two thirds for the rest.
        (12, 6, DEFAULT_RULES, False, False),
        (12, 7, DEFAULT_RULES, True, False),
        (12, 8, DEFAULT_RULES, True, True),
        (0, 0, DEFAULT_RULES, False, False),
        # A cell that asks two thirds for its resolutions: 7 of 12 no longer carries one.
        (12, 7, _rules(resolution=TWO_THIRDS), False, False),
        (12, 8, _rules(resolution=TWO_THIRDS), True, True),
        # A cell that admits and recognises by more than half (expulsion stays two thirds).
        (12, 7, _rules(admission=HALF, recognition=HALF), True, False),
    ],
)
def test_can_pass_follows_the_cells_thresholds(base, present, rules, resolution, two_thirds):
    f = compute_figures(_cell(base, present), rules)
    assert f.can_pass == decisions_possible(f.eligible_present, f.base, rules)
    assert (f.resolution_possible, f.two_thirds_possible) == (resolution, two_thirds)
    assert f.as_dict()["can_pass"] == f.can_pass


def test_can_pass_names_every_kind_and_expulsion():
    f = compute_figures(_cell(12, 7), _rules(admission=HALF, recognition=HALF))
    assert f.can_pass == {
        "resolution": True,
        "admission": True,
        "recognition": True,
        "discipline": True,
        "election": True,
        "procedural": True,  # a share of the ballots cast: one present voter suffices
        "expulsion": False,
    }
