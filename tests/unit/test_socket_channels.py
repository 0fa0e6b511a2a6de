"""Which Redis channel a message of the Socket.IO queue travels on (core/socket_channels.py)."""

from __future__ import annotations

import pytest

from core.broadcast import meeting_of_room
from core.socket_channels import channel_for


@pytest.mark.parametrize(
    ("message", "channel"),
    [
        ({"method": "emit", "room": "meeting:12"}, "P:meeting:12"),
        ({"method": "close_room", "room": "meeting:12"}, "P:meeting:12"),
        # A user's room (notifications, invitations) is heard by every process.
        ({"method": "emit", "room": "user:12"}, "P"),
        ({"method": "emit", "room": None}, "P"),
        ({"method": "emit", "room": "somesid"}, "P"),
        # Disconnects, callbacks and room entries of another process's sid: every process.
        ({"method": "disconnect", "sid": "x"}, "P"),
        ({"method": "callback", "host_id": "h"}, "P"),
        ({"method": "enter_room", "room": "meeting:12"}, "P"),
        ({"method": "leave_room", "room": "meeting:12"}, "P"),
        ({"method": "emit", "room": "meeting:"}, "P"),
        ({"method": "emit", "room": "meeting:12a"}, "P"),
        ({"method": "emit", "room": "meeting:١٢"}, "P"),  # Arabic-Indic digits: not an id
    ],
)
def test_channel_for(message, channel):
    assert channel_for("P", message) == channel


@pytest.mark.parametrize(
    ("room", "meeting_id"),
    [("meeting:7", 7), ("meeting:007", 7), ("user:7", None), (7, None), (None, None)],
)
def test_meeting_of_room(room, meeting_id):
    assert meeting_of_room(room) == meeting_id


class FakeListener:
    """Stands for the listening PubSub: records what the manager asks of Redis."""

    def __init__(self) -> None:
        self.subscribed: list[str] = []
        self.unsubscribed: list[str] = []

    def subscribe(self, *channels):
        self.subscribed += channels

    def unsubscribe(self, *channels):
        self.unsubscribed += channels


def make_manager():
    from core.socket_channels import MeetingChannelsManager

    manager = MeetingChannelsManager("redis://127.0.0.1:1/0", channel="P")  # never connects
    manager._listener = FakeListener()
    return manager


def test_a_join_waits_for_the_subscription_and_subscribes_once():
    import threading

    manager = make_manager()
    confirm = threading.Timer(0.05, manager._confirmed, args=("P:meeting:5",))
    confirm.start()
    manager.listen_to(5, wait=True)  # returns once Redis confirmed
    manager.listen_to(5, wait=True)  # already listening: no second SUBSCRIBE, no wait
    assert manager._listener.subscribed == ["P:meeting:5"]
    assert manager.listening_to() == {"P:meeting:5"}


def test_a_join_is_refused_when_redis_never_confirms(monkeypatch):
    import redis

    from core import socket_channels

    monkeypatch.setattr(socket_channels, "SUBSCRIBE_SECONDS", 0.05)
    with pytest.raises(redis.ConnectionError):
        make_manager().listen_to(5, wait=True)


def test_the_sweep_drops_only_meetings_with_no_socket_here_and_no_join_waiting():
    manager = make_manager()
    manager._meetings = {f"P:meeting:{m}": f"meeting:{m}" for m in (5, 6, 7)}
    manager.rooms = {"/": {"meeting:5": {"sid": "eio"}}}  # a socket of meeting 5 is here
    manager._waiting = {"P:meeting:7": [object()]}  # a join of meeting 7 waits for Redis
    assert manager.sweep() == ["P:meeting:6"]
    assert manager._listener.unsubscribed == ["P:meeting:6"]
    assert manager.listening_to() == {"P:meeting:5", "P:meeting:7"}
