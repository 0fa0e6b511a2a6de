"""The demo's year, as a person trying chibo finds it on any day: the next regular meeting of each
demo cell opens with a review of open tasks (one overdue, one in progress with its owner's note,
an older one reviewed "not done"), and Khu phố 1 has a year-end review scheduled with some
self-assessments submitted and the secretary's draft of the cell's report."""

from __future__ import annotations

from sqlalchemy import select

from core.extensions import db
from core.timeutil import vietnam_date, vietnam_today
from demo.review import SUBMITTED, review_day
from meetings.models import Meeting, MeetingKind, MeetingStatus
from meetings.review.sections import review_section
from meetings.tasks.sections import tasks_section


def test_the_next_meeting_of_each_demo_cell_opens_with_a_review(app, demo):
    with app.app_context():
        for cell in (demo.kp1, demo.kp2):
            meeting = db.session.scalars(
                select(Meeting)
                .where(
                    Meeting.cell_id == cell.id,
                    Meeting.status == MeetingStatus.SCHEDULED,
                    Meeting.kind == MeetingKind.REGULAR,
                )
                .order_by(Meeting.scheduled_at)
            ).first()
            section = tasks_section(meeting)
            assert section["reviews"], cell.name
            review = section["review"]
            assert any(t["open"] and t["overdue"] for t in review), cell.name
        kp1 = tasks_section(demo.meeting(demo.kp1))["review"]
        statuses = {t["status"] for t in kp1}
        assert {"open", "in_progress", "not_done"} <= statuses
        [lamp] = [t for t in kp1 if t["status"] == "in_progress"]
        assert lamp["note"] and lamp["updated_by"]  # the owner's report between meetings
        assert any(t["committee"] for t in kp1)


def test_a_year_end_review_is_scheduled_with_submissions_and_the_cells_draft(app, demo):
    with app.app_context():
        [meeting] = db.session.scalars(
            select(Meeting).where(
                Meeting.cell_id == demo.kp1.id, Meeting.kind == MeetingKind.YEAR_REVIEW
            )
        ).all()
        assert meeting.status == MeetingStatus.SCHEDULED
        today = vietnam_today()
        day = vietnam_date(meeting.scheduled_at)
        assert day == review_day(today) and day > today
        if today.month < 12 or today.day <= 13:
            assert (day.year, day.month) == (today.year, 12)  # this December
        section = review_section(meeting)
        submitted = [m for m in section["members"] if m["submitted"]]
        assert len(submitted) == len(SUBMITTED) >= 3
        assert len(submitted) < len(section["members"])  # some still to come
        assert all("self_score" not in m for m in submitted)  # private until taken up
        report = section["cell_report"]
        assert report is not None and report["by"] == demo.users["bithu"].full_name
        assert set(report["answers"]) == set(section["cell_criteria"])
