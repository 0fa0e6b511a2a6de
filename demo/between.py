"""Between meetings in the demo: every member's handbook profile, a thematic meeting next week
with its invitations and a few answers, and unread notifications of it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from auth.models import User
from core.extensions import db
from core.timeutil import VIETNAM, utcnow
from meetings.models import AgendaItem, Meeting, MeetingKind
from notifications.models import Invitation, Notification
from org.models import Membership, Organization, Oversight
from org.profiles import MemberProfile, new_calendar_token

# username -> (answer, reason) for next week's meeting
ANSWERS = {
    "dangvien3": ("attend", None),
    "dangvien4": ("attend", None),
    "dangvien5": ("excused", "Đi công tác tại Hà Nội đến hết tuần"),
    "dubi1": ("attend", None),
}
WITH_EMAIL = ("bithu", "phobithu", "dangvien2")


def _profile(index: int, user: User) -> MemberProfile:
    """Invented but plausible: born 1960-1995, admitted at 25-35, official a year later."""
    born = date(1960 + (index * 7) % 36, 1 + index % 12, 1 + (index * 5) % 28)
    admitted = date(born.year + 25 + index % 10, 1 + (index * 3) % 12, 3 + index % 20)
    return MemberProfile(
        user_id=user.id,
        date_of_birth=born,
        admitted_on=admitted,
        official_on=admitted.replace(year=admitted.year + 1),
        card_number=f"{25010000 + index * 137:08d}",
        phone=f"0912 {300 + index:03d} {100 + index * 7 % 900:03d}",
        email=f"{user.username}@example.org" if user.username in WITH_EMAIL else None,
        calendar_token=new_calendar_token(),
    )


def load_demo_between(kp1: Organization, chair: User, taker: User) -> None:
    members = db.session.scalars(select(Membership).where(Membership.user_id.is_not(None))).all()
    users = {m.user.username: m.user for m in members}
    for index, user in enumerate(sorted(users.values(), key=lambda u: u.username)):
        db.session.add(_profile(index, user))
    day = datetime.now(VIETNAM).date() + timedelta(days=7)
    meeting = Meeting(
        cell=kp1,
        kind=MeetingKind.THEMATIC,
        title="Sinh hoạt chuyên đề: học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        scheduled_at=datetime(day.year, day.month, day.day, 19, 30, tzinfo=VIETNAM),
        place=kp1.place,
        online_url=kp1.video_url,
        chair=chair,
        minute_taker=taker,
        created_by_id=chair.id,
        version=1,
    )
    meeting.agenda = [
        AgendaItem(position=1, title="Quán triệt chuyên đề", planned_minutes=40),
        AgendaItem(position=2, title="Liên hệ thực tế của chi bộ", planned_minutes=50),
    ]
    db.session.add(meeting)
    db.session.flush()
    kp1_members = [m.user for m in members if m.cell_id == kp1.id]
    leaders = [o.user for o in db.session.scalars(select(Oversight))]
    for user in kp1_members:
        answer, reason = ANSWERS.get(user.username, (None, None))
        db.session.add(
            Invitation(
                meeting_id=meeting.id,
                user_id=user.id,
                answer=answer,
                reason=reason,
                replied_at=utcnow() if answer else None,
            )
        )
    for user in kp1_members + leaders:
        if user.id != chair.id:
            db.session.add(Notification(user_id=user.id, kind="invited", meeting_id=meeting.id))
