"""The record is whole before it is approved: attendance settled (exempted and hosted members
apart), upper-level delegates who came before the start recorded, guests recorded and printed."""

from __future__ import annotations

from sqlalchemy import select

from core.extensions import db
from meetings.minutes.assembly import assemble
from meetings.models import Attendance, Meeting, ObserverVisit
from tests.app.test_room_socket import join
from tests.app.test_voting import OFFICIAL, refused, run, uid
from tests.factories import command, upcoming_meeting_id


def test_delegate_who_joined_before_the_start_is_recorded_from_the_start(app, sio):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    leader, chair = sio("lanhdao"), sio("bithu")
    assert join(leader, meeting_id)["ok"] and join(chair, meeting_id)["ok"]
    chair.get_received()
    assert command(chair, meeting_id, "start_meeting", {"confirm_early": True})["ok"]
    changes = [
        c for e in chair.get_received() if e["name"] == "changes" for c in e["args"][0]["changes"]
    ]
    [observers] = [c["data"] for c in changes if c["type"] == "observers"]
    assert [o["name"] for o in observers] == ["Trương Quang Vinh"]
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        (visit,) = db.session.scalars(
            select(ObserverVisit).where(ObserverVisit.meeting_id == meeting_id)
        ).all()
        assert visit.first_joined_at == meeting.started_at
        assert [d["name"] for d in assemble(meeting)["delegates"]] == ["Trương Quang Vinh"]


def test_attendance_is_settled_before_approval(ctx):
    meeting_id = upcoming_meeting_id()
    run(meeting_id, "bithu", "start_meeting", {"confirm_early": True})
    for username in OFFICIAL[:8]:
        run(meeting_id, "bithu", "mark_attendance", {"user_id": uid(username), "status": "present"})
    run(meeting_id, "bithu", "end_meeting")
    err = refused(meeting_id, "bithu", "minutes_approve")
    assert err.details["reason"] == "attendance_unsettled"
    waiting = err.details["user_ids"]
    # Exempted members are excused by definition; the hosted member must still be settled.
    assert uid("mien1") not in waiting and uid("tamthoi1") in waiting
    assert uid("dangvien9") in waiting and uid("bithu") not in waiting
    # After the end, the chair settles one with a reason and the rest in one step.
    run(
        meeting_id,
        "bithu",
        "mark_attendance",
        {"user_id": uid("dangvien9"), "status": "absent_excused", "reason": "Đi công tác"},
    )
    rest = [u for u in waiting if u != uid("dangvien9")]
    # A list that is no longer right (someone settled meanwhile) is refused.
    assert refused(meeting_id, "bithu", "settle_attendance", {"user_ids": waiting}).code == (
        "conflict"
    )
    assert refused(meeting_id, "dangvien1", "settle_attendance", {"user_ids": rest}).code == (
        "forbidden"
    )
    run(meeting_id, "bithu", "settle_attendance", {"user_ids": rest})
    statuses = dict(
        db.session.execute(
            select(Attendance.user_id, Attendance.status).where(Attendance.meeting_id == meeting_id)
        ).all()
    )
    assert all(statuses[u] == "absent_unexcused" for u in rest)
    run(
        meeting_id,
        "bithu",
        "add_guest",
        {"name": "Nguyễn Thị Mai", "position": "Chi hội trưởng Phụ nữ"},
    )
    run(meeting_id, "bithu", "minutes_approve")
    # Approved: attendance and guests are part of the approved record now.
    assert (
        refused(
            meeting_id,
            "bithu",
            "mark_attendance",
            {"user_id": uid("dangvien9"), "status": "present"},
        ).code
        == "conflict"
    )
    assert refused(meeting_id, "bithu", "add_guest", {"name": "X"}).code == "conflict"
    doc = assemble(db.session.get(Meeting, meeting_id))
    attendance = doc["attendance"]
    assert attendance["unrecorded"] == []
    apart = {p["name"]: p for p in attendance["apart"]}
    assert set(apart) == {"Nguyễn Hữu Thọ", "Đinh Thị Quỳnh"}
    assert all(p["category"] in ("miễn sinh hoạt", "sinh hoạt tạm thời") for p in apart.values())
    assert doc["guests"] == [{"name": "Nguyễn Thị Mai", "office": "Chi hội trưởng Phụ nữ"}]


def test_guests_are_recorded_by_the_chair_only(ctx):
    meeting_id = upcoming_meeting_id()
    assert refused(meeting_id, "bithu", "add_guest", {"name": "Khách"}).code == "conflict"
    run(meeting_id, "bithu", "start_meeting", {"confirm_early": True})
    assert refused(meeting_id, "dangvien2", "add_guest", {"name": "Khách"}).code == "forbidden"
    assert refused(meeting_id, "bithu", "add_guest", {"name": "   "}).code == "invalid"
    ack = run(
        meeting_id, "bithu", "add_guest", {"name": "Trần Văn Khách", "position": "Bí thư Đoàn"}
    )
    guest_id = ack["result"]["guest_id"]
    run(meeting_id, "bithu", "remove_guest", {"guest_id": guest_id})
    assert refused(meeting_id, "bithu", "remove_guest", {"guest_id": guest_id}).code == "not_found"
