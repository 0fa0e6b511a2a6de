"""Socket.IO's Redis message queue with one channel per meeting: a process hears only the
meetings it holds sockets of.

Flask-SocketIO's `RedisManager` publishes every emit on one channel that every process listens
to: each process received, decoded and re-encoded every event of every meeting of the
deployment, ~220-260 µs of CPU per message on this machine even with no client of that meeting
(docs/capacity.md, `bench/province.py --fanout`), so what one process spends per event grew with
the number of processes.

Here an emit (or `close_room`) to a meeting's room goes on the channel `<cluster>:meeting:<id>`,
and a process subscribes to it when the first of its own sockets enters that room — before the
join reads its snapshot, so nothing committed after that snapshot can be missed. nginx sends all
the clients of a meeting to one process (`hash` on the meeting named in the Socket.IO URL,
deploy/nginx): that process is then the channel's only subscriber and its events stay its own
(it gets back its own publish, one message, and drops it). A client that reaches another process
(no nginx, a restart, nginx's next choice while the first is down) still works: that process
subscribes too, and the meeting's events reach both. Everything else — a user's room
(notifications, invitations), disconnects, callbacks, other rooms — stays on the deployment's
channel that every process hears: that is what really crosses processes.

Channels nobody here uses any more are unsubscribed by a sweep every `SWEEP_SECONDS` (not at once:
a phone that reconnects lands again within seconds).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time

import socketio

from core.broadcast import meeting_of_room, meeting_room

log = logging.getLogger(__name__)

SUBSCRIBE_SECONDS = 5.0  # a join waits this long for Redis to confirm its meeting's channel
SWEEP_SECONDS = 60.0
ROOM_METHODS = ("emit", "close_room")  # what is addressed to a room (and so may have a meeting)


def meeting_channel(cluster: str, meeting_id: int) -> str:
    return f"{cluster}:meeting:{meeting_id}"


def channel_for(cluster: str, message: dict) -> str:
    """Where a message of the queue goes: its meeting's channel, or the deployment's."""
    if message.get("method") in ROOM_METHODS:
        meeting_id = meeting_of_room(message.get("room"))
        if meeting_id is not None:
            return meeting_channel(cluster, meeting_id)
    return cluster


class MeetingChannelsManager(socketio.RedisManager):
    """`RedisManager` publishing a meeting's messages on the meeting's channel and subscribing
    to the channels of the meetings this process holds sockets of."""

    name = "redis-meetings"

    def __init__(self, url: str, channel: str, write_only: bool = False, **kwargs) -> None:
        super().__init__(url, channel=channel, write_only=write_only, **kwargs)
        self._lock = threading.Lock()
        self._meetings: dict[str, str] = {}  # channel -> room: the meetings this process hears
        self._listener = None  # the PubSub the listening task reads (publishing has its own)
        self._waiting: dict[str, list[threading.Event]] = {}  # joins waiting for a confirmation

    def initialize(self) -> None:
        super().initialize()
        if not self.write_only:
            self.server.start_background_task(self._sweep)

    # ---- publishing ----------------------------------------------------------------------------

    def _publish(self, data: dict) -> None:
        channel = channel_for(self.channel, data)
        for retries_left in (1, 0):
            try:
                if not self.connected:
                    self._redis_connect()
                self.redis.publish(channel, self.json.dumps(data))
                return
            except Exception as exc:
                self.connected = False
                if not retries_left:
                    log.error("cannot publish on %s: %s (given up)", channel, exc)

    # ---- which meetings this process listens to -----------------------------------------------

    def enter_room(self, sid, namespace, room, eio_sid=None):
        super().enter_room(sid, namespace, room, eio_sid=eio_sid)
        meeting_id = meeting_of_room(room)
        if meeting_id is not None and (
            self.is_connected(sid, namespace) or self.is_pre_connected(sid, namespace)
        ):
            self.listen_to(meeting_id, wait=True)

    def _handle_enter_room(self, message):
        # Asked by another process: the listener cannot wait for its own confirmation.
        super()._handle_enter_room(message)
        room = message.get("room")
        meeting_id = meeting_of_room(room)
        if meeting_id is not None and room in self.rooms.get(message.get("namespace"), {}):
            self.listen_to(meeting_id, wait=False)

    def listen_to(self, meeting_id: int, wait: bool) -> None:
        """Subscribe to the meeting's channel if not yet; with `wait`, return only once Redis
        confirmed it (raises redis.ConnectionError after SUBSCRIBE_SECONDS)."""
        import redis

        channel = meeting_channel(self.channel, meeting_id)
        with self._lock:
            if channel in self._meetings:
                return
            self._meetings[channel] = meeting_room(meeting_id)
            confirmed = threading.Event()
            self._waiting.setdefault(channel, []).append(confirmed)
            if self._listener is not None:
                # Otherwise the listener subscribes to every channel of the set when it connects.
                self._listener.subscribe(channel)
        if wait and not confirmed.wait(SUBSCRIBE_SECONDS):
            raise redis.ConnectionError(f"no confirmation of the subscription to {channel}")

    def listening_to(self) -> set[str]:
        with self._lock:
            return set(self._meetings)

    def _confirmed(self, channel: str) -> None:
        with self._lock:
            for event in self._waiting.pop(channel, []):
                event.set()

    def sweep(self) -> list[str]:
        """Unsubscribe from the meetings this process holds no socket of any more."""
        rooms = self.rooms.get("/", {})
        dropped = []
        with self._lock:
            for channel, room in list(self._meetings.items()):
                if room not in rooms and not self._waiting.get(channel):
                    del self._meetings[channel]
                    dropped.append(channel)
            if dropped and self._listener is not None:
                self._listener.unsubscribe(*dropped)
        return dropped

    def _sweep(self) -> None:
        while True:
            self.server.sleep(SWEEP_SECONDS)
            try:
                self.sweep()
            except Exception:  # Redis restarting: the listener resubscribes what is still held
                log.exception("sweeping meeting channels failed")

    # ---- listening -----------------------------------------------------------------------------

    def _listen(self):
        """Messages of the deployment's channel and of the meetings held here, forever
        (reconnecting to Redis with a growing pause, and resubscribing, when it goes away)."""
        pause = 1
        while True:
            try:
                with self._lock:
                    self._redis_connect()
                    # Its own connection, with the subscription confirmations (joins wait for them).
                    self._listener = self.redis.pubsub()
                    self._listener.subscribe(self.channel, *self._meetings)
                for message in self._listener.listen():
                    kind = message["type"]
                    if kind == "message":
                        yield message["data"]
                    elif kind == "subscribe":
                        self._confirmed(message["channel"].decode())
                    pause = 1
            except Exception as exc:
                log.error("cannot receive from Redis (%s); retrying in %s s", exc, pause)
                with self._lock:  # joins meanwhile wait for the next connection's confirmations
                    broken, self._listener = self._listener, None
                if broken is not None:
                    with contextlib.suppress(Exception):  # its connection is already gone
                        broken.close()
                time.sleep(pause)
                pause = min(pause * 2, 60)
