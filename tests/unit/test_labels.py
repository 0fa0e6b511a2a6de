"""The labels module names every value of the vocabulary it labels, and nothing else."""

from __future__ import annotations

from domain import labels
from domain.rules import (
    CATEGORIES,
    DISCIPLINE_NONE,
    DISCIPLINE_OPTIONS,
    MOTION_CHOICES,
    AttendanceStatus,
    Denominator,
    Majority,
    Method,
    PartyStatus,
    VoteKind,
)
from meetings.models import MeetingKind
from org.models import CellRole, OrgKind


def test_every_table_has_exactly_the_stored_values():
    assert set(labels.ORG_KINDS) == {k.value for k in OrgKind}
    assert set(labels.PARTY_STATUSES) == {s.value for s in PartyStatus}
    assert set(labels.CELL_ROLES) == {r.value for r in CellRole}
    assert set(labels.CATEGORIES) == set(CATEGORIES)
    assert set(labels.ATTENDANCE) == {a.value for a in AttendanceStatus}
    assert set(labels.MEETING_KINDS) == {k.value for k in MeetingKind}
    assert set(labels.VOTE_KINDS) == {k.value for k in VoteKind}
    assert set(labels.METHODS) == {m.value for m in Method}
    assert set(labels.CHOICES) == {*MOTION_CHOICES, *DISCIPLINE_OPTIONS, DISCIPLINE_NONE}
    assert set(labels.THRESHOLDS) == {(m.value, d.value) for m in Majority for d in Denominator}


def test_enum_members_find_their_labels():
    # StrEnum members are their values: code may look labels up with either.
    assert labels.VOTE_KINDS[VoteKind.ADMISSION] is labels.VOTE_KINDS["admission"]
    assert (
        labels.threshold(Majority.MORE_THAN_HALF, Denominator.BASE)
        is labels.THRESHOLDS[("more_than_half", "base")]
    )
