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

Redis unreachable: each process answers from its own sockets, kept in memory anyway, and writes
them back when Redis answers again (`RedisPresence.resync`). With one process nothing is lost;
with several, see docs/operations.md ("Redis down").
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import defaultdict

from flask import Flask, current_app
from redis import RedisError

log = logging.getLogger(__name__)

TTL_SECONDS = 45
HEARTBEAT_SECONDS = 15
RETRY_SECONDS = 5  # Redis unreachable: answer from memory, and ask Redis again this much later
REDIS_TIMEOUT_SECONDS = 2
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
-- This socket may be there already (a resync wrote it back): it does not count as another.
if redis.call('ZSCORE', KEYS[2], ARGV[2]) then before = before - 1 end
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

# The same, adding the entries Redis lost (a resync after an outage or a restart).
_ADD = (
    _NOW
    + """
local ttl = tonumber(ARGV[1])
local expiry = now + 1000 * ttl
for i = 1, #KEYS, 2 do
  local user, member = ARGV[i + 1], ARGV[i + 2]
  redis.call('ZADD', KEYS[i + 1], expiry, member)
  redis.call('ZADD', KEYS[i], 'GT', expiry, user)
  redis.call('EXPIRE', KEYS[i], 2 * ttl)
  redis.call('EXPIRE', KEYS[i + 1], 2 * ttl)
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

    Socket ids are local to a process, so this process's own sockets are also kept in memory
    (`_local`, a MemoryPresence): it is the sid -> meetings index, and it is what presence falls
    back to while Redis is unreachable. Degraded, every answer comes from `_local`: exact with one
    process; with several, each process sees only its own sockets' users (docs/operations.md).
    Redis is tried again every `RETRY_SECONDS` (and by the heartbeat); once it answers, the
    leaves and clears it missed are replayed and every local socket is written back (`resync`),
    which also repairs a Redis that restarted empty without this process noticing (its run id
    changed).
    """

    def __init__(self, client, prefix: str = "chibo", ttl: int = TTL_SECONDS, in_room=None) -> None:
        self._redis = client
        self._prefix = f"{prefix}:presence"
        self._ttl = ttl
        self.process_id = uuid.uuid4().hex[:12]
        self._lock = threading.RLock()
        self._local = MemoryPresence()
        # Is this socket still in the meeting's Socket.IO room on this process? Another process
        # that ends a meeting closes the room everywhere but clears only Redis: such sockets are
        # not written back by a resync. None: keep them all (stores used without a server).
        self._in_room = in_room
        self.degraded = False
        self._retry_at = 0.0
        self._missed_leaves: set[tuple[int, int, str]] = set()
        self._missed_clears: set[int] = set()
        self._run_id: str | None = None
        self._join = client.register_script(_JOIN)
        self._leave_script = client.register_script(_LEAVE)
        self._online = client.register_script(_ONLINE)
        self._refresh = client.register_script(_REFRESH)
        self._add = client.register_script(_ADD)
        self._clear = client.register_script(_CLEAR)

    @classmethod
    def from_url(
        cls, url: str, prefix: str = "chibo", ttl: int = TTL_SECONDS, in_room=None
    ) -> RedisPresence:
        import redis

        # Timeouts: a Redis that hangs (rather than refuses) must not hold a socket event long.
        client = redis.Redis.from_url(
            url,
            decode_responses=True,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        return cls(client, prefix, ttl, in_room)

    def _keys(self, meeting_id: int, user_id: int) -> list[str]:
        meeting_key = f"{self._prefix}:{meeting_id}"
        return [meeting_key, f"{meeting_key}:{user_id}"]

    def _member(self, sid: str) -> str:
        return f"{self.process_id}:{sid}"

    # ---- Redis, or memory while it is unreachable ------------------------------------------

    def _use_redis(self) -> bool:
        """True when Redis should be asked: it is up, or it is time to try it again (resync)."""
        if not self.degraded:
            return True
        if time.monotonic() < self._retry_at:
            return False
        return self.resync()

    def _went_down(self, exc: Exception) -> None:
        with self._lock:
            if not self.degraded:
                log.warning("presence: Redis unreachable (%s); counting in this process", exc)
            self.degraded = True
            self._retry_at = time.monotonic() + RETRY_SECONDS

    def join(self, meeting_id: int, user_id: int, sid: str) -> bool:
        """Returns True when the user just came online in this meeting (on any process)."""
        with self._lock:
            first_here = self._local.join(meeting_id, user_id, sid)
            if not self._use_redis():
                return first_here
        try:
            keys = self._keys(meeting_id, user_id)
            return bool(self._join(keys=keys, args=[user_id, self._member(sid), self._ttl]))
        except RedisError as exc:
            self._went_down(exc)  # the resync writes this socket
            return first_here

    def leave(self, meeting_id: int, user_id: int, sid: str) -> bool:
        """Returns True when the user's last socket in this meeting (on any process) left."""
        with self._lock:
            last_here = self._local.leave(meeting_id, user_id, sid)
        return self._leave_everywhere(meeting_id, user_id, sid, last_here)

    def _leave_everywhere(self, meeting_id: int, user_id: int, sid: str, last_here: bool) -> bool:
        with self._lock:
            if not self._use_redis():
                self._missed_leaves.add((meeting_id, user_id, sid))
                return last_here
        try:
            keys = self._keys(meeting_id, user_id)
            return bool(self._leave_script(keys=keys, args=[user_id, self._member(sid)]))
        except RedisError as exc:
            self._went_down(exc)
            with self._lock:
                self._missed_leaves.add((meeting_id, user_id, sid))
            return last_here

    def drop_socket(self, sid: str) -> list[tuple[int, int]]:
        """Forget a closed socket; returns the (meeting, user) pairs that went offline."""
        with self._lock:
            pairs = list(self._local._by_sid.get(sid, ()))
            gone_here = set(self._local.drop_socket(sid))
        return [
            pair
            for pair in pairs
            if self._leave_everywhere(*pair, sid, last_here=pair in gone_here)
        ]

    def online(self, meeting_id: int) -> list[int]:
        with self._lock:
            if not self._use_redis():
                return self._local.online(meeting_id)
        try:
            return [int(user) for user in self._online(keys=[f"{self._prefix}:{meeting_id}"])]
        except RedisError as exc:
            self._went_down(exc)
            return self._local.online(meeting_id)

    def meetings_of(self, sid: str) -> set[int]:
        return self._local.meetings_of(sid)

    def clear_meeting(self, meeting_id: int) -> None:
        """Everyone leaves, on every process. Other processes keep a stale local entry for their
        sids; it is harmless: leaving an entry that Redis no longer holds changes nothing, and a
        resync writes back only sockets still in the meeting's room."""
        with self._lock:
            self._local.clear_meeting(meeting_id)
            if not self._use_redis():
                self._missed_clears.add(meeting_id)
                return
        try:
            self._clear(keys=[f"{self._prefix}:{meeting_id}"])
        except RedisError as exc:
            self._went_down(exc)
            with self._lock:
                self._missed_clears.add(meeting_id)

    def _entries(self) -> list[tuple[tuple[int, int], str]]:
        return [(pair, sid) for sid, pairs in self._local._by_sid.items() for pair in pairs]

    def refresh(self) -> None:
        """The heartbeat: push forward the expiry of every socket of this process; while
        degraded, or when Redis restarted (its run id changed), write them all back instead."""
        with self._lock:
            if self.degraded:
                self.resync()
                return
            try:
                run_id = self._redis.info("server")["run_id"]
                if self._run_id is not None and run_id != self._run_id:
                    log.warning("presence: Redis restarted; writing this process's sockets back")
                    self.resync()
                    return
                self._run_id = run_id
                self._write(self._refresh, self._entries())
            except RedisError as exc:
                self._went_down(exc)

    def _write(self, script, entries) -> None:
        for start in range(0, len(entries), 500):  # bounded scripts: other clients are not starved
            keys: list[str] = []
            args: list = [self._ttl]
            for (meeting_id, user_id), sid in entries[start : start + 500]:
                keys += self._keys(meeting_id, user_id)
                args += [user_id, self._member(sid)]
            script(keys=keys, args=args)

    def resync(self) -> bool:
        """Replay what Redis missed and write back every socket of this process; True when Redis
        answered. Held under the lock, so no join or leave of this process slips in between."""
        with self._lock:
            try:
                run_id = self._redis.info("server")["run_id"]
                for meeting_id in sorted(self._missed_clears):
                    self._clear(keys=[f"{self._prefix}:{meeting_id}"])
                for meeting_id, user_id, sid in sorted(self._missed_leaves):
                    keys = self._keys(meeting_id, user_id)
                    self._leave_script(keys=keys, args=[user_id, self._member(sid)])
                if self._in_room is not None:
                    for (meeting_id, user_id), sid in self._entries():
                        if not self._in_room(meeting_id, sid):
                            self._local.leave(meeting_id, user_id, sid)
                entries = self._entries()
                self._write(self._add, entries)
            except RedisError as exc:
                self.degraded = True
                self._retry_at = time.monotonic() + RETRY_SECONDS
                log.debug("presence: Redis still unreachable (%s)", exc)
                return False
            was_degraded = self.degraded
            self.degraded = False
            self._run_id = run_id
            self._missed_clears.clear()
            self._missed_leaves.clear()
        if was_degraded:
            log.warning("presence: Redis is back; %d socket(s) written back", len(entries))
        return True


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
        return RedisPresence.from_url(
            url, prefix=app.config["CHIBO_CLUSTER"], in_room=_in_meeting_room
        )
    return MemoryPresence()


def _in_meeting_room(meeting_id: int, sid: str) -> bool:
    from core.broadcast import meeting_room
    from core.extensions import socketio

    rooms = socketio.server.manager.rooms.get("/", {})
    return sid in rooms.get(meeting_room(meeting_id), {})


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
                store.refresh()  # Redis unreachable: counted in memory, written back later
            except Exception:
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
