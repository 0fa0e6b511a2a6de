"""What users see while Redis is unreachable (issue 14.5): a 503 page in Vietnamese that retries,
sockets told to retry, logout still working. tests/scale/test_redis_down.py does it for real."""

from __future__ import annotations

import logging

import redis

from auth import sessions
from meetings import presence as presence_module
from meetings import room
from tests.factories import upcoming_meeting_id


def _down(*_args, **_kwargs):
    raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:1. Connection refused.")


def test_a_page_needing_redis_answers_503_in_vietnamese_with_a_retry(app, login, monkeypatch):
    app.add_url_rule("/needs-redis", "needs_redis", _down)  # any page whose work needs Redis
    client = login("bithu")
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    page = client.get("/needs-redis")
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "5"
    html = page.get_data(as_text=True)
    assert "Dịch vụ tạm thời gián đoạn" in html and 'http-equiv="refresh"' in html
    assert "Thử lại ngay" in html
    monkeypatch.setattr(room, "state_for", _down)
    response = client.get(f"/meetings/{meeting_id}/state")
    assert response.status_code == 503
    assert response.get_json()["error"]["details"]["retry_after"] == 5


def test_sockets_are_told_to_retry(app, sio, monkeypatch, caplog):
    client = sio("dangvien1")
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    monkeypatch.setattr(presence_module.presence, "join", _down)
    with caplog.at_level(logging.WARNING):
        ack = client.emit("join", {"meeting_id": meeting_id}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "unavailable"
    assert ack["error"]["details"]["retry_after"] > 0
    assert any("Redis unreachable" in r.getMessage() for r in caplog.records)


def test_logout_works_while_redis_is_down(app, login):
    client = login("dangvien2")
    app.config["SOCKETIO_MESSAGE_QUEUE"] = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    assert sessions  # the control message was skipped, not raised
