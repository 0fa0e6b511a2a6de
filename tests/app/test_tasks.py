"""Conclusions and tasks: recorded live in one meeting, reviewed in the next regular meeting,
updated by their owner in between; refusals change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from core.extensions import db
from core.timeutil import vietnam_today
from meetings.models import CommandLog, Meeting, MeetingKind
from meetings.tasks.models import Task, TaskUpdate
from org.models import Organization
from oversight import report
from tests.factories import command, events, schedule, upcoming_meeting_id

pytestmark = pytest.mark.language("en")


def in_days(days: int) -> str:
    return (vietnam_today() + timedelta(days=days)).isoformat()


def tasks_changes(client) -> list[dict]:
    return [c["data"] for e in events(client) for c in e["changes"] if c["type"] == "tasks"]


def start(app, sio, *usernames):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    clients = [sio(u) for u in usernames]
    for c in clients:
        assert c.emit("join", {"meeting_id": meeting_id}, callback=True)["ok"]
    assert command(clients[0], meeting_id, "start_meeting", {"confirm_early": True})["ok"]
    for c in clients:
        c.get_received()
    return meeting_id, clients


def next_regular_meeting(app, after_id: int) -> int:
    with app.app_context():
        before = db.session.get(Meeting, after_id)
        return schedule(
            before.chair,
            before.cell_id,
            MeetingKind.REGULAR,
            before.scheduled_at + timedelta(days=30),
            before.chair_id,
            before.minute_taker_id,
            ["Results of last month's tasks", "Other"],
            title="Next month",
        )


def ids(demo, *usernames):
    return [demo.users[u].id for u in usernames]


def test_recorded_tasks_reach_everyone_and_refusals_change_nothing(app, sio, demo):
    meeting_id, (chair, taker, member) = start(app, sio, "bithu", "dangvien1", "dangvien2")
    ack = command(
        taker,
        meeting_id,
        "task_add",
        {
            "text": "Vận động hộ dân tham gia tổng vệ sinh",
            "owner_ids": ids(demo, "dangvien2", "dangvien3"),
            "due_on": in_days(20),
        },
    )
    assert ack["ok"], ack
    assert ack["result"]["number"] == 1
    [data] = tasks_changes(member)
    [row] = data["set"]
    assert {o["name"] for o in row["owners"]} == {
        demo.users["dangvien2"].full_name,
        demo.users["dangvien3"].full_name,
    }
    assert row["due_on"] == in_days(20) and row["status"] == "open"
    assert command(chair, meeting_id, "task_add", {"kind": "conclusion", "text": "Nhất trí"})["ok"]

    refused = [
        (member, {"text": "x", "committee": True, "due_on": in_days(3)}, "forbidden"),
        (chair, {"text": "x", "committee": True, "due_on": in_days(-1)}, "invalid"),
        (
            chair,
            {"text": "x", "owner_ids": ids(demo, "kp2_dangvien1"), "due_on": in_days(3)},
            "invalid",
        ),
        (chair, {"text": "x", "due_on": in_days(3)}, "invalid"),
        (chair, {"text": "  ", "committee": True, "due_on": in_days(3)}, "invalid"),
        (chair, {"text": "x", "committee": True}, "invalid"),
        (chair, {"text": "x", "committee": True, "due_on": "31/12/2026"}, "invalid"),
        (chair, {"kind": "conclusion", "text": "x", "due_on": in_days(3)}, "invalid"),
    ]
    with app.app_context():
        log_before = db.session.query(CommandLog).count()
    for client, payload, code in refused:
        ack = command(client, meeting_id, "task_add", payload)
        assert not ack["ok"] and ack["error"]["code"] == code, (payload, ack)
    past = command(chair, meeting_id, "task_add", refused[1][1])
    assert past["error"]["message"] == (
        "The deadline is already past: choose today or a later date."
    )
    with app.app_context():
        assert db.session.query(CommandLog).count() == log_before
        assert db.session.scalars(
            select(Task.text).where(Task.meeting_id == meeting_id).order_by(Task.id)
        ).all() == ["Vận động hộ dân tham gia tổng vệ sinh", "Nhất trí"]


def test_next_meeting_reviews_tasks_and_a_members_update_appears(app, sio, login, demo):
    meeting_id, (chair, taker) = start(app, sio, "bithu", "dangvien1")
    first = command(
        chair,
        meeting_id,
        "task_add",
        {"text": "Sửa đèn đường ngõ 5", "owner_ids": ids(demo, "dangvien2"), "due_on": in_days(10)},
    )["result"]["task_id"]
    second = command(
        chair,
        meeting_id,
        "task_add",
        {"text": "Báo cáo quỹ khuyến học", "committee": True, "due_on": in_days(25)},
    )["result"]["task_id"]
    third = command(
        chair,
        meeting_id,
        "task_add",
        {"text": "Thăm hộ nghèo", "owner_ids": ids(demo, "dangvien3"), "due_on": in_days(5)},
    )["result"]["task_id"]
    assert command(chair, meeting_id, "end_meeting")["ok"]
    nxt = next_regular_meeting(app, meeting_id)

    # Between meetings: the owner reports from their page (through the command path).
    owner = login("dangvien2")
    page = owner.get("/my/tasks")
    assert page.status_code == 200 and "Sửa đèn đường ngõ 5" in page.get_data(as_text=True)
    response = owner.post(
        f"/my/tasks/{first}", data={"cid": "update-first-1", "status": "done", "note": ""}
    )
    assert response.status_code == 302
    # Someone else's task: refused, nothing changed.
    stranger = login("dangvien4")
    assert (
        stranger.post(
            f"/my/tasks/{third}", data={"cid": "update-third-1", "status": "done"}
        ).status_code
        == 403
    )
    with app.app_context():
        log = db.session.scalar(select(CommandLog).where(CommandLog.client_id == "update-first-1"))
        assert log.name == "task_update" and log.meeting_id == nxt
        assert db.session.get(Task, third).status == "open"

    viewer = sio("dangvien5")
    snap = viewer.emit("join", {"meeting_id": nxt}, callback=True)["snapshot"]["tasks"]
    review = {row["id"]: row for row in snap["review"]}
    assert {first, second, third} <= set(review)
    assert review[first]["status"] == "done" and review[first]["updated_by"]
    assert review[second]["committee"] and review[second]["open"]

    # In the meeting: the owner marks theirs, the chair drops one; a member may not drop.
    chair2 = sio("bithu")
    member3 = sio("dangvien3")
    for c in (chair2, member3):
        assert c.emit("join", {"meeting_id": nxt}, callback=True)["ok"]
    assert command(chair2, nxt, "start_meeting", {"confirm_early": True})["ok"]
    ack = command(
        member3,
        nxt,
        "task_review",
        {"task_id": third, "status": "in_progress", "note": "Đã thăm 3/5 hộ"},
    )
    assert ack["ok"], ack
    ack = command(member3, nxt, "task_review", {"task_id": second, "status": "done"})
    assert ack["error"]["code"] == "forbidden"  # not on the committee, not the chair
    ack = command(member3, nxt, "task_review", {"task_id": third, "status": "dropped", "note": "x"})
    assert ack["error"]["code"] == "forbidden"
    ack = command(chair2, nxt, "task_review", {"task_id": second, "status": "not_done"})
    assert ack["error"]["code"] == "invalid"  # a reason is needed
    ack = command(
        chair2,
        nxt,
        "task_review",
        {"task_id": second, "status": "dropped", "note": "Đã có kinh phí từ phường"},
    )
    assert ack["ok"], ack
    viewer.get_received()
    ack = command(
        chair2,
        nxt,
        "task_review",
        {"task_id": third, "status": "not_done", "note": "Thiếu kinh phí"},
    )
    assert ack["ok"]
    [data] = tasks_changes(viewer)
    review = {row["id"]: row for row in data["review"]}
    assert review[third]["status"] == "not_done" and review[third]["reviewed"]["note"]
    assert review[second]["status"] == "dropped"

    # Reconnect: the snapshot holds the same review.
    again = sio("dangvien5")
    snap = again.emit("join", {"meeting_id": nxt}, callback=True)["snapshot"]["tasks"]
    assert {r["id"]: r["status"] for r in snap["review"]} == {
        r["id"]: r["status"] for r in data["review"]
    }
    with app.app_context():
        updates = db.session.scalars(
            select(TaskUpdate).where(TaskUpdate.meeting_id == nxt).order_by(TaskUpdate.id)
        ).all()
        assert [(u.task_id, u.status) for u in updates] == [
            (third, "in_progress"),
            (second, "dropped"),
            (third, "not_done"),
        ]


def test_task_review_needs_a_live_regular_meeting(app, sio, demo):
    meeting_id, (chair,) = start(app, sio, "bithu")
    task = command(
        chair,
        meeting_id,
        "task_add",
        {"text": "Việc A", "owner_ids": ids(demo, "dangvien2"), "due_on": in_days(3)},
    )["result"]["task_id"]
    # Set in this meeting: not reviewed in it.
    ack = command(chair, meeting_id, "task_review", {"task_id": task, "status": "done"})
    assert ack["error"]["code"] == "conflict"
    with app.app_context():
        assert db.session.get(Task, task).status == "open"


def test_remove_renumbers(app, sio, demo):
    meeting_id, (chair,) = start(app, sio, "bithu")
    made = [
        command(
            chair,
            meeting_id,
            "task_add",
            {"text": f"Việc {n}", "committee": True, "due_on": in_days(3)},
        )["result"]["task_id"]
        for n in range(3)
    ]
    assert command(chair, meeting_id, "task_remove", {"task_id": made[0]})["ok"]
    with app.app_context():
        numbers = db.session.execute(
            select(Task.text, Task.number)
            .where(Task.meeting_id == meeting_id)
            .order_by(Task.number)
        ).all()
    assert [tuple(r) for r in numbers] == [("Việc 1", 1), ("Việc 2", 2)]


def test_minutes_print_numbered_tasks_and_the_review(app, sio, login, demo):
    meeting_id, (chair,) = start(app, sio, "bithu")
    assert command(chair, meeting_id, "task_add", {"kind": "conclusion", "text": "Nhất trí cao"})[
        "ok"
    ]
    for text, owner in (("Việc thứ nhất", "dangvien2"), ("Việc thứ hai", "dangvien3")):
        payload = {"text": text, "owner_ids": ids(demo, owner), "due_on": in_days(7)}
        assert command(chair, meeting_id, "task_add", payload)["ok"]
    assert command(chair, meeting_id, "end_meeting")["ok"]
    nxt = next_regular_meeting(app, meeting_id)
    chair2 = sio("bithu")
    assert chair2.emit("join", {"meeting_id": nxt}, callback=True)["ok"]
    assert command(chair2, nxt, "start_meeting", {"confirm_early": True})["ok"]
    with app.app_context():
        second = db.session.scalar(select(Task.id).where(Task.text == "Việc thứ hai"))
    payload = {"task_id": second, "status": "not_done", "note": "Chưa có kinh phí"}
    assert command(chair2, nxt, "task_review", payload)["ok"]

    reader = login("dangvien5")
    first_minutes = reader.get(f"/meetings/{meeting_id}/minutes").get_data(as_text=True)
    assert "Kết luận" in first_minutes and "Nhất trí cao" in first_minutes
    assert "Nhiệm vụ và phân công" in first_minutes
    due = (vietnam_today() + timedelta(days=7)).strftime("%d/%m/%Y")
    name = demo.users["dangvien2"].full_name
    assert f"Việc thứ nhất — thực hiện: đồng chí {name}; thời hạn: {due}." in first_minutes
    assert '<li value="2">Việc thứ hai' in first_minutes
    next_minutes = reader.get(f"/meetings/{nxt}/minutes").get_data(as_text=True)
    assert "Kết quả thực hiện nhiệm vụ đã đề ra" in next_minutes
    assert "<strong>Chưa hoàn thành</strong> — Chưa có kinh phí" in next_minutes
    assert "(chưa được xem xét tại cuộc họp)" in next_minutes  # the first: not marked yet


def test_dashboard_counts_tasks_set_done_on_time_and_overdue(app, sio, login, demo):
    meeting_id, (chair,) = start(app, sio, "bithu")
    kp1 = demo.kp1.id

    set_on = vietnam_today()  # the meeting's day: its month is the period the tasks count in

    def figures():
        with app.app_context():
            cell = db.session.get(Organization, kp1)
            rep = report.build(cell, set_on.year, "month")
            return rep.by_cell[kp1][set_on.month - 1].follow_up, rep.overdue.get(kp1, [])

    before, _ = figures()
    made = {}
    for text, days in (("Việc xong sớm", 2), ("Việc quá hạn", 1), ("Việc còn hạn", 30)):
        payload = {"text": text, "owner_ids": ids(demo, "dangvien2"), "due_on": in_days(days)}
        made[text] = command(chair, meeting_id, "task_add", payload)["result"]["task_id"]
    assert command(chair, meeting_id, "end_meeting")["ok"]
    owner = login("dangvien2")
    form = {"cid": "dash-done-1", "status": "done", "note": ""}
    assert owner.post(f"/my/tasks/{made['Việc xong sớm']}", data=form).status_code == 302

    # Three days later (the clock pinned): one done on time, one past its deadline.
    later = datetime.now(UTC) + timedelta(days=3)
    with time_machine.travel(later, tick=False):
        after, overdue = figures()
        leader = login("lanhdao")
        query = f"unit={kp1}&year={set_on.year}&by=month"
        csv_text = leader.get(f"/quality.csv?{query}").data.decode("utf-8-sig")
        overdue_csv = leader.get(f"/quality.csv?{query}&list=overdue").data.decode("utf-8-sig")
    assert after.tasks_set - before.tasks_set == 3
    assert after.done_on_time - before.done_on_time == 1
    assert after.overdue - before.overdue == 1
    assert "Việc quá hạn" in [t.text for t in overdue]
    assert "Việc còn hạn" not in [t.text for t in overdue]
    assert csv_text.splitlines()[0].endswith("Tasks set,Tasks done on time,Tasks overdue")
    assert overdue_csv.splitlines()[0] == "Cell,Task,Owners,Deadline,Status"
    [row] = [line for line in overdue_csv.splitlines() if "Việc quá hạn" in line]
    assert row.startswith("Chi bộ Khu phố 1,Việc quá hạn,")
