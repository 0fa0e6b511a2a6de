"""Fixtures for real-server tests: `python app.py` under eventlet, clients logged in over HTTP."""

from __future__ import annotations

import pytest

from tests import live_server


@pytest.fixture
def server(tmp_path):
    """A fresh chibo (eventlet, demo data, CSRF on) on a free port: yields its base URL."""
    with live_server.running(tmp_path) as running:
        yield running.url
    # Shown by pytest only when the test failed: the server's side of the story.
    print(f"---- server log ({running.url}) ----\n{running.log()[-8000:]}")


@pytest.fixture
def http_login(server):
    """http_login("bithu") -> a requests.Session logged in through the login form."""

    def _login(username: str):
        return live_server.login(server, username)

    return _login


@pytest.fixture
def room_client(server):
    """room_client(session) -> a connected python-socketio client collecting `changes` events."""
    clients: list[live_server.RoomClient] = []

    def _connect(http, origin: str | None = None):
        client = live_server.connect(server, http, origin=origin)
        clients.append(client)
        return client

    yield _connect
    for client in clients:
        client.disconnect()
