"""The shared part of a meeting's snapshot, built and serialized once per version, for every joiner.

Every join used to build and serialize the whole roster (~150 KB for 1,000 members): N members
joining cost O(N²). Now the part every viewer sees alike (`snapshot.shared`) is kept as JSON text,
keyed on the meeting's version (with its tag) and its roster version (`org.roster_versions`), read
from the database at each join: a command on another process, or an administrator's membership
edit, moves the key, so no process serves a roster cached before someone else's change. Each
joiner gets that text with its own small part (`snapshot.for_viewer`) spliced in.

One cache per app (so per process), a bounded number of meetings, the latest version of each.
While one request builds a meeting's entry, the others asking for it wait instead of building too.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import Flask, current_app

from meetings import snapshot
from meetings.models import Meeting
from meetings.wire_json import RawJSON
from org import roster_versions

_EXTENSION = "chibo.snapshot_cache"
MAX_MEETINGS = 256
_LOCK_STRIPES = 64


@dataclass(frozen=True)
class Entry:
    key: tuple[int, str | None, str]  # (meeting version, its tag, roster version)
    text: str  # the shared part, serialized


class SnapshotCache:
    def __init__(self, max_meetings: int = MAX_MEETINGS) -> None:
        self._max = max_meetings
        self._entries: OrderedDict[int, Entry] = OrderedDict()
        self._guard = threading.Lock()
        self._build_locks = [threading.Lock() for _ in range(_LOCK_STRIPES)]
        self.builds = 0  # how many times a shared part was built (tests and benchmarks read it)

    def _get(self, meeting_id: int, key: tuple[int, str | None, str]) -> Entry | None:
        with self._guard:
            entry = self._entries.get(meeting_id)
            if entry is None or entry.key != key:
                return None
            self._entries.move_to_end(meeting_id)
            return entry

    def _put(self, meeting_id: int, entry: Entry) -> None:
        with self._guard:
            self._entries[meeting_id] = entry
            self._entries.move_to_end(meeting_id)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def shared_text(self, meeting: Meeting) -> str:
        """The shared part as JSON for the meeting as the current transaction sees it."""
        # The tag too: after a database restore the same version number is another state.
        key = (meeting.version, meeting.version_tag, roster_versions.token(meeting.cell_id))
        entry = self._get(meeting.id, key)
        if entry is not None:
            return entry.text
        with self._build_locks[meeting.id % _LOCK_STRIPES]:
            entry = self._get(meeting.id, key)  # built by the request we waited for
            if entry is None:
                data = snapshot.shared(meeting, key[2])
                entry = Entry(key, json.dumps(data, ensure_ascii=False, separators=(",", ":")))
                self.builds += 1
                self._put(meeting.id, entry)
        return entry.text

    def clear(self) -> None:
        with self._guard:
            self._entries.clear()


def install(app: Flask) -> None:
    app.extensions[_EXTENSION] = SnapshotCache()


def cache() -> SnapshotCache:
    return current_app.extensions[_EXTENSION]


def splice(shared_text: str, own: dict) -> RawJSON:
    """The shared object's text with the viewer's own keys added: one JSON object."""
    own_text = json.dumps(own, ensure_ascii=False, separators=(",", ":"))
    return RawJSON(shared_text[:-1] + "," + own_text[1:])


def snapshot_for(meeting: Meeting, viewer, roles: frozenset[str], online: list[int]) -> RawJSON:
    """The viewer's snapshot for the wire: `snapshot.shared` + `snapshot.for_viewer`."""
    return splice(cache().shared_text(meeting), snapshot.for_viewer(meeting, viewer, roles, online))
