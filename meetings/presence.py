"""Who is online in which meeting, counted per socket so a second tab does not flicker.

In one process a dict is the truth. With several processes (SOCKETIO_MESSAGE_QUEUE set), the
Redis store keeps the same counts where every process sees them.
"""

from __future__ import annotations

import threading
from collections import defaultdict


class MemoryPresence:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._by_sid: dict[str, set[tuple[int, int]]] = defaultdict(set)

    def join(self, meeting_id: int, user_id: int, sid: str) -> bool:
        """Returns True when the user just came online in this meeting."""
        with self._lock:
            sids = self._sockets[meeting_id][user_id]
            first = not sids
            sids.add(sid)
            self._by_sid[sid].add((meeting_id, user_id))
            return first

    def leave(self, meeting_id: int, user_id: int, sid: str) -> bool:
        """Returns True when the user's last socket in this meeting left."""
        with self._lock:
            return self._leave(meeting_id, user_id, sid)

    def _leave(self, meeting_id: int, user_id: int, sid: str) -> bool:
        users = self._sockets.get(meeting_id)
        if not users or sid not in users.get(user_id, ()):
            return False
        users[user_id].discard(sid)
        self._by_sid[sid].discard((meeting_id, user_id))
        if users[user_id]:
            return False
        del users[user_id]
        if not users:
            del self._sockets[meeting_id]
        return True

    def drop_socket(self, sid: str) -> list[tuple[int, int]]:
        """Forget a closed socket; returns the (meeting, user) pairs that went offline."""
        with self._lock:
            gone = [pair for pair in list(self._by_sid.pop(sid, ())) if self._leave(*pair, sid)]
            return gone

    def online(self, meeting_id: int) -> list[int]:
        with self._lock:
            return list(self._sockets.get(meeting_id, {}))

    def meetings_of(self, sid: str) -> set[int]:
        with self._lock:
            return {meeting_id for meeting_id, _ in self._by_sid.get(sid, ())}


presence = MemoryPresence()
