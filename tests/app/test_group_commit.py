"""Ballots that arrive together run together (meetings/group_commit.py): one transaction, one
version, one broadcast; a group with any refusal runs command by command, and every answer is the
one the command would have had alone."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from core import broadcast
from core.extensions import db
from meetings import commands, group_commit
from meetings.changes import apply_change
from meetings.models import CommandLog, Meeting
from meetings.voting.models import Ballot
from tests.app.test_voting import current_vote, live_meeting, receipt, run, uid
from tests.factories import cid

VOTERS = ["phobithu", "dangvien1", "dangvien2", "dangvien3", "dangvien4"]


@pytest.fixture
def sent(monkeypatch):
    """Every `changes` broadcast: (meeting_id, version, changes)."""
    calls = []
    real = broadcast.changes

    def record(meeting_id, version, items, *tags):
        calls.append((meeting_id, version, items))
        return real(meeting_id, version, items, *tags)

    monkeypatch.setattr(broadcast, "changes", record)
    return calls


def _job(username: str, vote_id: int, choice: str = "agree", command_id: str | None = None):
    payload = {"vote_id": vote_id, "choices": [choice], "receipt_hash": receipt()[1]}
    return group_commit.Job(uid(username), command_id or cid(), "cast_vote", payload)


def _open_secret_vote(meeting_id: int) -> int:
    ack = run(meeting_id, "bithu", "open_vote", {"kind": "resolution", "method": "secret"})
    assert ack["ok"], ack
    return ack["result"]["vote_id"]


def _version(meeting_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Meeting, meeting_id).version


def test_a_group_is_one_transaction_one_version_and_one_message(ctx, sent):
    meeting_id = live_meeting()
    vote_id = _open_secret_vote(meeting_id)
    before = _version(meeting_id)
    state = {"votes": [{"id": vote_id, "voted": 0}]}  # the room's entry of this vote
    sent.clear()

    jobs = [_job(name, vote_id) for name in VOTERS]
    commands._run_group(meeting_id, jobs)

    assert [job.ack["version"] for job in jobs] == [before + 1] * len(VOTERS)
    assert all(job.ack["ok"] and job.ack["result"]["recorded"] for job in jobs)
    assert _version(meeting_id) == before + 1
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == len(VOTERS)
    logged = db.session.scalars(
        select(CommandLog.version).where(CommandLog.name == "cast_vote")
    ).all()
    assert logged == [before + 1] * len(VOTERS)  # each command logged, under the group's version
    # One message; the five progress reports coalesced into the last one, which counts all five.
    [(_meeting, version, items)] = sent
    assert version == before + 1
    assert [c["type"] for c in items] == ["vote_progress"]
    assert items[0]["data"]["voted"] == len(VOTERS)
    for change in items:
        apply_change(state, change)
    [vote] = [v for v in state["votes"] if v["id"] == vote_id]
    assert vote["voted"] == len(VOTERS)


def test_a_group_with_a_refusal_writes_nothing_and_each_then_gets_its_own_answer(ctx, sent):
    meeting_id = live_meeting()
    vote_id = _open_secret_vote(meeting_id)
    before = _version(meeting_id)
    sent.clear()
    # dubi1 is probationary: never on the list. Grouped, its refusal must not cost the others.
    jobs = [_job("dangvien1", vote_id), _job("dubi1", vote_id), _job("dangvien2", vote_id)]
    commands._run_group(meeting_id, jobs)

    assert [job.ack for job in jobs] == [None, None, None]  # none ran: each runs alone
    assert _version(meeting_id) == before and sent == []
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0

    answers = []
    for job in jobs:
        try:
            answers.append(run(meeting_id, _username(job.actor_id), "cast_vote", job.raw))
        except commands.CommandError as refusal:
            answers.append(refusal.details.get("reason"))
    assert answers[0]["ok"] and answers[2]["ok"]
    assert answers[1] == "probationary"
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 2


def test_a_command_resent_within_its_group_is_answered_as_a_repeat(ctx, sent):
    meeting_id = live_meeting()
    vote_id = _open_secret_vote(meeting_id)
    first = _job("dangvien1", vote_id, command_id="resent-in-a-group")
    again = group_commit.Job(first.actor_id, first.client_id, "cast_vote", dict(first.raw))
    jobs = [first, _job("dangvien2", vote_id), again]
    commands._run_group(meeting_id, jobs)

    assert first.ack["ok"] and not first.ack.get("repeat")
    assert again.ack["ok"] and again.ack["repeat"] and again.ack["version"] == first.ack["version"]
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 2
    assert current_vote(meeting_id).id == vote_id


def test_one_command_alone_runs_its_own_way(ctx, sent):
    meeting_id = live_meeting()
    vote_id = _open_secret_vote(meeting_id)
    [job] = jobs = [_job("dangvien1", vote_id)]
    commands._run_group(meeting_id, jobs)
    assert job.ack is None  # `dispatch` runs it as any other command
    ack = run(meeting_id, "dangvien1", "cast_vote", job.raw, job.client_id)
    assert ack["ok"] and not ack.get("repeat")


def _username(user_id: int) -> str:
    from auth.models import User

    return db.session.get(User, user_id).username


# ---- the queue: who leads, who waits, who runs together (threads, no database) ---------------


def test_commands_arriving_while_a_group_runs_make_the_next_group_led_by_the_first_waiting():
    release = threading.Event()
    groups: list[tuple[str, list[int]]] = []

    def run_group(meeting_id, jobs):
        groups.append((threading.current_thread().name, [job.actor_id for job in jobs]))
        if len(groups) == 1:
            release.wait(5)  # the first group holds the meeting while the others arrive
        for job in jobs:
            job.ack = {"ok": True, "by": job.actor_id}

    def submit(actor_id):
        job = group_commit.Job(actor_id, None, "cast_vote", {})
        answers[actor_id] = group_commit.submit(7, job, run_group)

    answers: dict[int, dict] = {}
    first = threading.Thread(target=submit, args=(0,), name="t0")
    first.start()
    while not groups:
        threading.Event().wait(0.001)
    waiting = [threading.Thread(target=submit, args=(i,), name=f"t{i}") for i in range(1, 6)]
    for thread in waiting:
        thread.start()
    while len(group_commit._queues[7].jobs) < 5:
        threading.Event().wait(0.001)
    release.set()
    for thread in [first, *waiting]:
        thread.join(5)

    assert groups[0] == ("t0", [0])
    leader, members = groups[1]
    assert sorted(members) == [1, 2, 3, 4, 5] and leader == f"t{members[0]}"
    assert answers == {i: {"ok": True, "by": i} for i in range(6)}
    assert 7 not in group_commit._queues  # nothing left behind


def test_a_group_that_fails_still_wakes_everyone_and_hands_on_the_lead():
    def run_group(meeting_id, jobs):
        raise RuntimeError("a bug in a handler")

    job = group_commit.Job(1, None, "cast_vote", {})
    with pytest.raises(RuntimeError):
        group_commit.submit(8, job, run_group)
    assert 8 not in group_commit._queues


def test_roles_read_once_for_a_group_are_the_roles_read_one_by_one(ctx):
    """`RoleFacts` (memberships and counting team read once) gives `meeting_roles` what it reads
    alone: a member, the chair, a probationary member, a counter, a leader (observer), an outsider."""
    from auth.models import User
    from meetings.models import CountingTeamMember
    from meetings.permissions import RoleFacts, meeting_roles

    meeting_id = live_meeting()
    meeting = db.session.get(Meeting, meeting_id)
    db.session.add(CountingTeamMember(meeting_id=meeting_id, user_id=uid("dangvien5")))
    db.session.flush()
    names = ["dangvien1", "bithu", "dubi1", "dangvien5", "lanhdao", "kp2_dangvien1", "mien1"]
    users = [db.session.scalar(select(User).where(User.username == n)) for n in names]
    facts = RoleFacts(meeting, [u.id for u in users])
    alone = {u.username: meeting_roles(u, meeting) for u in users}
    together = {u.username: meeting_roles(u, meeting, facts) for u in users}
    assert together == alone
    assert "counter" in alone["dangvien5"] and "chair" in alone["bithu"]
    assert "observer" in alone["lanhdao"] and alone["kp2_dangvien1"] == frozenset()
