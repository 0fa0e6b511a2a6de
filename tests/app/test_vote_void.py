"""A secret vote whose key is lost (every process holding it died) is void, says so, and is
taken again; nothing is counted from it. The key's loss is simulated by emptying the keyring,
which is what the death of the only process does (tests/server kill a real one)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from core.extensions import db
from meetings.voting.keyring import keyring
from meetings.voting.models import Ballot, VoteParticipation
from meetings.voting.secret_ballots import VOID, check_open_votes
from meetings.voting.sections import vote_public
from tests.app.test_voting import OFFICIAL, ballot, current_vote, live_meeting, refused, run


def _count(model, vote_id):
    return db.session.query(model).filter_by(vote_id=vote_id).count()


@pytest.mark.parametrize("noticed_by", ["cast_vote", "close_vote", "the watch"])
def test_a_vote_whose_key_is_lost_is_void_and_taken_again(ctx, noticed_by):
    meeting_id = live_meeting()
    run(meeting_id, "bithu", "open_vote", {"kind": "admission", "subject": "Lê Thị Cúc"})
    vote = current_vote(meeting_id)
    for username in ("dangvien1", "dangvien2", "dangvien3"):
        ballot(meeting_id, username, ["agree"])
    keyring().forget_all()  # the only process that held the key is gone

    if noticed_by == "cast_vote":
        err = refused(
            meeting_id,
            "dangvien4",
            "cast_vote",
            {"vote_id": vote.id, "choices": ["agree"], "receipt_hash": "a" * 64},
        )
    elif noticed_by == "close_vote":
        err = refused(meeting_id, "bithu", "close_vote", {"vote_id": vote.id})
    else:
        check_open_votes()
        err = refused(meeting_id, "bithu", "close_vote", {"vote_id": vote.id})
    assert err.code == "conflict" and err.details == {"reason": "void"}
    assert str(err.message) == str(VOID)
    with force_locale("en"):
        assert "the vote must be taken again" in str(err.message)

    void = current_vote(meeting_id)
    public = vote_public(void)
    assert (public["status"], public["result"], public["counts"]) == ("void", None, None)
    assert public["voted"] == 3 and public["closed_at"]  # who voted stays known; nothing counted
    assert _count(Ballot, void.id) == 0 and _count(VoteParticipation, void.id) == 3
    assert void.result is None and void.ballots_cast is None and void.receipts is None
    # Casting into it is refused with the same plain reason.
    err = refused(
        meeting_id,
        "dangvien5",
        "cast_vote",
        {"vote_id": void.id, "choices": ["agree"], "receipt_hash": "b" * 64},
    )
    assert err.details == {"reason": "void"}
    assert refused(meeting_id, "dangvien1", "reopen_vote", {"vote_id": void.id}).code == (
        "forbidden"
    )

    ack = run(meeting_id, "bithu", "reopen_vote", {"vote_id": void.id})
    again = current_vote(meeting_id)
    assert ack["result"] == {"vote_id": again.id} and again.id != void.id
    assert (again.kind, again.method, again.subject, again.options, again.rule) == (
        void.kind,
        void.method,
        void.subject,
        void.options,
        void.rule,
    )
    assert again.is_open and again.eligible == void.eligible
    for username in [*OFFICIAL[:9], "mien1"]:
        ballot(meeting_id, username, ["agree"])
    run(meeting_id, "bithu", "close_vote", {"vote_id": again.id})
    closed = current_vote(meeting_id)
    assert closed.result["counts"] == {"agree": 10, "disagree": 0, "abstain": 0}
    assert len(closed.receipts) == 10
    # Only a void vote is taken again.
    err = refused(meeting_id, "bithu", "reopen_vote", {"vote_id": closed.id})
    assert err.details == {"reason": "not_void"}
