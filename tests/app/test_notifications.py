"""Invitations and notifications: every trigger (schedule, move, new place, cancel, start, document
release), the live bell, the list page, muting, and the member's replies as the chair sees them."""

from __future__ import annotations

import io
import re

import pytest
import time_machine
from sqlalchemy import select

from core.extensions import db
from meetings.models import Meeting
from notifications.models import Invitation
from org.profiles import profile_of
from tests.factories import command, events, upcoming_meeting_id
from tests.notify_helpers import meeting_form, notifications, schedule

# A fixed "now" well before the meetings these tests schedule: nothing depends on today.
NOW = "2027-03-01T02:00:00Z"
WHEN = "2027-03-10T19:30"  # Vietnam time, as typed


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _bell(html: str) -> int:
    return int(re.search(r'id="bell-count"[^>]*>(\d+)<', html).group(1))


def _ids(demo, *usernames):
    return {demo.users[u].id for u in usernames}


def test_scheduling_invites_every_member_and_the_overseeing_leaders(app, login, sio, demo, clock):
    member = sio("dangvien2")
    meeting_id = schedule(login("bithu"), demo, "Sinh hoạt tháng 3", WHEN)
    rows = notifications(app, meeting_id, "invited")
    told = {r.user_id for r in rows}
    assert _ids(demo, "dangvien2", "dubi1", "phobithu", "lanhdao") <= told
    assert demo.users["bithu"].id not in told  # the one who scheduled it
    assert demo.users["kp2_dangvien1"].id not in told  # another cell
    with app.app_context():
        invited = set(
            db.session.scalars(
                select(Invitation.user_id).where(Invitation.meeting_id == meeting_id)
            )
        )
    assert demo.users["dangvien2"].id in invited and demo.users["lanhdao"].id not in invited
    live = events(member, "notification")
    assert len(live) == 1 and live[0]["unread"] >= 1
    assert live[0]["headline"] == "Giấy mời: Sinh hoạt tháng 3"  # the member's language


def test_moving_the_meeting_tells_the_old_and_new_time(app, login, demo, clock):
    secretary = login("bithu")
    meeting_id = schedule(secretary, demo, "Sinh hoạt tháng 3", WHEN)
    data = meeting_form(demo, "Sinh hoạt tháng 3", "2027-03-11T19:30")
    assert secretary.post(f"/meetings/{meeting_id}/edit", data=data).status_code == 302
    moved = notifications(app, meeting_id, "moved")
    assert moved and moved[0].data == {"previous_at": "2027-03-10T12:30:00Z"}
    page = login("dangvien2").get("/notifications").get_data(as_text=True)
    assert "Đổi lịch họp: Sinh hoạt tháng 3" in page
    assert "11/03/2027 19:30" in page and "10/03/2027 19:30" in page


def test_a_new_place_is_told_and_a_title_edit_is_not(app, login, demo, clock):
    secretary = login("bithu")
    meeting_id = schedule(secretary, demo, "Sinh hoạt tháng 3", WHEN)
    data = meeting_form(demo, "Sinh hoạt tháng 3 (sửa)", WHEN)
    secretary.post(f"/meetings/{meeting_id}/edit", data=data)
    assert notifications(app, meeting_id, "place_changed") == []
    data = meeting_form(demo, "Sinh hoạt tháng 3", WHEN, place="Hội trường phường")
    secretary.post(f"/meetings/{meeting_id}/edit", data=data)
    assert len(notifications(app, meeting_id, "place_changed")) >= 10
    assert notifications(app, meeting_id, "moved") == []


def test_cancelling_tells_everyone_and_only_before_the_start(app, login, sio, demo, clock):
    meeting_id = schedule(login("bithu"), demo, "Sinh hoạt tháng 3", WHEN)
    member = sio("dangvien2")
    assert command(member, meeting_id, "cancel_meeting")["error"]["code"] == "forbidden"
    deputy = sio("phobithu")
    assert command(deputy, meeting_id, "cancel_meeting")["ok"] is True
    assert len(notifications(app, meeting_id, "cancelled")) >= 10
    assert command(deputy, meeting_id, "cancel_meeting")["error"]["code"] == "conflict"
    assert (
        command(deputy, meeting_id, "start_meeting", {"confirm_early": True})["error"]["code"]
        == "conflict"
    )
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).status == "cancelled"


def test_the_start_tells_the_members_not_in_the_room(app, sio, demo):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    here = sio("dangvien2")
    assert here.emit("join", {"meeting_id": meeting_id}, callback=True)["ok"]
    chair = sio("bithu")
    assert command(chair, meeting_id, "start_meeting", {"confirm_early": True})["ok"] is True
    told = {r.user_id for r in notifications(app, meeting_id, "started")}
    assert demo.users["dangvien4"].id in told
    assert demo.users["dangvien2"].id not in told  # already in the room
    assert demo.users["bithu"].id not in told  # started it
    assert demo.users["lanhdao"].id not in told  # observers are not expected


def test_a_released_document_tells_the_members(app, login, demo):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    secretary = login("bithu")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    secretary.post(
        f"/meetings/{meeting_id}/documents",
        data={
            "title": "Dự thảo nghị quyết (thử thông báo)",
            "file": (io.BytesIO(pdf), "du-thao.pdf"),
        },
        content_type="multipart/form-data",
    )
    with app.app_context():
        from meetings.documents.models import MeetingDocument

        doc = db.session.scalars(
            select(MeetingDocument).where(
                MeetingDocument.title == "Dự thảo nghị quyết (thử thông báo)"
            )
        ).one()
    assert notifications(app, meeting_id, "document") == []  # not yet released
    secretary.post(f"/meetings/{meeting_id}/documents/{doc.id}/release", data={})
    rows = notifications(app, meeting_id, "document")
    assert demo.users["dangvien2"].id in {r.user_id for r in rows}
    assert rows[0].data["document"] == "Dự thảo nghị quyết (thử thông báo)"


def test_muted_members_get_invitations_only(app, login, sio, demo):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
        profile_of(demo.users["dangvien4"].id).invitations_only = True
        db.session.commit()
    assert command(sio("bithu"), meeting_id, "start_meeting", {"confirm_early": True})["ok"] is True
    told = {r.user_id for r in notifications(app, meeting_id, "started")}
    assert demo.users["dangvien4"].id not in told and demo.users["dangvien5"].id in told


def test_replies_reach_the_room_and_an_excuse_needs_a_reason(app, sio, demo):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    chair = sio("bithu")
    assert chair.emit("join", {"meeting_id": meeting_id}, callback=True)["ok"]
    chair.get_received()
    member = sio("dangvien2")
    no_reason = command(member, meeting_id, "reply_invitation", {"answer": "excused"})
    assert no_reason["error"]["code"] == "invalid"
    bad = command(member, meeting_id, "reply_invitation", {"answer": "maybe"})
    assert bad["error"]["code"] == "invalid"
    ack = command(
        member,
        meeting_id,
        "reply_invitation",
        {"answer": "excused", "reason": "  Đi công tác  "},
    )
    assert ack["ok"] is True
    changes = [c for e in events(chair) for c in e["changes"] if c["type"] == "replies"]
    me = str(demo.users["dangvien2"].id)
    assert changes[-1]["data"][me]["answer"] == "excused"
    assert changes[-1]["data"][me]["reason"] == "Đi công tác"
    snapshot = chair.emit("snapshot", {"meeting_id": meeting_id}, callback=True)["snapshot"]
    assert snapshot["replies"][me]["reason"] == "Đi công tác"
    # The reply proposes; attendance is still the chair's to mark.
    assert (
        next(r for r in snapshot["roster"] if r["user_id"] == int(me))["attendance"]["status"]
        == "unknown"
    )
    assert command(member, meeting_id, "reply_invitation", {"answer": "attend"})["ok"]
    snapshot = chair.emit("snapshot", {"meeting_id": meeting_id}, callback=True)["snapshot"]
    assert snapshot["replies"][me] == {
        "answer": "attend",
        "reason": None,
        "replied_at": snapshot["replies"][me]["replied_at"],
    }


@pytest.mark.parametrize("username", ["kp2_dangvien1", "lanhdao", "admin"])
def test_only_the_cells_members_may_reply(sio, app, username):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    ack = command(sio(username), meeting_id, "reply_invitation", {"answer": "attend"})
    assert ack["error"]["code"] == "forbidden"


def test_reply_from_the_list_page_and_the_bell_count(app, login, demo, clock):
    member = login("dangvien2")
    before = _bell(member.get("/").get_data(as_text=True))
    meeting_id = schedule(login("bithu"), demo, "Sinh hoạt <b>tháng 3</b>", WHEN)
    assert _bell(member.get("/").get_data(as_text=True)) == before + 1
    page = member.get("/notifications").get_data(as_text=True)
    assert "Sinh hoạt &lt;b&gt;tháng 3&lt;/b&gt;" in page and "<b>tháng 3</b>" not in page
    assert _bell(member.get("/").get_data(as_text=True)) == 0  # read now
    assert 'id="bell-count" hidden' in member.get("/").get_data(as_text=True)
    response = member.post(
        f"/meetings/{meeting_id}/reply", data={"answer": "excused", "reason": "Ốm"}
    )
    assert response.status_code == 302
    with app.app_context():
        row = db.session.get(Invitation, (meeting_id, demo.users["dangvien2"].id))
        assert (row.answer, row.reason) == ("excused", "Ốm")
    assert "Ốm" in member.get("/notifications").get_data(as_text=True)
    outsider = login("kp2_dangvien1")
    response = outsider.post(f"/meetings/{meeting_id}/reply", data={"answer": "attend"})
    assert response.status_code == 403
