"""A meeting's clients on one process, through a real nginx in front of two real processes.

nginx picks the process from the meeting the room's Socket.IO URL names (`?meeting=<id>`,
deploy/nginx); that process alone subscribes to the meeting's Redis channel
(core/socket_channels.py), so the meeting's events cost the other process nothing. When that
process dies, the clients reconnect through nginx to the other one and catch up; when it comes
back, new clients land on it again while the others stay where they are: the meeting, split over
two processes, still works (through its channel), and nothing acknowledged is lost.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
import redis
import socketio

from tests import live_server
from tests.live_server import free_port
from tests.scale import nginx_front
from tests.scale.conftest import cluster_env

pytestmark = pytest.mark.server

MEMBERS = ("dangvien1", "dangvien2", "dangvien3")


class Process:
    """One `python app.py` on a fixed port, which can be killed and started again."""

    def __init__(self, env: dict, port: int, log_path: Path) -> None:
        self.env, self.port, self.log_path = env, port, log_path
        self.process = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = live_server.start(self.env, self.port, self.log_path)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)  # a crash: no goodbye to anyone
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except Exception:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def front(tmp_path, postgres_url, redis_url, cluster_name):
    """Two processes (started one after the other: the first builds the demo) behind nginx."""
    instance = tmp_path / "instance"
    instance.mkdir()
    env = {
        **os.environ,
        **cluster_env(postgres_url, redis_url, cluster_name),
        "CHIBO_INSTANCE_PATH": str(instance),
        "CHIBO_LOAD_DEMO": "1",
        "CHIBO_ASYNC_MODE": "eventlet",
        "CHIBO_BEHIND_PROXY": "1",
        "PYTHONUNBUFFERED": "1",
    }
    ports = [free_port()]
    ports.append(next(p for p in iter(free_port, None) if p != ports[0]))
    processes = [Process(env, port, tmp_path / f"process{i}.log") for i, port in enumerate(ports)]
    try:
        for process in processes:
            process.start()
        with nginx_front.running(tmp_path / "nginx", ports) as url:
            yield url, processes, tmp_path / "nginx"
    finally:
        for process in processes:
            process.stop()


def subscribers(redis_url: str, cluster: str, meeting_id: int) -> int:
    """How many processes listen to the meeting's channel."""
    client = redis.Redis.from_url(redis_url)
    try:
        [(_channel, count)] = client.pubsub_numsub(f"{cluster}:meeting:{meeting_id}")
        return int(count)
    finally:
        client.close()


def room_client(base_url: str, http, meeting_id: int | None) -> live_server.RoomClient:
    """As the room page connects: long-polling first (so nginx logs the handshake at once),
    naming its meeting in the URL."""
    sio = socketio.Client(reconnection=False)
    client = live_server.RoomClient(sio)

    @sio.on("changes")
    def _on_changes(message):
        with client.lock:
            client.changes.append(message)

    url = base_url if meeting_id is None else f"{base_url}?meeting={meeting_id}"
    sio.connect(
        url,
        headers={"Cookie": live_server.cookie_header(http)},
        transports=["polling", "websocket"],
        wait_timeout=10,
    )
    return client


def upstreams(folder: Path, meeting_id: int) -> set[str]:
    """The processes nginx sent this meeting's Socket.IO requests to."""
    return {
        upstream
        for uri, upstream in nginx_front.routes(folder)
        if uri.startswith("/socket.io/") and f"meeting={meeting_id}&" in uri + "&"
    }


def wait_until(condition, timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(0.1)


def test_a_meetings_clients_share_one_process_which_survives_a_restart(
    front, redis_url, cluster_name
):
    nginx, processes, folder = front
    opened: list[live_server.RoomClient] = []
    try:
        https = {name: live_server.login(nginx, name) for name in ("bithu", *MEMBERS)}
        meeting_id = live_server.scheduled_meeting_id(nginx, https["bithu"])

        # ---- every client of the meeting on one process -------------------------------------
        clients = {name: room_client(nginx, https[name], meeting_id) for name in https}
        opened += clients.values()
        for client in clients.values():
            client.join(meeting_id)
        [owner_address] = upstreams(folder, meeting_id)  # one process for all four
        owner = next(p for p in processes if owner_address.endswith(f":{p.port}"))
        other = next(p for p in processes if p is not owner)
        assert subscribers(redis_url, cluster_name, meeting_id) == 1  # the other hears nothing

        acked = [clients["bithu"].command(meeting_id, "start_meeting", {"confirm_early": True})]
        for name in MEMBERS[:2]:
            acked.append(clients[name].command(meeting_id, "check_in"))
        assert all(ack["ok"] for ack in acked), acked
        for client in clients.values():
            client.wait_for(lambda m: m["v"] == acked[-1]["version"])
        held = clients[MEMBERS[2]].call("snapshot", {"meeting_id": meeting_id})["snapshot"]
        assert held["version"] == acked[-1]["version"]

        # ---- the owner dies: everyone reconnects through nginx to the other process ------------
        owner.kill()
        wait_until(
            lambda: not any(c.sio.connected for c in clients.values()), what="sockets closed"
        )
        clients = {name: room_client(nginx, https[name], meeting_id) for name in https}
        opened += clients.values()
        since = {
            "version": held["version"],
            "tag": held["tag"],
            "roster_version": held["roster_version"],
        }
        for client in clients.values():
            ack = client.call("join", {"meeting_id": meeting_id, "since": since})
            assert ack["ok"], ack
            # Caught up (nothing happened since v) or a snapshot: at the last acknowledged version.
            assert (ack.get("catch_up") or ack.get("snapshot"))["version"] == acked[-1]["version"]
            if "catch_up" in ack:
                assert ack["catch_up"]["messages"] == []
        assert upstreams(folder, meeting_id) == {owner_address, f"127.0.0.1:{other.port}"}
        assert subscribers(redis_url, cluster_name, meeting_id) == 1

        ack = clients[MEMBERS[2]].command(meeting_id, "check_in")
        assert ack["ok"], ack
        for client in clients.values():
            client.wait_for(lambda m, v=ack["version"]: m["v"] == v)

        # ---- the owner comes back: a new client lands on it, the others stay put --------------
        owner.start()
        late_http = live_server.login(nginx, "dangvien4")
        deadline = time.monotonic() + 30
        while True:  # nginx retries a failed process after its fail_timeout (10 s)
            before = len(nginx_front.routes(folder))
            late = room_client(nginx, late_http, meeting_id)
            opened.append(late)
            fresh = nginx_front.routes(folder)[before:]
            if any(up == owner_address for uri, up in fresh if uri.startswith("/socket.io/")):
                break
            late.disconnect()
            assert time.monotonic() < deadline, "nginx never sent the meeting back to its process"
            time.sleep(1)
        joined = late.join(meeting_id)
        assert joined["version"] == ack["version"]
        wait_until(
            lambda: subscribers(redis_url, cluster_name, meeting_id) == 2,
            what="both processes listen to the split meeting",
        )

        # The meeting split over two processes still works both ways, nothing lost.
        crossed = late.command(meeting_id, "check_in")  # caused on the owner
        assert crossed["ok"], crossed
        for client in clients.values():  # received on the other process
            client.wait_for(lambda m, v=crossed["version"]: m["v"] == v)
        ended = clients["bithu"].command(meeting_id, "end_meeting")  # caused on the other
        assert ended["ok"], ended
        for client in (*clients.values(), late):
            client.wait_for(lambda m, v=ended["version"]: m["v"] == v)
        state = live_server.fetch_state(nginx, https["bithu"], meeting_id)
        assert state["version"] == ended["version"]
        assert state["figures"]["present_total"] == 4  # every acknowledged check-in
    finally:
        for client in opened:
            client.disconnect()


def test_nginx_routes_by_meeting_not_by_address(front):
    """From one address, twenty meetings' handshakes spread over both processes, and each
    meeting always reaches the same one (ip_hash would send them all to one process)."""
    import requests

    nginx, processes, folder = front
    for _round in range(2):
        for meeting_id in range(1, 21):
            requests.get(
                f"{nginx}/socket.io/?meeting={meeting_id}&EIO=4&transport=polling", timeout=5
            )
    where = {meeting_id: upstreams(folder, meeting_id) for meeting_id in range(1, 21)}
    assert all(len(places) == 1 for places in where.values()), where
    assert set().union(*where.values()) == {f"127.0.0.1:{p.port}" for p in processes}


def test_a_client_straight_on_another_process_still_takes_part(front, redis_url, cluster_name):
    """No nginx in the way (a development setup, or a process chosen by hand): the process that
    is not the meeting's listens to its channel too, and events flow both ways."""
    nginx, processes, folder = front
    opened: list[live_server.RoomClient] = []
    try:
        chair_http = live_server.login(nginx, "bithu")
        meeting_id = live_server.scheduled_meeting_id(nginx, chair_http)
        chair = room_client(nginx, chair_http, meeting_id)
        opened.append(chair)
        chair.join(meeting_id)
        [owner_address] = upstreams(folder, meeting_id)
        off = next(p for p in processes if not owner_address.endswith(f":{p.port}"))

        member_http = live_server.login(off.url, "dangvien1")
        member = live_server.connect(off.url, member_http)
        opened.append(member)
        member.join(meeting_id)
        assert subscribers(redis_url, cluster_name, meeting_id) == 2

        started = chair.command(meeting_id, "start_meeting", {"confirm_early": True})
        assert started["ok"], started
        member.wait_for(lambda m: m["v"] == started["version"])
        checked = member.command(meeting_id, "check_in")
        assert checked["ok"], checked
        chair.wait_for(lambda m: m["v"] == checked["version"])

    finally:
        for client in opened:
            client.disconnect()
