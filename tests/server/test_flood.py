"""A member flooding a real server is cut off, and the others go on (issue 14.2)."""

from __future__ import annotations

import secrets
import time

import socketio

from tests import live_server


def test_a_flooding_socket_is_closed_and_another_member_is_still_answered(server, http_login):
    chair = http_login("bithu")
    meeting_id = live_server.scheduled_meeting_id(server, chair)
    other = live_server.connect(server, http_login("dangvien2"))
    other.join(meeting_id)
    flooder = live_server.connect(server, http_login("dangvien1"))
    sent = 0
    deadline = time.monotonic() + 20
    while flooder.sio.connected and sent < 5000 and time.monotonic() < deadline:
        try:
            flooder.sio.emit(
                "command",
                {"meeting_id": meeting_id, "name": "lower_hand", "cid": secrets.token_hex(8)},
            )
        except socketio.exceptions.BadNamespaceError:
            break  # the server closed the connection
        sent += 1
    time.sleep(1)
    assert not flooder.sio.connected, f"still connected after {sent} events"
    started = time.perf_counter()
    ack = other.call("snapshot", {"meeting_id": meeting_id}, timeout=10)
    assert ack["ok"]
    assert time.perf_counter() - started < 2.0
    other.disconnect()


def test_an_oversize_message_is_answered_too_large_and_the_socket_stays(server, http_login):
    """Engine.IO used to close the connection silently on a frame over its limit."""
    chair = http_login("bithu")
    meeting_id = live_server.scheduled_meeting_id(server, chair)
    client = live_server.connect(server, chair)
    client.join(meeting_id)
    ack = client.call(
        "command",
        {
            "meeting_id": meeting_id,
            "name": "agenda_add",
            "cid": secrets.token_hex(8),
            "payload": {"title": "x" * 300_000, "planned_minutes": 5},
        },
        timeout=20,
    )
    assert ack["ok"] is False and ack["error"]["code"] == "too_large"
    assert "quá lớn" in ack["error"]["message"]
    assert client.sio.connected
    assert client.call("snapshot", {"meeting_id": meeting_id})["ok"]
    client.disconnect()
