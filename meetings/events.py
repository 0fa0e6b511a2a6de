"""Socket.IO handlers: thin translations between the wire and the services.

Every event answers through its ack with `{ok: true, ...}` or `{ok: false, error: {code, message}}`.
Rights are checked from the database on every event; nothing the page says is trusted.
"""

from __future__ import annotations

import functools
import logging
import math

from flask import current_app, request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError as ConnectRefused
from flask_socketio import disconnect, join_room, leave_room
from redis import RedisError

from core import broadcast
from core.extensions import db, socketio
from meetings import room
from meetings.commands import dispatch
from meetings.errors import (
    CommandError,
    Invalid,
    RateLimited,
    Unauthenticated,
    Unavailable,
    service_down,
)
from meetings.presence import presence

log = logging.getLogger(__name__)


EVENTS: dict[str, object] = {}


def handler(event: str):
    """Declare a Socket.IO event whose payload must be an object and whose caller is logged in."""

    def wrap(fn):
        @functools.wraps(fn)
        def run(data=None):
            limits = current_app.extensions["event_limits"]
            with limits.socket_turn(request.sid) as my_turn:
                if not my_turn:
                    if limits.turn_refused(request.sid):
                        disconnect()
                    return RateLimited(retry_after=1.0).as_dict()
                return checked(limits, data)

        def checked(limits, data):
            try:
                if not current_user.is_authenticated:
                    raise Unauthenticated()
                verdict = limits.check(request.sid, current_user.id, event)
                if not verdict.allowed:
                    if verdict.disconnect:
                        log.warning("disconnecting user %s: kept flooding", current_user.id)
                        disconnect()
                    raise RateLimited(retry_after=verdict.retry_after)
                if not isinstance(data, dict):
                    raise Invalid(field="payload")
                return fn(data)
            except CommandError as exc:
                db.session.rollback()
                return exc.as_dict()
            except RedisError:
                db.session.rollback()
                log.warning("event %s: Redis unreachable; the client is told to retry", event)
                return service_down().as_dict()
            except Exception:
                db.session.rollback()
                log.exception("unexpected error in event %s", event)
                return Unavailable().as_dict()

        EVENTS[event] = run
        return run

    return wrap


def on_connect(auth=None):
    if not current_user.is_authenticated:
        return False  # refused: the client sees connect_error
    gate = current_app.extensions["event_limits"].gate
    if gate is not None:
        wait = gate.cooling_down(current_user.id)
        if wait:  # closed for flooding a moment ago: no fresh burst for a script that reconnects
            error = RateLimited(retry_after=math.ceil(wait)).as_dict()["error"]
            raise ConnectRefused(error["message"], error)  # the client sees {message, data}
        gate.bind(socketio.server.manager.eio_sid_from_sid(request.sid, "/"), current_user.id)
    join_room(broadcast.user_room(current_user.id))
    return True


def on_disconnect(reason=None):
    current_app.extensions["event_limits"].forget(request.sid)
    # Redis unreachable: presence counts in memory meanwhile (meetings/presence.py).
    for meeting_id, user_id in presence.drop_socket(request.sid):
        broadcast.presence(meeting_id, user_id, online=False)


@handler("join")
def on_join(data):
    since = _since(data.get("since"))  # refused before anything is joined
    meeting, roles = room.load_viewable(current_user, data.get("meeting_id"))
    if "observer" in roles:
        room.record_observer_visit(current_user, meeting)
    join_room(broadcast.meeting_room(meeting.id))
    if presence.join(meeting.id, current_user.id, request.sid):
        broadcast.presence(meeting.id, current_user.id, online=True)
    db.session.rollback()  # read the snapshot in a fresh transaction
    if since is not None:
        catch_up = room.catch_up_for(current_user, meeting, roles, since)
        if catch_up is not None:
            return {"ok": True, "catch_up": catch_up}
    return {"ok": True, "snapshot": room.snapshot_of(current_user, meeting, roles)}


def _since(raw) -> dict | None:
    """`since` of a rejoin: `{version: int, tag: str | null, roster_version: str}` from the
    client's last state (a page from before tags sends none: it is then caught up only where
    no version has a tag yet)."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise Invalid(field="since")
    version, roster_version = raw.get("version"), raw.get("roster_version")
    tag = raw.get("tag")
    if (
        not {"version", "roster_version"} <= set(raw) <= {"version", "tag", "roster_version"}
        or not isinstance(version, int)
        or isinstance(version, bool)
        or version < 0
        or not (tag is None or (isinstance(tag, str) and len(tag) <= 64))
        or not isinstance(roster_version, str)
        or len(roster_version) > 64
    ):
        raise Invalid(field="since")
    return {"version": version, "tag": tag, "roster_version": roster_version}


@handler("leave")
def on_leave(data):
    meeting_id = data.get("meeting_id")
    if not isinstance(meeting_id, int) or meeting_id not in presence.meetings_of(request.sid):
        raise Invalid(field="meeting_id")
    leave_room(broadcast.meeting_room(meeting_id))
    if presence.leave(meeting_id, current_user.id, request.sid):
        broadcast.presence(meeting_id, current_user.id, online=False)
    return {"ok": True}


@handler("snapshot")
def on_snapshot(data):
    db.session.rollback()
    return {"ok": True, "snapshot": room.state_for(current_user, data.get("meeting_id"))}


@handler("command")
def on_command(data):
    extra = set(data) - {"meeting_id", "name", "cid", "payload"}
    if extra:
        raise Invalid(field=sorted(extra)[0])
    return dispatch(
        current_user._get_current_object(),
        data.get("meeting_id"),
        data.get("name"),
        data.get("cid"),
        data.get("payload"),
    )


def register(server=socketio) -> None:
    """Bind the handlers to the app's Socket.IO server (each `create_app` makes a new one)."""
    server.on_event("connect", on_connect)
    server.on_event("disconnect", on_disconnect)
    for name, run in EVENTS.items():
        server.on_event(name, run)
