"""Logout, password change and deactivation end every credential of the browser (issue 14.3).

The attack: copy the session cookie and the remember-me cookie before the user logs out, then
replay them from another client — for pages, a new socket and commands.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from auth.models import User
from core.extensions import db, socketio
from meetings.commands import run_site

REMEMBER = "remember_token"


def _logged_in(app, username: str, remember: bool = True):
    client = app.test_client()
    data = {"username": username, "password": "chibo-demo"}
    if remember:
        data["remember"] = "y"
    assert client.post("/login", data=data).status_code == 302
    return client


def _copy(app, source, names=("session", REMEMBER)):
    """A new client holding copies of the source's cookies (what a thief would take)."""
    thief = app.test_client()
    for name in names:
        cookie = source.get_cookie(name)
        assert cookie is not None, name
        thief.set_cookie(name, cookie.value)
    return thief


def _works(app, client) -> bool:
    page_ok = client.get("/").status_code == 200
    socket = socketio.test_client(app, flask_test_client=client)
    socket_ok = socket.is_connected()
    if socket_ok:
        socket.disconnect()
    return page_ok or socket_ok


def test_a_session_cookie_copied_before_logout_is_dead_after_it(app):
    victim = _logged_in(app, "dangvien1", remember=False)
    thief = _copy(app, victim, names=("session",))
    assert _works(app, thief)  # the copy works while the user is logged in
    assert victim.post("/logout").status_code == 302
    assert thief.get("/").status_code == 302  # to the login page
    socket = socketio.test_client(app, flask_test_client=thief)
    assert not socket.is_connected()
    response = thief.post(
        "/meetings/1/commands/hand_raise", json={"cid": "replayed-after-logout", "payload": {}}
    )
    assert response.status_code in (302, 401)


def test_a_socket_opened_before_logout_cannot_act_after_it(app):
    victim = _logged_in(app, "dangvien1", remember=False)
    thief = _copy(app, victim, names=("session",))
    socket = socketio.test_client(app, flask_test_client=thief)
    assert socket.is_connected()
    victim.post("/logout")
    if socket.is_connected():  # closed by the logout; if not, every event re-checks the token
        ack = socket.emit("snapshot", {"meeting_id": 1}, callback=True)
        assert ack["ok"] is False and ack["error"]["code"] == "unauthenticated"


def test_a_remember_me_cookie_copied_before_logout_does_not_log_in(app):
    victim = _logged_in(app, "dangvien2")
    thief = _copy(app, victim, names=(REMEMBER,))
    assert thief.get("/").status_code == 200  # remember-me alone logs in, before the logout
    other_thief = _copy(app, victim, names=(REMEMBER,))
    victim.post("/logout")
    assert other_thief.get("/").status_code == 302


def test_remember_me_lasts_at_most_30_days(app):
    client = app.test_client()
    response = client.post(
        "/login", data={"username": "dangvien3", "password": "chibo-demo", "remember": "y"}
    )
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(REMEMBER))
    expires = next(p for p in header.split("; ") if p.lower().startswith("expires="))
    when = datetime.strptime(expires.split("=", 1)[1], "%a, %d %b %Y %H:%M:%S GMT")
    assert when.replace(tzinfo=UTC) - datetime.now(UTC) <= timedelta(days=30, minutes=1)


def test_remember_me_dies_on_password_change(app):
    victim = _logged_in(app, "dangvien4")
    thief = _copy(app, victim, names=(REMEMBER,))
    victim.post(
        "/account/password",
        data={"current": "chibo-demo", "new": "another-long-one", "confirm": "another-long-one"},
    )
    assert thief.get("/").status_code == 302


def test_deactivation_kills_cookies_and_reactivation_does_not_revive_them(app):
    victim = _logged_in(app, "dangvien5")
    thief = _copy(app, victim)
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(username="dangvien5"))
        admin = db.session.scalar(db.select(User).filter_by(username="admin"))
        run_site(admin, "set_active", {"user_id": user.id, "active": False})
        assert thief.get("/").status_code == 302
        run_site(admin, "set_active", {"user_id": user.id, "active": True})
    assert thief.get("/").status_code == 302
    assert victim.get("/").status_code == 302
    assert _logged_in(app, "dangvien5").get("/").status_code == 200  # a fresh login works
