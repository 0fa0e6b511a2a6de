"""Redis down with several processes degrades clearly and recovers (issue 14.5).

The test starts and stops its OWN redis-server on a free port (never the shared one on 6379).
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import shutil
import time

import pytest
import requests

from tests import live_server
from tests.scale.conftest import cluster_env, own_redis

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server")


def _page_login(url: str, username: str) -> requests.Response:
    http = requests.Session()
    page = http.get(url + "/login", timeout=20)
    return http, http.post(
        url + "/login",
        data={
            "csrf_token": live_server.csrf_token(page.text),
            "username": username,
            "password": live_server.PASSWORD,
        },
        allow_redirects=False,
        timeout=20,
    )


def test_redis_down_degrades_clearly_and_recovers(tmp_path, postgres_url, monkeypatch):
    monkeypatch.setattr(live_server, "START_TIMEOUT", 120.0)  # PostgreSQL + demo, busy machine
    port = live_server.free_port()
    url = f"redis://127.0.0.1:{port}/0"
    env = cluster_env(postgres_url, url, f"chibo-test-redis-down-{port}")
    with contextlib.ExitStack() as stack:
        redis_process = stack.enter_context(own_redis(port))
        servers = []
        for index in range(2):
            folder = tmp_path / f"process{index}"
            folder.mkdir()
            servers.append(stack.enter_context(live_server.running(folder, env_overrides=env)))
        a, b = (s.url for s in servers)
        chair = live_server.login(a, "bithu")
        meeting_id = live_server.scheduled_meeting_id(a, chair)
        member = live_server.connect(b, live_server.login(b, "dangvien2"))
        member.join(meeting_id)

        redis_process.terminate()
        redis_process.wait(10)
        time.sleep(0.5)

        # Logging in still works (limits counted in memory, said in the log).
        http, response = _page_login(b, "dangvien3")
        assert response.status_code == 302, response.status_code
        assert "falling back to in-memory storage" in servers[1].log()
        # Pages: either served, or a 503 in Vietnamese that retries; never a 500.
        for path in ("/", f"/meetings/{meeting_id}"):
            page = http.get(b + path, timeout=20)
            assert page.status_code in (200, 503), (path, page.status_code)
            if page.status_code == 503:
                assert "Retry-After" in page.headers
                assert "thử lại" in page.text
        # Sockets: told to retry.
        socket = live_server.connect(a, chair)
        ack = socket.call("join", {"meeting_id": meeting_id}, timeout=20)
        if not ack["ok"]:
            assert ack["error"]["code"] == "unavailable"
            assert ack["error"]["details"]["retry_after"] > 0
        socket.disconnect()
        # Logging out works.
        logout_page = http.get(b + "/", timeout=20).text
        token = live_server.csrf_token(logout_page)
        out = http.post(
            b + "/logout", data={"csrf_token": token}, allow_redirects=False, timeout=20
        )
        assert out.status_code == 302, out.status_code

        stack.enter_context(own_redis(port))  # Redis is back
        deadline = time.monotonic() + 20
        while True:
            socket = live_server.connect(a, chair)
            ack = socket.call("join", {"meeting_id": meeting_id}, timeout=20)
            if ack["ok"] or time.monotonic() > deadline:
                break
            socket.disconnect()
            time.sleep(1)
        assert ack["ok"], ack
        # Broadcasts cross processes again: the chair starts the meeting on A; B's member hears.
        member.disconnect()
        member = live_server.connect(b, live_server.login(b, "dangvien2"))
        member.join(meeting_id)
        started = socket.command(meeting_id, "start_meeting", {"confirm_early": True})
        assert started["ok"], started
        # B resubscribes on python-socketio's own back-off (1 s doubling up to 60 s while Redis
        # was down), and what A publishes before that is lost (pub/sub keeps nothing): so the
        # chair keeps changing something until B hears a change made after Redis came back.
        deadline, hand = time.monotonic() + 75, "raise_hand"
        while not any(m["v"] >= started["version"] for m in member.received()):
            assert time.monotonic() < deadline, "B heard nothing from A after Redis returned"
            time.sleep(2)
            assert socket.command(meeting_id, hand)["ok"]
            hand = "lower_hand" if hand == "raise_hand" else "raise_hand"
        socket.disconnect()
        member.disconnect()


def _presence_log(client: live_server.RoomClient) -> list[dict]:
    """Record the `presence` events a client hears (RoomClient keeps only `changes`)."""
    heard: list[dict] = []
    client.sio.on("presence", heard.append)
    return heard


def test_one_process_keeps_presence_in_memory_while_redis_is_down_and_resyncs(tmp_path):
    """One `python app.py` with a Redis message queue; its own redis-server is killed: the room
    still shows who is online, and joining, checking in and voting work; when Redis is back the
    process writes its sockets back into Redis."""
    import redis

    port = live_server.free_port()
    url = f"redis://127.0.0.1:{port}/0"
    cluster = f"chibo-test-presence-down-{port}"
    env = {"SOCKETIO_MESSAGE_QUEUE": url, "CHIBO_CLUSTER": cluster}
    with contextlib.ExitStack() as stack:
        redis_process = stack.enter_context(own_redis(port))
        server = stack.enter_context(live_server.running(tmp_path, env_overrides=env))
        base = server.url
        chair_http = live_server.login(base, "bithu")
        meeting_id = live_server.scheduled_meeting_id(base, chair_http)
        chair = live_server.connect(base, chair_http)
        chair_id = chair.join(meeting_id)["me"]["user_id"]
        heard = _presence_log(chair)
        assert chair.command(meeting_id, "start_meeting", {"confirm_early": True})["ok"]
        first = live_server.connect(base, live_server.login(base, "dangvien2"))
        first_id = first.join(meeting_id)["me"]["user_id"]

        redis_process.kill()
        redis_process.wait(10)

        # A member comes in while Redis is down: joined, and seen online by everyone.
        second_http = live_server.login(base, "dangvien3")
        second = live_server.connect(base, second_http)
        snapshot = second.join(meeting_id)
        second_id = snapshot["me"]["user_id"]
        assert {chair_id, first_id, second_id} <= set(snapshot["online"])
        deadline = time.monotonic() + 5
        while not any(second_id in e["online"] for e in heard):
            assert time.monotonic() < deadline, heard
            time.sleep(0.05)
        page = second_http.get(f"{base}/meetings/{meeting_id}", timeout=20)
        assert page.status_code == 200, page.status_code
        state = live_server.fetch_state(base, chair_http, meeting_id)
        assert {chair_id, first_id, second_id} <= set(state["online"])

        # Checking in and voting (a secret vote: its key stays in this process meanwhile).
        for member in (first, second):
            ack = member.command(meeting_id, "check_in")
            assert ack["ok"], ack
        opened = chair.command(meeting_id, "open_vote", {"kind": "admission", "subject": "Cúc"})
        assert opened["ok"], opened
        vote_id = opened["result"]["vote_id"]
        for member in (first, second):
            receipt = hashlib.sha256(secrets.token_bytes(16)).hexdigest()
            ballot = {"vote_id": vote_id, "choices": ["agree"], "receipt_hash": receipt}
            ack = member.command(meeting_id, "cast_vote", ballot)
            assert ack["ok"], ack
        chair.wait_for(lambda m: m["v"] >= ack["version"])  # broadcast to the room
        # Leaving while Redis is down is seen too.
        second.disconnect()
        deadline = time.monotonic() + 5
        while not any(second_id in e["offline"] for e in heard):
            assert time.monotonic() < deadline, heard
            time.sleep(0.05)
        assert "presence: Redis unreachable" in server.log()

        stack.enter_context(own_redis(port))  # back, and empty
        client = redis.Redis(port=port, decode_responses=True)
        key = f"{cluster}:presence:{meeting_id}"
        deadline = time.monotonic() + 30
        while {str(chair_id), str(first_id)} - set(client.zrange(key, 0, -1)):
            assert time.monotonic() < deadline, "presence was not written back to Redis"
            chair.call("snapshot", {"meeting_id": meeting_id})  # tries Redis again
            time.sleep(1)
        assert str(second_id) not in client.zrange(key, 0, -1)  # left while Redis was down
        assert "presence: Redis is back" in server.log()
        again = live_server.connect(base, live_server.login(base, "dangvien4"))
        online = set(again.join(meeting_id)["online"])
        assert {chair_id, first_id} <= online and second_id not in online
        client.close()
        for member in (chair, first, again):
            member.disconnect()
