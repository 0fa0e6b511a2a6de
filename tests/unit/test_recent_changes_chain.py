"""The catch-up follows the tags from the database's version back to the client's (pure)."""

from __future__ import annotations

import pytest

from core.recent_changes import chain


def m(v: int, tag: str, prev: str | None) -> dict:
    return {"meeting_id": 1, "v": v, "tag": tag, "prev": prev, "changes": []}


# Versions 3-5 of the lost history (a, b, c) and of the one after the restore to 2 (x, y, z).
LOST = [m(3, "a", "t2"), m(4, "b", "a"), m(5, "c", "b")]
NEW = [m(3, "x", "t2"), m(4, "y", "x"), m(5, "z", "y")]


@pytest.mark.parametrize(
    ("kept", "version", "tag", "current", "current_tag", "expected"),
    [
        # one history: the messages in order
        (NEW, 2, "t2", 5, "z", ["x", "y", "z"]),
        (NEW, 3, "x", 5, "z", ["y", "z"]),
        # both histories kept under the same numbers: the links choose
        (LOST + NEW, 2, "t2", 5, "z", ["x", "y", "z"]),
        (NEW + LOST, 4, "y", 5, "z", ["z"]),
        # a client of the lost history: no way from its tag to the current one
        (LOST + NEW, 4, "b", 5, "z", None),
        (LOST + NEW, 3, "a", 5, "z", None),
        # a link missing
        ([NEW[0], NEW[2]], 2, "t2", 5, "z", None),
        # the current version's message is the lost one only
        (LOST, 2, "t2", 5, "z", None),
        # before tags (messages and states without them): as before
        ([{"v": 3, "changes": []}, {"v": 4, "changes": []}], 2, None, 4, None, [3, 4]),
    ],
)
def test_the_chain_of_tags(kept, version, tag, current, current_tag, expected):
    found = chain(kept, version, tag, current, current_tag)
    if expected is None:
        assert found is None
    else:
        assert [x.get("tag") or x["v"] for x in found] == expected
