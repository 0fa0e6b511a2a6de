"""Debian's nginx on a loopback port, in front of two chibo processes started by deploy/run.py.

The configuration is deploy/nginx/chibo.conf.template rendered by deploy/render_nginx.py, wrapped
in a minimal main configuration whose pid, logs and temp files live in the test's folder. A
meeting runs through nginx (HTTP login, Socket.IO over long-polling upgraded to websocket), and
its events cross to clients connected straight to each process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import socketio

from tests import live_server
from tests.live_server import ROOT, free_port
from tests.scale import nginx_front
from tests.scale.conftest import cluster_env

pytestmark = pytest.mark.server


def _wait_for_line(path: Path, text: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(errors="replace"):
            return
        if process.poll() is not None:
            break
        time.sleep(0.2)
    log = path.read_text(errors="replace") if path.exists() else ""
    raise AssertionError(f"{text!r} not seen (exit {process.poll()}):\n{log}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def processes(tmp_path, postgres_url, redis_url, cluster_name):
    """Two processes on consecutive free ports, started by deploy/run.py: yields their URLs."""
    base = free_port()
    while not _free(base + 1):
        base = free_port()
    instance = tmp_path / "instance"
    instance.mkdir()
    env = {
        **os.environ,
        **cluster_env(postgres_url, redis_url, cluster_name),
        "CHIBO_INSTANCE_PATH": str(instance),
        "CHIBO_LOAD_DEMO": "1",
        "CHIBO_ASYNC_MODE": "eventlet",
    }
    log_path = tmp_path / "run.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "deploy/run.py", "--processes", "2", "--base-port", str(base)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_line(log_path, "2 processes up", process, timeout=60)
        yield [f"http://127.0.0.1:{base + i}" for i in range(2)]
    finally:
        _stop(process)
    assert process.returncode == 0, log_path.read_text(errors="replace")


def _free(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture
def nginx(tmp_path, processes):
    """nginx in front of the processes: yields its base URL."""
    ports = [int(url.rsplit(":", 1)[1]) for url in processes]
    with nginx_front.running(tmp_path / "nginx", ports) as url:
        yield url


def _connect_polling_first(url: str, http: requests.Session) -> live_server.RoomClient:
    """As a browser does: long-polling first, then the upgrade to websocket through nginx."""
    sio = socketio.Client(reconnection=False)
    client = live_server.RoomClient(sio)

    @sio.on("changes")
    def _on_changes(message):
        with client.lock:
            client.changes.append(message)

    # No Origin header of ours: the websocket client adds its own (the URL's), and two would
    # be joined into one the server refuses.
    sio.connect(
        url,
        headers={"Cookie": live_server.cookie_header(http)},
        transports=["polling", "websocket"],
        wait_timeout=10,
    )
    return client


def test_a_meeting_runs_through_nginx_across_two_processes(nginx, processes):
    a, b = processes
    opened: list[live_server.RoomClient] = []
    try:
        bithu_http = live_server.login(nginx, "bithu")  # the login form, through nginx
        css = bithu_http.get(
            nginx + "/static/css/app.css", timeout=5, headers={"Accept-Encoding": "gzip"}
        )
        assert css.status_code == 200 and css.headers.get("Content-Encoding") == "gzip"
        meeting_id = live_server.scheduled_meeting_id(nginx, bithu_http)

        chair = _connect_polling_first(nginx, bithu_http)
        opened.append(chair)
        deadline = time.monotonic() + 10
        while chair.sio.transport() != "websocket":  # the Upgrade headers reached the process
            assert time.monotonic() < deadline, "never upgraded to websocket through nginx"
            time.sleep(0.05)
        first = chair.join(meeting_id)

        # Members straight on each process, whichever one nginx chose for the chair.
        members = []
        for url, name in ((a, "dangvien1"), (b, "dangvien2")):
            member = live_server.connect(url, live_server.login(url, name))
            opened.append(member)
            member.join(meeting_id)
            members.append(member)

        started = chair.command(meeting_id, "start_meeting", {"confirm_early": True})
        assert started["ok"], started
        for member in members:
            member.wait_for(lambda m: m["v"] == started["version"])

        checked_in = []
        for member in members:  # one check-in caused on each process
            ack = member.command(meeting_id, "check_in")
            assert ack["ok"], ack
            checked_in.append(ack["version"])
        for version in checked_in:
            chair.wait_for(lambda m, v=version: m["v"] == v)

        ended = chair.command(meeting_id, "end_meeting")
        assert ended["ok"], ended
        for client in (chair, *members):
            message = client.wait_for(lambda m: m["v"] == ended["version"])
            assert message["changes"][0]["data"]["status"] == "ended"

        state = live_server.fetch_state(nginx, bithu_http, meeting_id)
        assert state["version"] == ended["version"] == first["version"] + 4
        assert state["figures"]["present_total"] == 2
    finally:
        for client in opened:
            client.disconnect()


def _polling_handshake(url: str, http: requests.Session, origin: str) -> bool:
    """Whether a long-polling handshake with this Origin is accepted (requests sends only ours)."""
    sio = socketio.Client(reconnection=False)
    headers = {"Cookie": live_server.cookie_header(http), "Origin": origin}
    try:
        sio.connect(url, headers=headers, transports=["polling"], wait_timeout=10)
    except socketio.exceptions.ConnectionError:
        return False
    sio.disconnect()
    return True


def test_the_same_origin_check_sees_the_address_the_browser_used(nginx):
    """The process is on another port than nginx: only the forwarded Host makes nginx's own
    address the accepted origin, and a foreign one is still refused."""
    http = live_server.login(nginx, "bithu")
    assert _polling_handshake(nginx, http, origin=nginx)
    assert not _polling_handshake(nginx, http, origin="http://evil.example")
    client = live_server.connect(nginx, http)  # websocket: its client sends nginx's origin
    assert client.sio.connected
    client.disconnect()
