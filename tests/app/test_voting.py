"""Votes through the command runner: opening, eligibility, ballots, refusals, closing, verdicts."""

from __future__ import annotations

import copy
import hashlib
import secrets

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from auth.models import User
from core.extensions import db
from meetings.changes import apply_change
from meetings.commands import dispatch
from meetings.errors import CommandError
from meetings.models import CommandLog
from meetings.voting.models import Ballot, Hand, Vote, VoteParticipation
from meetings.voting.records import vote_summaries
from tests.factories import cid, command, events, upcoming_meeting_id

OFFICIAL = ["bithu", "phobithu", *[f"dangvien{i}" for i in range(1, 10)]]  # 11 official members


def uid(username: str) -> int:
    return db.session.scalar(select(User.id).where(User.username == username))


def run(meeting_id: int, username: str, name: str, payload=None, command_id=None) -> dict:
    user = db.session.scalar(select(User).where(User.username == username))
    return dispatch(user, meeting_id, name, command_id or cid(), payload or {})


def refused(meeting_id: int, username: str, name: str, payload=None) -> CommandError:
    with pytest.raises(CommandError) as info:
        run(meeting_id, username, name, payload)
    return info.value


def live_meeting(present=(*OFFICIAL, "mien1", "dubi1", "tamthoi1"), absent=()) -> int:
    """The demo's scheduled meeting of Khu phố 1, started, with attendance marked."""
    meeting_id = upcoming_meeting_id()
    run(meeting_id, "bithu", "start_meeting", {"confirm_early": True})
    for username in present:
        run(meeting_id, "bithu", "mark_attendance", {"user_id": uid(username), "status": "present"})
    for username in absent:
        run(
            meeting_id,
            "bithu",
            "mark_attendance",
            {"user_id": uid(username), "status": "absent_excused", "reason": "Ốm"},
        )
    return meeting_id


def receipt() -> tuple[str, str]:
    code = secrets.token_hex(10)
    return code, hashlib.sha256(code.encode()).hexdigest()


def ballot(meeting_id, username, choices, command_id=None, digest=None) -> dict:
    digest = digest or receipt()[1]
    return run(
        meeting_id,
        username,
        "cast_vote",
        {"vote_id": current_vote(meeting_id).id, "choices": choices, "receipt_hash": digest},
        command_id,
    )


def current_vote(meeting_id: int) -> Vote:
    db.session.expire_all()
    return db.session.scalars(
        select(Vote).where(Vote.meeting_id == meeting_id).order_by(Vote.id.desc())
    ).first()


def test_opening_fixes_eligible_voters_and_base(ctx):
    # dangvien9 excused: out of the base; mien1 present: in; dubi1, tamthoi1: never.
    meeting_id = live_meeting(
        present=(*OFFICIAL[:-1], "mien1", "dubi1", "tamthoi1"), absent=("dangvien9",)
    )
    ack = run(meeting_id, "bithu", "open_vote", {"kind": "resolution"})
    vote = current_vote(meeting_id)
    assert ack["result"] == {"vote_id": vote.id}
    expected = sorted(uid(u) for u in (*OFFICIAL[:-1], "mien1"))
    assert vote.eligible == expected and vote.base == 11
    assert (vote.method, vote.max_choices) == ("show_of_hands", 1)
    assert [o["key"] for o in vote.options] == ["agree", "disagree", "abstain"]
    assert vote.rule == {"threshold": {"majority": "more_than_half", "denominator": "base"}}
    assert vote.subject.startswith("Khai mạc") or vote.subject  # the current item's title
    # A member checking in after the opening does not join this vote.
    run(meeting_id, "bithu", "mark_attendance", {"user_id": uid("dangvien9"), "status": "late"})
    err = refused(meeting_id, "dangvien9", "cast_vote", {"vote_id": vote.id, "choices": ["agree"]})
    assert err.code == "forbidden" and err.details == {"reason": "not_present"}


@pytest.mark.parametrize(
    ("kind", "method", "threshold", "options"),
    [
        ("resolution", "show_of_hands", ("more_than_half", "base"), 3),
        ("admission", "secret", ("at_least_two_thirds", "base"), 3),
        ("recognition", "secret", ("at_least_two_thirds", "base"), 3),
        ("discipline", "secret", ("more_than_half", "base"), 5),
        ("procedural", "show_of_hands", ("more_than_half", "voting"), 3),
    ],
)
def test_kind_sets_the_defaults(ctx, kind, method, threshold, options):
    meeting_id = live_meeting()
    run(meeting_id, "bithu", "open_vote", {"kind": kind, "subject": "Nguyễn Văn A"})
    vote = current_vote(meeting_id)
    assert vote.method == method
    assert (vote.rule["threshold"]["majority"], vote.rule["threshold"]["denominator"]) == threshold
    assert len(vote.options) == options
    if kind == "discipline":
        assert vote.rule["discipline"]["expulsion"]["majority"] == "at_least_two_thirds"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "discipline", "subject": "X", "method": "show_of_hands"}, "method"),
        ({"kind": "election", "candidates": ["A"], "method": "show_of_hands"}, "method"),
        ({"kind": "procedural", "method": "secret"}, "method"),
        ({"kind": "admission"}, "subject"),
        ({"kind": "discipline", "subject": "  "}, "subject"),
        ({"kind": "election"}, "candidates"),
        ({"kind": "election", "candidates": ["A", "a"]}, "candidates"),
        ({"kind": "election", "candidates": ["A", "B"], "seats": 3}, "seats"),
        ({"kind": "resolution", "candidates": ["A"]}, "candidates"),
        ({"kind": "referendum"}, "kind"),
        ({"kind": "resolution", "extra": 1}, "extra"),
    ],
)
def test_open_vote_refuses_bad_settings(ctx, payload, field):
    meeting_id = live_meeting()
    err = refused(meeting_id, "bithu", "open_vote", payload)
    assert err.code == "invalid"
    assert field in str(err.details)
    assert current_vote(meeting_id) is None


def test_only_leads_open_and_close_and_one_vote_at_a_time(ctx):
    meeting_id = live_meeting()
    assert refused(meeting_id, "dangvien1", "open_vote", {"kind": "resolution"}).code == "forbidden"
    run(meeting_id, "phobithu", "open_vote", {"kind": "resolution"})
    vote_id = current_vote(meeting_id).id
    assert refused(meeting_id, "bithu", "open_vote", {"kind": "resolution"}).code == "conflict"
    assert refused(meeting_id, "dangvien1", "close_vote", {"vote_id": vote_id}).code == "forbidden"
    assert refused(meeting_id, "lanhdao", "close_vote", {"vote_id": vote_id}).code == "forbidden"


def _state(meeting_id):
    vote = current_vote(meeting_id)
    return (
        vote.status,
        db.session.scalar(select(func.count()).select_from(Hand)),
        db.session.scalar(select(func.count()).select_from(Ballot)),
        db.session.scalar(select(func.count()).select_from(VoteParticipation)),
    )


@pytest.mark.parametrize("method", ["show_of_hands", "secret"])
@pytest.mark.parametrize(
    ("username", "code", "reason"),
    [
        ("dubi1", "forbidden", "probationary"),  # no right to vote at all
        ("tamthoi1", "forbidden", "hosted"),  # official, but hosted from another cell
        ("lanhdao", "forbidden", "observer"),  # upper-level observer
        ("dangvien9", "forbidden", "not_present"),  # absent when the vote opened
        ("kp2_dangvien1", "forbidden", "not_member"),  # member of another cell
    ],
)
def test_ineligible_voters_are_refused_and_nothing_changes(ctx, method, username, code, reason):
    meeting_id = live_meeting(present=(*OFFICIAL[:-1], "dubi1", "tamthoi1"))
    run(meeting_id, "bithu", "open_vote", {"kind": "resolution", "method": method})
    vote = current_vote(meeting_id)
    before = (_state(meeting_id), db.session.get(type(vote).__mro__[0], vote.id).id)
    version = vote_version(meeting_id)
    _code, digest = receipt()
    err = refused(
        meeting_id,
        username,
        "cast_vote",
        {"vote_id": vote.id, "choices": ["agree"], "receipt_hash": digest},
    )
    assert err.code == code
    assert err.as_dict()["error"]["message"]  # a message the user can read
    assert err.details == {"reason": reason}
    assert (_state(meeting_id), vote.id) == before
    assert vote_version(meeting_id) == version
    # The panel shows the server's reason, the same one (it works none out itself).
    assert _panel_reason(meeting_id, username, vote.id) == reason


def _panel_reason(meeting_id: int, username: str, vote_id: int) -> str:
    from meetings.models import Meeting
    from meetings.permissions import meeting_roles
    from meetings.voting.sections import my_votes

    user = db.session.scalar(select(User).where(User.username == username))
    meeting = db.session.get(Meeting, meeting_id)
    mine = my_votes(meeting, user, meeting_roles(user, meeting))
    entry = mine["votes"][str(vote_id)]
    assert not entry["eligible"]
    return entry["why_not"]


def vote_version(meeting_id):
    from meetings.models import Meeting

    db.session.expire_all()
    return db.session.get(Meeting, meeting_id).version


def test_show_of_hands_counts_live_and_a_hand_may_change(ctx):
    meeting_id = live_meeting()
    run(meeting_id, "bithu", "open_vote", {"kind": "resolution"})
    vote = current_vote(meeting_id)
    for username in OFFICIAL[:6]:
        run(meeting_id, username, "cast_vote", {"vote_id": vote.id, "choices": ["agree"]})
    run(meeting_id, "dangvien6", "cast_vote", {"vote_id": vote.id, "choices": ["disagree"]})
    run(meeting_id, "mien1", "cast_vote", {"vote_id": vote.id, "choices": ["abstain"]})
    from meetings.voting.sections import vote_public

    public = vote_public(current_vote(meeting_id))
    assert public["counts"] == {"agree": 6, "disagree": 1, "abstain": 1}
    assert public["voted"] == 8 and public["eligible"] == 12
    run(meeting_id, "dangvien6", "cast_vote", {"vote_id": vote.id, "choices": ["agree"]})
    run(meeting_id, "dangvien7", "cast_vote", {"vote_id": vote.id, "choices": ["agree"]})
    ack = run(meeting_id, "bithu", "close_vote", {"vote_id": vote.id})
    assert ack["ok"]
    vote = current_vote(meeting_id)
    assert vote.result["counts"] == {"agree": 8, "disagree": 0, "abstain": 1}
    assert vote.result["passed"] is True and vote.ballots_cast == 9
    with force_locale("en"):
        [summary] = vote_summaries(meeting_id)
    assert summary.verdict == (
        "Passed: 8/12 comrades agreed (66.7%), reaching more than half of the official members"
    )
    assert summary.lines == (("Agree", 8, "66.7%"), ("Disagree", 0, "0.0%"), ("Abstain", 1, "8.3%"))
    assert (summary.eligible, summary.base, summary.cast, summary.passed) == (12, 12, 9, True)
    with force_locale("vi"):
        [summary] = vote_summaries(meeting_id)
    assert "8/12" in summary.verdict and "66,7%" in summary.verdict


def test_secret_ballot_is_final_counts_once_and_refused_after_close(ctx):
    meeting_id = live_meeting()
    run(meeting_id, "bithu", "open_vote", {"kind": "admission", "subject": "Lê Thị Cúc"})
    vote = current_vote(meeting_id)
    assert vote.method == "secret"
    digest = receipt()[1]
    first = ballot(meeting_id, "dangvien1", ["agree"], "same-ballot-1", digest)
    again = ballot(meeting_id, "dangvien1", ["agree"], "same-ballot-1", digest)
    assert first["result"] == {"vote_id": vote.id, "recorded": True}
    assert again["repeat"] is True and again["result"] == first["result"]
    # The same command id with another payload is not a repeat: refused, saying why.
    for other in (["disagree"], ["agree"]):
        with pytest.raises(CommandError) as info:
            ballot(meeting_id, "dangvien1", other, "same-ballot-1", receipt()[1])
        assert info.value.code == "invalid"
        assert info.value.details == {"field": "cid", "reason": "cid_reused"}
    with pytest.raises(CommandError) as info:
        ballot(meeting_id, "dangvien1", ["disagree"])  # a new command id: still one ballot
    assert info.value.code == "conflict" and info.value.details == {"reason": "already_voted"}
    assert _state(meeting_id)[2:] == (1, 1)
    for username in ["bithu", "phobithu", *[f"dangvien{i}" for i in range(2, 7)]]:
        ballot(meeting_id, username, ["agree"])
    run(meeting_id, "bithu", "close_vote", {"vote_id": vote.id})
    vote = current_vote(meeting_id)
    # 8 of base 12: exactly two thirds passes.
    assert vote.result["counts"]["agree"] == 8 and vote.result["passed"] is True
    with pytest.raises(CommandError) as info:
        ballot(meeting_id, "dangvien9", ["agree"])
    assert info.value.details == {"reason": "closed"}
    assert refused(meeting_id, "bithu", "close_vote", {"vote_id": vote.id}).code == "conflict"


@pytest.mark.parametrize(
    "payload",
    [
        {"choices": ["agree", "disagree"]},
        {"choices": []},
        {"choices": ["yes"]},
        {"choices": ["agree"], "receipt_hash": "not-a-hash"},
        {"choices": ["agree"], "receipt_hash": None},
        {"choices": ["agree"], "receipt_hash": "A" * 64},
    ],
)
def test_malformed_ballots_are_refused(ctx, payload):
    meeting_id = live_meeting()
    run(meeting_id, "bithu", "open_vote", {"kind": "admission", "subject": "Lê Thị Cúc"})
    vote = current_vote(meeting_id)
    body = {"vote_id": vote.id, "receipt_hash": receipt()[1], **payload}
    assert refused(meeting_id, "dangvien1", "cast_vote", body).code == "invalid"
    assert _state(meeting_id)[2:] == (0, 0)


def test_a_reused_receipt_is_refused(ctx):
    meeting_id = live_meeting()
    run(meeting_id, "bithu", "open_vote", {"kind": "admission", "subject": "Lê Thị Cúc"})
    vote_id = current_vote(meeting_id).id
    digest = receipt()[1]
    body = {"vote_id": vote_id, "choices": ["agree"], "receipt_hash": digest}
    run(meeting_id, "dangvien1", "cast_vote", body)
    assert refused(meeting_id, "dangvien2", "cast_vote", body).code == "invalid"


def test_auto_close_when_everyone_voted(ctx):
    meeting_id = live_meeting(present=("bithu", "dangvien1", "dangvien2", "dubi1"))
    run(meeting_id, "bithu", "open_vote", {"kind": "procedural", "auto_close": True})
    vote = current_vote(meeting_id)
    assert len(vote.eligible) == 3
    for username in ("bithu", "dangvien1"):
        run(meeting_id, username, "cast_vote", {"vote_id": vote.id, "choices": ["agree"]})
    assert current_vote(meeting_id).is_open
    run(meeting_id, "dangvien2", "cast_vote", {"vote_id": vote.id, "choices": ["disagree"]})
    vote = current_vote(meeting_id)
    assert not vote.is_open and vote.result["passed"] is True  # 2 of 3 cast
    assert vote.result["denominator"] == 3


def test_discipline_by_cumulative_counting(ctx):
    meeting_id = live_meeting(present=OFFICIAL[:9])  # base 11 (two absent without reason)
    run(meeting_id, "bithu", "open_vote", {"kind": "discipline", "subject": "Đồng chí X"})
    vote = current_vote(meeting_id)
    choices = ["expulsion"] * 3 + ["warning"] * 3 + ["none"] * 3
    for username, choice in zip(OFFICIAL[:9], choices, strict=True):
        ballot(meeting_id, username, [choice])
    run(meeting_id, "bithu", "close_vote", {"vote_id": vote.id})
    vote = current_vote(meeting_id)
    assert vote.base == 11
    assert vote.result["outcome"] == "warning"  # 3 + 0 + 3 = 6 of 11 > half
    with force_locale("en"):
        [summary] = vote_summaries(meeting_id)
    assert summary.verdict == (
        "Decided: warning, 6/11 comrades voted for it or a heavier form "
        "(54.5%, counted cumulatively), reaching more than half of the official members"
    )
    assert summary.passed is True


def test_election_reports_a_tie_at_the_last_seat(ctx):
    meeting_id = live_meeting()
    run(
        meeting_id,
        "bithu",
        "open_vote",
        {"kind": "election", "subject": "Bầu chi ủy", "candidates": ["An", "Bình", "Cường"],
         "seats": 2},
    )  # fmt: skip
    vote = current_vote(meeting_id)
    assert vote.max_choices == 2 and [o["label"] for o in vote.options] == ["An", "Bình", "Cường"]
    with pytest.raises(CommandError) as info:
        ballot(meeting_id, "dangvien9", ["c1", "c2", "c3"])  # more names than seats
    assert info.value.code == "invalid"
    ballots = [["c1", "c2"]] * 5 + [["c1", "c3"]] * 5 + [["c2", "c3"]] * 2
    for username, choices in zip([*OFFICIAL, "mien1"], ballots, strict=True):
        ballot(meeting_id, username, choices)
    run(meeting_id, "bithu", "close_vote", {"vote_id": vote.id})
    vote = current_vote(meeting_id)
    assert vote.result["elected"] == ["c1"] and vote.result["tie"] == ["c2", "c3"]
    assert vote.result["counts"] == {"c1": 10, "c2": 7, "c3": 7}
    with force_locale("en"):
        [summary] = vote_summaries(meeting_id)
    assert summary.verdict == (
        "Elected, each reaching more than half of the official members: An (10/12, 83.3%). "
        "Tie for the last seat between Bình, Cường (7/12 votes each): a new round is needed"
    )
    assert summary.passed is None and summary.cast == 12


def test_command_log_holds_no_secret(ctx):
    meeting_id = live_meeting()
    run(meeting_id, "bithu", "open_vote", {"kind": "admission", "subject": "Lê Thị Cúc"})
    vote_id = current_vote(meeting_id).id
    code, digest = receipt()
    run(
        meeting_id,
        "dangvien3",
        "cast_vote",
        {"vote_id": vote_id, "choices": ["disagree"], "receipt_hash": digest},
    )
    [row] = db.session.scalars(select(CommandLog).where(CommandLog.name == "cast_vote")).all()
    assert row.details == {"vote_id": vote_id}
    assert row.result == {"vote_id": vote_id, "recorded": True}
    dump = repr([(r.details, r.result) for r in db.session.scalars(select(CommandLog))])
    assert "disagree" not in dump and digest not in dump and code not in dump


# ---- over Socket.IO: what is broadcast, what only the voter gets ----------------------------


def test_secret_vote_broadcasts_only_how_many_voted(app, sio):
    with app.app_context():
        meeting_id = live_meeting()
        voter_id = uid("dangvien2")
    chair, voter, other = sio("bithu"), sio("dangvien2"), sio("dangvien3")
    for client in (chair, voter, other):
        assert client.emit("join", {"meeting_id": meeting_id}, callback=True)["ok"]
        client.get_received()
    ack = command(chair, meeting_id, "open_vote", {"kind": "admission", "subject": "Lê Thị Cúc"})
    vote_id = ack["result"]["vote_id"]
    [opened] = events(other)
    [change] = opened["changes"]
    assert change["type"] == "vote" and change["data"]["status"] == "open"
    assert voter_id in change["data"]["eligible_ids"] and change["data"]["counts"] is None
    voter.get_received()
    code, digest = receipt()
    ack = command(
        voter,
        meeting_id,
        "cast_vote",
        {"vote_id": vote_id, "choices": ["agree"], "receipt_hash": digest},
    )
    assert ack["ok"] and ack["result"] == {"vote_id": vote_id, "recorded": True}
    received = other.get_received()
    [message] = [e["args"][0] for e in received if e["name"] == "changes"]
    assert message["changes"][0]["type"] == "vote_progress"  # only what moved
    data = message["changes"][0]["data"]
    # How many voted, never what nor who: the change stays a few bytes whatever the roster's size
    # (who has not voted yet is asked for by the chair, `hall_waiting`).
    assert data == {"id": vote_id, "voted": 1, "counts": None}
    assert digest not in repr(received) and str(voter_id) not in repr(data)
    assert not [e for e in received if e["name"] in ("my_vote", "my_votes")]
    mine = [e["args"][0] for e in voter.get_received() if e["name"] == "my_vote"]
    assert mine == [{"meeting_id": meeting_id, "vote_id": vote_id, "eligible": True, "voted": True}]
    # Coming back: the snapshot tells the voter the ballot is recorded, and nothing more.
    again = sio("dangvien2")
    snap = again.emit("join", {"meeting_id": meeting_id}, callback=True)["snapshot"]
    assert snap["my_votes"]["votes"][str(vote_id)] == {"eligible": True, "voted": True}
    assert snap["votes"][0]["voted"] == 1
    other_snap = other.emit("join", {"meeting_id": meeting_id}, callback=True)["snapshot"]
    assert other_snap["my_votes"]["votes"][str(vote_id)] == {"eligible": True, "voted": False}
    # Close: counts, verdict in both languages and the receipts reach everyone.
    command(chair, meeting_id, "close_vote", {"vote_id": vote_id})
    [closed] = events(other)
    data = closed["changes"][0]["data"]
    assert data["status"] == "closed" and data["receipts"] == [digest]
    assert data["result"]["text"]["en"]["verdict"].startswith("Not passed: 1/12")
    assert "8,3%" in data["result"]["text"]["vi"]["verdict"]


def test_who_has_not_voted_is_asked_by_those_who_close_or_count(app, sio):
    with app.app_context():
        meeting_id = live_meeting()
        voter_id = uid("dangvien2")
    chair, voter = sio("bithu"), sio("dangvien2")
    for client in (chair, voter):
        assert client.emit("join", {"meeting_id": meeting_id}, callback=True)["ok"]
    vote_id = command(chair, meeting_id, "open_vote", {"kind": "resolution"})["result"]["vote_id"]
    ask = {"meeting_id": meeting_id, "vote_id": vote_id}
    before = chair.emit("hall_waiting", ask, callback=True)
    assert before["ok"] and before["vote_id"] == vote_id and voter_id in before["pending_ids"]
    assert command(voter, meeting_id, "cast_vote", {"vote_id": vote_id, "choices": ["agree"]})["ok"]
    after = chair.emit("hall_waiting", ask, callback=True)
    assert set(before["pending_ids"]) - set(after["pending_ids"]) == {voter_id}
    # A member who neither closes votes nor counts is refused; so is a bad or foreign question.
    assert voter.emit("hall_waiting", ask, callback=True)["error"]["code"] == "forbidden"
    for bad, code in (
        ({"meeting_id": meeting_id, "vote_id": "1"}, "invalid"),
        ({"meeting_id": meeting_id, "vote_id": 10**9}, "not_found"),
        ({**ask, "extra": 1}, "invalid"),
        ({"meeting_id": 10**9, "vote_id": vote_id}, "not_found"),
    ):
        assert chair.emit("hall_waiting", bad, callback=True)["error"]["code"] == code, bad


def test_a_raised_hand_reaches_only_its_owner_devices_and_the_room_sees_counts(app, sio):
    with app.app_context():
        meeting_id = live_meeting()
    chair, phone, laptop, other = sio("bithu"), sio("dangvien2"), sio("dangvien2"), sio("dangvien3")
    for client in (chair, phone, laptop, other):
        assert client.emit("join", {"meeting_id": meeting_id}, callback=True)["ok"]
    vote_id = command(chair, meeting_id, "open_vote", {"kind": "resolution"})["result"]["vote_id"]
    for client in (chair, phone, laptop, other):
        client.get_received()
    assert command(phone, meeting_id, "cast_vote", {"vote_id": vote_id, "choices": ["agree"]})["ok"]
    assert command(phone, meeting_id, "cast_vote", {"vote_id": vote_id, "choices": ["disagree"]})[
        "ok"
    ]
    private = [e["args"][0] for e in laptop.get_received() if e["name"] == "my_vote"]
    assert [p["choice"] for p in private] == ["agree", "disagree"]  # the owner's other device
    seen = other.get_received()
    assert not [e for e in seen if e["name"] == "my_vote"]
    progress = [c["data"] for e in seen if e["name"] == "changes" for c in e["args"][0]["changes"]]
    assert progress[-1] == {
        "id": vote_id,
        "voted": 1,
        "counts": {"agree": 0, "disagree": 1, "abstain": 0},
    }


def test_events_replayed_on_a_stale_state_equal_a_fresh_snapshot(app, sio):
    with app.app_context():
        meeting_id = live_meeting()
    chair, watcher = sio("bithu"), sio("dangvien5")
    command(chair, meeting_id, "join", None)
    stale = watcher.emit("join", {"meeting_id": meeting_id}, callback=True)["snapshot"]
    watcher.get_received()
    vote_id = command(chair, meeting_id, "open_vote", {"kind": "resolution"})["result"]["vote_id"]
    for username, choice in (("dangvien1", "agree"), ("dangvien2", "abstain")):
        with app.app_context():
            run(meeting_id, username, "cast_vote", {"vote_id": vote_id, "choices": [choice]})
    state = copy.deepcopy(stale)

    def replay():
        for message in events(watcher):
            for change in message["changes"]:
                apply_change(state, change)  # the app's reducer (static/js/changes.js in Python)
        fresh = watcher.emit("join", {"meeting_id": meeting_id}, callback=True)["snapshot"]
        assert state["votes"] == fresh["votes"]

    replay()  # open, with hands counted live (vote_progress events)
    assert state["votes"][0]["counts"]["agree"] == 1 and state["votes"][0]["voted"] == 2
    command(chair, meeting_id, "close_vote", {"vote_id": vote_id})
    replay()  # closed


# ---- pages -----------------------------------------------------------------------------------


def test_room_page_has_the_voting_panel_right_after_the_current_item(app, login):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    page = login("dangvien1").get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert page.index('id="now-h"') < page.index('id="voting"') < page.index('id="agenda-h"')
    assert page.index("js/room.js") < page.index("js/voting.js")
    assert 'id="voting-i18n"' in page


def test_receipts_page_after_a_secret_vote(app, login):
    with app.app_context():
        meeting_id = live_meeting()
        run(meeting_id, "bithu", "open_vote", {"kind": "recognition", "subject": "Phan Thị Yến"})
        vote_id = current_vote(meeting_id).id
        digests = []
        for username in OFFICIAL[:5]:
            code, digest = receipt()
            digests.append(digest)
            run(
                meeting_id,
                username,
                "cast_vote",
                {"vote_id": vote_id, "choices": ["agree"], "receipt_hash": digest},
            )
    member = login("dangvien1")
    url = f"/meetings/{meeting_id}/votes/{vote_id}/receipts"
    assert member.get(url).status_code == 404  # nothing is published while the vote is open
    with app.app_context():
        run(meeting_id, "bithu", "close_vote", {"vote_id": vote_id})
    page = member.get(url).get_data(as_text=True)
    listed = [line.split('"')[1] for line in page.split("data-hash=")[1:]]
    assert listed == sorted(digests)
    for figure in ("n-receipts", "n-ballots", "n-voters"):
        assert f'id="{figure}">5<' in page
    assert 'id="n-eligible">12<' in page and 'class="ok" id="consistency"' in page
    assert login("kp2_dangvien1").get(url).status_code == 403
    mine = member.get(f"/meetings/{meeting_id}/votes/mine").get_json()
    assert mine["my_votes"]["votes"][str(vote_id)] == {"eligible": True, "voted": True}
