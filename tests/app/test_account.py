"""Logging in, rate limits, password change ending other sessions and sockets."""

from __future__ import annotations

from core.extensions import socketio
from tests.conftest import make_test_app


def test_wrong_password_and_unknown_user_get_the_same_answer(client):
    wrong = client.post("/login", data={"username": "bithu", "password": "nope-nope-nope"})
    unknown = client.post("/login", data={"username": "no-such-user", "password": "nope-nope-nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.get_data(as_text=True).count("flash-error") == 1
    strip = lambda r: r.get_data(as_text=True).replace("bithu", "").replace("no-such-user", "")  # noqa: E731
    assert strip(wrong) == strip(unknown)


def test_login_and_logout(login):
    client = login("dangvien1")
    assert client.get("/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302  # back to the login page


def test_login_is_rate_limited_per_account_and_address(tmp_path):
    """Five tries a minute per account and address; the per-account limit from anywhere is
    slower (tests/security/test_hostile_requests.py covers it and the unlock)."""
    app = make_test_app(tmp_path, RATELIMIT_ENABLED=True)
    client = app.test_client()
    codes = [
        client.post(
            "/login",
            data={"username": "bithu", "password": "wrong-password"},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
        ).status_code
        for _ in range(7)
    ]
    assert codes[:5] == [200] * 5
    assert codes[5:] == [429, 429]
    # Another account from the same address is not blocked by bithu's limit.
    other = client.post(
        "/login",
        data={"username": "dangvien1", "password": "chibo-demo"},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert other.status_code == 302


def test_password_change_ends_other_sessions_and_sockets(app, login):
    here, elsewhere = login("dangvien4"), login("dangvien4")
    socket = socketio.test_client(app, flask_test_client=elsewhere)
    assert socket.is_connected()
    response = here.post(
        "/account/password",
        data={
            "current": "chibo-demo",
            "new": "a-new-long-password",
            "confirm": "a-new-long-password",
        },
    )
    assert response.status_code == 302
    assert here.get("/").status_code == 200  # this session goes on
    assert elsewhere.get("/").status_code == 302  # the other one is logged out
    assert not socket.is_connected()  # and its socket was closed
    fresh = app.test_client()
    assert (
        fresh.post("/login", data={"username": "dangvien4", "password": "chibo-demo"}).status_code
        == 200
    )
    assert (
        fresh.post(
            "/login", data={"username": "dangvien4", "password": "a-new-long-password"}
        ).status_code
        == 302
    )


def test_password_change_refuses_a_wrong_current_password(login):
    client = login("dangvien5")
    response = client.post(
        "/account/password",
        data={
            "current": "wrong",
            "new": "another-long-password",
            "confirm": "another-long-password",
        },
    )
    assert response.status_code == 200
    assert "flash-error" in response.get_data(as_text=True)
    assert client.post("/logout").status_code == 302
