"""The demo organisation loaded into an empty database, so a new user sees a real cell at once.

All demo accounts use the password `chibo-demo`. Names are invented.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from auth.models import User
from core.extensions import db
from core.timeutil import VIETNAM, utcnow
from demo.between import load_demo_between
from demo.history import load_demo_history
from demo.minutes import seal_demo_minutes
from demo.review import load_demo_review
from demo.tasks import load_demo_tasks
from meetings.agenda import REGULAR_AGENDA
from meetings.models import AgendaItem, Attendance, Meeting, MeetingKind, MeetingStatus
from org.models import CellRole, Membership, Organization, OrgKind, Oversight

DEMO_PASSWORD = "chibo-demo"  # noqa: S105 (public demo accounts, documented in the README)

# username, full name, party status, cell role, flags
KHU_PHO_1 = [
    ("bithu", "Nguyễn Văn Hùng", "official", CellRole.SECRETARY, {}),
    ("phobithu", "Trần Thị Mai", "official", CellRole.DEPUTY, {}),
    ("dangvien1", "Lê Văn Bình", "official", CellRole.COMMITTEE, {}),
    ("dangvien2", "Phạm Thị Hương", "official", CellRole.MEMBER, {}),
    ("dangvien3", "Hoàng Văn Dũng", "official", CellRole.MEMBER, {}),
    ("dangvien4", "Vũ Thị Lan", "official", CellRole.MEMBER, {}),
    ("dangvien5", "Đặng Quốc Tuấn", "official", CellRole.MEMBER, {}),
    ("dangvien6", "Bùi Thị Ngọc Ánh", "official", CellRole.MEMBER, {}),
    ("dangvien7", "Đỗ Minh Đức", "official", CellRole.MEMBER, {}),
    ("dangvien8", "Ngô Thị Thu Hà", "official", CellRole.MEMBER, {}),
    ("dangvien9", "Dương Văn Ước", "official", CellRole.MEMBER, {}),
    ("dubi1", "Phan Thị Yến", "probationary", CellRole.MEMBER, {}),
    ("dubi2", "Trịnh Văn Khải", "probationary", CellRole.MEMBER, {}),
    ("mien1", "Nguyễn Hữu Thọ", "official", CellRole.MEMBER, {"is_exempted": True}),
    ("tamthoi1", "Đinh Thị Quỳnh", "official", CellRole.MEMBER, {"is_hosted": True}),
]
KHU_PHO_2 = [
    ("kp2_bithu", "Cao Văn Sơn", "official", CellRole.SECRETARY, {}),
    ("kp2_dangvien1", "Mai Thị Hoa", "official", CellRole.MEMBER, {}),
    ("kp2_dangvien2", "Lương Văn Thắng", "official", CellRole.MEMBER, {}),
    ("kp2_dangvien3", "Tạ Thị Bích", "official", CellRole.MEMBER, {}),
    ("kp2_dangvien4", "Hà Văn Nam", "probationary", CellRole.MEMBER, {}),
]


def _user(username: str, full_name: str, **extra) -> User:
    user = User(username=username, full_name=full_name, **extra)
    user.set_password(DEMO_PASSWORD)
    db.session.add(user)
    return user


def _cell(name: str, parent: Organization, people: list) -> tuple[Organization, dict[str, User]]:
    cell = Organization(
        name=name,
        kind=OrgKind.CELL,
        parent=parent,
        place="Vĩnh Yên",
        video_url="https://meet.jit.si/chibo-demo-" + name.split()[-1],
    )
    db.session.add(cell)
    users = {}
    for username, full_name, status, role, flags in people:
        user = _user(username, full_name)
        users[username] = user
        db.session.add(
            Membership(user=user, cell=cell, party_status=status, cell_role=role, **flags)
        )
    return cell, users


def _vietnam(days: int, hour: int, minute: int = 0) -> datetime:
    day = datetime.now(VIETNAM).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=VIETNAM)


def _last_month_on_the_10th(hour: int, minute: int) -> datetime:
    today = datetime.now(VIETNAM).date()
    first_of_this_month = today.replace(day=1)
    last_month = first_of_this_month - timedelta(days=1)
    return datetime(last_month.year, last_month.month, 10, hour, minute, tzinfo=VIETNAM)


def _meeting(cell, title, when, chair, taker, status=MeetingStatus.SCHEDULED) -> Meeting:
    meeting = Meeting(
        cell=cell,
        kind=MeetingKind.REGULAR,
        title=title,
        scheduled_at=when,
        place="Nhà văn hóa " + cell.name.removeprefix("Chi bộ "),
        online_url=cell.video_url,
        chair=chair,
        minute_taker=taker,
        status=status,
    )
    meeting.agenda = [
        AgendaItem(position=i, title=str(title), planned_minutes=minutes)
        for i, (title, minutes) in enumerate(REGULAR_AGENDA)
    ]
    db.session.add(meeting)
    return meeting


def load_demo_if_empty() -> bool:
    """Load the demo organisation; returns False (and does nothing) if any user exists."""
    if db.session.scalar(select(func.count()).select_from(User)):
        return False
    _user("admin", "Quản trị hệ thống", is_admin=True)
    province = Organization(name="Đảng bộ tỉnh Vĩnh Phúc", kind=OrgKind.PROVINCE)
    city = Organization(name="Đảng bộ Thành phố Vĩnh Yên", kind=OrgKind.DISTRICT, parent=province)
    ward = Organization(name="Đảng bộ Phường Liên Bảo", kind=OrgKind.GRASSROOTS, parent=city)
    db.session.add_all([province, city, ward])
    leader = _user("lanhdao", "Trương Quang Vinh")
    db.session.add(
        Oversight(user=leader, organization=province, office="Ủy viên Ban Thường vụ Tỉnh ủy")
    )
    kp1, people1 = _cell("Chi bộ Khu phố 1", ward, KHU_PHO_1)
    kp2, people2 = _cell("Chi bộ Khu phố 2", ward, KHU_PHO_2)

    today = datetime.now(VIETNAM)
    month = f"{today.month}/{today.year}"
    _meeting(
        kp1,
        f"Sinh hoạt chi bộ định kỳ tháng {month}",
        _vietnam(0, 19, 30),
        people1["bithu"],
        people1["dangvien1"],
    )
    _meeting(
        kp2,
        f"Sinh hoạt chi bộ định kỳ tháng {month}",
        _vietnam(3, 19, 30),
        people2["kp2_bithu"],
        people2["kp2_dangvien1"],
    )
    _past_meeting(kp1, people1)
    db.session.flush()
    load_demo_between(kp1, people1["bithu"], people1["dangvien1"])
    load_demo_history()
    load_demo_tasks()
    load_demo_review()
    seal_demo_minutes()
    db.session.commit()
    return True


def _past_meeting(cell: Organization, people: dict[str, User]) -> None:
    """Last month's meeting (on the 10th), held and ended, with its attendance.

    The 10th of last calendar month, not "30 days ago": the history fills only the months this
    leaves empty, so this is always the cell's latest regular meeting, whatever day it is today."""
    start = _last_month_on_the_10th(19, 30)
    last_month = start.astimezone(VIETNAM)
    meeting = _meeting(
        cell,
        f"Sinh hoạt chi bộ định kỳ tháng {last_month.month}/{last_month.year}",
        start,
        people["bithu"],
        people["dangvien1"],
        status=MeetingStatus.ENDED,
    )
    meeting.started_at = start
    meeting.ended_at = start + timedelta(minutes=105)
    meeting.version = 1
    db.session.flush()
    for username, user in people.items():
        status, reason = "present", None
        if username == "dangvien9":
            status, reason = "absent_excused", "Đi công tác tại Hà Nội"
        elif username == "mien1":
            status, reason = "absent_excused", "Tuổi cao, sức yếu"
        db.session.add(
            Attendance(
                meeting_id=meeting.id,
                user_id=user.id,
                status=status,
                reason=reason,
                arrived_at=start if status == "present" else None,
                updated_at=utcnow(),
            )
        )
