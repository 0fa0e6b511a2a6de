"""The one path by which state changes reach the room (and, with a message queue, every process)."""

from __future__ import annotations

from core import recent_changes
from core.extensions import socketio


def meeting_room(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def changes(meeting_id: int, version: int, items: list[dict]) -> None:
    """A versioned event: every client applies it only if it holds version - 1, else resyncs.
    Kept for a while, for clients that reconnect holding an earlier version."""
    message = {"meeting_id": meeting_id, "v": version, "changes": items}
    socketio.emit("changes", message, to=meeting_room(meeting_id))
    recent_changes.record(message)


def presence(meeting_id: int, user_id: int, online: bool) -> None:
    """Who is online is ephemeral: not versioned, carried whole in each snapshot."""
    socketio.emit(
        "presence",
        {"meeting_id": meeting_id, "user_id": user_id, "online": online},
        to=meeting_room(meeting_id),
    )


def to_user(user_id: int, event: str, payload: dict) -> None:
    socketio.emit(event, payload, to=user_room(user_id))
