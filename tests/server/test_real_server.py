"""The real thing: `python app.py` under eventlet, python-socketio clients logged in over HTTP.

What the Flask-SocketIO test client cannot show: the websocket transport, the session cookie
reaching the connect handler, eventlet's server, the same-origin check, and a reconnect that
gets a fresh socket id with no rooms.
"""

from __future__ import annotations

import time

import pytest
import socketio

from meetings.changes import comparable
from tests import live_server
from tests.live_server import apply_message

pytestmark = pytest.mark.server


def _follow(state: dict, client: live_server.RoomClient, until_version: int, timeout=5.0) -> None:
    """Apply the client's received events to `state` (room.js does the same) up to a version."""
    deadline = time.monotonic() + timeout
    while state["version"] < until_version:
        for message in client.received():
            if message["v"] > state["version"]:
                apply_message(state, message)
        if state["version"] >= until_version:
            break
        assert time.monotonic() < deadline, f"stuck at v{state['version']} < v{until_version}"
        time.sleep(0.02)


def test_check_in_reaches_the_secretary_with_the_next_version(server, http_login, room_client):
    bithu_http, member_http = http_login("bithu"), http_login("dangvien2")
    meeting_id = live_server.scheduled_meeting_id(server, bithu_http)
    bithu, member = room_client(bithu_http), room_client(member_http)
    first = bithu.join(meeting_id)
    member.join(meeting_id)
    assert first["meeting"]["status"] == "scheduled"
    assert first["me"]["can"]["start_meeting"] is True

    ack = bithu.command(meeting_id, "start_meeting", {"confirm_early": True})
    assert ack["ok"], ack
    started = bithu.wait_for(lambda m: m["v"] == first["version"] + 1)
    assert started["changes"][0]["type"] == "meeting"
    assert started["changes"][0]["data"]["status"] == "live"
    member.wait_for(lambda m: m["v"] == started["v"])  # the member saw it too

    ack = member.command(meeting_id, "check_in")
    assert ack == {"ok": True, "version": started["v"] + 1, "result": {"status": "present"}}
    checked = bithu.wait_for(lambda m: m["v"] == started["v"] + 1)
    assert [c["type"] for c in checked["changes"]] == ["attendance"]
    data = checked["changes"][0]["data"]
    member_id = member.call("snapshot", {"meeting_id": meeting_id})["snapshot"]["me"]["user_id"]
    assert [row["user_id"] for row in data["rows"]] == [member_id]
    assert data["rows"][0]["attendance"]["status"] == "present"
    assert data["rows"][0]["attendance"]["arrived_at"] is not None
    assert data["figures"]["present_total"] == 1


def test_reconnected_client_gets_the_live_state(server, http_login, room_client):
    """Zulip's test: a stale state plus every event equals a fresh fetch, and a reconnect's snapshot."""
    bithu_http, member_http = http_login("bithu"), http_login("dangvien2")
    meeting_id = live_server.scheduled_meeting_id(server, bithu_http)

    steady = room_client(bithu_http)  # stays connected, keeps its state by applying events
    state = steady.join(meeting_id)
    roaming = room_client(bithu_http)  # a second tab of the same person, on a bad network
    roaming.join(meeting_id)
    member = room_client(member_http)
    member.join(meeting_id)

    roaming.disconnect()
    assert steady.command(meeting_id, "start_meeting", {"confirm_early": True})["ok"]
    assert member.command(meeting_id, "check_in")["ok"]
    absent = state["roster"][0]["user_id"]  # whoever sorts first, and the next one
    late_one = state["roster"][1]["user_id"]
    acks = [
        steady.command(
            meeting_id,
            "mark_attendance",
            {"user_id": absent, "status": "absent_excused", "reason": "Đi công tác"},
        ),
        steady.command(meeting_id, "mark_attendance", {"user_id": late_one, "status": "late"}),
    ]
    assert all(a["ok"] for a in acks), acks
    agenda = steady.call("snapshot", {"meeting_id": meeting_id})["snapshot"]["agenda"]
    second = agenda["items"][1]["id"]
    assert steady.command(meeting_id, "set_current_item", {"item_id": second})["ok"]
    moved = steady.command(
        meeting_id, "agenda_move", {"item_id": agenda["items"][-1]["id"], "position": 0}
    )
    assert moved["ok"], moved

    fresh = live_server.fetch_state(server, bithu_http, meeting_id)
    _follow(state, steady, fresh["version"])
    assert state["version"] == fresh["version"]
    assert comparable(state) == comparable(fresh)

    back = room_client(bithu_http)  # the reconnect: a new socket, no rooms, joins again
    snapshot = back.join(meeting_id)
    assert snapshot["version"] == fresh["version"]
    assert comparable(snapshot) == comparable(state)
    assert snapshot["meeting"]["status"] == "live"
    assert snapshot["agenda"]["current_item_id"] == second
    statuses = {r["user_id"]: r["attendance"]["status"] for r in snapshot["roster"]}
    assert statuses[absent] == "absent_excused"
    assert statuses[late_one] == "late"
    assert statuses[snapshot["roster"][0]["user_id"]] == "absent_excused"

    # After the reconnect, the new socket receives the next event with the next version.
    member_row = next(r for r in snapshot["roster"] if r["attendance"]["status"] == "present")
    steady.command(
        meeting_id, "mark_attendance", {"user_id": member_row["user_id"], "status": "late"}
    )
    nxt = back.wait_for(lambda m: m["v"] == snapshot["version"] + 1)
    apply_message(snapshot, nxt)
    _follow(state, steady, snapshot["version"])
    assert comparable(snapshot) == comparable(state)


def test_anonymous_socket_is_refused(server):
    with pytest.raises(socketio.exceptions.ConnectionError):
        live_server.connect(server, None)


def test_foreign_origin_is_refused_even_with_a_valid_cookie(server, http_login, room_client):
    bithu_http = http_login("bithu")
    with pytest.raises(socketio.exceptions.ConnectionError):
        live_server.connect(server, bithu_http, origin="http://evil.example")
    # The same cookie from the server's own origin is welcome: the origin made the difference.
    same = room_client(bithu_http, origin=server)
    assert same.sio.connected
