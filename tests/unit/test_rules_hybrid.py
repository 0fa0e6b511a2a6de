"""Table-driven tests of the hybrid meeting's rules: every channel added up against the same base
figure (at the ½ and ⅔ boundaries), one vote per member across channels, the paper entry's checks,
the counting team, and who must still be settled in the attendance."""

from __future__ import annotations

import pytest

from domain.rules import (
    MOTION_CHOICES,
    AttendanceStatus,
    Channel,
    Denominator,
    Majority,
    MemberFacts,
    PaperEntry,
    PartyStatus,
    Threshold,
    channel_refusal,
    combine_channels,
    counting_team_problem,
    listed_apart,
    needs_settling,
    not_voted,
    paper_problem,
    tally_election,
    tally_motion,
    vote_channel,
)

HALF_BASE = Threshold(Majority.MORE_THAN_HALF, Denominator.BASE)
TWO_THIRDS_BASE = Threshold(Majority.AT_LEAST_TWO_THIRDS, Denominator.BASE)


def motion(agree=0, disagree=0, abstain=0) -> dict[str, int]:
    return {"agree": agree, "disagree": disagree, "abstain": abstain}


# (online agree, hall-hands agree, paper agree, base, threshold, passes). Agree votes are spread
# over the three channels; the rule sees only their sum against the base figure.
COMBINED = [
    pytest.param(2, 2, 1, 10, HALF_BASE, False, id="half-5-of-10-split-fails"),
    pytest.param(2, 2, 2, 10, HALF_BASE, True, id="half-6-of-10-split-passes"),
    pytest.param(3, 0, 2, 9, HALF_BASE, True, id="half-5-of-9-online-and-paper"),
    pytest.param(0, 4, 0, 9, HALF_BASE, False, id="half-4-of-9-hall-only"),
    pytest.param(0, 0, 5, 9, HALF_BASE, True, id="half-5-of-9-paper-only"),
    pytest.param(2, 2, 2, 9, TWO_THIRDS_BASE, True, id="two-thirds-6-of-9-split"),
    pytest.param(2, 1, 2, 9, TWO_THIRDS_BASE, False, id="two-thirds-5-of-9-split"),
    pytest.param(4, 3, 0, 10, TWO_THIRDS_BASE, True, id="two-thirds-7-of-10-online-hall"),
    pytest.param(3, 0, 3, 10, TWO_THIRDS_BASE, False, id="two-thirds-6-of-10-online-paper"),
]


@pytest.mark.parametrize(("online", "hall", "paper", "base", "threshold", "passes"), COMBINED)
def test_combined_tally_against_the_same_base(online, hall, paper, base, threshold, passes):
    # One "disagree" in each channel: they never help, and show the channels are all counted.
    online_counts, hall_counts = motion(online, 1), motion(hall, 1)
    entry = PaperEntry(counts=motion(paper, 1), valid=paper + 1, spoiled=1)
    counts, cast = combine_channels(MOTION_CHOICES, online_counts, online + 1, hall_counts, entry)
    assert counts == motion(online + hall + paper, 3)
    # Spoiled paper ballots are reported, never cast.
    assert cast == online + hall + paper + 3
    result = tally_motion(counts, base, threshold)
    assert result.passed is passes
    assert result.denominator == base


def test_combined_tally_refuses_more_ballots_than_the_base():
    counts, cast = combine_channels(
        MOTION_CHOICES, motion(3), 3, motion(3), PaperEntry(motion(3), 3)
    )
    with pytest.raises(ValueError, match="base figure"):
        tally_motion(counts, 8, HALF_BASE)


def test_combined_election_counts_per_candidate():
    keys = ("c1", "c2", "c3")
    entry = PaperEntry(counts={"c1": 3, "c2": 1, "c3": 2}, valid=3, spoiled=0)
    counts, cast = combine_channels(keys, {"c1": 3, "c2": 3, "c3": 0}, 4, {}, entry)
    assert counts == {"c1": 6, "c2": 4, "c3": 2} and cast == 7
    result = tally_election(
        {"A": counts["c1"], "B": counts["c2"], "C": counts["c3"]}, 2, 10, HALF_BASE, cast=cast
    )
    assert result.elected == ("A",)  # 6 of 10 passes; 4 of 10 does not


# (already voted in, wanted channel, refused because of)
REFUSALS = [
    pytest.param(None, Channel.ONLINE, None, id="nothing-yet-online"),
    pytest.param(None, Channel.HALL, None, id="nothing-yet-hall"),
    pytest.param(None, Channel.PAPER, None, id="nothing-yet-paper"),
    pytest.param(Channel.ONLINE, Channel.HALL, Channel.ONLINE, id="online-then-hall-refused"),
    pytest.param(Channel.ONLINE, Channel.PAPER, Channel.ONLINE, id="online-then-paper-refused"),
    pytest.param(Channel.HALL, Channel.ONLINE, Channel.HALL, id="hall-then-online-refused"),
    pytest.param(Channel.PAPER, Channel.ONLINE, Channel.PAPER, id="paper-then-online-refused"),
    pytest.param(Channel.PAPER, Channel.PAPER, Channel.PAPER, id="paper-twice-refused"),
    pytest.param(Channel.HALL, Channel.HALL, None, id="hall-hand-corrected"),
    pytest.param(Channel.ONLINE, Channel.ONLINE, None, id="online-hand-changed"),
]


@pytest.mark.parametrize(("existing", "wanted", "refused"), REFUSALS)
def test_double_voting_across_channels_is_refused(existing, wanted, refused):
    assert channel_refusal(existing, wanted) is refused


def test_vote_channel_names_where_a_member_voted():
    assert vote_channel(1, {1}, set(), set()) is Channel.ONLINE
    assert vote_channel(2, {1}, {2}, set()) is Channel.HALL
    assert vote_channel(3, {1}, {2}, {3}) is Channel.PAPER
    assert vote_channel(4, {1}, {2}, {3}) is None


def test_not_voted_keeps_the_eligible_order():
    assert not_voted([5, 3, 9, 1, 7], {3}, {9}, {1}) == [5, 7]
    assert not_voted([1, 2], {1}, {2}, set()) == []


# (votes per option, valid, spoiled, max choices, paper voters, problem)
PAPER = [
    pytest.param(motion(3, 1, 1), 5, 0, 1, 5, None, id="motion-matches"),
    pytest.param(motion(3, 1, 0), 4, 1, 1, 5, None, id="spoiled-counts-toward-voters"),
    pytest.param(motion(3, 1, 1), 5, 0, 1, 6, "mismatch", id="one-voter-missing-a-ballot"),
    pytest.param(motion(3, 1, 1), 5, 1, 1, 5, "mismatch", id="one-ballot-too-many"),
    pytest.param(motion(3, 1, 0), 5, 0, 1, 5, "choices", id="motion-votes-below-ballots"),
    pytest.param({"c1": 4, "c2": 3}, 4, 0, 2, 4, None, id="election-two-seats"),
    pytest.param({"c1": 5, "c2": 0}, 4, 0, 2, 4, "choices", id="candidate-over-ballots"),
    pytest.param({"c1": 4, "c2": 4, "c3": 1}, 4, 0, 2, 4, "choices", id="over-seats"),
    pytest.param({"c1": 0, "c2": 0}, 0, 0, 2, 0, None, id="nobody-on-paper"),
]


@pytest.mark.parametrize(("counts", "valid", "spoiled", "seats", "voters", "problem"), PAPER)
def test_paper_entry_checks(counts, valid, spoiled, seats, voters, problem):
    entry = PaperEntry(counts=counts, valid=valid, spoiled=spoiled)
    assert paper_problem(entry, tuple(counts), seats, voters) == problem


def test_paper_entry_refuses_unknown_options():
    with pytest.raises(ValueError, match="unknown"):
        paper_problem(PaperEntry({"yes": 1}, 1), MOTION_CHOICES, 1, 1)


@pytest.mark.parametrize(
    ("team", "present", "problem"),
    [
        pytest.param([], [1, 2], "too_few", id="nobody"),
        pytest.param([1], [1, 2], "too_few", id="the-chair-alone"),
        pytest.param([1, 2], [1, 2, 3], None, id="two-present"),
        pytest.param([1, 2, 3], [1, 2], "not_present", id="one-left"),
    ],
)
def test_counting_team(team, present, problem):
    assert counting_team_problem(team, present) == problem


OFFICIAL = PartyStatus.OFFICIAL
UNKNOWN = AttendanceStatus.UNKNOWN


@pytest.mark.parametrize(
    ("facts", "settle"),
    [
        pytest.param(MemberFacts(OFFICIAL), True, id="official-unknown"),
        pytest.param(MemberFacts(PartyStatus.PROBATIONARY), True, id="probationary-unknown"),
        pytest.param(MemberFacts(OFFICIAL, hosted=True), True, id="hosted-unknown"),
        pytest.param(MemberFacts(OFFICIAL, exempted=True), False, id="exempted-excused"),
        pytest.param(MemberFacts(OFFICIAL, transferred_out=True), False, id="transferred"),
        pytest.param(MemberFacts(OFFICIAL, suspended=True), False, id="suspended"),
        pytest.param(
            MemberFacts(OFFICIAL, attendance=AttendanceStatus.ABSENT_UNEXCUSED),
            False,
            id="settled",
        ),
    ],
)
def test_needs_settling(facts, settle):
    assert needs_settling(facts) is settle


@pytest.mark.parametrize(
    ("category", "status", "apart"),
    [
        ("exempted", UNKNOWN, True),
        ("hosted", AttendanceStatus.ABSENT_EXCUSED, True),
        ("exempted", AttendanceStatus.PRESENT, False),
        ("hosted", AttendanceStatus.LATE, False),
        ("official", UNKNOWN, False),
    ],
)
def test_listed_apart(category, status, apart):
    assert listed_apart(category, status) is apart
