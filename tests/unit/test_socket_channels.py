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
