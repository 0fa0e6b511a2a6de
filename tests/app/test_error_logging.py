"""Errors inside socket handlers reach the log after start-up, migrations included (issue 14.4).

Alembic's env.py used to call `fileConfig` with its default `disable_existing_loggers=True`, which
silenced every logger that existed before the migration ran: the app's own error lines vanished.
"""

from __future__ import annotations

import logging

from app import create_app, prepare_database
from core.extensions import socketio
from meetings import room

APP_LOGGERS = (
    "meetings.events",
    "meetings.commands",
    "auth.sessions",
    "meetings.presence",
    "chibo",
)


def test_an_error_in_a_socket_handler_after_migrating_on_start_is_logged(
    tmp_path, monkeypatch, caplog
):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'start.db'}",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "CHIBO_AUTO_MIGRATE": True,
            "CHIBO_LOAD_DEMO": True,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    prepare_database(app)  # what `python app.py` does on start: Alembic runs env.py
    for name in APP_LOGGERS:
        assert not logging.getLogger(name).disabled, name

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom inside the handler")

    monkeypatch.setattr(room, "state_for", broken)
    http = app.test_client()
    assert (
        http.post("/login", data={"username": "bithu", "password": "chibo-demo"}).status_code == 302
    )
    client = socketio.test_client(app, flask_test_client=http)
    with caplog.at_level(logging.ERROR):
        ack = client.emit("snapshot", {"meeting_id": 1}, callback=True)
    client.disconnect()
    assert ack["ok"] is False and ack["error"]["code"] == "unavailable"
    lines = [r for r in caplog.records if r.name == "meetings.events"]
    assert lines and "unexpected error in event snapshot" in lines[0].getMessage()
    assert lines[0].exc_info and "boom inside the handler" in str(lines[0].exc_info[1])
