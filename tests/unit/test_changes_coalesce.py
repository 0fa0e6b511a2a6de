"""`coalesce`: a group's changes without those a later change writes over entirely, giving the
state that applying them all gives (meetings/changes.py)."""

from __future__ import annotations

import copy
import random

import pytest

from meetings.changes import apply_change, coalesce


def progress(vote_id: int, voted: int) -> dict:
    return {"type": "vote_progress", "data": {"id": vote_id, "voted": voted, "counts": None}}


def agenda(titles: list[str]) -> dict:
    return {"type": "agenda", "data": {"items": titles}}


def attendance(user_id: int, status: str) -> dict:
    return {
        "type": "attendance",
        "data": {"rows": [{"user_id": user_id, "status": status}], "figures": {"present": 1}},
    }


CASES = [
    ("nothing", [], []),
    ("one progress", [progress(1, 1)], [progress(1, 1)]),
    (
        "the last progress of a vote",
        [progress(1, 1), progress(1, 2), progress(1, 3)],
        [progress(1, 3)],
    ),
    (
        "each vote's last, in the order of the last",
        [progress(1, 1), progress(2, 1), progress(1, 2)],
        [progress(2, 1), progress(1, 2)],
    ),
    ("a whole section replaced twice", [agenda(["a"]), agenda(["b"])], [agenda(["b"])]),
    (
        "two-part changes are all kept",
        [attendance(1, "present"), attendance(1, "absent")],
        [attendance(1, "present"), attendance(1, "absent")],
    ),
    (
        "a patch with other fields is kept",
        [progress(1, 1), {"type": "vote_progress", "data": {"id": 1, "hall": {"hands": 2}}}],
        [progress(1, 1), {"type": "vote_progress", "data": {"id": 1, "hall": {"hands": 2}}}],
    ),
]


@pytest.mark.parametrize(("name", "changes", "expected"), CASES, ids=[c[0] for c in CASES])
def test_coalesce(name, changes, expected):
    assert coalesce(changes) == expected


def test_applying_the_coalesced_changes_gives_the_same_state_as_applying_them_all():
    rng = random.Random(20261207)
    makers = [
        lambda: progress(rng.randint(1, 3), rng.randint(0, 50)),
        lambda: agenda([rng.choice("abc")]),
        lambda: attendance(rng.randint(1, 4), rng.choice(["present", "absent"])),
        lambda: {"type": "vote_progress", "data": {"id": rng.randint(1, 3), "hall": {"hands": 1}}},
    ]
    start = {
        "votes": [{"id": i, "voted": 0, "counts": None} for i in (1, 2, 3)],
        "roster": [{"user_id": i, "status": "unknown"} for i in (1, 2, 3, 4)],
        "figures": {},
        "agenda": {"items": []},
    }
    for _ in range(300):
        changes = [rng.choice(makers)() for _ in range(rng.randint(1, 12))]
        every, fewer = copy.deepcopy(start), copy.deepcopy(start)
        for change in changes:
            apply_change(every, change)
        for change in coalesce(changes):
            apply_change(fewer, change)
        assert fewer == every, changes
