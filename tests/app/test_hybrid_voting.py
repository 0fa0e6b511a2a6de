"""Hybrid meetings through the command runner: hands counted in the hall, paper ballots counted
by the counting team with every member confirming, refusals across channels, the close's checks,
and the combined verdict against the same base figure."""

from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy import select

from core.extensions import db
from meetings.models import CommandLog
from meetings.voting import channels
from meetings.voting.records import vote_summaries
from meetings.voting.sections import vote_public
from tests.app.test_voting import OFFICIAL, ballot, current_vote, live_meeting, refused, run, uid

HALL = ["dangvien6", "dangvien7", "dangvien8", "dangvien9"]


def test_hall_hands_and_online_hands_make_one_tally(ctx):
    meeting_id = live_meeting()  # 11 official + mien1 present: base 12
    run(meeting_id, "bithu", "set_counting_team", {"user_ids": [uid("phobithu")]})
    run(meeting_id, "bithu", "open_vote", {"kind": "resolution"})
    vote = current_vote(meeting_id)
    assert vote.base == 12
    for username in ("bithu", "dangvien1", "dangvien2"):
        run(meeting_id, username, "cast_vote", {"vote_id": vote.id, "choices": ["agree"]})
    # The named counter enters the hall: one tap each, or many at once.
    run(
        meeting_id,
        "phobithu",
        "record_hall_hands",
        {
            "vote_id": vote.id,
            "hands": [{"user_id": uid(u), "choice": "agree"} for u in HALL]
            + [{"user_id": uid("mien1"), "choice": "disagree"}],
        },
    )
    assert channels.pending(current_vote(meeting_id)) == sorted(
        uid(u) for u in ("phobithu", "dangvien3", "dangvien4", "dangvien5")
    )
    # A hall member's online ballot is refused, naming the hall; and the other way round.
    err = refused(meeting_id, "dangvien6", "cast_vote", {"vote_id": vote.id, "choices": ["agree"]})
    assert err.code == "conflict" and err.details["reason"] == "voted_hall"
    assert "hội trường" in str(err.message)
    err = refused(
        meeting_id,
        "phobithu",
        "record_hall_hands",
        {"vote_id": vote.id, "hands": [{"user_id": uid("dangvien1"), "choice": "disagree"}]},
    )
    assert err.details["reason"] == "voted_online"
    assert "trực tuyến" in str(err.message) and "Lê Văn Bình" in str(err.message)
    # A correction of a hall hand by the counter is allowed.
    run(
        meeting_id,
        "phobithu",
        "record_hall_hands",
        {"vote_id": vote.id, "hands": [{"user_id": uid("dangvien9"), "choice": "abstain"}]},
    )
    # Online 3 agree + hall 3 agree = 6 of 12: not more than half.
    run(meeting_id, "bithu", "close_vote", {"vote_id": vote.id, "not_voted": 4})
    vote = current_vote(meeting_id)
    assert vote.result["counts"] == {"agree": 6, "disagree": 1, "abstain": 1}
    assert vote.result["passed"] is False
    assert vote.result["channels"] == {"online": 3, "hall_hands": 5, "paper": 0, "spoiled": 0}


def test_a_member_outside_the_team_cannot_count(ctx):
    meeting_id = live_meeting()
    run(meeting_id, "bithu", "open_vote", {"kind": "resolution"})
    vote = current_vote(meeting_id)
    hands = {"vote_id": vote.id, "hands": [{"user_id": uid("dangvien1"), "choice": "agree"}]}
    assert refused(meeting_id, "dangvien2", "record_hall_hands", hands).code == "forbidden"
    # The chair counts hands without being named.
    run(meeting_id, "bithu", "record_hall_hands", hands)
    # The team cannot change while a vote is open.
    err = refused(meeting_id, "bithu", "set_counting_team", {"user_ids": [uid("dangvien2")]})
    assert err.code == "conflict"


def _paper_meeting():
    meeting_id = live_meeting()
    run(
        meeting_id,
        "bithu",
        "set_counting_team",
        {"user_ids": [uid("dangvien1"), uid("dangvien2")]},
    )
    run(meeting_id, "bithu", "open_vote", {"kind": "admission", "subject": "Nguyễn Văn A"})
    return meeting_id, current_vote(meeting_id)


def test_paper_ballots_need_every_counter_to_confirm(ctx):
    meeting_id, vote = _paper_meeting()
    online = [u for u in OFFICIAL if u not in HALL]  # 7 online
    for username in online:
        ballot(meeting_id, username, ["agree"])
    hall = [*HALL, "mien1"]  # 5 on paper
    run(
        meeting_id,
        "dangvien1",
        "mark_paper_voters",
        {"vote_id": vote.id, "user_ids": [uid(u) for u in hall]},
    )
    # Someone who voted online cannot also be marked on paper, and the other way round.
    err = refused(
        meeting_id,
        "dangvien1",
        "mark_paper_voters",
        {"vote_id": vote.id, "user_ids": [uid("bithu")]},
    )
    assert err.details["reason"] == "voted_online"
    err = refused(meeting_id, "dangvien6", "cast_vote", {"vote_id": vote.id, "choices": ["agree"]})
    assert err.details["reason"] == "voted_paper"
    # Totals that do not add up to the paper voters are refused, with the numbers.
    err = refused(
        meeting_id,
        "dangvien1",
        "enter_paper_tally",
        {"vote_id": vote.id, "counts": {"agree": 3, "disagree": 1}, "spoiled": 0},
    )
    assert err.code == "invalid" and "4" in str(err.message) and "5" in str(err.message)
    entry = run(
        meeting_id,
        "dangvien1",
        "enter_paper_tally",
        {"vote_id": vote.id, "counts": {"agree": 3, "disagree": 1}, "spoiled": 1},
    )
    revision = entry["result"]["revision"]
    # Not confirmed by dangvien2 yet: the close is refused, naming who must confirm.
    err = refused(meeting_id, "bithu", "close_vote", {"vote_id": vote.id})
    assert err.details["reason"] == "hall_incomplete"
    assert "Phạm Thị Hương" in str(err.message) and "Lê Văn Bình" not in str(err.message)
    # The chair is not on the team: cannot confirm for it.
    ref = {"vote_id": vote.id, "revision": revision}
    assert refused(meeting_id, "bithu", "confirm_paper_tally", ref).code == "forbidden"
    assert refused(
        meeting_id, "dangvien2", "confirm_paper_tally", {**ref, "revision": 99}
    ).code == ("conflict")
    run(meeting_id, "dangvien2", "confirm_paper_tally", ref)
    # A changed entry must be confirmed again.
    run(
        meeting_id,
        "dangvien2",
        "enter_paper_tally",
        {"vote_id": vote.id, "counts": {"agree": 4, "disagree": 0}, "spoiled": 1},
    )
    err = refused(meeting_id, "bithu", "close_vote", {"vote_id": vote.id})
    assert err.details["reason"] == "hall_incomplete"
    run(meeting_id, "dangvien1", "confirm_paper_tally", {"vote_id": vote.id, "revision": 2})
    # The chair confirmed the close when nobody was missing: still true.
    run(meeting_id, "bithu", "close_vote", {"vote_id": vote.id, "not_voted": 0})
    vote = current_vote(meeting_id)
    # 7 online + 4 paper agree = 11 of base 12: at least two thirds.
    assert vote.result["counts"]["agree"] == 11 and vote.result["passed"] is True
    assert vote.result["channels"] == {"online": 7, "hall_hands": 0, "paper": 4, "spoiled": 1}
    with force_locale("vi"):
        (summary,) = vote_summaries(meeting_id)
    assert summary.channels["paper"] == 4
    # The log of the team's commands keeps who did what, never the totals next to a voter.
    logged = db.session.scalars(
        select(CommandLog.details).where(CommandLog.name == "confirm_paper_tally")
    ).all()
    assert len(logged) == 2 and all(set(d) == {"vote_id", "revision"} for d in logged)


def test_a_team_of_one_cannot_count_paper(ctx):
    meeting_id = live_meeting()
    run(meeting_id, "bithu", "set_counting_team", {"user_ids": [uid("dangvien1")]})
    run(meeting_id, "bithu", "open_vote", {"kind": "admission", "subject": "Nguyễn Văn A"})
    vote = current_vote(meeting_id)
    err = refused(
        meeting_id,
        "dangvien1",
        "mark_paper_voters",
        {"vote_id": vote.id, "user_ids": [uid("dangvien6")]},
    )
    assert err.code == "conflict" and err.details["reason"] == "too_few"


def test_close_with_a_stale_count_of_non_voters_is_refused_with_names(ctx):
    meeting_id = live_meeting()
    run(meeting_id, "bithu", "open_vote", {"kind": "resolution"})
    vote = current_vote(meeting_id)
    run(meeting_id, "dangvien1", "cast_vote", {"vote_id": vote.id, "choices": ["agree"]})
    err = refused(meeting_id, "bithu", "close_vote", {"vote_id": vote.id, "not_voted": 12})
    assert err.details["reason"] == "not_voted_changed"
    assert len(err.details["not_voted"]) == 11 and uid("dangvien1") not in err.details["not_voted"]


def test_the_vote_section_shows_who_voted_where(ctx):
    meeting_id = live_meeting()
    run(meeting_id, "bithu", "open_vote", {"kind": "resolution"})
    vote = current_vote(meeting_id)
    run(meeting_id, "dangvien1", "cast_vote", {"vote_id": vote.id, "choices": ["agree"]})
    run(
        meeting_id,
        "bithu",
        "record_hall_hands",
        {"vote_id": vote.id, "hands": [{"user_id": uid("dangvien6"), "choice": "disagree"}]},
    )
    vote = current_vote(meeting_id)
    hall = channels.hall_public(vote)
    assert hall["hands"] == {str(uid("dangvien6")): "disagree"}
    assert vote_public(vote)["voted"] == 2  # one online, one hand in the hall
    # Who has not voted yet is asked for (`hall_waiting`), not broadcast on every ballot.
    waiting = channels.hall_waiting(vote)["pending_ids"]
    assert uid("dangvien1") not in waiting and uid("dangvien6") not in waiting
    assert len(waiting) == 10
