"""A database error in the middle of a command leaves no partial state; the client gets an error
it can retry, and the retry with the same command id is applied once."""

from __future__ import annotations

import logging

from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy.exc import OperationalError

from tests.factories import command, upcoming_meeting_id


def test_a_failed_commit_leaves_nothing_and_the_retry_works(app, sio, monkeypatch, caplog):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    chair = sio("bithu")
    before = chair.emit("join", {"meeting_id": meeting_id}, callback=True)["snapshot"]
    session_class = FlaskSession
    real_commit = session_class.commit
    calls = {"n": 0}

    def failing_commit(self):
        calls["n"] += 1
        if calls["n"] == 1:
            self.flush()  # the agenda row and the command log are written, then the commit dies
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))
        return real_commit(self)

    monkeypatch.setattr(session_class, "commit", failing_commit)
    payload = {"title": "Việc phát sinh", "planned_minutes": 5}
    with caplog.at_level(logging.ERROR):
        failed = command(chair, meeting_id, "agenda_add", payload, command_id="retry-me-0001")
    assert failed == {
        "ok": False,
        "error": {"code": "unavailable", "message": failed["error"]["message"]},
    }
    assert "database error in command agenda_add" in caplog.text  # the operator sees it
    after_failure = chair.emit("snapshot", {"meeting_id": meeting_id}, callback=True)["snapshot"]
    assert after_failure["version"] == before["version"]
    assert after_failure["agenda"] == before["agenda"]

    retried = command(chair, meeting_id, "agenda_add", payload, command_id="retry-me-0001")
    assert retried["ok"] and not retried.get("repeat")
    again = command(chair, meeting_id, "agenda_add", payload, command_id="retry-me-0001")
    assert again["repeat"] is True
    final = chair.emit("snapshot", {"meeting_id": meeting_id}, callback=True)["snapshot"]
    assert [i["title"] for i in final["agenda"]["items"]].count("Việc phát sinh") == 1
    assert final["version"] == before["version"] + 1
