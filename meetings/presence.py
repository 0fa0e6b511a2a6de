"""Who is online in which meeting, counted per socket so a second tab does not flicker.

In one process a dict is the truth (`MemoryPresence`). With several processes
(SOCKETIO_MESSAGE_QUEUE set), `RedisPresence` keeps the same counts where every process sees them.
`presence` picks the store of the current app, so callers never know which one they talk to.

A process that crashes cannot say goodbye. So in Redis every socket is an entry of
(process id, sid) whose expiry a heartbeat of its own process pushes forward; a dead process's
entries expire within `TTL_SECONDS` and its users drop out of `online()`. No "offline" event is
pushed for them: the other clients learn it from their next snapshot (the dead process's own
clients reconnect elsewhere and rejoin, which refreshes them). That is the trade-off for not
running a cluster-wide sweeper.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import defaultdict

from flask import Flask, current_app

log = logging.getLogger(__name__)

TTL_SECONDS = 45
HEARTBEAT_SECONDS = 15
_EXTENSION = "chibo.presence"


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

    def clear_meeting(self, meeting_id: int) -> None:
        """Everyone leaves (the meeting ended): no one is counted online in it any more."""
        with self._lock:
            for user_id, sids in self._sockets.pop(meeting_id, {}).items():
                for sid in sids:
                    self._by_sid[sid].discard((meeting_id, user_id))


# Redis layout, under the deployment's name P (CHIBO_CLUSTER):
#   P:presence:<meeting>          ZSET user id         -> latest expiry of any of the user's sockets
#   P:presence:<meeting>:<user>   ZSET "<process>:<sid>" -> expiry (Redis TIME + TTL, in ms)
# Scripts run atomically and read the clock of the Redis server, so processes on machines with
# skewed clocks agree on what has expired.
_NOW = (
    "local t = redis.call('TIME'); "
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "
)

_JOIN = (
    _NOW
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local before = redis.call('ZCARD', KEYS[2])
local expiry = now + 1000 * tonumber(ARGV[3])
redis.call('ZADD', KEYS[2], expiry, ARGV[2])
redis.call('ZADD', KEYS[1], 'GT', expiry, ARGV[1])
redis.call('EXPIRE', KEYS[1], 2 * tonumber(ARGV[3]))
redis.call('EXPIRE', KEYS[2], 2 * tonumber(ARGV[3]))
if before == 0 then return 1 else return 0 end
"""
)

_LEAVE = (
    _NOW
    + """
if redis.call('ZREM', KEYS[2], ARGV[2]) == 0 then return 0 end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
return 1
"""
)

_ONLINE = (
    _NOW
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZRANGE', KEYS[1], 0, -1)
"""
)

# KEYS: pairs (meeting key, socket key); ARGV: ttl, then pairs (user id, member).
_REFRESH = (
    _NOW
    + """
local ttl = tonumber(ARGV[1])
local expiry = now + 1000 * ttl
for i = 1, #KEYS, 2 do
  local user, member = ARGV[i + 1], ARGV[i + 2]
  if redis.call('ZADD', KEYS[i + 1], 'XX', 'CH', expiry, member) == 1 then
    redis.call('ZADD', KEYS[i], 'GT', expiry, user)
    redis.call('EXPIRE', KEYS[i], 2 * ttl)
    redis.call('EXPIRE', KEYS[i + 1], 2 * ttl)
  end
end
return 0
"""
)

_CLEAR = """
for _, user in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  redis.call('DEL', KEYS[1] .. ':' .. user)
end
redis.call('DEL', KEYS[1])
return 0
"""


class RedisPresence:
    """The same API as MemoryPresence, shared by every process of a deployment through Redis.

    Socket ids are local to a process, so the sid -> meetings index stays in memory; the counts
    that other processes must see live in Redis.
    """

    def __init__(self, client, prefix: str = "chibo", ttl: int = TTL_SECONDS) -> None:
        self._redis = client
        self._prefix = f"{prefix}:presence"
        self._ttl = ttl
        self.process_id = uuid.uuid4().hex[:12]
        self._lock = threading.Lock()
        self._by_sid: dict[str, set[tuple[int, int]]] = defaultdict(set)
        self._join = client.register_script(_JOIN)
        self._leave_script = client.register_script(_LEAVE)
        self._online = client.register_script(_ONLINE)
        self._refresh = client.register_script(_REFRESH)
        self._clear = client.register_script(_CLEAR)

    @classmethod
    def from_url(cls, url: str, prefix: str = "chibo", ttl: int = TTL_SECONDS) -> RedisPresence:
        import redis

        return cls(redis.Redis.from_url(url, decode_responses=True), prefix, ttl)

    def _keys(self, meeting_id: int, user_id: int) -> list[str]:
        meeting_key = f"{self._prefix}:{meeting_id}"
        return [meeting_key, f"{meeting_key}:{user_id}"]

    def _member(self, sid: str) -> str:
        return f"{self.process_id}:{sid}"

    def join(self, meeting_id: int, user_id: int, sid: str) -> bool:
        """Returns True when the user just came online in this meeting (on any process)."""
        with self._lock:
            self._by_sid[sid].add((meeting_id, user_id))
        keys = self._keys(meeting_id, user_id)
        return bool(self._join(keys=keys, args=[user_id, self._member(sid), self._ttl]))

    def leave(self, meeting_id: int, user_id: int, sid: str) -> bool:
        """Returns True when the user's last socket in this meeting (on any process) left."""
        with self._lock:
            self._by_sid[sid].discard((meeting_id, user_id))
        return self._leave(meeting_id, user_id, sid)

    def _leave(self, meeting_id: int, user_id: int, sid: str) -> bool:
        keys = self._keys(meeting_id, user_id)
        return bool(self._leave_script(keys=keys, args=[user_id, self._member(sid)]))

    def drop_socket(self, sid: str) -> list[tuple[int, int]]:
        """Forget a closed socket; returns the (meeting, user) pairs that went offline."""
        with self._lock:
            pairs = list(self._by_sid.pop(sid, ()))
        return [pair for pair in pairs if self._leave(*pair, sid)]

    def online(self, meeting_id: int) -> list[int]:
        return [int(user) for user in self._online(keys=[f"{self._prefix}:{meeting_id}"])]

    def meetings_of(self, sid: str) -> set[int]:
        with self._lock:
            return {meeting_id for meeting_id, _ in self._by_sid.get(sid, ())}

    def clear_meeting(self, meeting_id: int) -> None:
        """Everyone leaves, on every process. Other processes keep a stale local index entry for
        their sids; it is harmless: leaving an entry that Redis no longer holds changes nothing."""
        with self._lock:
            for pairs in self._by_sid.values():
                pairs.difference_update({p for p in pairs if p[0] == meeting_id})
        self._clear(keys=[f"{self._prefix}:{meeting_id}"])

    def refresh(self) -> None:
        """Push forward the expiry of every socket of this process (the heartbeat)."""
        with self._lock:
            entries = [(pair, sid) for sid, pairs in self._by_sid.items() for pair in pairs]
        for start in range(0, len(entries), 500):  # bounded scripts: other clients are not starved
            keys: list[str] = []
            args: list = [self._ttl]
            for (meeting_id, user_id), sid in entries[start : start + 500]:
                keys += self._keys(meeting_id, user_id)
                args += [user_id, self._member(sid)]
            self._refresh(keys=keys, args=args)


class Presence:
    """The current app's store: Redis when a message queue joins several processes, else memory."""

    _create_lock = threading.Lock()

    def store(self, app: Flask | None = None):
        app = app or current_app._get_current_object()
        store = app.extensions.get(_EXTENSION)
        if store is None:
            with self._create_lock:
                store = app.extensions.get(_EXTENSION)
                if store is None:
                    store = _make_store(app)
                    app.extensions[_EXTENSION] = store
        return store

    def join(self, meeting_id: int, user_id: int, sid: str) -> bool:
        """Returns True when the user just came online in this meeting."""
        return self.store().join(meeting_id, user_id, sid)

    def leave(self, meeting_id: int, user_id: int, sid: str) -> bool:
        """Returns True when the user's last socket in this meeting left."""
        return self.store().leave(meeting_id, user_id, sid)

    def drop_socket(self, sid: str) -> list[tuple[int, int]]:
        """Forget a closed socket; returns the (meeting, user) pairs that went offline."""
        return self.store().drop_socket(sid)

    def online(self, meeting_id: int) -> list[int]:
        """Ids of the users with at least one socket in the meeting."""
        return self.store().online(meeting_id)

    def meetings_of(self, sid: str) -> set[int]:
        """Meetings this process's socket has joined."""
        return self.store().meetings_of(sid)

    def clear_meeting(self, meeting_id: int) -> None:
        """Nobody is online in the meeting any more."""
        self.store().clear_meeting(meeting_id)


def _make_store(app: Flask):
    url = app.config["SOCKETIO_MESSAGE_QUEUE"]
    if url and url.startswith(("redis://", "rediss://")):
        return RedisPresence.from_url(url, prefix=app.config["CHIBO_CLUSTER"])
    return MemoryPresence()


presence = Presence()


def start_heartbeat(app: Flask) -> None:
    """Keep this process's Redis presence entries alive (a Socket.IO background task)."""
    from core.extensions import socketio

    store = presence.store(app)
    if not isinstance(store, RedisPresence):
        return

    def beat() -> None:
        while True:
            socketio.sleep(HEARTBEAT_SECONDS)
            try:
                store.refresh()
            except Exception:  # Redis restarting: try again at the next beat
                log.exception("presence heartbeat failed")

    socketio.start_background_task(beat)


def close_meeting(meeting_id: int) -> None:
    """Every socket, on every process, leaves the meeting's room; nobody is online in it.

    Called after an ended meeting's last change was broadcast: the clients keep their socket and
    the "ended" state they hold, and receive nothing more for that meeting unless they rejoin.
    `close_room` travels on the same Socket.IO channel as the broadcast before it, so every
    process applies it after delivering that broadcast.
    """
    from core.broadcast import meeting_room
    from core.extensions import socketio

    socketio.close_room(meeting_room(meeting_id))
    presence.clear_meeting(meeting_id)
