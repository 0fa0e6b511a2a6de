"""Loading the user behind a session, and closing a user's open sockets on every process.

With several processes (SOCKETIO_MESSAGE_QUEUE set) a user's sockets may live on any of them, and
a process only knows its own. `disconnect_sockets` closes the local ones and publishes
`{"op": "disconnect_user", "user_id": ...}` on the Redis channel `<CHIBO_CLUSTER>:control`; every
process listens there (`start_control_listener`) and closes the user's sockets it holds.
"""

from __future__ import annotations

import json
import logging
import uuid

from flask import Flask, current_app

from core.broadcast import user_room
from core.extensions import db, login_manager, socketio

log = logging.getLogger(__name__)

# Identifies this process on the control channel, so it skips what it published itself.
PROCESS_ID = uuid.uuid4().hex
RETRY_SECONDS = 1.0


@login_manager.user_loader
def load_user(session_id: str):
    from auth.models import User

    user_id, _, token = (session_id or "").partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    # A rotated token (password change, logout everywhere) invalidates old sessions.
    if user is None or not user.is_active or user.session_token != token:
        return None
    return user


def disconnect_sockets(user_id: int) -> None:
    """Close the user's sockets on every process (logout, removal from a cell).

    An HTTP logout does not reach an open socket's forked session, so we close them ourselves.
    Every event also re-checks the session token, so a socket missed here still cannot act.
    """
    disconnect_local_sockets(user_id)
    url = current_app.config["SOCKETIO_MESSAGE_QUEUE"]
    if url:
        publish_control(url, current_app.config["CHIBO_CLUSTER"], "disconnect_user", user_id)


def disconnect_local_sockets(user_id: int) -> int:
    """Close the user's sockets held by this process; returns how many were closed."""
    manager = socketio.server.manager
    sids = [sid for sid, _eio_sid in manager.get_participants("/", user_room(user_id))]
    for sid in sids:
        # ignore_queue: the sid is ours; the other processes need not hear of it.
        socketio.server.disconnect(sid, namespace="/", ignore_queue=True)
    return len(sids)


def control_channel(cluster: str) -> str:
    return f"{cluster}:control"


def publish_control(url: str, cluster: str, op: str, user_id: int) -> None:
    import redis

    message = json.dumps({"op": op, "user_id": user_id, "origin": PROCESS_ID})
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.publish(control_channel(cluster), message)
    except redis.RedisError:
        # Redis down: the other processes do not hear it, but the user's sockets there are
        # refused on their next event (each event re-checks the session token).
        log.warning("control: Redis unreachable; %s for user %s not published", op, user_id)
    finally:
        client.close()


def handle_control(raw: bytes | str) -> None:
    """Apply one control message (needs an app context); malformed messages are logged, ignored."""
    try:
        message = json.loads(raw)
        op, user_id, origin = message["op"], message["user_id"], message.get("origin")
    except (ValueError, TypeError, KeyError):
        log.warning("ignored malformed control message %r", raw)
        return
    if origin == PROCESS_ID:
        return  # done locally before publishing
    if op == "disconnect_user" and isinstance(user_id, int):
        count = disconnect_local_sockets(user_id)
        log.info("control: disconnected %d socket(s) of user %s", count, user_id)
    else:
        log.warning("ignored unknown control message %r", raw)


def start_control_listener(app: Flask) -> None:
    """Listen on the control channel for as long as the process lives (a background task)."""
    url = app.config["SOCKETIO_MESSAGE_QUEUE"]
    if not url:
        return
    channel = control_channel(app.config["CHIBO_CLUSTER"])
    socketio.start_background_task(_listen, app, url, channel)


def _listen(app: Flask, url: str, channel: str) -> None:
    import redis

    while True:
        try:
            client = redis.Redis.from_url(url)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            pubsub.subscribe(channel)
            log.info("control: listening on %s", channel)
            for message in pubsub.listen():
                if message.get("type") == "message":
                    with app.app_context():
                        handle_control(message["data"])
        except Exception:  # Redis restarting: subscribe again
            log.exception("control listener failed; retrying")
        socketio.sleep(RETRY_SECONDS)
