"""Limits on Socket.IO events, so one member (or one script) cannot stall a meeting.

Measured before (issue 14): ~1,000 commands a second from one member took another member's
snapshot from 13 ms to 2.4 s and `/login` to 27 s. Three defences, cheapest first:

- **one event at a time per socket** (`socket_turn`): a socket's events wait for its previous one;
  beyond `MAX_WAITING` waiting events the next is refused at once. One connection's burst then
  queues behind itself instead of taking every worker the server has (fairness between sockets);
- **per-socket limits**, counted in this process's memory (a socket lives on one process);
- **per-user limits**, counted where login limits are (Redis with several processes), so many
  sockets or processes do not multiply one user's allowance. If that storage fails (Redis down),
  the count falls back to this process's memory and says so in the log, once per outage.

A refused event answers `rate_limited` with `retry_after` seconds; a socket that keeps going
after `DISCONNECT_AFTER` refusals in a minute is disconnected. Underneath, a **message gate**
counts raw Engine.IO messages per connection before anything is decoded or a Flask context is
made: past `GATE_PER_SECOND` (burst `GATE_BURST`) the connection is closed at once, dropping
whatever it had queued — a flood at thousands a second otherwise leaves the server a backlog of
seconds even if every event is refused. The limits are far above what a
person does (a click is one event; the room's script sends a few per action).
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask
from flask_babel import force_locale
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from core.websocket_frames import DRAIN_BYTES

log = logging.getLogger(__name__)

# Reading the whole meeting costs about ten commands: it counts five.
COST = {"join": 5, "snapshot": 5}
MAX_WAITING = 16  # a reconnecting client resends its unacknowledged commands at once
DISCONNECT_AFTER = 50
_REFUSALS = parse_many(f"{DISCONNECT_AFTER}/minute")[0]
GATE_PER_SECOND = 60.0
GATE_BURST = 120.0


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: float = 0.0
    disconnect: bool = False


class EventLimits:
    """The counters of one app (made by `install`, kept in `app.extensions['event_limits']`)."""

    def __init__(
        self, shared_uri: str, prefix: str, per_socket: str, per_user: str, enabled: bool = True
    ) -> None:
        self.enabled = enabled
        self.per_socket = parse_many(per_socket)
        self.per_user = parse_many(per_user)
        self.local = FixedWindowRateLimiter(MemoryStorage())
        self.fallback = FixedWindowRateLimiter(MemoryStorage())
        self.shared = self.local
        self.shared_uri = shared_uri
        if not shared_uri.startswith("memory://"):
            self.shared = FixedWindowRateLimiter(
                storage_from_string(shared_uri, key_prefix=f"{prefix}:events", wrap_exceptions=True)
            )
        self.degraded = False
        self.gate: MessageGate | None = None  # set by `install`
        self._turns: dict[str, threading.Semaphore] = {}
        self._waiting: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()

    # ---- counting --------------------------------------------------------------------------

    def check(self, sid: str, user_id: int, event: str) -> Verdict:
        if not self.enabled:
            return Verdict(True)
        cost = COST.get(event, 1)
        for item in self.per_socket:
            if not self.local.hit(item, "sid", sid, cost=cost):
                return self._refuse(self.local, item, ("sid", sid), sid)
        for item in self.per_user:
            limiter = self._shared_hit(item, ("user", str(user_id)), cost)
            if limiter is not None:
                return self._refuse(limiter, item, ("user", str(user_id)), sid)
        return Verdict(True)

    def _shared_hit(self, item: RateLimitItem, ids: tuple[str, ...], cost: int):
        """None when allowed; else the limiter that refused (for its retry hint)."""
        if self.shared is not self.local:
            try:
                allowed = self.shared.hit(item, *ids, cost=cost)
                if self.degraded:
                    self.degraded = False
                    log.warning("event limits: shared storage is back; counting there again")
                return None if allowed else self.shared
            except Exception:  # limits wraps the storage's errors (Redis down)
                if not self.degraded:
                    self.degraded = True
                    log.warning(
                        "event limits: shared storage unreachable; counting in this process"
                    )
        limiter = self.fallback
        return None if limiter.hit(item, *ids, cost=cost) else limiter

    def _refuse(self, limiter, item: RateLimitItem, ids: tuple[str, ...], sid: str) -> Verdict:
        try:
            reset = limiter.get_window_stats(item, *ids).reset_time
        except Exception:
            reset = time.time() + item.get_expiry()
        retry = max(0.1, math.ceil((reset - time.time()) * 10) / 10)
        keeps_going = not self.local.hit(_REFUSALS, "refused", sid)
        return Verdict(False, retry, keeps_going)

    # ---- fairness --------------------------------------------------------------------------

    @contextmanager
    def socket_turn(self, sid: str):
        """Run the body when this socket's earlier events are done; yields False (and runs
        nothing) when too many of its events wait already."""
        with self._lock:
            refused = self._waiting[sid] >= MAX_WAITING
            if not refused:
                self._waiting[sid] += 1
                turn = self._turns.setdefault(sid, threading.Semaphore(1))
        if refused:  # answered outside the lock: the answer may close the socket (`forget`)
            yield False
            return
        try:
            with turn:
                yield True
        finally:
            with self._lock:
                self._waiting[sid] -= 1
                if self._waiting[sid] <= 0:
                    self._waiting.pop(sid, None)
                    self._turns.pop(sid, None)

    def forget(self, sid: str) -> None:
        """A socket closed: nothing to keep (its counters expire with their windows)."""
        with self._lock:
            if not self._waiting.get(sid):
                self._turns.pop(sid, None)

    def turn_refused(self, sid: str) -> bool:
        """Count a refusal made for want of a turn; True when the socket should be closed."""
        return not self.local.hit(_REFUSALS, "refused", sid)


class MessageGate:
    """A token bucket per Engine.IO connection, checked on every raw message (microseconds).

    A connection closed for flooding puts its user in a cool-down (`cool_down` seconds): their
    new connections are refused at connect (`cooling_down`). Without it, a script that reconnects
    at once got a fresh burst every time: 170 connections in 6 s, each with 120 events handled."""

    PRUNE_EVERY = 10.0

    def __init__(
        self, cool_down: float, per_second: float = GATE_PER_SECOND, burst: float = GATE_BURST
    ) -> None:
        self.per_second, self.burst, self.cool_down = per_second, burst, cool_down
        self._buckets: dict[str, tuple[float, float]] = {}
        self._closed: dict[str, float] = {}  # closed by the gate: their queued messages drop
        self._owners: dict[str, int] = {}  # Engine.IO connection -> the user it logged in as
        self._cooling: dict[int, float] = {}  # user -> until when their connects are refused
        self._pruned = time.monotonic()

    def is_closed(self, eio_sid: str) -> bool:
        return eio_sid in self._closed

    def close(self, eio_sid: str) -> bool:
        """Mark the connection closed; False when it was already (say it, close it once)."""
        now = time.monotonic()
        self._prune(now)
        self._buckets.pop(eio_sid, None)
        if eio_sid in self._closed:
            return False
        self._closed[eio_sid] = now
        owner = self._owners.get(eio_sid)
        if owner is not None:
            self._cooling[owner] = now + self.cool_down
        return True

    def _prune(self, now: float) -> None:
        """Forget closures older than a minute, every PRUNE_EVERY seconds (not per message)."""
        if now - self._pruned < self.PRUNE_EVERY:
            return
        self._pruned = now
        for sid, when in list(self._closed.items()):
            if now - when > 60:
                del self._closed[sid]
        for user_id, until in list(self._cooling.items()):
            if until <= now:
                del self._cooling[user_id]

    def admit(self, eio_sid: str) -> bool:
        if eio_sid in self._closed:
            return False
        now = time.monotonic()
        tokens, last = self._buckets.get(eio_sid, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.per_second)
        if tokens < 1:
            self._buckets[eio_sid] = (tokens, now)
            return False
        self._buckets[eio_sid] = (tokens - 1, now)
        return True

    def bind(self, eio_sid: str, user_id: int) -> None:
        """The connection logged in as this user (at the Socket.IO connect)."""
        self._owners[eio_sid] = user_id

    def cooling_down(self, user_id: int) -> float:
        """Seconds before this user may connect again (0: now)."""
        return max(0.0, self._cooling.get(user_id, 0.0) - time.monotonic())

    def forget(self, eio_sid: str) -> None:
        self._buckets.pop(eio_sid, None)
        self._owners.pop(eio_sid, None)


# Socket.IO messages larger than this are answered `too_large` (when the client asked for an
# answer) and the socket stays; Engine.IO's own limit (ENGINE_MAX_BYTES, app.py) is higher.
# Beyond ENGINE_MAX_BYTES the websocket is closed (status 1009) before the message is read, after
# a `too_large` answer made from its head (`too_large_frame`, core/websocket_frames.py). The
# room's script never sends a message over MAX_MESSAGE_BYTES (it says so instead).
MAX_MESSAGE_BYTES = 256 * 1024
ENGINE_MAX_BYTES = 1024 * 1024
_ACK_ID = re.compile(r"2(/[^,]*,)?(\d+)\[")


def too_large_ack(data: str, message: str) -> str | None:
    """The Socket.IO ACK packet answering an oversize EVENT packet, or None when the client
    asked for no answer (no ack id)."""
    match = _ACK_ID.match(data[:80])
    if match is None:
        return None
    namespace, ack_id = match.group(1) or "", match.group(2)
    error = {"ok": False, "error": {"code": "too_large", "message": message}}
    return f"3{namespace}{ack_id}{json.dumps([error], ensure_ascii=False)}"


def too_large_frame(head: str, message: str) -> str | None:
    """The websocket text frame answering an oversize message over Engine.IO's own limit, from
    its head (`core.websocket_frames`): an Engine.IO message ("4") holding the ACK packet."""
    if not head.startswith("4"):
        return None
    answer = too_large_ack(head[1:], message)
    return None if answer is None else "4" + answer


def answer_oversize_polls(wsgi_app, message: str, path: str = "/socket.io"):
    """Answer a long-polling POST over ENGINE_MAX_BYTES with 413 and `too_large` ourselves.

    Engine.IO would refuse it with a bare 400 and drop the session, whose pending poll then tells
    the page "closed" before the 400 arrives: the page could not say why. Answered here, the page
    sees its request refused with 413 (room.js), closes that transport and reconnects, as after a
    websocket's 1009; the session left behind expires with its pings. The body is read and
    dropped first (up to DRAIN_BYTES): closing with unread bytes resets the connection, and the
    browser loses the answer with it."""
    body = json.dumps({"ok": False, "error": {"code": "too_large", "message": message}})
    body_bytes = body.encode()

    def app(environ, start_response):
        if not _oversize_poll(environ, path):
            return wsgi_app(environ, start_response)
        length = int(environ["CONTENT_LENGTH"])
        log.info("refused a %d-byte long-polling request: too large", length)
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body_bytes)))]
        if length <= DRAIN_BYTES:
            _drain(environ["wsgi.input"], length)
        else:
            headers.append(("Connection", "close"))
        start_response("413 Content Too Large", headers)
        return [body_bytes]

    return app


def _drain(stream, length: int) -> None:
    while length > 0:
        chunk = stream.read(min(length, 65536))
        if not chunk:
            return
        length -= len(chunk)


def _oversize_poll(environ, path: str) -> bool:
    if environ.get("REQUEST_METHOD") != "POST" or not environ.get("PATH_INFO", "").startswith(path):
        return False
    try:
        return int(environ.get("CONTENT_LENGTH") or 0) > ENGINE_MAX_BYTES
    except ValueError:
        return False


def oversize_answer(app: Flask):
    """What the entry point gives `core.websocket_frames` to answer a frame over the limit."""
    message = _too_large_message(app)
    return lambda head: too_large_frame(head, message)


def _too_large_message(app: Flask) -> str:
    from meetings.errors import TooLarge

    with app.app_context(), force_locale(app.config["BABEL_DEFAULT_LOCALE"]):
        return str(TooLarge().message)


def install_gate(server, gate: MessageGate | None, too_large_message: str) -> None:
    """Put the gate in front of python-socketio's Engine.IO message handler (the server
    registers its handlers with `eio.on`; we register ours, which calls the original)."""
    handle_message = server._handle_eio_message
    handle_disconnect = server._handle_eio_disconnect

    def on_message(eio_sid, data):
        if gate is not None and gate.is_closed(eio_sid):
            return None  # what a closed flooder had queued: dropped unread, without a word
        if gate is not None and not gate.admit(eio_sid):
            if gate.close(eio_sid):
                log.warning(
                    "closing connection %s: over %.0f messages a second", eio_sid, gate.per_second
                )
                server.eio.disconnect(eio_sid)
            return None
        if isinstance(data, str) and len(data) > MAX_MESSAGE_BYTES:
            log.info("refused a %d-byte message from %s: too large", len(data), eio_sid)
            answer = too_large_ack(data, too_large_message)
            if answer is not None:
                server.eio.send(eio_sid, answer)
            return None
        return handle_message(eio_sid, data)

    def on_disconnect(eio_sid, *args):
        if gate is not None:
            gate.forget(eio_sid)
        return handle_disconnect(eio_sid, *args)

    server.eio.on("message", on_message)
    server.eio.on("disconnect", on_disconnect)


def install(app: Flask) -> EventLimits:
    limits = EventLimits(
        app.config["RATELIMIT_STORAGE_URI"],
        app.config["RATELIMIT_KEY_PREFIX"] or app.config["CHIBO_CLUSTER"],
        app.config["CHIBO_EVENT_LIMIT_SOCKET"],
        app.config["CHIBO_EVENT_LIMIT_USER"],
        # Off with the HTTP limits (tests that send many events on purpose turn both off).
        enabled=app.config["RATELIMIT_ENABLED"],
    )
    app.extensions["event_limits"] = limits
    from core.extensions import socketio

    gate = MessageGate(app.config["CHIBO_FLOOD_COOL_DOWN"]) if limits.enabled else None
    limits.gate = gate
    too_large_message = _too_large_message(app)
    install_gate(socketio.server, gate, too_large_message)
    app.wsgi_app = answer_oversize_polls(app.wsgi_app, too_large_message)
    return limits
