"""Loading the user behind a session, and closing a user's open sockets."""

from __future__ import annotations

from core.extensions import db, login_manager, socketio
from meetings.broadcast import user_room


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
    """Close the user's sockets on this process.

    An HTTP logout does not reach an open socket's forked session, so we close them ourselves.
    Every event also re-checks the session token, so a socket missed here still cannot act.
    """
    manager = socketio.server.manager
    for sid, _eio_sid in list(manager.get_participants("/", user_room(user_id))):
        socketio.server.disconnect(sid, namespace="/")
