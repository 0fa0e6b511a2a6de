"""Reminders: queued for their time when a meeting is scheduled or moved, sent once however many
copies run, not at all for a moved, started or cancelled meeting, settable per cell."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from core.extensions import db
from notifications import reminders
from notifications.reminders import ReminderSettings, save_settings, send_reminder
from tests.factories import command
from tests.notify_helpers import meeting_form, notifications, run_due, schedule, scheduled_jobs

NOW = "2027-03-01T02:00:00Z"
START = datetime(2027, 3, 10, 12, 30, tzinfo=UTC)  # 19:30 in Vietnam


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _etas(app) -> list[tuple[str, datetime]]:
    return [(t.args[1], t.eta.replace(tzinfo=UTC)) for t in scheduled_jobs(app)]


def test_the_day_before_and_30_minutes_before_each_once(app, login, demo, clock):
    meeting_id = schedule(login("bithu"), demo, "Sinh hoạt tháng 3", "2027-03-10T19:30")
    assert _etas(app) == [
        ("remind_day", datetime(2027, 3, 9, 12, 30, tzinfo=UTC)),
        ("remind_soon", datetime(2027, 3, 10, 12, 0, tzinfo=UTC)),
    ]
    clock.move_to("2027-03-09T12:29:00Z")
    assert run_due(app, datetime(2027, 3, 9, 12, 29, tzinfo=UTC)) == 0  # not yet
    clock.move_to("2027-03-09T12:30:00Z")
    assert run_due(app, datetime(2027, 3, 9, 12, 30, tzinfo=UTC)) == 1
    day = notifications(app, meeting_id, "remind_day")
    told = {n.user_id for n in day}
    assert len(day) == len(told) and demo.users["dangvien2"].id in told
    assert demo.users["lanhdao"].id in told  # the overseeing leader too
    # Another copy of the same job (a second queue, a retry): nothing more.
    with app.app_context():
        assert send_reminder(meeting_id, "remind_day", "2027-03-10T12:30:00Z") == 0
    assert len(notifications(app, meeting_id, "remind_day")) == len(day)
    clock.move_to("2027-03-10T12:00:00Z")
    assert run_due(app, datetime(2027, 3, 10, 12, 0, tzinfo=UTC)) == 1
    soon = notifications(app, meeting_id, "remind_soon")
    assert len(soon) == len(day) and soon[0].data == {"minutes": 30}
    page = login("dangvien2").get("/notifications").get_data(as_text=True)
    assert "Sắp bắt đầu: Sinh hoạt tháng 3" in page and "Ngày mai họp: Sinh hoạt tháng 3" in page


def test_a_moved_meeting_is_reminded_at_its_new_time_only(app, login, demo, clock):
    secretary = login("bithu")
    meeting_id = schedule(secretary, demo, "Sinh hoạt tháng 3", "2027-03-10T19:30")
    data = meeting_form(demo, "Sinh hoạt tháng 3", "2027-03-12T19:30")
    secretary.post(f"/meetings/{meeting_id}/edit", data=data)
    clock.move_to("2027-03-10T12:00:00Z")
    run_due(app, datetime(2027, 3, 10, 12, 0, tzinfo=UTC))  # the old time's jobs: stale
    assert notifications(app, meeting_id, "remind_day") == []
    assert notifications(app, meeting_id, "remind_soon") == []
    clock.move_to("2027-03-11T12:30:00Z")
    run_due(app, datetime(2027, 3, 11, 12, 30, tzinfo=UTC))
    assert notifications(app, meeting_id, "remind_day")


def test_no_reminder_for_a_cancelled_meeting(app, login, sio, demo, clock):
    meeting_id = schedule(login("bithu"), demo, "Sinh hoạt tháng 3", "2027-03-10T19:30")
    assert command(sio("bithu"), meeting_id, "cancel_meeting")["ok"]
    clock.move_to("2027-03-10T12:00:00Z")
    run_due(app, datetime(2027, 3, 10, 12, 0, tzinfo=UTC))
    assert notifications(app, meeting_id, "remind_day") == []
    assert notifications(app, meeting_id, "remind_soon") == []


def test_each_cell_sets_its_reminders(app, login, demo, clock):
    secretary = login("bithu")
    page = secretary.get(f"/cells/{demo.kp1.id}/reminders")
    assert page.status_code == 200
    response = secretary.post(
        f"/cells/{demo.kp1.id}/reminders", data={"minutes_before": "60"}
    )  # the day-before box unticked
    assert response.status_code == 302
    with app.app_context():
        assert reminders.settings_for(demo.kp1.id) == ReminderSettings(False, 60)
        assert reminders.settings_for(demo.kp2.id) == ReminderSettings()  # defaults
    schedule(secretary, demo, "Sinh hoạt tháng 3", "2027-03-10T19:30")
    assert _etas(app) == [("remind_soon", datetime(2027, 3, 10, 11, 30, tzinfo=UTC))]
    bad = secretary.post(f"/cells/{demo.kp1.id}/reminders", data={"minutes_before": "-5"})
    assert bad.status_code == 400
    with app.app_context():
        assert reminders.settings_for(demo.kp1.id) == ReminderSettings(False, 60)
    for username in ("dangvien2", "kp2_bithu", "lanhdao"):
        assert (
            login(username)
            .post(f"/cells/{demo.kp1.id}/reminders", data={"minutes_before": "5"})
            .status_code
            == 403
        )


def test_settings_saved_directly_turn_a_queued_reminder_off(app, login, demo, clock):
    meeting_id = schedule(login("bithu"), demo, "Sinh hoạt tháng 3", "2027-03-10T19:30")
    with app.app_context():
        save_settings(demo.kp1.id, ReminderSettings(day_before=False, minutes_before=30))
        db.session.commit()
    clock.move_to("2027-03-09T12:30:00Z")
    run_due(app, datetime(2027, 3, 9, 12, 30, tzinfo=UTC))
    assert notifications(app, meeting_id, "remind_day") == []
