"""A year of past meetings for the demo cells, so the quality dashboard means something at once.

Deterministic (a fixed random seed): monthly regular meetings over the last 12 months, a thematic
meeting in most quarters, varied attendance, a few short meetings, a few documents released late,
a few unexcused absences, one member excused four meetings in a row, visits by the province
leader, and the leader's assignment to Khu phố 1 (two meetings a year).
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta

from sqlalchemy import select

from auth.models import User
from core.extensions import db
from core.timeutil import VIETNAM
from meetings.agenda import REGULAR_AGENDA
from meetings.documents import storage
from meetings.documents.models import MeetingDocument
from meetings.models import (
    AgendaItem,
    Attendance,
    Meeting,
    MeetingKind,
    MeetingStatus,
    ObserverVisit,
)
from org.models import Membership, Organization, Oversight
from oversight.models import Assignment

# A minimal valid PDF: the demo's documents all point to this one file.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
DEMO_FILE = hashlib.sha256(DEMO_PDF).hexdigest()[:32]

# Per cell (by its name's last words): month offsets (1 = last month) with a feature.
PLAN = {
    "Khu phố 1": {
        "short": {4},
        "late_documents": {2, 9},
        "unexcused": {8: "dangvien7", 3: "dangvien5"},
        "excused_run": ("dangvien9", {6, 5, 4, 3}),  # absent with reason, every meeting
        "skip_thematic": 2,  # the quarter (0 = oldest) without a thematic meeting
        "visits": {1, 5, 10},
    },
    "Khu phố 2": {
        "short": {2, 7},
        "late_documents": {6},
        "unexcused": {5: "kp2_dangvien3", 2: "kp2_dangvien2"},
        "excused_run": None,
        "skip_thematic": 0,
        "visits": {3},
    },
}
REASONS = ("Đi công tác", "Ốm, có giấy của trạm y tế", "Việc gia đình", "Trực ca tại cơ quan")


def _month_start(offset: int) -> datetime:
    """The first day of the month `offset` months before this one, Vietnam time."""
    today = datetime.now(VIETNAM)
    index = today.year * 12 + today.month - 1 - offset
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=VIETNAM)


def load_demo_history() -> None:
    """Add the past year to the demo cells (once: does nothing if any assignment exists)."""
    if db.session.scalar(select(Assignment).limit(1)) is not None:
        return
    db.session.flush()
    rng = random.Random(20261120)  # noqa: S311 (demo data, not security)
    leader_oversight = db.session.scalar(select(Oversight).limit(1))
    for cell in db.session.scalars(select(Organization).where(Organization.kind == "cell")):
        plan = PLAN.get(cell.name.removeprefix("Chi bộ "))
        if plan is not None:
            _cell_history(cell, plan, rng, leader_oversight)
    if leader_oversight is not None:
        kp1 = db.session.scalar(select(Organization).where(Organization.name == "Chi bộ Khu phố 1"))
        if kp1 is not None:
            db.session.add(
                Assignment(
                    leader_id=leader_oversight.user_id,
                    cell_id=kp1.id,
                    committee_id=leader_oversight.organization_id,
                    target_per_year=2,
                )
            )
    _demo_file()
    db.session.flush()


def _demo_file() -> None:
    path = storage.folder() / DEMO_FILE
    if not path.exists():
        path.write_bytes(DEMO_PDF)


def _cell_history(cell: Organization, plan: dict, rng: random.Random, oversight) -> None:
    members = db.session.scalars(select(Membership).where(Membership.cell_id == cell.id)).all()
    leads = {m.cell_role: m.user for m in members}
    chair = leads.get("secretary") or members[0].user
    taker = next((m.user for m in members if m.cell_role == "committee"), None) or members[-1].user
    held_months = {
        (m.scheduled_at.astimezone(VIETNAM).year, m.scheduled_at.astimezone(VIETNAM).month)
        for m in db.session.scalars(select(Meeting).where(Meeting.cell_id == cell.id))
    }
    slot = 0
    for offset in range(12, 0, -1):
        month = _month_start(offset)
        if (month.year, month.month) not in held_months:
            _held(
                cell,
                plan,
                rng,
                members,
                chair,
                taker,
                offset,
                month,
                MeetingKind.REGULAR,
                oversight,
            )
        # A thematic meeting in the middle month of each calendar quarter, but one.
        if month.month % 3 == 2:
            if slot != plan["skip_thematic"]:
                _held(
                    cell,
                    plan,
                    rng,
                    members,
                    chair,
                    taker,
                    offset,
                    month,
                    MeetingKind.THEMATIC,
                    oversight,
                )
            slot += 1


def _held(cell, plan, rng, members, chair, taker, offset, month, kind, oversight) -> None:
    regular = kind == MeetingKind.REGULAR
    day = 10 if regular else 22
    start = month.replace(day=day, hour=19, minute=30)
    minutes = 75 if regular and offset in plan["short"] else rng.choice((95, 100, 105, 110, 120))
    if regular:
        title = f"Sinh hoạt chi bộ định kỳ tháng {month.month}/{month.year}"
        agenda = [(str(t), m) for t, m in REGULAR_AGENDA]
    else:
        title = f"Sinh hoạt chuyên đề quý {(month.month - 1) // 3 + 1}/{month.year}"
        agenda = [
            ("Khai mạc, báo cáo tình hình đảng viên dự họp", 10),
            ("Báo cáo chuyên đề: nêu gương của đảng viên ở khu dân cư", 40),
            ("Thảo luận", 45),
            ("Kết luận chuyên đề", 15),
        ]
    meeting = Meeting(
        cell=cell,
        kind=kind,
        title=title,
        scheduled_at=start,
        place="Nhà văn hóa " + cell.name.removeprefix("Chi bộ "),
        online_url=cell.video_url,
        chair=chair,
        minute_taker=taker,
        status=MeetingStatus.ENDED,
        started_at=start,
        ended_at=start + timedelta(minutes=minutes),
        version=1,
    )
    meeting.agenda = [
        AgendaItem(position=i, title=t, planned_minutes=m) for i, (t, m) in enumerate(agenda)
    ]
    db.session.add(meeting)
    db.session.flush()
    _attendance(meeting, plan, rng, members, offset, regular)
    released = start - (
        timedelta(hours=5) if regular and offset in plan["late_documents"] else timedelta(days=3)
    )
    db.session.add(
        MeetingDocument(
            meeting_id=meeting.id,
            title="Dự thảo nghị quyết" if regular else "Tài liệu chuyên đề",
            filename="du-thao-nghi-quyet.pdf" if regular else "tai-lieu-chuyen-de.pdf",
            kind="pdf",
            size=len(DEMO_PDF),
            sha256=hashlib.sha256(DEMO_PDF).hexdigest(),
            storage_name=DEMO_FILE,
            uploaded_by_id=chair.id,
            uploaded_at=released - timedelta(hours=2),
            released_at=released,
        )
    )
    if oversight is not None and regular and offset in plan["visits"]:
        db.session.add(
            ObserverVisit(
                meeting_id=meeting.id,
                user_id=oversight.user_id,
                office=oversight.office,
                first_joined_at=start + timedelta(minutes=5),
            )
        )


def _attendance(meeting, plan, rng, members, offset, regular) -> None:
    start = meeting.started_at
    unexcused = plan["unexcused"].get(offset) if regular else None
    run = plan["excused_run"]
    for membership in members:
        user: User = membership.user
        roll = rng.random()
        status, reason, arrived = "present", None, start
        if run and user.username == run[0] and offset in run[1]:
            status, reason = "absent_excused", "Điều trị dài ngày tại bệnh viện"
        elif user.username == unexcused:
            status = "absent_unexcused"
        elif membership.is_exempted:
            status = "present" if roll < 0.25 else "absent_excused"
            reason = None if status == "present" else "Tuổi cao, sức yếu"
        elif membership.cell_role == "secretary":
            pass
        elif roll < 0.08:
            status, reason = "absent_excused", rng.choice(REASONS)
        elif roll < 0.14:
            status, arrived = "late", start + timedelta(minutes=rng.choice((20, 25, 35)))
        if status.startswith("absent"):
            arrived = None
        db.session.add(
            Attendance(
                meeting_id=meeting.id,
                user_id=user.id,
                status=status,
                reason=reason,
                arrived_at=arrived,
                updated_at=meeting.ended_at,
            )
        )
