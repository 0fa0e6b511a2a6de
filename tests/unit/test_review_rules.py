"""The rules of the year-end review, table by table: bands -> grade, the band check, the cap on the
top grade, who votes on whose grade, and the grade vote's threshold (a resolution's)."""

from __future__ import annotations

import pytest

from domain.rules import DEFAULT_RULES, VoteKind, tally_motion
from meetings.review.rules import (
    Bands,
    Grade,
    cap_counts,
    cap_exceeded,
    grade_for_score,
    in_band,
    may_vote_on_grade,
    top_grade_allowance,
)
from meetings.review.settings import parse_bands

TODAY = Bands()  # Regulation 366-QĐ/TW: 90 / 70 / 50


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (100, Grade.EXCELLENT),
        (90, Grade.EXCELLENT),
        (89, Grade.GOOD),
        (70, Grade.GOOD),
        (69, Grade.COMPLETE),
        (50, Grade.COMPLETE),
        (49, Grade.INCOMPLETE),
        (0, Grade.INCOMPLETE),
    ],
)
def test_score_bands(score, grade):
    assert grade_for_score(score, TODAY) is grade


@pytest.mark.parametrize("score", [-1, 101])
def test_scores_outside_the_scale_are_refused(score):
    with pytest.raises(ValueError):
        grade_for_score(score, TODAY)
    assert not in_band("good", score, TODAY)


@pytest.mark.parametrize(
    ("grade", "score", "ok"),
    [
        ("excellent", 90, True),
        ("excellent", 89, False),  # above the score's band
        ("good", 95, False),  # below it: lower the score instead
        ("good", 70, True),
        ("complete", 69, True),
        ("incomplete", 49, True),
        ("incomplete", 50, False),
        ("best", 95, False),
    ],
)
def test_a_proposed_grade_must_be_its_scores_band(grade, score, ok):
    assert in_band(grade, score, TODAY) is ok


def test_bands_are_a_setting():
    stricter = parse_bands("95, 80, 60")
    assert grade_for_score(94, stricter) is Grade.GOOD
    assert stricter.band(Grade.COMPLETE) == (60, 79)
    for bad in ("90,70", "70,90,50", "90,70,0", "101,70,50"):
        with pytest.raises(ValueError):
            parse_bands(bad)


@pytest.mark.parametrize(
    ("excellent", "good", "percent", "allowance", "exceeded"),
    [
        (0, 0, 20, 0, False),
        (1, 1, 20, 0, True),  # one member, graded excellent: over 20% of one
        (1, 5, 20, 1, False),  # 20% of 5 = 1
        (2, 9, 20, 1, True),  # 20% of 9 = 1.8, rounded down
        (2, 10, 20, 2, False),
        (3, 3, 0, None, False),  # no cap
        (3, 3, 100, 3, False),
    ],
)
def test_the_cap_on_the_top_grade(excellent, good, percent, allowance, exceeded):
    assert top_grade_allowance(good, percent) == allowance
    assert cap_exceeded(excellent, good, percent) is exceeded


def test_the_cap_counts_excellent_among_good_or_better():
    assert cap_counts(["excellent", "good", "complete", "incomplete", "good"]) == (1, 3)


@pytest.mark.parametrize(
    ("voter", "subject", "may"),
    [(7, 7, False), (7, 8, True), (7, None, True)],  # None: the cell's own grade
)
def test_the_member_concerned_does_not_vote_on_their_own_grade(voter, subject, may):
    assert may_vote_on_grade(voter, subject) is may


@pytest.mark.parametrize(
    ("agree", "base", "passed"),
    [(6, 11, True), (5, 11, False), (6, 10, True), (5, 10, False)],
)
def test_a_grade_passes_with_more_than_half_of_the_base_figure(agree, base, passed):
    # The grade vote is a resolution of the cell: its threshold, counted against the base figure
    # (the member concerned, who does not vote, still counts in the base).
    threshold = DEFAULT_RULES.threshold(VoteKind.RESOLUTION)
    result = tally_motion({"agree": agree, "disagree": 0, "abstain": 0}, base, threshold)
    assert result.passed is passed
