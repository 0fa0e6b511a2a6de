"""The dashboard, the leader's home and assignments, over HTTP, against a hand-made cell."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from auth.models import User
from core.extensions import db
from core.timeutil import VIETNAM
from meetings.documents.models import MeetingDocument
from meetings.models import Attendance, Meeting, ObserverVisit
from org.models import Membership, Organization, OrgKind
from oversight.models import Assignment


def vn(month, day, hour=19, minute=30):
    return datetime(2025, month, day, hour, minute, tzinfo=VIETNAM)


@pytest.fixture
def test_cell(app):
    """Chi bộ Thử nghiệm, 2025: 2 official members and 1 exempted; answers worked by hand."""
    with app.app_context():
        ward = db.session.scalar(select(Organization).where(Organization.kind == "grassroots"))
        cell = Organization(name="Chi bộ Thử nghiệm", kind=OrgKind.CELL, parent=ward)
        db.session.add(cell)
        people = []
        for username, name, exempted in (
            ("tn_a", "Nguyễn Văn An", False),
            ("tn_b", "Trần Văn Bảo", False),
            ("tn_c", "Lê Thị Cúc", True),
        ):
            user = User(username=username, full_name=name)
            user.set_password("chibo-demo")
            db.session.add(user)
            people.append(user)
            db.session.add(
                Membership(user=user, cell=cell, is_exempted=exempted, created_at=vn(1, 1))
            )
        db.session.flush()

        def held(kind, start, minutes, statuses):
            m = Meeting(
                cell=cell,
                kind=kind,
                title=f"{kind} {start:%m}",
                scheduled_at=start,
                status="ended",
                started_at=start,
                ended_at=start + timedelta(minutes=minutes),
            )
            db.session.add(m)
            db.session.flush()
            for user, status in zip(people, statuses, strict=True):
                db.session.add(Attendance(meeting_id=m.id, user_id=user.id, status=status))
            return m

        jan = held("regular", vn(1, 10), 90, ("present", "present", "absent_excused"))
        held("regular", vn(2, 10), 60, ("present", "absent_unexcused", "present"))
        held("thematic", vn(2, 25), 120, ("present", "present", "absent_excused"))
        db.session.add(
            MeetingDocument(
                meeting_id=jan.id,
                title="Dự thảo",
                filename="a.pdf",
                kind="pdf",
                size=1,
                sha256="0" * 64,
                storage_name="0" * 32,
                released_at=jan.started_at - timedelta(hours=2),
            )
        )
        db.session.commit()
        return cell.id


def rows(response):
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_every_figure_of_a_hand_made_cell(login, test_cell):
    table = rows(login("admin").get(f"/quality.csv?unit={test_cell}&year=2025&by=quarter"))
    header, q1, q2 = table[0], table[1], table[2]
    assert len(header) == 15
    assert header[12:] == ["Nhiệm vụ đề ra", "Nhiệm vụ hoàn thành đúng hạn", "Nhiệm vụ quá hạn"]
    assert q1[12:] == ["0", "0/0", "0"]  # no task set in this cell
    assert q1[:2] == ["Chi bộ Thử nghiệm", "Q1/2025"]
    # held 3; regular in Jan, Feb, not Mar; 1 thematic; 5 of 6 expected (exempted excluded);
    # 1 unexcused; nobody excused 4 in a row; 1 short (60 min); 1 late document.
    assert q1[2:11] == ["3", "2/3", "1", "83,3%", "5/6", "1", "0", "1", "1"]
    assert q1[11] in ("0/3", "—")  # minutes signed: none sealed (— without the minutes feature)
    assert q2[2:9] == ["0", "0/3", "0", "—", "0/0", "0", "0"]


def test_months_and_english(login, test_cell):
    client = login("admin")
    client.post("/language/en", data={"next": "/"})
    table = rows(client.get(f"/quality.csv?unit={test_cell}&year=2025&by=month"))
    assert table[0][:3] == ["Cell", "Period", "Meetings held"]
    feb = next(r for r in table if r[1] == "02/2025")
    assert feb[2:10] == ["2", "1/1", "—", "75.0%", "3/4", "1", "0", "1"]


def test_who_may_see_the_dashboard(app, login, demo):
    kp1 = demo.kp1.id
    assert login("dangvien2").get(f"/quality?unit={kp1}").status_code == 403
    assert login("kp2_bithu").get(f"/quality?unit={kp1}").status_code == 403
    assert login("bithu").get(f"/quality?unit={kp1}").status_code == 200
    page = login("lanhdao").get(f"/quality?unit={demo.kp1.parent_id}&year=2026&by=month")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Chi bộ Khu phố 1" in html and "Chi bộ Khu phố 2" in html and "<svg" in html
    assert login("bithu").get("/quality?by=week").status_code == 400


def test_demo_year_makes_the_dashboard_meaningful(app, login, demo):
    # The demo's history is the twelve months before this one, whatever day it is: read them
    # across the one or two calendar years they span (on 1 January, all of last year).
    today = datetime.now(VIETNAM).date()
    window = {
        ((today.year * 12 + today.month - 1 - k) // 12, (today.month - 1 - k) % 12 + 1)
        for k in range(1, 13)
    }
    client = login("lanhdao")
    months = []
    for year in sorted({year for year, _ in window}):
        table = rows(client.get(f"/quality.csv?unit={demo.kp1.parent_id}&year={year}&by=month"))
        months += [r for r in table[1:] if (int(r[1][3:]), int(r[1][:2])) in window]
    held = sum(int(r[2]) for r in months)
    assert held >= 12  # roughly one or two meetings a month in each cell
    assert any(r[9] != "0" for r in months)  # documents released late
    assert any(r[8] != "0" for r in months)  # short meetings


def test_leader_home_lists_live_meetings_and_assignments(app, login, sio, demo):
    from tests.factories import command, upcoming_meeting_id

    with app.app_context():
        meeting_id = upcoming_meeting_id()
    chair = sio("bithu")
    chair.emit("join", {"meeting_id": meeting_id}, callback=True)
    assert command(chair, meeting_id, "start_meeting", {"confirm_early": True})["ok"]
    assert command(chair, meeting_id, "check_in")["ok"]
    html = login("lanhdao").get("/").get_data(as_text=True)
    assert 'id="leader-live"' in html
    assert "Có mặt: 1/15" in html or "Present: 1/15" in html
    assert f"/meetings/{meeting_id}" in html
    assert 'id="leader-assigned"' in html and "Chi bộ Khu phố 1" in html
    # A plain member sees none of it.
    assert 'id="leader-live"' not in login("dangvien2").get("/").get_data(as_text=True)


def test_assignments_by_the_committee(app, login, demo):
    with app.app_context():
        province = db.session.scalar(select(Organization).where(Organization.kind == "province"))
        ward = db.session.scalar(select(Organization).where(Organization.kind == "grassroots"))
        leader = db.session.scalar(select(User).where(User.username == "lanhdao"))
        province_id, ward_id, leader_id, kp2 = province.id, ward.id, leader.id, demo.kp2.id
    url = f"/committees/{province_id}/assignments"
    assert login("bithu").get(url).status_code == 403
    # lanhdao leads the province, not the ward's own committee.
    assert login("lanhdao").get(f"/committees/{ward_id}/assignments").status_code == 403
    client = login("lanhdao")
    answer = client.post(url, data={"leader_id": leader_id, "cell_id": kp2, "target_per_year": 3})
    assert answer.status_code == 302
    assert (
        client.post(
            url, data={"leader_id": leader_id, "cell_id": kp2, "target_per_year": 0}
        ).status_code
        == 200
    )
    with app.app_context():
        row = db.session.scalar(select(Assignment).where(Assignment.cell_id == kp2))
        assert (row.leader_id, row.target_per_year, row.committee_id) == (leader_id, 3, province_id)
        # Attendance counted from visits: one meeting of KP2 this year.
        meeting = db.session.scalar(select(Meeting).where(Meeting.cell_id == kp2))
        db.session.query(ObserverVisit).filter(ObserverVisit.user_id == leader_id).delete()
        db.session.add(
            ObserverVisit(
                meeting_id=meeting.id,
                user_id=leader_id,
                office="x",
                first_joined_at=datetime.now(VIETNAM),
            )
        )
        db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert "1/3" in html and "0/2" in html  # KP2: 1 of 3; KP1: 0 of 2 after clearing visits
