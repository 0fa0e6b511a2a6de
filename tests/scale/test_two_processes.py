"""Two `python app.py` processes (eventlet) sharing PostgreSQL and Redis.

A client on one process sees every event caused on the other; concurrent commands on one meeting
are serialized by PostgreSQL's row lock; logging out or being removed from a cell closes the
user's sockets on every process.
"""

from __future__ import annotations

import threading
import time

import pytest
import requests

from meetings import changes
from tests import live_server

pytestmark = pytest.mark.server


def _wait(predicate, timeout: float = 5.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.02)
    raise AssertionError(f"{what} not met within {timeout} s")


def _connect(url: str, http: requests.Session) -> live_server.RoomClient:
    client = live_server.connect(url, http)
    client.disconnected = threading.Event()
    client.sio.on("disconnect", lambda *args: client.disconnected.set())
    return client


@pytest.fixture
def clients():
    opened: list[live_server.RoomClient] = []

    def _open(url: str, http: requests.Session) -> live_server.RoomClient:
        client = _connect(url, http)
        opened.append(client)
        return client

    yield _open
    for client in opened:
        client.disconnect()


def test_events_caused_on_one_process_reach_clients_of_the_other(cluster, clients):
    a, b = cluster.urls
    bithu_http = live_server.login(a, "bithu")
    member_http = live_server.login(b, "dangvien1")  # the session cookie works on both
    meeting_id = live_server.scheduled_meeting_id(b, bithu_http)
    bithu, member = clients(a, bithu_http), clients(b, member_http)
    first = bithu.join(meeting_id)
    member.join(meeting_id)

    # Presence is shared: each sees the other online though they are on different processes.
    online = bithu.call("snapshot", {"meeting_id": meeting_id})["snapshot"]["online"]
    member_id = member.call("snapshot", {"meeting_id": meeting_id})["snapshot"]["me"]["user_id"]
    bithu_id = first["me"]["user_id"]
    assert set(online) >= {bithu_id, member_id}

    ack = bithu.command(meeting_id, "start_meeting", {"confirm_early": True})  # caused on A
    assert ack["ok"], ack
    started = member.wait_for(lambda m: m["v"] == ack["version"])  # seen on B
    assert started["changes"][0]["data"]["status"] == "live"

    ack = member.command(meeting_id, "check_in")  # caused on B
    assert ack["ok"], ack
    checked = bithu.wait_for(lambda m: m["v"] == ack["version"])  # seen on A
    rows = checked["changes"][0]["data"]["rows"]
    assert [(row["user_id"], row["attendance"]["status"]) for row in rows] == [
        (member_id, "present")
    ]

    # Both processes answer with the same state, read from the one database.
    state_a = live_server.fetch_state(a, bithu_http, meeting_id)
    state_b = live_server.fetch_state(b, bithu_http, meeting_id)
    assert state_a["version"] == state_b["version"] == ack["version"]
    assert changes.comparable(state_a) == changes.comparable(state_b)


def test_presence_follows_a_socket_that_leaves_on_the_other_process(cluster, clients):
    a, b = cluster.urls
    bithu_http, member_http = live_server.login(a, "bithu"), live_server.login(b, "dangvien2")
    meeting_id = live_server.scheduled_meeting_id(a, bithu_http)
    bithu = clients(a, bithu_http)
    bithu.join(meeting_id)
    seen: list[dict] = []
    bithu.sio.on("presence", seen.append)
    member = clients(b, member_http)
    member_id = member.join(meeting_id)["me"]["user_id"]
    _wait(lambda: any(e["meeting_id"] == meeting_id and member_id in e["online"] for e in seen))

    member.disconnect()  # on B
    _wait(lambda: any(e["meeting_id"] == meeting_id and member_id in e["offline"] for e in seen))
    online = bithu.call("snapshot", {"meeting_id": meeting_id})["snapshot"]["online"]
    assert member_id not in online


def test_twenty_concurrent_commands_on_two_processes_are_serialized(cluster, clients):
    """PostgreSQL's row lock (the version bump first) orders them: no lost update, no gap."""
    a, b = cluster.urls
    # One login (5 a minute per account, counted across processes): its cookie works on both.
    bithu_http = live_server.login(a, "bithu")
    meeting_id = live_server.scheduled_meeting_id(a, bithu_http)
    senders = [clients(url, bithu_http) for url in (a, b) for _ in range(2)]
    watchers = [clients(url, live_server.login(url, "dangvien3")) for url in (a, b)]
    before = watchers[0].join(meeting_id)
    watchers[1].join(meeting_id)
    items_before = len(before["agenda"]["items"])

    acks: list[dict] = []
    lock = threading.Lock()
    barrier = threading.Barrier(20)

    def send(index: int) -> None:
        barrier.wait()
        ack = senders[index % len(senders)].command(
            meeting_id, "agenda_add", {"title": f"Mục {index}", "planned_minutes": 5}
        )
        with lock:
            acks.append(ack)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert len(acks) == 20 and all(ack["ok"] for ack in acks), acks
    versions = sorted(ack["version"] for ack in acks)
    assert versions == list(range(before["version"] + 1, before["version"] + 21))

    for watcher in watchers:  # every process delivered every version exactly once
        _wait(lambda w=watcher: len(w.received()) >= 20, timeout=10, what="20 events")
        assert sorted(m["v"] for m in watcher.received()) == versions

    state = live_server.fetch_state(b, bithu_http, meeting_id)
    items = state["agenda"]["items"]
    assert state["version"] == versions[-1]
    assert len(items) == items_before + 20  # all applied
    assert [item["position"] for item in items] == list(range(len(items)))  # none raced
    assert {item["title"] for item in items} >= {f"Mục {i}" for i in range(20)}


def _logout(url: str, http: requests.Session) -> None:
    page = http.get(url + "/", timeout=10)
    response = http.post(
        url + "/logout",
        data={"csrf_token": live_server.csrf_token(page.text)},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.status_code


def test_logout_closes_the_users_sockets_on_every_process(cluster, clients):
    a, b = cluster.urls
    member_http = live_server.login(a, "dangvien4")
    other_http = live_server.login(b, "dangvien5")
    on_a, on_b = clients(a, member_http), clients(b, member_http)
    bystander = clients(b, other_http)

    _logout(a, member_http)

    assert on_a.disconnected.wait(5), "socket on the process that logged out stays open"
    assert on_b.disconnected.wait(5), "socket on the other process stays open"
    assert bystander.sio.connected  # nobody else is touched
    assert not bystander.disconnected.is_set()


def test_removal_from_the_cell_closes_the_members_sockets_on_every_process(cluster, clients):
    a, b = cluster.urls
    member_http = live_server.login(b, "dangvien6")
    meeting_id = live_server.scheduled_meeting_id(b, member_http)
    on_b = clients(b, member_http)
    member_id = on_b.join(meeting_id)["me"]["user_id"]

    admin_http = live_server.login(a, "admin")
    membership_id = _membership_id(a, admin_http, member_id)
    page = admin_http.get(f"{a}/admin/memberships/{membership_id}", timeout=10)
    page.raise_for_status()
    response = admin_http.post(
        f"{a}/admin/memberships/{membership_id}/remove",
        data={"csrf_token": live_server.csrf_token(page.text)},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.status_code
    assert on_b.disconnected.wait(5), "the removed member's socket on the other process stays open"


def _membership_id(url: str, admin_http: requests.Session, user_id: int) -> int:
    """The member's membership, found through the admin's user page."""
    import re

    page = admin_http.get(f"{url}/admin/users/{user_id}", timeout=10)
    page.raise_for_status()
    found = re.findall(r"/admin/memberships/(\d+)", page.text)
    assert found, "no membership link on the user's admin page"
    return int(found[0])


def test_closing_a_meeting_empties_its_room_on_every_process(cluster, clients):
    """meetings.presence.close_meeting, run from a third process: the sockets stay connected but
    leave the meeting's room everywhere, and nobody is counted online in it."""
    import os
    import subprocess
    import sys

    a, b = cluster.urls
    bithu_http, member_http = live_server.login(a, "bithu"), live_server.login(b, "dangvien7")
    meeting_id = live_server.scheduled_meeting_id(a, bithu_http)
    bithu, member = clients(a, bithu_http), clients(b, member_http)
    bithu.join(meeting_id)
    member.join(meeting_id)
    started = bithu.command(meeting_id, "start_meeting", {"confirm_early": True})
    member.wait_for(lambda m: m["v"] == started["version"])

    done = subprocess.run(
        [sys.executable, "-m", "tests.scale.close_meeting", str(meeting_id)],
        cwd=live_server.ROOT,
        env={**os.environ, **cluster.env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr

    snapshot = bithu.call("snapshot", {"meeting_id": meeting_id})["snapshot"]
    assert snapshot["online"] == []
    checked = member.command(meeting_id, "check_in")  # the member may still act
    assert checked["ok"], checked
    time.sleep(1.0)
    for client in (bithu, member):  # ...but the room is gone on both processes
        assert client.sio.connected
        assert all(m["v"] != checked["version"] for m in client.received())

    member.join(meeting_id)  # rejoining brings the events back
    again = bithu.command(meeting_id, "set_current_item", {"item_id": None})
    assert again["ok"], again
    member.wait_for(lambda m: m["v"] == again["version"])


VOTERS = ["bithu", "phobithu", *[f"dangvien{i}" for i in range(1, 10)], "mien1"]


def _ballot(client: live_server.RoomClient, meeting_id: int, vote_id: int, choice: str) -> dict:
    import hashlib
    import secrets

    receipt = hashlib.sha256(secrets.token_bytes(16)).hexdigest()
    payload = {"vote_id": vote_id, "choices": [choice], "receipt_hash": receipt}
    return client.command(meeting_id, "cast_vote", payload)


def test_a_secret_vote_survives_the_loss_of_either_process(cluster, clients, tmp_path):
    """The key lives only in the processes' memory, held by both. Kill the one that opened the
    vote: the other counts it. Start a new one, kill the other: the new one counts it."""
    import signal

    a, b = cluster.urls
    http = {username: live_server.login(a, username) for username in VOTERS}
    meeting_id = live_server.scheduled_meeting_id(a, http["bithu"])
    on_a = {u: clients(a, http[u]) for u in VOTERS}
    on_b = {u: clients(b, http[u]) for u in VOTERS}
    for client in on_a.values():
        client.join(meeting_id)
    assert on_a["bithu"].command(meeting_id, "start_meeting", {"confirm_early": True})["ok"]
    for username in VOTERS:
        assert on_a[username].command(meeting_id, "check_in")["ok"]
    ack = on_a["bithu"].command(
        meeting_id,
        "open_vote",
        {"kind": "election", "candidates": ["An", "Bình", "Chi", "Dũng"], "seats": 1},
    )
    assert ack["ok"], ack
    vote_id = ack["result"]["vote_id"]
    choices = dict(zip(VOTERS, ["c1"] * 5 + ["c2"] * 4 + ["c3"] * 2 + ["c4"], strict=True))
    for username in VOTERS[:2]:  # on the process that opened the vote
        assert _ballot(on_a[username], meeting_id, vote_id, choices[username])["ok"]
    for username in VOTERS[2:4]:  # and on the other
        assert _ballot(on_b[username], meeting_id, vote_id, choices[username])["ok"]

    first = cluster.servers[0].process
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    for username in VOTERS[4:7]:
        assert _ballot(on_b[username], meeting_id, vote_id, choices[username])["ok"]

    # A new process joins; it takes the key from the survivor when it needs it, then the
    # survivor dies too.
    folder = tmp_path / "process2"
    folder.mkdir()
    with live_server.running(folder, env_overrides=cluster.env) as third:
        on_c = {u: clients(third.url, http[u]) for u in VOTERS}
        assert _ballot(on_c[VOTERS[7]], meeting_id, vote_id, choices[VOTERS[7]])["ok"]
        second = cluster.servers[1].process
        second.send_signal(signal.SIGKILL)
        second.wait(timeout=10)
        for username in VOTERS[8:]:
            assert _ballot(on_c[username], meeting_id, vote_id, choices[username])["ok"]
        closed = on_c["bithu"].command(meeting_id, "close_vote", {"vote_id": vote_id})
        assert closed["ok"], closed
        vote = next(
            v
            for v in live_server.fetch_state(third.url, http["bithu"], meeting_id)["votes"]
            if v["id"] == vote_id
        )
        assert vote["status"] == "closed"
        assert vote["counts"] == {"c1": 5, "c2": 4, "c3": 2, "c4": 1}
        assert vote["result"]["cast"] == 12 and len(vote["receipts"]) == 12


def test_when_every_process_holding_the_key_dies_the_vote_is_void(cluster, clients, tmp_path):
    """Both processes die with a secret vote open: a new process finds nobody holding its key,
    declares it void for everyone, and the chair takes it again there."""
    import signal

    a, b = cluster.urls
    voters = VOTERS[:4]
    http = {username: live_server.login(a, username) for username in voters}
    meeting_id = live_server.scheduled_meeting_id(a, http["bithu"])
    chair = clients(a, http["bithu"])
    chair.join(meeting_id)
    assert chair.command(meeting_id, "start_meeting", {"confirm_early": True})["ok"]
    for username in voters:
        assert clients(b, http[username]).command(meeting_id, "check_in")["ok"]
    ack = chair.command(meeting_id, "open_vote", {"kind": "admission", "subject": "Lê Thị Cúc"})
    vote_id = ack["result"]["vote_id"]
    assert _ballot(clients(b, http["dangvien1"]), meeting_id, vote_id, "agree")["ok"]

    for server in cluster.servers:
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=10)
    folder = tmp_path / "process2"
    folder.mkdir()
    with live_server.running(folder, env_overrides=cluster.env) as third:

        def status() -> str:
            votes = live_server.fetch_state(third.url, http["bithu"], meeting_id)["votes"]
            return next(v["status"] for v in votes if v["id"] == vote_id)

        _wait(lambda: status() == "void", timeout=15, what="the vote declared void")
        chair = clients(third.url, http["bithu"])
        retaken = chair.command(meeting_id, "reopen_vote", {"vote_id": vote_id})
        assert retaken["ok"], retaken
        new_id = retaken["result"]["vote_id"]
        for username in voters:
            client = clients(third.url, http[username])
            assert _ballot(client, meeting_id, new_id, "agree")["ok"]
        assert chair.command(meeting_id, "close_vote", {"vote_id": new_id})["ok"]
        votes = live_server.fetch_state(third.url, http["bithu"], meeting_id)["votes"]
        closed = next(v for v in votes if v["id"] == new_id)
        assert closed["counts"] == {"agree": 4, "disagree": 0, "abstain": 0}
