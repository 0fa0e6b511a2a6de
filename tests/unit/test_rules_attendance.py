"""Table-driven tests of categories, the base figure, eligibility and attendance figures."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from domain.rules import (
    CATEGORIES,
    AttendanceStatus,
    MemberFacts,
    PartyStatus,
    category,
    compute_figures,
    counts_in_base,
    is_eligible_voter,
    is_present,
    percent,
)

OFF = PartyStatus.OFFICIAL
PROB = PartyStatus.PROBATIONARY
UNKNOWN = AttendanceStatus.UNKNOWN
PRESENT = AttendanceStatus.PRESENT
LATE = AttendanceStatus.LATE
EXCUSED = AttendanceStatus.ABSENT_EXCUSED
UNEXCUSED = AttendanceStatus.ABSENT_UNEXCUSED


def official(attendance: AttendanceStatus = UNKNOWN, **flags: bool) -> MemberFacts:
    return MemberFacts(party_status=OFF, attendance=attendance, **flags)


def probationary(attendance: AttendanceStatus = UNKNOWN, **flags: bool) -> MemberFacts:
    return MemberFacts(party_status=PROB, attendance=attendance, **flags)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (UNKNOWN, False),
        (PRESENT, True),
        (LATE, True),
        (EXCUSED, False),
        (UNEXCUSED, False),
    ],
    ids=lambda v: str(v),
)
def test_is_present(status: AttendanceStatus, expected: bool) -> None:
    assert is_present(status) is expected


@pytest.mark.parametrize(
    ("member", "expected"),
    [
        (official(), "official"),
        (probationary(), "probationary"),
        (official(exempted=True), "exempted"),
        (official(hosted=True), "hosted"),
        (probationary(hosted=True), "hosted"),
        (official(transferred_out=True), "transferred"),
        (official(suspended=True), "suspended"),
        # precedence: transferred > suspended > hosted > exempted > party status
        (official(transferred_out=True, suspended=True, hosted=True, exempted=True), "transferred"),
        (official(suspended=True, hosted=True, exempted=True), "suspended"),
        (official(hosted=True, exempted=True), "hosted"),
        (probationary(exempted=True), "exempted"),
    ],
    ids=[
        "official",
        "probationary",
        "exempted",
        "hosted-official",
        "hosted-probationary",
        "transferred",
        "suspended",
        "all-flags-transferred-wins",
        "suspended-beats-hosted-exempted",
        "hosted-beats-exempted",
        "exempted-beats-probationary",
    ],
)
def test_category(member: MemberFacts, expected: str) -> None:
    assert category(member) == expected
    assert expected in CATEGORIES


# (member, counts in base, eligible voter)
BASE_TABLE = [
    pytest.param(official(PRESENT), True, True, id="official-present"),
    pytest.param(official(LATE), True, True, id="official-late-votes"),
    pytest.param(official(EXCUSED), False, False, id="official-excused-leaves-base"),
    pytest.param(official(UNEXCUSED), True, False, id="official-unexcused-stays-in-base"),
    pytest.param(official(UNKNOWN), True, False, id="official-unknown-stays-in-base"),
    pytest.param(probationary(PRESENT), False, False, id="probationary-present-never"),
    pytest.param(probationary(EXCUSED), False, False, id="probationary-absent"),
    pytest.param(official(PRESENT, exempted=True), True, True, id="exempted-present-counts"),
    pytest.param(official(LATE, exempted=True), True, True, id="exempted-late-counts"),
    pytest.param(official(EXCUSED, exempted=True), False, False, id="exempted-excused"),
    pytest.param(official(UNEXCUSED, exempted=True), False, False, id="exempted-absent-no-reason"),
    pytest.param(official(UNKNOWN, exempted=True), False, False, id="exempted-not-come-out"),
    pytest.param(official(PRESENT, hosted=True), False, False, id="hosted-official-present-never"),
    pytest.param(probationary(PRESENT, hosted=True), False, False, id="hosted-probationary"),
    pytest.param(official(PRESENT, transferred_out=True), False, False, id="transferred-present"),
    pytest.param(official(UNKNOWN, transferred_out=True), False, False, id="transferred-absent"),
    pytest.param(official(PRESENT, suspended=True), False, False, id="suspended-present"),
    pytest.param(official(UNEXCUSED, suspended=True), False, False, id="suspended-absent"),
    pytest.param(probationary(PRESENT, exempted=True), False, False, id="exempted-probationary"),
]


@pytest.mark.parametrize(("member", "in_base", "eligible"), BASE_TABLE)
def test_base_and_eligibility(member: MemberFacts, in_base: bool, eligible: bool) -> None:
    assert counts_in_base(member) is in_base
    assert is_eligible_voter(member) is eligible
    # The figures agree with the per-member rules.
    figures = compute_figures([member])
    assert figures.base == int(in_base)
    assert figures.eligible_present == int(eligible)


def test_realistic_cell_figures() -> None:
    members = [
        *[official(PRESENT)] * 5,
        official(LATE),
        official(EXCUSED),
        official(UNEXCUSED),
        probationary(PRESENT),
        probationary(EXCUSED),
        official(PRESENT, exempted=True),
        official(EXCUSED, exempted=True),
        official(PRESENT, hosted=True),
        official(UNKNOWN, transferred_out=True),
        official(UNKNOWN, suspended=True),
    ]
    f = compute_figures(members)
    assert f.members_by_category == {
        "official": 8,
        "probationary": 2,
        "exempted": 2,
        "hosted": 1,
        "transferred": 1,
        "suspended": 1,
    }
    assert f.present_by_category == {
        "official": 6,
        "probationary": 1,
        "exempted": 1,
        "hosted": 1,
        "transferred": 0,
        "suspended": 0,
    }
    assert (f.members_total, f.present_total) == (15, 9)
    # 8 official - 1 excused + 1 exempted present
    assert f.base == 8
    assert f.eligible_present == 7
    # 8 official + 2 probationary + 1 hosted; exempted, transferred, suspended excluded
    assert (f.expected, f.expected_present) == (11, 8)
    assert f.attendance_rate == Fraction(8, 11)
    assert f.resolution_possible is True
    assert f.two_thirds_possible is True
    assert f.unexcused_absences == 1
    assert f.flags == ("low_attendance", "unexcused_absence")

    d = f.as_dict()
    assert d["attendance_rate"] == 0.7273
    assert d["flags"] == ["low_attendance", "unexcused_absence"]
    assert d["base"] == 8
    assert json.loads(json.dumps(d)) == d


def cell(base: int, present: int) -> list[MemberFacts]:
    """A cell of ``base`` official members, ``present`` of them present, the rest not recorded."""
    return [official(PRESENT)] * present + [official(UNKNOWN)] * (base - present)


@pytest.mark.parametrize(
    ("base", "present", "resolution", "two_thirds"),
    [
        pytest.param(10, 5, False, False, id="base10-5-exactly-half-no-resolution"),
        pytest.param(10, 6, True, False, id="base10-6-resolution-possible"),
        pytest.param(9, 4, False, False, id="base9-4-no-resolution"),
        pytest.param(9, 5, True, False, id="base9-5-resolution-no-two-thirds"),
        pytest.param(9, 6, True, True, id="base9-6-exactly-two-thirds"),
        pytest.param(10, 6, True, False, id="base10-6-below-two-thirds"),
        pytest.param(10, 7, True, True, id="base10-7-two-thirds-possible"),
        pytest.param(3, 2, True, True, id="base3-2"),
        pytest.param(1, 1, True, True, id="base1-1"),
        pytest.param(1, 0, False, False, id="base1-0"),
        pytest.param(0, 0, False, False, id="base0-nothing-possible"),
    ],
)
def test_possible_warnings(base: int, present: int, resolution: bool, two_thirds: bool) -> None:
    f = compute_figures(cell(base, present))
    assert (f.base, f.eligible_present) == (base, present)
    assert f.resolution_possible is resolution
    assert f.two_thirds_possible is two_thirds


def test_excused_absence_lowers_base_and_changes_warning() -> None:
    # 10 official, 5 present: impossible while the 5 absentees are unrecorded...
    assert compute_figures(cell(10, 5)).resolution_possible is False
    # ...possible once one of them has an accepted reason (base 9, 5 present).
    members = [official(PRESENT)] * 5 + [official(EXCUSED)] + [official(UNKNOWN)] * 4
    f = compute_figures(members)
    assert (f.base, f.eligible_present, f.resolution_possible) == (9, 5, True)


def test_hosted_and_probationary_present_do_not_make_a_resolution_possible() -> None:
    members = cell(10, 5) + [official(PRESENT, hosted=True)] * 3 + [probationary(PRESENT)] * 3
    f = compute_figures(members)
    assert (f.base, f.eligible_present, f.resolution_possible) == (10, 5, False)


@pytest.mark.parametrize(
    ("members", "rate", "flags"),
    [
        pytest.param(
            cell(20, 17), Fraction(17, 20), ("low_attendance",), id="exactly-85-percent-flags"
        ),
        pytest.param(cell(20, 18), Fraction(18, 20), (), id="90-percent-ok"),
        pytest.param(cell(7, 6), Fraction(6, 7), (), id="85.7-percent-above-ok"),
        pytest.param(cell(20, 20), Fraction(1), (), id="all-present"),
        pytest.param(
            cell(7, 6) + [official(EXCUSED, exempted=True)] * 2,
            Fraction(6, 7),
            (),
            id="exempted-absent-excluded-from-denominator",
        ),
        pytest.param(
            cell(20, 17) + [official(PRESENT, exempted=True)] * 2,
            Fraction(17, 20),
            ("low_attendance",),
            id="exempted-present-excluded-from-numerator",
        ),
        pytest.param(
            cell(6, 6) + [probationary(EXCUSED), official(EXCUSED, hosted=True)],
            Fraction(6, 8),
            ("low_attendance",),
            id="probationary-and-hosted-count-in-rate",
        ),
        pytest.param(
            cell(6, 6) + [official(transferred_out=True), official(suspended=True)],
            Fraction(1),
            (),
            id="transferred-and-suspended-excluded",
        ),
        pytest.param(
            cell(20, 18) + [probationary(UNEXCUSED)],
            Fraction(18, 21),
            ("unexcused_absence",),
            id="unexcused-probationary-flags",
        ),
        pytest.param(
            cell(10, 5) + [official(UNEXCUSED)],
            Fraction(5, 11),
            ("low_attendance", "unexcused_absence"),
            id="both-flags-in-order",
        ),
        pytest.param(
            [official(PRESENT, exempted=True), official(UNEXCUSED, transferred_out=True)],
            None,
            ("unexcused_absence",),
            id="nobody-expected-no-rate-flag",
        ),
        pytest.param([], None, (), id="empty-cell"),
    ],
)
def test_attendance_rate_and_flags(
    members: list[MemberFacts], rate: Fraction | None, flags: tuple[str, ...]
) -> None:
    f = compute_figures(members)
    assert f.attendance_rate == rate
    assert f.flags == flags


@pytest.mark.parametrize(
    ("threshold", "flags"),
    [
        pytest.param(Fraction(9, 10), ("low_attendance",), id="90-threshold-flags-90"),
        pytest.param(Fraction(89, 100), (), id="89-threshold-ok"),
    ],
)
def test_configurable_threshold(threshold: Fraction, flags: tuple[str, ...]) -> None:
    assert compute_figures(cell(10, 9), attendance_threshold=threshold).flags == flags


@pytest.mark.parametrize(
    "threshold",
    [Fraction(-1, 100), Fraction(101, 100)],
    ids=["negative", "above-one"],
)
def test_threshold_out_of_range(threshold: Fraction) -> None:
    with pytest.raises(ValueError, match="attendance_threshold"):
        compute_figures([], attendance_threshold=threshold)


def test_empty_cell_as_dict() -> None:
    d = compute_figures([]).as_dict()
    assert d["attendance_rate"] is None
    assert d["members_by_category"] == dict.fromkeys(CATEGORIES, 0)
    assert (d["base"], d["resolution_possible"], d["two_thirds_possible"]) == (0, False, False)
    assert d["flags"] == []


def test_figures_accept_a_generator() -> None:
    f = compute_figures(official(PRESENT) for _ in range(3))
    assert (f.base, f.eligible_present, f.members_total) == (3, 3, 3)


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (12, 14, Fraction(600, 7)),
        (17, 20, Fraction(85)),
        (0, 5, Fraction(0)),
        (3, 3, Fraction(100)),
        (1, 0, None),
    ],
    ids=["12-of-14", "17-of-20", "zero", "all", "zero-whole"],
)
def test_percent(part: int, whole: int, expected: Fraction | None) -> None:
    assert percent(part, whole) == expected
