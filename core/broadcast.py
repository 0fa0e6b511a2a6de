"""The one path by which state changes reach the room (and, with a message queue, every process)."""

from __future__ import annotations

import threading

from flask import current_app

from core import recent_changes
from core.extensions import socketio

MEETING_ROOM = "meeting:"


def meeting_room(meeting_id: int) -> str:
    return f"{MEETING_ROOM}{meeting_id}"


def meeting_of_room(room) -> int | None:
    """The meeting whose room this is, or None (a user's room, a sid, no room)."""
    if isinstance(room, str) and room.startswith(MEETING_ROOM):
        rest = room[len(MEETING_ROOM) :]
        if rest.isascii() and rest.isdigit():
            return int(rest)
    return None


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def changes(
    meeting_id: int, version: int, items: list[dict], tag: str, previous: str | None
) -> None:
    """A versioned event: every client applies it only if it holds version - 1 with the tag
    `previous` (`prev`), else resyncs. Kept for a while, for clients that reconnect holding an
    earlier version (core/recent_changes.py checks the chain of tags)."""
    message = {
        "meeting_id": meeting_id,
        "v": version,
        "tag": tag,
        "prev": previous,
        "changes": items,
    }
    socketio.emit("changes", message, to=meeting_room(meeting_id))
    recent_changes.record(message)


def presence(meeting_id: int, user_id: int, online: bool) -> None:
    """Who is online is ephemeral: not versioned, carried whole in each snapshot. Arrivals and
    departures are sent in batches (`_PresenceBatch`): one event per member to every member made
    N members joining cost N² messages (1,000 joining at 19:30 = a million)."""
    _batch.add(meeting_id, user_id, online, current_app.config["CHIBO_PRESENCE_TICK"])


def _send_presence(meeting_id: int, users: dict[int, bool]) -> None:
    socketio.emit(
        "presence",
        {
            "meeting_id": meeting_id,
            "online": sorted(uid for uid, here in users.items() if here),
            "offline": sorted(uid for uid, here in users.items() if not here),
        },
        to=meeting_room(meeting_id),
    )


class _PresenceBatch:
    """Who came and went per meeting, sent at most once a `tick` (the last word per member wins:
    a member who left and came back within a tick is simply online). A tick of 0 sends at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[int, dict[int, bool]] = {}
        self._scheduled = False

    def add(self, meeting_id: int, user_id: int, online: bool, tick: float) -> None:
        if tick <= 0:
            _send_presence(meeting_id, {user_id: online})
            return
        with self._lock:
            self._pending.setdefault(meeting_id, {})[user_id] = online
            if self._scheduled:
                return
            self._scheduled = True
        socketio.start_background_task(self._send_after, tick)

    def _send_after(self, tick: float) -> None:
        socketio.sleep(tick)
        with self._lock:
            pending, self._pending, self._scheduled = self._pending, {}, False
        for meeting_id, users in pending.items():
            _send_presence(meeting_id, users)


_batch = _PresenceBatch()


def to_user(user_id: int, event: str, payload: dict) -> None:
    socketio.emit(event, payload, to=user_room(user_id))
