"""Starting a meeting long before its planned time is refused until the chair confirms
(`confirm_early`), on a pinned clock; the refusal changes nothing and says when it is planned."""

from __future__ import annotations

from datetime import datetime, timedelta

import time_machine

from core.extensions import db
from core.timeutil import VIETNAM
from meetings.models import CommandLog, Meeting
from tests import factories
from tests.factories import command

PLANNED = datetime(2027, 1, 1, 19, 30, tzinfo=VIETNAM)


def _planned_meeting(app, demo) -> int:
    with time_machine.travel(PLANNED - timedelta(days=5), tick=False), app.app_context():
        chair = db.session.get(type(demo.users["bithu"]), demo.users["bithu"].id)
        return factories.schedule(
            chair, demo.kp1.id, "extraordinary", PLANNED, chair.id, chair.id, ["Một"], "Sớm"
        )


def _state(app, meeting_id):
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        logged = db.session.query(CommandLog).filter_by(meeting_id=meeting_id).count()
        return meeting.status, meeting.version, meeting.started_at, logged


def test_more_than_30_minutes_early_is_refused_until_confirmed(app, sio, demo):
    meeting_id = _planned_meeting(app, demo)
    chair = sio("bithu")
    assert chair.emit("join", {"meeting_id": meeting_id}, callback=True)["ok"]
    before = _state(app, meeting_id)
    with time_machine.travel(PLANNED - timedelta(minutes=31), tick=True):
        ack = command(chair, meeting_id, "start_meeting")
    assert ack["ok"] is False
    assert ack["error"]["code"] == "conflict"
    assert ack["error"]["details"] == {
        "reason": "early_start",
        "scheduled_at": "2027-01-01T12:30:00Z",
    }
    # Said in the chair's language and in Vietnam time.
    assert "01/01/2027 19:30" in ack["error"]["message"] and "30" in ack["error"]["message"]
    assert ack["error"]["message"].startswith("Buổi sinh hoạt")
    assert _state(app, meeting_id) == before  # nothing changed, nothing logged
    with time_machine.travel(PLANNED - timedelta(minutes=31), tick=True):
        ack = command(chair, meeting_id, "start_meeting", {"confirm_early": True})
    assert ack["ok"], ack
    status, version, started_at, _logged = _state(app, meeting_id)
    assert status == "live" and version > before[1]
    assert started_at.astimezone(VIETNAM).strftime("%H:%M") == "18:59"


def test_thirty_minutes_early_or_late_starts_without_asking(app, sio, demo):
    meeting_id = _planned_meeting(app, demo)
    chair = sio("bithu")
    assert chair.emit("join", {"meeting_id": meeting_id}, callback=True)["ok"]
    with time_machine.travel(PLANNED - timedelta(minutes=30), tick=True):
        assert command(chair, meeting_id, "start_meeting")["ok"]
    late = _planned_meeting(app, demo)
    with time_machine.travel(PLANNED + timedelta(hours=1), tick=True):
        assert command(chair, late, "start_meeting")["ok"]


def test_the_setting_moves_the_limit(app, sio, demo):
    app.config["CHIBO_EARLY_START_MINUTES"] = 120
    meeting_id = _planned_meeting(app, demo)
    chair = sio("bithu")
    with time_machine.travel(PLANNED - timedelta(minutes=90), tick=True):
        assert command(chair, meeting_id, "start_meeting")["ok"]


def test_confirm_early_must_be_a_boolean(app, sio, demo):
    meeting_id = _planned_meeting(app, demo)
    chair = sio("bithu")
    ack = command(chair, meeting_id, "start_meeting", {"confirm_early": "yes"})
    assert ack["error"]["code"] == "invalid"
    assert _state(app, meeting_id)[0] == "scheduled"
