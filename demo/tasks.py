"""Conclusions and tasks of the demo cells' last meetings, so the next meeting has a review.

Relative to today (like the rest of the demo): for each demo cell, the last two regular meetings
held get tasks — one overdue and still open, one in progress with the owner's note, one of the
cell committee, one done on time — and the older meeting's task reviewed as "not done" last time.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from auth.models import User
from core.extensions import db
from core.timeutil import vietnam_today
from meetings.models import Meeting, MeetingKind, MeetingStatus
from meetings.tasks.models import Task, TaskOwner, TaskUpdate
from meetings.tasks.rules import EntryKind, TaskStatus
from org.models import Organization

# Per cell: (text, owners (usernames) or "committee", due in days from today, status, note, reported
# (None: never)); the first list is the last meeting's, the second the one before.
PLAN = {
    "Chi bộ Khu phố 1": (
        [
            (
                "Vận động 100% hộ gia đình trong khu phố tham gia tổng vệ sinh cuối tuần",
                ["dangvien2"],
                -6,
                TaskStatus.OPEN,
                None,
                None,
            ),
            (
                "Kiểm tra, đề nghị phường sửa hệ thống đèn chiếu sáng ngõ 5 và ngõ 7",
                ["dangvien3", "dangvien4"],
                12,
                TaskStatus.IN_PROGRESS,
                "Đã khảo sát, gửi văn bản đề nghị lên phường; chờ lịch sửa chữa.",
                True,
            ),
            (
                "Chuẩn bị nội dung hội nghị kiểm điểm, đánh giá, xếp loại cuối năm",
                "committee",
                10,
                TaskStatus.OPEN,
                None,
                None,
            ),
            (
                "Thăm hỏi, tặng quà gia đình chính sách trong khu phố",
                ["dangvien5"],
                -3,
                TaskStatus.DONE,
                "Đã thăm 6 gia đình.",
                True,
            ),
        ],
        [
            (
                "Rà soát, cập nhật danh sách hộ cận nghèo trình phường",
                ["dangvien6"],
                -25,
                TaskStatus.NOT_DONE,
                "Chờ số liệu của tổ dân phố.",
                True,
            ),
        ],
    ),
    "Chi bộ Khu phố 2": (
        [
            (
                "Tuyên truyền phòng chống cháy nổ mùa hanh khô",
                ["kp2_dangvien1"],
                -2,
                TaskStatus.OPEN,
                None,
                None,
            ),
            (
                "Tổng hợp ý kiến đóng góp dự thảo văn kiện",
                "committee",
                8,
                TaskStatus.OPEN,
                None,
                None,
            ),
        ],
        [],
    ),
}
CONCLUSIONS = {
    "Chi bộ Khu phố 1": "Chi bộ thống nhất tập trung chỉ đạo vệ sinh môi trường và chuẩn bị "
    "tổng kết cuối năm.",
    "Chi bộ Khu phố 2": "Chi bộ thống nhất đẩy mạnh công tác tuyên truyền trong khu dân cư.",
}


def load_demo_tasks() -> None:
    today = vietnam_today()
    users = {u.username: u for u in db.session.scalars(select(User)).all()}
    for cell_name, (last, before) in PLAN.items():
        cell = db.session.scalar(select(Organization).where(Organization.name == cell_name))
        if cell is None:
            continue
        held = db.session.scalars(
            select(Meeting)
            .where(
                Meeting.cell_id == cell.id,
                Meeting.kind == MeetingKind.REGULAR,
                Meeting.status == MeetingStatus.ENDED,
            )
            .order_by(Meeting.scheduled_at.desc())
            .limit(2)
        ).all()
        if len(held) < 2:
            continue
        secretary = users.get("bithu" if cell_name.endswith("1") else "kp2_bithu")
        _conclusion(held[0], CONCLUSIONS[cell_name], secretary)
        for meeting, plan in ((held[0], last), (held[1], before)):
            for number, entry in enumerate(plan, start=1):
                _task(meeting, number, entry, users, secretary, today, review_in=held[0])
    db.session.flush()


def _conclusion(meeting: Meeting, text: str, by: User) -> None:
    db.session.add(
        Task(
            cell_id=meeting.cell_id,
            meeting_id=meeting.id,
            kind=EntryKind.CONCLUSION,
            number=1,
            text=text,
            created_by_id=by.id,
            created_at=meeting.ended_at,
        )
    )


def _task(meeting, number, entry, users, secretary, today, review_in) -> None:
    text, owners, due_days, status, note, reported = entry
    task = Task(
        cell_id=meeting.cell_id,
        meeting_id=meeting.id,
        kind=EntryKind.TASK,
        number=number,
        text=text,
        owner_committee=owners == "committee",
        due_on=today + timedelta(days=due_days),
        status=status,
        note=note,
        created_by_id=secretary.id,
        created_at=meeting.ended_at,
    )
    if owners != "committee":
        task.owners = [TaskOwner(user_id=users[name].id) for name in owners]
    db.session.add(task)
    db.session.flush()
    if not reported:
        return
    by = secretary if owners == "committee" else users[owners[0]]
    # The older meeting's task was reviewed in the last meeting; the others by their owners since.
    in_meeting = meeting.id != review_in.id
    at = (
        review_in.ended_at - timedelta(minutes=30)
        if in_meeting
        else meeting.ended_at + timedelta(days=2)
    )
    task.updated_at, task.updated_by_id = at, (secretary if in_meeting else by).id
    if status == TaskStatus.DONE:
        task.done_at = task.closed_at = at
    db.session.add(
        TaskUpdate(
            task_id=task.id,
            meeting_id=review_in.id if in_meeting else None,
            status=status,
            note=note,
            by_id=(secretary if in_meeting else by).id,
            at=at,
        )
    )
