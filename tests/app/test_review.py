"""The year-end review of the demo cell, start to end, through the command path: self-assessments
before the meeting, each member taken up and graded by the cell's vote (without their own), the
cap warned never refused, the cell's own grade, the minutes' list and the exports."""

from __future__ import annotations

import secrets
import subprocess
import unicodedata
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from auth.models import User
from core.extensions import db
from core.timeutil import VIETNAM
from meetings.agenda import REVIEW_AGENDA
from meetings.commands import dispatch
from meetings.errors import CommandError
from meetings.models import CommandLog, Meeting, MeetingKind
from meetings.review.models import CellReport, SelfAssessment
from meetings.room import state_for as raw_state
from org.models import Organization
from tests.app.test_minutes_pdf import save_pages
from tests.factories import schedule

pytestmark = pytest.mark.language("en")


def state_for(user, meeting_id) -> dict:
    return raw_state(user, meeting_id).value()


ANSWERS = {
    "politics": "Giữ vững lập trường, tư tưởng chính trị.",
    "duties": "Hoàn thành các nhiệm vụ được giao.",
    "commitment": "Thực hiện đúng cam kết đầu năm.",
    "shortcomings": "Còn chậm trong báo cáo; sẽ khắc phục.",
}
PRESENT = ["bithu", "phobithu"] + [f"dangvien{n}" for n in range(1, 9)]


def user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def run(name_or_user, meeting_id, command, payload=None):
    actor = user(name_or_user) if isinstance(name_or_user, str) else name_or_user
    return dispatch(actor, meeting_id, command, secrets.token_hex(8), payload or {})


def refused(actor, meeting_id, command, payload=None) -> CommandError:
    with pytest.raises(CommandError) as caught:
        run(actor, meeting_id, command, payload)
    db.session.rollback()
    return caught.value


def schedule_review() -> int:
    cell = db.session.scalar(select(Organization).where(Organization.name == "Chi bộ Khu phố 1"))
    return schedule(
        user("bithu"),
        cell.id,
        MeetingKind.YEAR_REVIEW,
        datetime.now(VIETNAM) + timedelta(days=7),
        user("bithu").id,
        user("dangvien1").id,
        [str(t) for t, _m in REVIEW_AGENDA],
        title="Kiểm điểm cuối năm",
    )


def submit(name, score, grade, meeting_id):
    return run(
        name, meeting_id, "review_submit", {"answers": ANSWERS, "score": score, "grade": grade}
    )


def vote_on(meeting_id, subject, grade, voters, choice="agree"):
    ack = run(
        "bithu",
        meeting_id,
        "review_grade_vote",
        {"subject_user_id": subject, "grade": grade, "method": "show_of_hands"},
    )
    vote_id = ack["result"]["vote_id"]
    for name in voters:
        run(name, meeting_id, "cast_vote", {"vote_id": vote_id, "choices": [choice]})
    run("bithu", meeting_id, "close_vote", {"vote_id": vote_id})
    return ack


def test_full_year_end_review_of_the_demo_cell(app, login):
    with app.app_context():
        meeting_id = schedule_review()
        submit("dangvien2", 92, "excellent", meeting_id)
        submit("dangvien3", 80, "good", meeting_id)
        submit("dangvien4", 68, "complete", meeting_id)
        # Refusals change nothing: a grade outside its band, a member not graded here.
        error = refused(
            "dangvien5",
            meeting_id,
            "review_submit",
            {"answers": ANSWERS, "score": 80, "grade": "excellent"},
        )
        assert error.code == "invalid"
        # In the user's language (Vietnamese by default, outside a request).
        assert error.message == (
            "Mức xếp loại không khớp với điểm tự chấm: 80 điểm tương ứng “Hoàn thành tốt nhiệm vụ”."
        )
        assert (
            refused(
                "tamthoi1",
                meeting_id,
                "review_submit",
                {"answers": ANSWERS, "score": 80, "grade": "good"},
            ).code
            == "forbidden"
        )
        missing = dict(ANSWERS, duties="  ")
        assert (
            refused(
                "dangvien6",
                meeting_id,
                "review_submit",
                {"answers": missing, "score": 80, "grade": "good"},
            ).code
            == "invalid"
        )
        assert (
            db.session.scalar(
                select(SelfAssessment).where(SelfAssessment.user_id == user("dangvien5").id)
            )
            is None
        )

        # Before the meeting: who submitted, nothing of what they wrote.
        section = state_for(user("bithu"), meeting_id)["review"]
        rows = {r["user_id"]: r for r in section["members"]}
        assert rows[user("dangvien2").id] == {
            "user_id": user("dangvien2").id,
            "name": user("dangvien2").full_name,
            "submitted": True,
        }
        assert rows[user("dangvien5").id]["submitted"] is False
        assert user("tamthoi1").id not in rows and user("mien1").id not in rows
        assert section["focus"] is None

    # The form on the member's page goes through the same command.
    page = login("dangvien6")
    form = {f"answer_{k}": v for k, v in ANSWERS.items()} | {
        "score": "71",
        "grade": "good",
        "cid": "sa-form-dangvien6",
    }
    assert page.post(f"/meetings/{meeting_id}/self-assessment", data=form).status_code == 302
    with app.app_context():
        log = db.session.scalar(
            select(CommandLog).where(CommandLog.client_id == "sa-form-dangvien6")
        )
        assert log.name == "review_submit" and log.meeting_id == meeting_id

        run("bithu", meeting_id, "start_meeting", {"confirm_early": True})
        for name in PRESENT:
            run(
                "bithu",
                meeting_id,
                "mark_attendance",
                {"user_id": user(name).id, "status": "present"},
            )
        assert (
            refused(
                "dangvien7",
                meeting_id,
                "review_submit",
                {"answers": ANSWERS, "score": 75, "grade": "good"},
            ).code
            == "conflict"
        )

        # A member taken up: their self-assessment is shown to the cell.
        d2 = user("dangvien2").id
        run("bithu", meeting_id, "review_take_up", {"subject_user_id": d2})
        focus = state_for(user("dangvien8"), meeting_id)["review"]["focus"]
        assert focus["subject_user_id"] == d2
        assert focus["assessment"] == {"answers": ANSWERS, "score": 92, "grade": "excellent"}
        assert (
            refused("dangvien3", meeting_id, "review_take_up", {"subject_user_id": d2}).code
            == "forbidden"
        )

        # The grade vote: the member concerned does not vote; the cap warns, never refuses.
        ack = run(
            "bithu",
            meeting_id,
            "review_grade_vote",
            {"subject_user_id": d2, "grade": "excellent", "method": "show_of_hands"},
        )
        vote_id = ack["result"]["vote_id"]
        assert ack["result"]["warning"] == "cap_exceeded"
        section = state_for(user("bithu"), meeting_id)["review"]
        assert section["cap"]["open_vote_exceeds"] is True
        own = refused(
            "dangvien2", meeting_id, "cast_vote", {"vote_id": vote_id, "choices": ["agree"]}
        )
        assert own.code == "forbidden" and own.message == (
            "Đồng chí không biểu quyết mức xếp loại của chính mình."
        )
        # Their panel says the same: the server sends the reason, the page shows it.
        mine = state_for(user("dangvien2"), meeting_id)["my_votes"]["votes"][str(vote_id)]
        assert (mine["eligible"], mine["why_not"]) == (False, "own_grade")
        voters = [n for n in PRESENT if n != "dangvien2"]
        for name in voters[:6]:
            run(name, meeting_id, "cast_vote", {"vote_id": vote_id, "choices": ["agree"]})
        run("dangvien8", meeting_id, "cast_vote", {"vote_id": vote_id, "choices": ["disagree"]})
        run("bithu", meeting_id, "close_vote", {"vote_id": vote_id})

        d3, d4 = user("dangvien3").id, user("dangvien4").id
        vote_on(meeting_id, d3, "good", [n for n in PRESENT if n != "dangvien3"])
        # Not enough agree votes: > half of the base figure is needed; nothing is decided.
        vote_on(meeting_id, d4, "complete", ["bithu", "dangvien1"])
        vote_on(meeting_id, None, "good", PRESENT)  # the cell's own grade: everyone votes

        section = state_for(user("bithu"), meeting_id)["review"]
        rows = {r["user_id"]: r for r in section["members"]}
        assert rows[d2]["grade"] == "excellent"
        assert rows[d2]["counts"] == {"agree": 6, "disagree": 1, "abstain": 0}
        assert rows[d2]["self_score"] == 92
        assert rows[d3]["grade"] == "good"
        assert "grade" not in rows[d4]  # the vote did not pass
        assert section["cell"]["grade"] == "good"
        assert section["cap"] | {} == {
            "percent": 20,
            "excellent": 1,
            "good": 2,
            "allowance": 0,
            "exceeded": True,
            "open_vote_exceeds": False,
        }
        base = state_for(user("bithu"), meeting_id)["figures"]["base"]
        run("bithu", meeting_id, "end_meeting")

    # A member's year at a glance: their own self-assessment and the cell's proposed grade.
    mine = login("dangvien2").get("/my/tasks").get_data(as_text=True)
    assert "Kiểm điểm cuối năm" in mine and "Self-score: 92/100" in mine
    assert "The cell's proposal: Excellently completed duties" in mine
    reader = login("dangvien9")
    minutes = reader.get(f"/meetings/{meeting_id}/minutes").get_data(as_text=True)
    assert "Kết quả đánh giá, xếp loại chất lượng" in minutes
    assert "Kiểm điểm, đánh giá, xếp loại chất lượng năm" in minutes
    assert "Chi bộ tự đánh giá, xếp loại: <strong>Hoàn thành tốt nhiệm vụ</strong>" in minutes
    csv_text = reader.get(f"/meetings/{meeting_id}/review/results.csv").data.decode("utf-8-sig")
    lines = csv_text.splitlines()
    assert lines[0].startswith("STT,Họ và tên,Tự chấm điểm")
    with app.app_context():
        name2 = user("dangvien2").full_name
    [line2] = [line for line in lines if name2 in line]
    assert line2.split(",")[2:] == [
        "92",
        "Hoàn thành xuất sắc nhiệm vụ",
        "Hoàn thành xuất sắc nhiệm vụ",
        "6",
        "1",
        "0",
        str(base),
    ]
    assert lines[-1].split(",")[1:5] == ["Chi bộ Khu phố 1", "", "", "Hoàn thành tốt nhiệm vụ"]
    response = reader.get(f"/meetings/{meeting_id}/review/results.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.data, capture_output=True, check=True
    ).stdout.decode()
    text = " ".join(text.split())  # table cells wrap
    assert "DANH SÁCH" in text and "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert name2 in text and "T/M CHI BỘ" in text


def test_grade_vote_refusals(app):
    with app.app_context():
        meeting_id = schedule_review()
        assert (
            refused(
                "bithu", meeting_id, "review_grade_vote", {"subject_user_id": None, "grade": "good"}
            ).code
            == "conflict"
        )
        run("bithu", meeting_id, "start_meeting", {"confirm_early": True})
        run(
            "bithu",
            meeting_id,
            "mark_attendance",
            {"user_id": user("dangvien2").id, "status": "present"},
        )
        hosted = user("tamthoi1").id
        assert (
            refused(
                "bithu",
                meeting_id,
                "review_grade_vote",
                {"subject_user_id": hosted, "grade": "good"},
            ).code
            == "invalid"
        )
        assert (
            refused(
                "bithu", meeting_id, "review_grade_vote", {"subject_user_id": None, "grade": "best"}
            ).code
            == "invalid"
        )
        assert (
            refused(
                "dangvien2",
                meeting_id,
                "review_grade_vote",
                {"subject_user_id": None, "grade": "good"},
            ).code
            == "forbidden"
        )


REPORT = {
    "results": "Hoàn thành các chỉ tiêu năm.\nVận động quỹ khuyến học vượt kế hoạch.",
    "building": "Sinh hoạt đủ 12 kỳ; kiểm tra 2 đảng viên.",
    "remedies": "Đã khắc phục việc chậm gửi tài liệu.",
    # decomposed on purpose (a combining hook above): stored NFC
    "shortcomings": unicodedata.normalize("NFD", "Còn nhiệm vụ quá hạn; năm tới nhắc việc."),
}


def test_the_cells_own_report_drafted_before_and_printed_after(app, login):
    with app.app_context():
        meeting_id = schedule_review()
        regular = schedule(
            user("bithu"),
            db.session.scalar(
                select(Organization.id).where(Organization.name == "Chi bộ Khu phố 1")
            ),
            MeetingKind.REGULAR,
            datetime.now(VIETNAM) + timedelta(days=9),
            user("bithu").id,
            user("dangvien1").id,
            ["Nội dung"],
        )
        draft = {"answers": REPORT, "score": 82, "grade": "good"}
        # Refused, nothing stored: a member, a grade outside its band, a section left empty, a
        # meeting that is not a review.
        assert refused("dangvien2", meeting_id, "review_cell_report", draft).code == "forbidden"
        error = refused("bithu", meeting_id, "review_cell_report", draft | {"grade": "excellent"})
        assert error.code == "invalid" and "“Hoàn thành tốt nhiệm vụ”" in error.message
        empty = draft | {"answers": dict(REPORT, remedies=" ")}
        assert refused("bithu", meeting_id, "review_cell_report", empty).code == "invalid"
        partial = draft | {"answers": {k: REPORT[k] for k in ("results", "building")}}
        assert refused("bithu", meeting_id, "review_cell_report", partial).code == "invalid"
        assert refused("bithu", regular, "review_cell_report", draft).code == "conflict"
        assert db.session.get(CellReport, meeting_id) is None
        assert state_for(user("dangvien8"), meeting_id)["review"]["cell_report"] is None

    # The secretary's form goes through the command path; a member may not open it.
    assert login("dangvien2").get(f"/meetings/{meeting_id}/cell-report").status_code == 403
    secretary = login("bithu")
    assert b"cr-form" in secretary.get(f"/meetings/{meeting_id}/cell-report").data
    form = {f"answer_{k}": v for k, v in REPORT.items()} | {
        "score": "82",
        "grade": "good",
        "cid": "cell-report-form-1",
    }
    response = secretary.post(f"/meetings/{meeting_id}/cell-report", data=form)
    assert response.status_code == 302
    page = secretary.get(f"/meetings/{meeting_id}/cell-report").get_data(as_text=True)
    assert "Last saved by" in page and "Vận động quỹ khuyến học" in page
    with app.app_context():
        log = db.session.scalar(
            select(CommandLog).where(CommandLog.client_id == "cell-report-form-1")
        )
        assert log.name == "review_cell_report" and log.meeting_id == meeting_id
        stored = db.session.get(CellReport, meeting_id)
        assert stored.answers["shortcomings"] == unicodedata.normalize(
            "NFC", REPORT["shortcomings"]
        )
        # Members read it before the meeting (a meeting document), with who drafted it.
        report = state_for(user("dangvien8"), meeting_id)["review"]["cell_report"]
        assert (report["score"], report["grade"]) == (82, "good")
        assert report["by"] == user("bithu").full_name
        assert report["answers"]["results"] == REPORT["results"]

        # In the meeting: amended as the meeting decides; the cell taken up shows it.
        run("bithu", meeting_id, "start_meeting", {"confirm_early": True})
        for name in PRESENT:
            run(
                "bithu",
                meeting_id,
                "mark_attendance",
                {"user_id": user(name).id, "status": "present"},
            )
        amended = dict(REPORT, remedies="Đã khắc phục; bổ sung theo ý kiến cuộc họp.")
        run("phobithu", meeting_id, "review_cell_report", draft | {"answers": amended})
        run("bithu", meeting_id, "review_take_up", {"subject_user_id": None})
        focus = state_for(user("dangvien8"), meeting_id)["review"]["focus"]
        assert focus["subject_user_id"] is None
        assert focus["assessment"]["answers"]["remedies"].endswith("ý kiến cuộc họp.")
        assert state_for(user("dangvien8"), meeting_id)["review"]["cell_report"]["by"] == (
            user("phobithu").full_name
        )
        vote_on(meeting_id, None, "good", PRESENT)
        run("bithu", meeting_id, "end_meeting")
        closed = refused("bithu", meeting_id, "review_cell_report", draft)
        assert closed.code == "conflict" and "đã kết thúc" in closed.message
        cell_name = db.session.get(Meeting, meeting_id).cell.name

    # The minutes and the exports print it (in Vietnamese, the documents' language).
    reader = login("dangvien9")
    minutes = reader.get(f"/meetings/{meeting_id}/minutes").get_data(as_text=True)
    assert "Báo cáo tự kiểm điểm của chi bộ" in minutes
    assert "1. Kết quả lãnh đạo thực hiện nhiệm vụ chính trị trong năm" in minutes
    assert "Vận động quỹ khuyến học vượt kế hoạch." in minutes
    assert "bổ sung theo ý kiến cuộc họp" in minutes
    assert "Chi bộ tự chấm <strong>82</strong> điểm" in minutes
    csv_text = reader.get(f"/meetings/{meeting_id}/review/results.csv").data.decode("utf-8-sig")
    assert csv_text.splitlines()[-1].split(",")[1:5] == [
        cell_name,
        "82",
        "Hoàn thành tốt nhiệm vụ",
        "Hoàn thành tốt nhiệm vụ",
    ]
    response = reader.get(f"/meetings/{meeting_id}/review/results.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.data, capture_output=True, check=True
    ).stdout.decode()
    flat = " ".join(text.split())
    assert "Báo cáo tự kiểm điểm của chi bộ" in flat
    assert "4. Hạn chế, khuyết điểm và nguyên nhân; phương hướng, biện pháp khắc phục" in flat
    assert "Còn nhiệm vụ quá hạn; năm tới nhắc việc." in flat
    assert "Chi bộ tự chấm 82 điểm, tự xếp loại: Hoàn thành tốt nhiệm vụ." in flat
    # The writer's line break is kept: the second sentence of "results" starts its own line.
    assert any(line.strip().startswith("Vận động quỹ khuyến học") for line in text.splitlines())
    save_pages(response.data, "review_results_cell_report")


def test_the_member_left_out_hears_why_when_their_grade_vote_opens(app, monkeypatch):
    """The page shows the server's reason: the member concerned is told `own_grade` at once
    (a private `my_vote` entry), not left to work it out."""
    from core import broadcast

    told: list[tuple[int, str, dict]] = []
    monkeypatch.setattr(
        broadcast, "to_user", lambda uid, event, data: told.append((uid, event, data))
    )
    with app.app_context():
        meeting_id = schedule_review()
        submit("dangvien2", 80, "good", meeting_id)
        run("bithu", meeting_id, "start_meeting", {"confirm_early": True})
        for name in PRESENT:
            present = {"user_id": user(name).id, "status": "present"}
            run("bithu", meeting_id, "mark_attendance", present)
        subject = user("dangvien2").id
        run("bithu", meeting_id, "review_take_up", {"subject_user_id": subject})
        grade = {"subject_user_id": subject, "grade": "good", "method": "show_of_hands"}
        vote_id = run("bithu", meeting_id, "review_grade_vote", grade)["result"]["vote_id"]
    left_out = {"eligible": False, "voted": False, "why_not": "own_grade"}
    entry = {"meeting_id": meeting_id, "vote_id": vote_id} | left_out
    assert [(uid, data) for uid, event, data in told if event == "my_vote"] == [(subject, entry)]
