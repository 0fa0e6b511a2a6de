"""The last changes of each meeting, kept so a reconnecting client catches up without a snapshot.

A client that held version v and comes back asks for the changes since v (`join` with `since`):
when this buffer still has every version from v+1 to the meeting's current version (read from the
database), it gets those `changes` messages as they were broadcast; any version missing (too old,
not yet recorded, a restart) and it gets a snapshot, as before. So the buffer may lose entries but
can never give a wrong answer: the catch-up is all of the versions or none.

One process: a dict of bounded deques (`MemoryRecentChanges`). Several processes (a Redis message
queue): one sorted set per meeting in Redis, scored by version, trimmed to the last `KEEP`, expiring
`TTL_SECONDS` after the meeting's last change (`RedisRecentChanges`), so a process finds the
changes another process made. Messages are recorded by the process that broadcasts them, after
the commit.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict, deque

from flask import Flask, current_app

log = logging.getLogger(__name__)

KEEP = 200  # versions kept per meeting: a phone away for a few minutes of a busy vote
MAX_MEETINGS = 2048  # one process: meetings kept (the least recently changed are dropped)
TTL_SECONDS = 3600
_EXTENSION = "chibo.recent_changes"


class MemoryRecentChanges:
    def __init__(self, keep: int = KEEP, max_meetings: int = MAX_MEETINGS) -> None:
        self._keep = keep
        self._max = max_meetings
        self._lock = threading.Lock()
        self._meetings: OrderedDict[int, deque[dict]] = OrderedDict()

    def record(self, message: dict) -> None:
        with self._lock:
            kept = self._meetings.get(message["meeting_id"])
            if kept is None:
                kept = self._meetings[message["meeting_id"]] = deque(maxlen=self._keep)
            self._meetings.move_to_end(message["meeting_id"])
            kept.append(message)
            while len(self._meetings) > self._max:
                self._meetings.popitem(last=False)

    def messages(self, meeting_id: int, after: int, upto: int) -> list[dict]:
        with self._lock:
            kept = list(self._meetings.get(meeting_id, ()))
        return [m for m in kept if after < m["v"] <= upto]


class RedisRecentChanges:
    def __init__(self, client, prefix: str = "chibo", keep: int = KEEP) -> None:
        self._redis = client
        self._prefix = f"{prefix}:changes"
        self._keep = keep

    @classmethod
    def from_url(cls, url: str, prefix: str = "chibo") -> RedisRecentChanges:
        import redis

        return cls(redis.Redis.from_url(url, decode_responses=True), prefix)

    def _key(self, meeting_id: int) -> str:
        return f"{self._prefix}:{meeting_id}"

    def record(self, message: dict) -> None:
        key = self._key(message["meeting_id"])
        text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
        pipe = self._redis.pipeline(transaction=True)
        pipe.zadd(key, {text: message["v"]})
        pipe.zremrangebyrank(key, 0, -self._keep - 1)
        pipe.expire(key, TTL_SECONDS)
        pipe.execute()

    def messages(self, meeting_id: int, after: int, upto: int) -> list[dict]:
        found = self._redis.zrangebyscore(self._key(meeting_id), f"({after}", upto)
        return [json.loads(text) for text in found]


def _make_store(app: Flask):
    url = app.config["SOCKETIO_MESSAGE_QUEUE"]
    if url and url.startswith(("redis://", "rediss://")):
        return RedisRecentChanges.from_url(url, prefix=app.config["CHIBO_CLUSTER"])
    return MemoryRecentChanges()


def install(app: Flask) -> None:
    app.extensions[_EXTENSION] = _make_store(app)


def store():
    return current_app.extensions[_EXTENSION]


def record(message: dict) -> None:
    """Keep a broadcast `changes` message; a store that fails (Redis down) only costs snapshots."""
    try:
        store().record(message)
    except Exception:
        log.exception("recent changes of meeting %s not kept", message.get("meeting_id"))


def since(meeting_id: int, version: int, current: int) -> list[dict] | None:
    """Every `changes` message after `version` up to `current`, in order, or None when any one of
    them is not kept (then the client needs a snapshot)."""
    if version > current or current - version > KEEP:
        return None
    if version == current:
        return []
    try:
        found = store().messages(meeting_id, version, current)
    except Exception:
        log.exception("recent changes of meeting %s not read", meeting_id)
        return None
    by_version = {m["v"]: m for m in found}
    wanted = range(version + 1, current + 1)
    if any(v not in by_version for v in wanted):
        return None
    return [by_version[v] for v in wanted]
