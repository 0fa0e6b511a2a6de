"""The private calendar feed and the .ics of a meeting: parsed back with icalendar, a moved and a
cancelled meeting followed, a wrong or reset token answering 404, never another cell's meeting."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from icalendar import Calendar

from core.extensions import db
from org.profiles import profile_of
from tests.factories import command
from tests.notify_helpers import meeting_form, schedule

NOW = "2027-03-01T02:00:00Z"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _token(app, user_id: int) -> str:
    with app.app_context():
        token = profile_of(user_id).calendar_token
        db.session.commit()
        return token


def _events(client, url: str) -> dict[str, object]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_the_feed_follows_a_moved_and_a_cancelled_meeting(app, client, login, sio, demo, clock):
    secretary = login("bithu")
    moved_id = schedule(secretary, demo, "Sinh hoạt tháng 3", "2027-03-10T19:30")
    cancelled_id = schedule(secretary, demo, "Chuyên đề tháng 3", "2027-03-20T08:00")
    url = f"/calendar/{_token(app, demo.users['dangvien2'].id)}.ics"
    events = _events(client, url)  # no session: the token is the key
    first = events[f"meeting-{moved_id}@chibo"]
    assert str(first["SUMMARY"]) == "Sinh hoạt tháng 3"
    assert first.decoded("DTSTART") == datetime(2027, 3, 10, 12, 30, tzinfo=UTC)
    assert str(first["LOCATION"]) == "Nhà văn hóa khu phố 1"
    assert f"/meetings/{moved_id}" in str(first["URL"])
    assert str(first["STATUS"]) == "CONFIRMED"
    # 30 + 60 planned minutes
    assert first.decoded("DTEND") == datetime(2027, 3, 10, 14, 0, tzinfo=UTC)

    data = meeting_form(demo, "Sinh hoạt tháng 3", "2027-03-12T19:30")
    assert secretary.post(f"/meetings/{moved_id}/edit", data=data).status_code == 302
    assert command(sio("bithu"), cancelled_id, "cancel_meeting")["ok"]

    events = _events(client, url)
    moved = events[f"meeting-{moved_id}@chibo"]
    assert moved.decoded("DTSTART") == datetime(2027, 3, 12, 12, 30, tzinfo=UTC)
    assert int(moved["SEQUENCE"]) > int(first["SEQUENCE"])  # calendars replace the old one
    assert str(events[f"meeting-{cancelled_id}@chibo"]["STATUS"]) == "CANCELLED"


def test_the_feed_shows_only_the_members_cells(app, client, login, demo, clock):
    kp1_meeting = schedule(login("bithu"), demo, "Sinh hoạt tháng 3", "2027-03-10T19:30")
    events = _events(client, f"/calendar/{_token(app, demo.users['kp2_dangvien1'].id)}.ics")
    assert f"meeting-{kp1_meeting}@chibo" not in events
    events = _events(client, f"/calendar/{_token(app, demo.users['dangvien2'].id)}.ics")
    assert f"meeting-{kp1_meeting}@chibo" in events


def test_a_wrong_or_reset_token_is_404_and_says_nothing(app, client, login, demo):
    old = _token(app, demo.users["dangvien2"].id)
    for token in ("nope", old[:-1] + ("A" if old[-1] != "A" else "B"), "x" * 65):
        response = client.get(f"/calendar/{token}.ics")
        assert response.status_code == 404
        assert b"BEGIN:VCALENDAR" not in response.data
    member = login("dangvien2")
    assert member.post("/me/calendar/reset", data={}).status_code == 302
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    new = _token(app, demo.users["dangvien2"].id)
    assert new != old and client.get(f"/calendar/{new}.ics").status_code == 200
    assert new in member.get("/me").get_data(as_text=True)


def test_one_meeting_as_ics_for_those_who_may_see_it(app, login, demo, clock):
    meeting_id = schedule(
        login("bithu"),
        demo,
        "Sinh hoạt tháng 3",
        "2027-03-10T19:30",
        online_url="https://meet.example.org/kp1",
    )
    events = _events(login("dangvien2"), f"/meetings/{meeting_id}/calendar.ics")
    (event,) = events.values()
    assert "https://meet.example.org/kp1" in str(event["DESCRIPTION"])
    assert login("kp2_dangvien1").get(f"/meetings/{meeting_id}/calendar.ics").status_code == 403
