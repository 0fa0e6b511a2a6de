"""A real chibo server for tests: `python app.py` as a subprocess, plus HTTP and socket helpers.

Used by tests/server (python-socketio clients) and tests/browser (Chromium). Each server gets its
own instance folder and SQLite file, so tests never share state. CSRF is on, as in production.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import requests

from meetings import changes

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "chibo-demo"
START_TIMEOUT = 90.0  # a busy 2-core machine can take most of a minute to start one
STOP_TIMEOUT = 10.0
KP1 = "Chi bộ Khu phố 1"

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_MEETING_LINK = re.compile(r'href="/meetings/(\d+)"')


def free_port() -> int:
    """A port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@contextlib.contextmanager
def running(
    tmp_path: Path, async_mode: str = "eventlet", env_overrides: dict[str, str] | None = None
) -> Iterator[LiveServer]:
    """Start `python app.py` on a free port, wait until /login answers, stop it afterwards.

    `env_overrides` go last (tests/scale: a shared PostgreSQL database, SECRET_KEY and Redis)."""
    instance = tmp_path / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {
        **os.environ,
        "CHIBO_INSTANCE_PATH": str(instance),
        "CHIBO_ASYNC_MODE": async_mode,
        "CHIBO_LOAD_DEMO": "1",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{instance / 'chibo.db'}",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("SOCKETIO_MESSAGE_QUEUE", None)  # one process: no message queue
    env["CHIBO_AUTO_MIGRATE"] = "1"  # the production path: Alembic migrations
    env.update(env_overrides or {})
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", process, log_path)
    try:
        _wait_until_up(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)


def start(env: dict, port: int, log_path: Path) -> subprocess.Popen:
    """`python app.py` on this port with exactly this environment, its output appended to
    log_path, once /login answers: for tests that kill a server and start it again."""
    with log_path.open("ab") as log_file:
        process = subprocess.Popen(
            [sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(LiveServer(f"http://127.0.0.1:{port}", process, log_path))
    except BaseException:
        process.kill()  # a server that did not come up is not left running
        process.wait(timeout=STOP_TIMEOUT)
        raise
    return process


def _wait_until_up(server: LiveServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"chibo exited with code {server.process.returncode}:\n{server.log()}"
            )
        try:
            if requests.get(server.url + "/login", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"chibo did not answer /login within {START_TIMEOUT:.0f} s:\n{server.log()}")


# ---- HTTP ------------------------------------------------------------------------------------


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no csrf_token in the page"
    return match.group(1)


def login(base_url: str, username: str, password: str = PASSWORD) -> requests.Session:
    """A requests.Session logged in through the real login form (CSRF included)."""
    http = requests.Session()
    page = http.get(base_url + "/login", timeout=10)
    page.raise_for_status()
    response = http.post(
        base_url + "/login",
        data={"csrf_token": csrf_token(page.text), "username": username, "password": password},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, f"login of {username} failed: {response.status_code}"
    assert "session" in http.cookies, "no session cookie after login"
    return http


def cookie_header(http: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


def fetch_state(base_url: str, http: requests.Session, meeting_id: int) -> dict:
    response = http.get(f"{base_url}/meetings/{meeting_id}/state", timeout=10)
    response.raise_for_status()
    body = response.json()
    assert body["ok"], body
    return body["snapshot"]


def scheduled_meeting_id(base_url: str, http: requests.Session, cell: str = KP1) -> int:
    """The demo's scheduled meeting of a cell, found through the pages the user sees."""
    home = http.get(base_url + "/", timeout=10)
    home.raise_for_status()
    for meeting_id in dict.fromkeys(int(m) for m in _MEETING_LINK.findall(home.text)):
        snap = fetch_state(base_url, http, meeting_id)
        if snap["meeting"]["status"] == "scheduled" and snap["meeting"]["cell"]["name"] == cell:
            return meeting_id
    raise AssertionError(f"no scheduled meeting of {cell} on the home page")


# ---- Socket.IO -------------------------------------------------------------------------------


@dataclass
class RoomClient:
    """A python-socketio client with every `changes` event it received, in order."""

    sio: object
    changes: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def call(self, event: str, data: dict, timeout: float = 10) -> dict:
        return self.sio.call(event, data, timeout=timeout)

    def join(self, meeting_id: int) -> dict:
        """Join as the room's script does: a join refused for too many at once (one user's many
        tabs) is tried again after the `retry_after` the server gives."""
        for _ in range(20):
            ack = self.call("join", {"meeting_id": meeting_id})
            retry = (ack.get("error") or {}).get("details", {}).get("retry_after")
            if ack["ok"] or ack["error"]["code"] != "rate_limited" or not retry:
                break
            time.sleep(retry)
        assert ack["ok"], ack
        return ack["snapshot"]

    def command(self, meeting_id: int, name: str, payload: dict | None = None) -> dict:
        return self.call(
            "command",
            {
                "meeting_id": meeting_id,
                "name": name,
                "cid": secrets.token_hex(8),
                "payload": payload or {},
            },
        )

    def received(self) -> list[dict]:
        with self.lock:
            return list(self.changes)

    def wait_for(self, predicate, timeout: float = 5.0) -> dict:
        """The first received `changes` message matching predicate, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.received():
                if predicate(message):
                    return message
            time.sleep(0.02)
        raise AssertionError(f"no matching change within {timeout} s; got {self.received()}")

    def disconnect(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()


def connect(base_url: str, http: requests.Session | None, origin: str | None = None) -> RoomClient:
    """Connect a python-socketio client over websocket with the session's cookie."""
    import socketio

    # websocket-client writes the Origin header itself (the server's own by default): a second
    # Origin in `headers` would be sent twice, so a foreign one goes through its `origin` option.
    extra = {"origin": origin} if origin is not None else {}
    sio = socketio.Client(reconnection=False, websocket_extra_options=extra)
    client = RoomClient(sio)

    @sio.on("changes")
    def _on_changes(message):
        with client.lock:
            client.changes.append(message)

    headers = {}
    if http is not None:
        headers["Cookie"] = cookie_header(http)
    sio.connect(base_url, headers=headers, transports=["websocket"], wait_timeout=10)
    return client


# ---- the room's state, as room.js keeps it --------------------------------------------------


def apply_message(state: dict, message: dict) -> None:
    """Apply one `changes` message with the app's reducer; a version gap is a bug in the server
    (or a lost event)."""
    outcome = changes.apply_message(state, message)
    assert outcome == "applied", (outcome, message["v"], state["version"])


def prepare_database(tmp_path: Path, setup) -> None:
    """Build the demo database a server in tmp_path will use, then run `setup()` in it (inside an
    app context). It is built with create_all(), which equals the migrations
    (tests/app/test_migrations.py), and stamped so the server's start-up upgrade leaves it alone."""
    from flask_migrate import stamp

    from core.extensions import db
    from tests.conftest import make_test_app

    instance = tmp_path / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    app = make_test_app(
        tmp_path,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{instance / 'chibo.db'}",
        INSTANCE_PATH=str(instance),
    )
    with app.app_context():
        setup()
        db.session.commit()
        stamp(directory=str(ROOT / "migrations"))
        db.session.remove()
        db.engine.dispose()
