"""The audit trail: every command recorded, visible to the chair, secretary and observers; and
every writer goes through the command path (one log row per change, meeting edits in /audit)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from auth.models import User
from core.extensions import db
from core.timeutil import vietnam_today
from demo.organisation import DEMO_PASSWORD
from meetings import room
from meetings.attendance import unsettled
from meetings.commands import ORG_REGISTRY, REGISTRY, SITE_REGISTRY, run, run_org, run_site
from meetings.errors import Forbidden
from meetings.models import CommandLog, Meeting
from meetings.voting.keyring import keyring
from meetings.voting.secret_ballots import check_open_votes
from org.member_import import RowsRefused
from org.models import Oversight
from tests.factories import Demo, command, upcoming_meeting_id

MEMBER_LIST = (
    "username,full_name,party_status,cell_role\nnhapmoi,Nhập Mới,official,member\n".encode()
)
PROFILE_LIST = b"username,phone\ndangvien4,0912 000 222\n"
CHANNELS = {"email_notifications": True, "invitations_only": False}
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_commands_are_recorded_and_shown_to_leads_and_observers(app, sio, login):
    with app.app_context():
        meeting_id = upcoming_meeting_id()
    chair, member = sio("bithu"), sio("dangvien2")
    command(chair, meeting_id, "start_meeting", {"confirm_early": True})
    command(member, meeting_id, "check_in")
    page = login("lanhdao").get(f"/meetings/{meeting_id}/audit")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "start_meeting" in text and "check_in" in text
    assert "Phạm Thị Hương" in text  # dangvien2, who checked in
    assert login("phobithu").get(f"/meetings/{meeting_id}/audit").status_code == 200
    assert login("dangvien2").get(f"/meetings/{meeting_id}/audit").status_code == 403
    assert login("kp2_bithu").get(f"/meetings/{meeting_id}/audit").status_code == 403


class Scenario:
    """Runs commands as the demo's people and counts what each should have logged."""

    def __init__(self, demo: Demo):
        self.users = demo.users
        self.kp1 = demo.kp1
        self.meeting_id: int | None = None
        self.cancelled_id: int | None = None  # another meeting, called off before it started
        self.ran: list[str] = []
        self.year_meetings: list[int] = []  # the task review's and the year-end review's
        self.passwords: list[str] = []  # every password the steps set: none may be logged

    def user(self, username: str):
        return self.users[username]

    def do(self, username: str, name: str, payload: dict | None = None) -> dict:
        ack = run(self.user(username), self.meeting_id, name, payload)
        assert ack["ok"], (name, ack)
        self.ran.append(name)
        return ack["result"]

    def org(self, username: str, org_id: int, name: str, payload: dict | None = None) -> dict:
        ack = run_org(self.user(username), org_id, name, payload)
        assert ack["ok"], (name, ack)
        self.ran.append(name)
        return ack["result"]

    def site(self, username: str, name: str, payload: dict | None = None) -> dict:
        ack = run_site(self.user(username), name, payload)
        assert ack["ok"], (name, ack)
        self.ran.append(name)
        return ack["result"]


def _details(s: Scenario, title: str, agenda: list[dict]) -> dict:
    return {
        "kind": "regular",
        "title": title,
        "scheduled_at": "2026-12-20T19:30",
        "place": "Nhà văn hóa",
        "online_url": None,
        "chair_id": s.user("bithu").id,
        "minute_taker_id": s.user("dangvien1").id,
        "agenda": agenda,
    }


def _every_writer(s: Scenario) -> None:
    """One successful call of every registered command, in an order the meeting allows."""
    s.org("admin", s.kp1.id, "set_vote_rules", {"rules": {}})
    called_off = s.org("bithu", s.kp1.id, "schedule_meeting", _details(s, "Họp hủy", []))
    s.meeting_id = s.cancelled_id = called_off["meeting_id"]
    s.do("phobithu", "cancel_meeting")
    created = s.org(
        "bithu", s.kp1.id, "schedule_meeting", _details(s, "Họp thử", [{"title": "Một"}])
    )
    s.meeting_id = created["meeting_id"]
    first = db.session.get(Meeting, s.meeting_id).agenda[0].id
    s.do("bithu", "edit_meeting", _details(s, "Họp thử (sửa)", [{"item_id": first, "title": "1"}]))
    added = s.do("bithu", "agenda_add", {"title": "Hai", "planned_minutes": 5})["item_id"]
    s.do("bithu", "agenda_update", {"item_id": added, "title": "Hai (sửa)", "planned_minutes": 6})
    s.do("bithu", "agenda_move", {"item_id": added, "position": 0})
    s.do("bithu", "agenda_remove", {"item_id": added})
    upload = {"title": "Dự thảo", "filename": "du-thao.pdf", "data": PDF}
    doc = s.do("bithu", "attach_document", upload)["document_id"]
    s.do("bithu", "release_document", {"document_id": doc})
    s.do("dangvien2", "read_document", {"document_id": doc})  # the leaders' read receipt
    spare = s.do("bithu", "attach_document", upload)["document_id"]
    s.do("bithu", "remove_document", {"document_id": spare})
    s.do("dangvien2", "reply_invitation", {"answer": "excused", "reason": "Đi công tác"})
    s.do("bithu", "start_meeting", {"confirm_early": True})
    room.record_observer_visit(s.user("lanhdao"), db.session.get(Meeting, s.meeting_id))
    for username in ("bithu", "dangvien1", "dangvien2", "dangvien3"):
        s.do(username, "check_in")
    s.do("bithu", "mark_attendance", {"user_id": s.user("dangvien4").id, "status": "present"})
    s.do("bithu", "set_current_item", {"item_id": first})
    s.do("bithu", "set_speaking_limit", {"seconds": 180})
    s.do("dangvien2", "raise_hand")
    s.do("dangvien3", "raise_hand")
    third = s.do("dangvien4", "raise_hand")["request_id"]
    s.do("bithu", "reorder_speakers", {"request_id": third, "position": 0})
    s.do("dangvien4", "lower_hand")
    s.do("bithu", "give_floor")
    s.do("bithu", "end_speech")
    team = [s.user("dangvien1").id, s.user("dangvien2").id]
    s.do("bithu", "set_counting_team", {"user_ids": team})
    vote = s.do("bithu", "open_vote", {"kind": "resolution", "subject": "Nghị quyết"})["vote_id"]
    s.do("dangvien2", "cast_vote", {"vote_id": vote, "choices": ["agree"]})
    hand = {"user_id": s.user("dangvien3").id, "choice": "agree"}
    s.do("dangvien1", "record_hall_hands", {"vote_id": vote, "hands": [hand]})
    s.do("bithu", "close_vote", {"vote_id": vote})
    lost = s.do("bithu", "open_vote", {"kind": "admission", "subject": "Lê Thị Cúc"})["vote_id"]
    keyring().forget_all()  # every process holding its key died: the servers' check voids it
    check_open_votes()
    retaken = s.do("bithu", "reopen_vote", {"vote_id": lost})["vote_id"]
    s.do("bithu", "close_vote", {"vote_id": retaken})
    paper = s.do("bithu", "open_vote", {"kind": "admission", "subject": "Lê Thị Cúc"})["vote_id"]
    s.do("dangvien1", "mark_paper_voters", {"vote_id": paper, "user_ids": [hand["user_id"]]})
    entry = {"vote_id": paper, "counts": {"agree": 1}}
    revision = s.do("dangvien1", "enter_paper_tally", entry)["revision"]
    s.do("dangvien2", "confirm_paper_tally", {"vote_id": paper, "revision": revision})
    s.do("bithu", "close_vote", {"vote_id": paper})
    guest = s.do("bithu", "add_guest", {"name": "Nguyễn Thị Mai", "position": "Hội Phụ nữ"})
    s.do("bithu", "remove_guest", guest)
    s.do("dangvien1", "minutes_edit", {"item_id": first, "base_revision": 0, "html": "<p>Ý</p>"})
    due = (vietnam_today() + timedelta(days=5)).isoformat()
    owner = [s.user("dangvien2").id]
    task = s.do("bithu", "task_add", {"text": "Việc", "owner_ids": owner, "due_on": due})
    s.do(
        "dangvien1",
        "task_edit",
        {"task_id": task["task_id"], "text": "Việc (sửa)", "owner_ids": owner, "due_on": due},
    )
    spare_task = s.do("bithu", "task_add", {"kind": "conclusion", "text": "Nhất trí"})
    s.do("bithu", "task_remove", {"task_id": spare_task["task_id"]})
    s.do("bithu", "end_meeting")
    waiting = unsettled(db.session.get(Meeting, s.meeting_id))
    s.do("bithu", "settle_attendance", {"user_ids": waiting})
    s.do("bithu", "minutes_approve", {"method": "chair"})
    s.do("dangvien1", "minutes_sign")
    s.do("bithu", "minutes_sign")
    s.do("bithu", "minutes_correct", {"reason": "Sửa tên"})
    leader = s.user("lanhdao").id
    province = db.session.scalar(select(Oversight).where(Oversight.user_id == leader)).organization
    target = {"leader_id": leader, "cell_id": s.kp1.id, "target_per_year": 3}
    assigned = s.org("admin", province.id, "assign_leader", target)["assignment_id"]
    s.org("lanhdao", province.id, "remove_assignment", {"assignment_id": assigned})
    # The administrator's writes: a member of the cell, a leader of a committee.
    spare = s.user("kp2_dangvien4").id
    hosted = {"user_id": spare, "hosted": True}
    membership = s.org("admin", s.kp1.id, "add_membership", hosted)["membership_id"]
    changed = {"membership_id": membership, "hosted": True, "exempted": True}
    s.org("admin", s.kp1.id, "update_membership", changed)
    s.org("admin", s.kp1.id, "remove_membership", {"membership_id": membership})
    # A CSV member list, one command for the whole file: its row counts are logged, not the file.
    imported = s.org("admin", s.kp1.id, "import_members", {"data": MEMBER_LIST})
    assert (imported["imported"], imported["created"]) == (1, 1)
    s.passwords.append(imported["members"][0].password)
    office = {"user_id": spare, "office": "Ủy viên"}
    oversight = s.org("admin", province.id, "add_oversight", office)["oversight_id"]
    s.org("admin", province.id, "remove_oversight", {"oversight_id": oversight})
    # Accounts: the generated passwords reach the caller, never the log (checked below).
    account = {"username": "nguoimoi", "full_name": "Người Mới", "language": "vi"}
    created = s.site("admin", "create_user", account)
    s.passwords.append(created["password"])
    edit = {"user_id": created["user_id"], "full_name": "Người Mới", "language": "en"}
    s.site("admin", "update_user", edit | {"is_admin": False})
    s.site("admin", "set_active", {"user_id": created["user_id"], "active": False})
    given = {"user_id": created["user_id"], "password": "mot-mat-khau-dai"}
    s.site("admin", "reset_password", given)
    s.passwords.append(given["password"])
    reset = s.site("admin", "reset_password", {"user_id": created["user_id"]})
    s.passwords.append(reset["password"])
    # The committee tree: a new cell below kp1's committee, then renamed.
    cell = {"name": "Chi bộ thử", "kind": "cell", "parent_id": s.kp1.parent_id, "place": "Hà Nội"}
    new_cell = s.site("admin", "create_organization", cell)["organization_id"]
    renamed = cell | {"organization_id": new_cell, "name": "Chi bộ thử (sửa)"}
    s.site("admin", "edit_organization", renamed)
    _own_account_writers(s)
    _year_writers(s, task["task_id"])


def _own_account_writers(s: Scenario) -> None:
    """A person's own account and the handbook: site commands too, each with its actor."""
    member = s.user("dangvien3")
    new_password = "mat-khau-moi-cua-toi"
    s.site("dangvien3", "change_password", {"current": DEMO_PASSWORD, "new": new_password})
    s.passwords.append(new_password)
    s.site("dangvien3", "set_language", {"language": "en"})
    contact = {"phone": "0912 000 111", "email": "dv3@example.org"}
    s.site("dangvien3", "edit_contact", contact | CHANNELS)
    s.site("dangvien3", "reset_calendar")
    s.site("dangvien3", "set_vote_alert", {"on": True})
    s.site("dangvien3", "mark_notifications_read")  # the invitations of the steps above
    s.site("dangvien3", "log_out")
    profile = {"user_id": member.id, "card_number": "25019999", "admitted_on": "2001-05-19"}
    s.site("admin", "edit_profile", profile)
    s.site("admin", "import_profiles", {"data": PROFILE_LIST})
    reminders = {"day_before": False, "minutes_before": 30}
    s.org("bithu", s.kp1.id, "set_reminders", reminders)


def _year_writers(s: Scenario, task_id: int) -> None:
    """The task review and the year-end review happen in meetings of their own (the next regular
    meeting, a review meeting): their rows name those meetings."""
    main = s.meeting_id
    later = _details(s, "Tháng sau", [{"title": "Kết quả thực hiện nhiệm vụ"}])
    later["scheduled_at"] = "2027-01-20T19:30"  # after the main meeting (2026-12-20)
    s.meeting_id = s.org("bithu", s.kp1.id, "schedule_meeting", later)["meeting_id"]
    s.year_meetings = [s.meeting_id]
    s.do("dangvien2", "task_update", {"task_id": task_id, "status": "in_progress", "note": "Dở"})
    s.do("bithu", "start_meeting", {"confirm_early": True})
    s.do("bithu", "task_review", {"task_id": task_id, "status": "done"})
    review = _details(s, "Kiểm điểm", [{"title": "Kiểm điểm"}]) | {"kind": "year_review"}
    s.meeting_id = s.org("bithu", s.kp1.id, "schedule_meeting", review)["meeting_id"]
    s.year_meetings.append(s.meeting_id)
    answers = {k: "Ý" for k in ("politics", "duties", "commitment", "shortcomings")}
    s.do("dangvien2", "review_submit", {"answers": answers, "score": 80, "grade": "good"})
    report = {k: "Ý" for k in ("results", "building", "remedies", "shortcomings")}
    s.do("bithu", "review_cell_report", {"answers": report, "score": 75, "grade": "good"})
    s.do("bithu", "start_meeting", {"confirm_early": True})
    s.do("bithu", "mark_attendance", {"user_id": s.user("dangvien3").id, "status": "present"})
    s.do("bithu", "review_take_up", {"subject_user_id": s.user("dangvien2").id})
    s.do("bithu", "review_grade_vote", {"subject_user_id": s.user("dangvien2").id, "grade": "good"})
    s.meeting_id = main


def test_every_command_and_writer_leaves_one_log_row(app, demo):
    _every_writer_checked(app, demo)


def _every_writer_checked(app, demo) -> int:
    with app.app_context():
        s = Scenario(demo)
        before = db.session.scalar(select(func.max(CommandLog.id))) or 0
        _every_writer(s)
        rows = db.session.scalars(
            select(CommandLog).where(CommandLog.id > before).order_by(CommandLog.id)
        ).all()
        registered = set(REGISTRY) | set(ORG_REGISTRY) | set(SITE_REGISTRY)
        missing = registered - set(s.ran)
        assert not missing, f"add a step to _every_writer for {sorted(missing)}"
        by_people = [r for r in rows if r.actor_id is not None]
        assert [r.name for r in by_people] == s.ran  # one row per change, in order
        visit, void = [r for r in rows if r.actor_id is None]
        assert (visit.name, visit.meeting_id, visit.details) == (
            "observer_joined",
            s.meeting_id,
            {"changed": ["observers"]},
        )
        assert (void.name, void.details) == ("vote_void", {"changed": ["vote"]})
        [cancelled] = [r for r in rows if r.meeting_id == s.cancelled_id and r.name in REGISTRY]
        assert (cancelled.name, cancelled.version) == ("cancel_meeting", 1)
        meeting_rows = [
            r
            for r in rows
            if (r.name in REGISTRY or r.actor_id is None) and r.meeting_id != s.cancelled_id
        ]
        year_rows = [r for r in meeting_rows if r.meeting_id in s.year_meetings]
        assert all(r.version for r in year_rows) and year_rows
        meeting_rows = [r for r in meeting_rows if r.meeting_id not in s.year_meetings]
        assert all(r.meeting_id == s.meeting_id and r.version for r in meeting_rows)
        versions = [r.version for r in meeting_rows]
        assert versions == sorted(versions) and len(set(versions)) == len(versions)
        assert db.session.get(Meeting, s.meeting_id).version == versions[-1]
        logged = repr([(r.details, r.result) for r in rows])
        assert s.passwords and not [p for p in s.passwords if p in logged]
        org_rows: dict = {}
        for r in rows:
            if r.name in ORG_REGISTRY:
                org_rows.setdefault(r.name, r)  # the first: the main meeting's scheduling
        scheduled = [r.meeting_id for r in rows if r.name == "schedule_meeting"]
        assert s.meeting_id in scheduled  # in the meeting's audit
        assert org_rows["set_vote_rules"].organization_id == s.kp1.id
        meeting_id = s.meeting_id
    return meeting_id


def test_meeting_edits_documents_and_signatures_are_in_the_audit_page(app, demo, login):
    meeting_id = _every_writer_checked(app, demo)
    text = login("lanhdao").get(f"/meetings/{meeting_id}/audit").get_data(as_text=True)
    for name in ("schedule_meeting", "edit_meeting", "release_document", "minutes_sign"):
        assert f"<code>{name}</code>" in text, name
    assert "chibo (automatic)" in text or "chibo (tự động)" in text  # the observer's visit


def test_a_refused_writer_changes_nothing_and_logs_nothing(app, demo):
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(CommandLog))
        s = Scenario(demo)
        with pytest.raises(Forbidden):
            run_org(s.user("bithu"), s.kp1.id, "set_vote_rules", {"rules": {}})
        with pytest.raises(Forbidden):
            run_org(s.user("dangvien2"), s.kp1.id, "schedule_meeting", _details(s, "X", []))
        with pytest.raises(Forbidden):
            run_site(s.user("bithu"), "create_user", {"username": "x", "full_name": "X"})
        taken = MEMBER_LIST + b"bithu,Nguyen,official,member\n"  # a name that is not hers
        with pytest.raises(RowsRefused):
            run_org(s.user("admin"), s.kp1.id, "import_members", {"data": taken})
        assert db.session.scalar(select(User).where(User.username == "nhapmoi")) is None
        assert db.session.scalar(select(func.count()).select_from(CommandLog)) == before
