"""The sound and vibration when a vote opens (issue 12, item 4): off by default, the person's
own choice stored on their account through the command path (`set_vote_alert`, logged), and the
room's page reads it from the server, so every device follows it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from auth.models import User
from core.extensions import db
from meetings.models import CommandLog
from tests.factories import upcoming_meeting_id


def _box(client, meeting_id) -> str:
    page = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    return re.search(r'<input type="checkbox" id="vote-alert"[^>]*>', page).group(0)


def _state(app, username):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        rows = db.session.scalars(
            select(CommandLog).where(CommandLog.name == "set_vote_alert")
        ).all()
        return user.vote_alert, [(r.actor_id, r.details) for r in rows], user.id


def test_off_by_default_then_the_persons_choice_on_every_device(app, login):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    phone, desktop, other = login("dangvien2"), login("dangvien2"), login("dangvien3")
    assert "checked" not in _box(phone, meeting_id)
    assert _state(app, "dangvien2")[:2] == (False, [])

    answer = phone.post("/me/vote-alert", json={"on": True})
    assert answer.status_code == 200 and answer.get_json() == {"ok": True, "result": {"on": True}}
    on, rows, user_id = _state(app, "dangvien2")
    assert on is True and rows == [(user_id, {"on": True})]  # one log row, by the person
    assert "checked" in _box(desktop, meeting_id)  # another device reads it from the server
    assert "checked" not in _box(other, meeting_id)  # nobody else's

    again = desktop.post("/me/vote-alert", json={"on": True})
    assert again.get_json()["ok"] and len(_state(app, "dangvien2")[1]) == 1  # nothing to log
    assert desktop.post("/me/vote-alert", json={"on": False}).get_json()["ok"]
    assert _state(app, "dangvien2")[0] is False
    assert "checked" not in _box(phone, meeting_id)


@pytest.mark.parametrize(
    "body",
    [{"on": "yes"}, {"on": 1}, {}, {"on": True, "user_id": 1}, None, ["on"]],
    ids=["text", "number", "missing", "someone_else", "no_json", "list"],
)
def test_a_bad_request_changes_nothing(app, login, body):
    client = login("dangvien2")
    before = _state(app, "dangvien2")
    answer = (
        client.post("/me/vote-alert", data="on")
        if body is None
        else client.post("/me/vote-alert", json=body)
    )
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "invalid"
    assert _state(app, "dangvien2") == before


def test_only_a_signed_in_person(app, client):
    answer = client.post("/me/vote-alert", json={"on": True})
    assert answer.status_code in (302, 401)
    assert all(not u.vote_alert for u in _users(app))


def _users(app):
    with app.app_context():
        return db.session.scalars(select(User)).all()
