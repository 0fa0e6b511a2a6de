"""The last changes of each meeting, kept so a reconnecting client catches up without a snapshot.

A client that held version v and comes back asks for the changes since v (`join` with `since`):
when this buffer still has every version from v+1 to the meeting's current version (read from the
database), it gets those `changes` messages as they were broadcast; any version missing (too old,
not yet recorded, a restart) and it gets a snapshot, as before. So the buffer may lose entries but
can never give a wrong answer: the catch-up is all of the versions or none. Each message names its
version's random tag and the one before it (`prev`), and the catch-up follows those links from the
database's current tag back to the client's: after a database restore the same version numbers
come back with other changes, and a client is never given another history's.

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


def since(
    meeting_id: int, version: int, tag: str | None, current: int, current_tag: str | None
) -> list[dict] | None:
    """Every `changes` message after (`version`, `tag`) up to the meeting's (`current`,
    `current_tag`), in order, or None when any one of them is not kept (then the client needs a
    snapshot)."""
    if version > current or current - version > KEEP:
        return None
    if version == current:
        return [] if tag == current_tag else None
    try:
        found = store().messages(meeting_id, version, current)
    except Exception:
        log.exception("recent changes of meeting %s not read", meeting_id)
        return None
    return chain(found, version, tag, current, current_tag)


def chain(
    found: list[dict], version: int, tag: str | None, current: int, current_tag: str | None
) -> list[dict] | None:
    """The messages that lead from (`version`, `tag`) to (`current`, `current_tag`), walking back
    from the current version by each message's `prev`, or None when a link is missing. After a
    database restore the versions after the restored one are made again, with other tags: the
    kept messages of the lost history then sit beside the new ones under the same numbers, and
    only the tags tell which follow which."""
    by_version_and_tag = {(m["v"], m.get("tag")): m for m in found}
    wanted = current_tag
    walked: list[dict] = []
    for number in range(current, version, -1):
        message = by_version_and_tag.get((number, wanted))
        if message is None:
            return None
        walked.append(message)
        wanted = message.get("prev")
    if wanted != tag:
        return None  # the client's version belongs to another history
    return walked[::-1]
