"""Arrivals reach the room in batches: a room of N members joining at 19:30 must not cost N²
presence messages (core/broadcast.py). Real `python app.py`, real Socket.IO clients."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests import live_server

pytestmark = pytest.mark.server

MEMBERS = [f"dangvien{i}" for i in range(1, 10)]
TICK = 2.0  # wide, so a loaded machine still joins everyone within one or two ticks


def _heard(client: live_server.RoomClient) -> list[dict]:
    heard: list[dict] = []
    client.sio.on("presence", heard.append)
    return heard


def _until(predicate, timeout: float = 4 * TICK) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_members_arriving_together_are_announced_in_a_few_batches(tmp_path):
    env = {"CHIBO_PRESENCE_TICK": str(TICK)}
    with live_server.running(tmp_path, env_overrides=env) as server:
        chair_http = live_server.login(server.url, "bithu")
        meeting_id = live_server.scheduled_meeting_id(server.url, chair_http)
        chair = live_server.connect(server.url, chair_http)
        chair.join(meeting_id)
        heard = _heard(chair)
        sessions = [live_server.login(server.url, name) for name in MEMBERS]
        members = [live_server.connect(server.url, http) for http in sessions]
        with ThreadPoolExecutor(len(members)) as pool:
            joined = list(pool.map(lambda c: c.join(meeting_id)["me"]["user_id"], members))

        came = lambda: {uid for event in heard for uid in event["online"]}  # noqa: E731
        _until(lambda: came() >= set(joined))
        assert all(event["meeting_id"] == meeting_id for event in heard)
        # Nine arrivals, a handful of messages (one per member before the batches).
        assert len(heard) <= 3, heard
        online = chair.call("snapshot", {"meeting_id": meeting_id})["snapshot"]["online"]
        assert set(joined) <= set(online)

        # Leaving is batched too, and the last word per member wins.
        heard.clear()
        for client in members[:4]:
            client.disconnect()
        left = set(joined[:4])
        _until(lambda: {uid for event in heard for uid in event["offline"]} >= left)
        assert len(heard) <= 2, heard
        assert not left & {uid for event in heard for uid in event["online"]}
        online = chair.call("snapshot", {"meeting_id": meeting_id})["snapshot"]["online"]
        assert not left & set(online) and set(joined[4:]) <= set(online)
        for client in [chair, *members[4:]]:
            client.disconnect()
