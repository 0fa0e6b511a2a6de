"""Scheduling a meeting: who may, the prefilled regular agenda, editing until it ends."""

from __future__ import annotations

from sqlalchemy import select

from core.extensions import db
from meetings.models import Meeting
from tests.factories import command, upcoming_meeting_id


def _form(cell_id, client):
    page = client.get(f"/cells/{cell_id}/meetings/new?kind=regular")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_a_new_regular_meeting_is_prefilled_with_the_usual_agenda(app, login, demo):
    html = _form(demo.kp1.id, login("bithu"))
    # The usual order of a regular meeting (Hướng dẫn 12-HD/BTCTW), in Vietnamese by default.
    assert html.count('class="agenda-title"') == 8
    assert 'value="Sinh hoạt thường kỳ tháng ' in html  # the title, in Vietnamese by default
    assert "Phần mở đầu" in html  # the first usual item, translated


def test_only_secretary_and_deputy_may_schedule(login, demo):
    for username in ("dangvien1", "dubi1", "lanhdao", "kp2_bithu", "admin"):
        assert login(username).get(f"/cells/{demo.kp1.id}/meetings/new").status_code == 403, (
            username
        )
    assert login("phobithu").get(f"/cells/{demo.kp1.id}/meetings/new").status_code == 200


def test_schedule_a_thematic_meeting_with_an_online_link(app, login, demo):
    client = login("phobithu")
    chair, taker = demo.users["bithu"].id, demo.users["dangvien3"].id
    response = client.post(
        f"/cells/{demo.kp1.id}/meetings/new",
        data={
            "kind": "thematic",
            "title": "Chuye\u0302n đề học tập và làm theo tư tưởng Hồ Chí Minh (thử)",  # decomposed ê
            "scheduled_at": "2026-12-05T08:00",
            "place": "",
            "online_url": "https://meet.example.org/kp1",
            "chair_id": str(chair),
            "minute_taker_id": str(taker),
            "agenda-0-title": "Quán triệt chuyên đề",
            "agenda-0-planned_minutes": "40",
            "agenda-1-title": "Thảo luận",
            "agenda-1-planned_minutes": "50",
            "agenda-2-title": "",
            "agenda-2-planned_minutes": "10",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        meeting = db.session.scalars(select(Meeting).where(Meeting.title.like("%(thử)"))).one()
        assert meeting.title == "Chuyên đề học tập và làm theo tư tưởng Hồ Chí Minh (thử)"  # NFC
        assert meeting.scheduled_at.isoformat() == "2026-12-05T01:00:00+00:00"  # 08:00 VN time
        assert [i.title for i in meeting.agenda] == ["Quán triệt chuyên đề", "Thảo luận"]
        assert [i.planned_minutes for i in meeting.agenda] == [40, 50]
    room = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert 'href="https://meet.example.org/kp1"' in room


def test_editing_reaches_the_room_and_stops_when_the_meeting_ends(app, login, sio):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
        meeting = db.session.get(Meeting, meeting_id)
        items = [(i.id, i.title, i.planned_minutes) for i in meeting.agenda]
        chair_id, taker_id = meeting.chair_id, meeting.minute_taker_id
        scheduled = meeting.scheduled_at
    watcher = sio("dangvien6")
    version = watcher.emit("join", {"meeting_id": meeting_id}, callback=True)["snapshot"]["version"]
    watcher.get_received()
    client = login("bithu")
    data = {
        "kind": "regular",
        "title": "Đổi tên cuộc họp",
        "scheduled_at": scheduled.strftime("%Y-%m-%dT%H:%M"),
        "place": "Nhà văn hóa",
        "online_url": "",
        "chair_id": str(chair_id),
        "minute_taker_id": str(taker_id),
    }
    # Reverse the agenda and drop the last item.
    for index, (item_id, title, minutes) in enumerate(reversed(items[:-1])):
        data[f"agenda-{index}-item_id"] = str(item_id)
        data[f"agenda-{index}-title"] = title
        data[f"agenda-{index}-planned_minutes"] = str(minutes)
    assert client.post(f"/meetings/{meeting_id}/edit", data=data).status_code == 302
    [event] = [e["args"][0] for e in watcher.get_received() if e["name"] == "changes"]
    assert event["v"] == version + 1
    agenda = next(c["data"] for c in event["changes"] if c["type"] == "agenda")
    assert [i["id"] for i in agenda["items"]] == [i[0] for i in reversed(items[:-1])]

    chair = sio("bithu")
    command(chair, meeting_id, "start_meeting", {"confirm_early": True})
    command(chair, meeting_id, "end_meeting")
    assert client.get(f"/meetings/{meeting_id}/edit").status_code == 302
    ack = command(chair, meeting_id, "agenda_add", {"title": "Muộn", "planned_minutes": 5})
    assert ack["ok"] is False and ack["error"]["code"] == "conflict"
