"""The member's handbook page (/me): summary, the member's own edits (phone, email, channels),
the year's attendance with its warnings, votes as participation only, coming meetings with
answers; the administrator's profile form and CSV import (all or nothing)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import select

from core.extensions import db
from meetings.models import Attendance, Meeting
from notifications.models import Invitation
from org.profiles import MemberProfile, profile_of


def test_the_summary_and_the_members_own_edits(app, login, demo):
    with app.app_context():
        profile = profile_of(demo.users["dangvien2"].id)
        profile.card_number, profile.admitted_on = "25019999", date(2001, 5, 19)
        db.session.commit()
    member = login("dangvien2")
    page = member.get("/me").get_data(as_text=True)
    for text in ("Phạm Thị Hương", "25019999", "19/05/2001", "Chi bộ Khu phố 1", "/calendar/"):
        assert text in page, text
    response = member.post(
        "/me",
        data={
            "phone": "0912 345 678",
            "email": "Huong.Pham@Example.org",
            "email_notifications": "y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(MemberProfile, demo.users["dangvien2"].id)
        assert (saved.phone, saved.email) == ("0912 345 678", "Huong.Pham@example.org")
        assert saved.email_notifications and not saved.invitations_only
        assert saved.card_number == "25019999"  # not the member's to change
    for bad in ({"email": "không-phải-email"}, {"email": "a@b@c"}, {"phone": "<script>"}):
        response = member.post("/me", data={"phone": "", "email": "", **bad})
        assert (
            response.status_code == 200
            and "không hợp lệ" in response.get_data(as_text=True)
            or "Chỉ gồm chữ số" in response.get_data(as_text=True)
        )
    with app.app_context():
        assert db.session.get(MemberProfile, demo.users["dangvien2"].id).email == (
            "Huong.Pham@example.org"
        )
    # The member may not slip the administrator's fields in.
    member.post("/me", data={"phone": "", "email": "", "card_number": "1"})
    with app.app_context():
        assert db.session.get(MemberProfile, demo.users["dangvien2"].id).card_number == "25019999"


def _ended(app, cell_id, when: datetime, marks: dict[int, tuple[str, str | None]]) -> None:
    with app.app_context():
        meeting = Meeting(
            cell_id=cell_id,
            title=f"Sinh hoạt {when:%m/%Y}",
            scheduled_at=when,
            status="ended",
            started_at=when,
            ended_at=when,
        )
        db.session.add(meeting)
        db.session.flush()
        for user_id, (status, reason) in marks.items():
            db.session.add(
                Attendance(meeting_id=meeting.id, user_id=user_id, status=status, reason=reason)
            )
        db.session.commit()


def test_the_years_attendance_and_its_warnings(app, login, demo):
    member = demo.users["dangvien2"].id
    with time_machine.travel("2035-06-15T03:00:00Z", tick=False):
        for month in (1, 2, 3, 4):
            _ended(
                app,
                demo.kp1.id,
                datetime(2035, month, 10, 12, 30, tzinfo=UTC),
                {member: ("absent_excused", "Ốm")},
            )
        _ended(
            app,
            demo.kp1.id,
            datetime(2034, 12, 10, 12, 30, tzinfo=UTC),
            {member: ("absent_unexcused", None)},
        )  # last year: not counted
        page = login("dangvien2").get("/me").get_data(as_text=True)
    assert "Tham dự sinh hoạt năm 2035" in page
    assert "Số cuộc họp đã tổ chức: 4" in page
    assert "vắng có lý do 4" in page
    assert "quá 3 buổi liên tiếp" in page
    assert "vắng không lý do" in page and "Năm nay đồng chí có buổi vắng không lý do" not in page


def test_coming_meetings_show_the_members_answers(app, login, demo):
    with app.app_context():
        week = db.session.scalars(
            select(Meeting).where(Meeting.kind == "thematic", Meeting.status == "scheduled")
        ).one()
        answered = db.session.get(Invitation, (week.id, demo.users["dangvien5"].id))
        assert answered.answer == "excused"
    page = login("dangvien5").get("/me").get_data(as_text=True)
    assert "Đi công tác tại Hà Nội đến hết tuần" in page
    assert "chưa trả lời" in login("dangvien6").get("/me").get_data(as_text=True)


def test_the_administrator_edits_a_profile(app, login, demo):
    admin = login("admin")
    user_id = demo.users["dangvien3"].id
    assert admin.get(f"/admin/users/{user_id}/profile").status_code == 200
    response = admin.post(
        f"/admin/users/{user_id}/profile",
        data={
            "date_of_birth": "1980-02-03",
            "admitted_on": "2005-06-07",
            "official_on": "2006-06-07",
            "card_number": "25010042",
            "phone": "",
            "email": "dung@example.org",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(MemberProfile, user_id)
        assert saved.date_of_birth == date(1980, 2, 3) and saved.card_number == "25010042"
    assert login("dangvien3").post(f"/admin/users/{user_id}/profile", data={}).status_code == 403


def _upload(client, text: str):
    return client.post(
        "/admin/profiles/import",
        data={"file": (io.BytesIO(text.encode("utf-8")), "hoso.csv")},
        content_type="multipart/form-data",
    )


def test_the_csv_import_is_all_or_nothing(app, login, demo):
    admin = login("admin")
    bad = (
        "username;date_of_birth;official_on;admitted_on;card_number;email\n"
        "dangvien7;01/02/1970;01/01/2000;01/01/1999;25010777;duc@example.org\n"
        "khongco;01/02/1970;;;;\n"
        "dangvien8;31/02/1970;;;;x@\n"
    )
    response = _upload(admin, bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Dòng 3" in html and "Dòng 4" in html
    with app.app_context():
        assert db.session.get(MemberProfile, demo.users["dangvien7"].id).card_number != "25010777"
    good = (
        "username,date_of_birth,admitted_on,official_on,card_number,email\n"
        "dangvien7,01/02/1970,1999-01-01,01/01/2000,25010777,duc@example.org\n"
        "dangvien8,15/08/1975,,,,\n"
    )
    assert _upload(admin, good).status_code == 302
    with app.app_context():
        seven = db.session.get(MemberProfile, demo.users["dangvien7"].id)
        assert (seven.date_of_birth, seven.admitted_on) == (date(1970, 2, 1), date(1999, 1, 1))
        assert seven.email == "duc@example.org"
        eight = db.session.get(MemberProfile, demo.users["dangvien8"].id)
        assert eight.date_of_birth == date(1975, 8, 15) and eight.card_number is None


def test_the_members_open_tasks_are_on_the_page(app, login, demo):
    from auth.models import User
    from meetings.tasks.queries import tasks_of
    from meetings.tasks.rules import is_open

    with app.app_context():
        owners = {}
        for user in db.session.scalars(select(User).order_by(User.id)):
            texts = [t.text for t in tasks_of(user.id) if is_open(t.status)]
            if texts:
                owners[user.username] = texts
        assert owners, "the demo gives some members open tasks"
        username, texts = next(iter(owners.items()))
        idle = next(
            u.username
            for u in db.session.scalars(select(User).where(User.is_admin.is_(False)))
            if u.username not in owners
        )
    html = login(username).get("/me").get_data(as_text=True)
    assert 'id="tasks"' in html and "/my/tasks" in html
    for text in texts:
        assert text in html
    assert "Không có nhiệm vụ đang mở." in login(idle).get("/me").get_data(as_text=True)


def test_reading_the_page_writes_nothing_the_first_edit_creates_the_profile(app, login, demo):
    """A GET must not write: a person without a profile is shown a blank one; the command of
    their first edit (here a calendar address) creates it, logged with its actor."""
    from meetings.models import CommandLog

    admin = demo.users["admin"].id
    with app.app_context():
        assert db.session.get(MemberProfile, admin) is None  # the demo gives none to the admin
    page = login("admin")
    text = page.get("/me").get_data(as_text=True)
    assert 'class="calendar-url"' not in text and "Tạo địa chỉ lịch của tôi" in text
    with app.app_context():
        assert db.session.get(MemberProfile, admin) is None
    assert page.post("/me/calendar/reset", data={}).status_code == 302
    token = None
    with app.app_context():
        token = db.session.get(MemberProfile, admin).calendar_token
    assert f"/calendar/{token}.ics" in page.get("/me").get_data(as_text=True)
    with app.app_context():
        row = db.session.scalars(select(CommandLog).order_by(CommandLog.id.desc())).first()
        assert (row.name, row.actor_id) == ("reset_calendar", admin)
