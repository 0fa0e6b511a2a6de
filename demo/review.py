"""The demo's year-end review: scheduled this December for Khu phố 1 (relative to today, like the
rest of the demo), with a few members' self-assessments already submitted and the secretary's
draft of the cell's own report."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from auth.models import User
from core.extensions import db
from core.timeutil import VIETNAM, utcnow, vietnam_today
from meetings.agenda import REVIEW_AGENDA
from meetings.models import AgendaItem, Meeting, MeetingKind
from meetings.review.models import CellReport, SelfAssessment
from org.models import Organization

CELL = "Chi bộ Khu phố 1"
# username -> (self-score, proposed grade, what they wrote about their duties)
SUBMITTED = {
    "phobithu": (86, "good", "Hoàn thành tốt nhiệm vụ Phó Bí thư, phụ trách công tác dân vận."),
    "dangvien2": (91, "excellent", "Vận động 100% hộ tham gia tổng vệ sinh; được phường khen."),
    "dangvien3": (78, "good", "Phối hợp sửa đèn chiếu sáng ngõ 5; còn chậm báo cáo."),
    "dangvien4": (66, "complete", "Tham gia đầy đủ sinh hoạt; chưa hoàn thành việc được giao."),
}

# The secretary's draft of the cell's report: section key (strings.CELL_CRITERIA) -> text.
CELL_REPORT = {
    "results": "Lãnh đạo khu phố hoàn thành các chỉ tiêu năm: 100% hộ tham gia tổng vệ sinh "
    "hằng tháng; sửa xong hệ thống đèn chiếu sáng ngõ 5.\nVận động quỹ khuyến học đạt 120% kế "
    "hoạch.",
    "building": "Duy trì sinh hoạt định kỳ đủ 12 kỳ, 4 kỳ chuyên đề; đảng viên học tập đầy đủ "
    "các nghị quyết. Kiểm tra 2 đảng viên chấp hành Điều lệ, không có vi phạm.",
    "remedies": "Khắc phục được việc chậm gửi tài liệu trước kỳ họp mà năm trước đã chỉ ra.",
    "shortcomings": "Còn nhiệm vụ quá hạn (tổng vệ sinh quý III); tỷ lệ dự họp có tháng chưa "
    "đạt 85%.\nNăm tới: giao việc kèm hạn cụ thể, nhắc việc giữa hai kỳ họp.",
}


def review_day(today: date) -> date:
    """The 15th of this December, or two days from now when that has passed."""
    return max(date(today.year, 12, 15), today + timedelta(days=2))


def load_demo_review() -> None:
    cell = db.session.scalar(select(Organization).where(Organization.name == CELL))
    if cell is None:
        return
    users = {u.username: u for u in db.session.scalars(select(User)).all()}
    day = review_day(vietnam_today())
    meeting = Meeting(
        cell_id=cell.id,
        kind=MeetingKind.YEAR_REVIEW,
        title=f"Kiểm điểm, đánh giá, xếp loại chất lượng năm {day.year}",
        scheduled_at=datetime(day.year, day.month, day.day, 19, 30, tzinfo=VIETNAM),
        place=cell.place,
        chair_id=users["bithu"].id,
        minute_taker_id=users["dangvien1"].id,
        created_by_id=users["bithu"].id,
    )
    db.session.add(meeting)
    db.session.flush()
    for position, (title, minutes) in enumerate(REVIEW_AGENDA):
        db.session.add(
            AgendaItem(
                meeting_id=meeting.id,
                position=position,
                title=str(title),  # the demo speaks Vietnamese
                planned_minutes=minutes,
            )
        )
    db.session.add(
        CellReport(
            meeting_id=meeting.id,
            answers=CELL_REPORT,
            score=82,
            grade="good",
            drafted_at=utcnow(),
            updated_at=utcnow(),
            updated_by_id=users["bithu"].id,
        )
    )
    for username, (score, grade, duties) in SUBMITTED.items():
        db.session.add(
            SelfAssessment(
                meeting_id=meeting.id,
                user_id=users[username].id,
                answers={
                    "politics": "Giữ vững lập trường tư tưởng, chấp hành nghiêm chủ trương của "
                    "Đảng; lối sống giản dị, gần gũi nhân dân.",
                    "duties": duties,
                    "commitment": "Thực hiện đúng bản cam kết tu dưỡng, rèn luyện đầu năm.",
                    "shortcomings": "Có lúc chưa chủ động; năm tới sẽ sắp xếp thời gian hợp lý.",
                },
                score=score,
                grade=grade,
                submitted_at=utcnow(),
                updated_at=utcnow(),
            )
        )
    db.session.flush()
