"""Reminders the day before and shortly before a meeting, sent once.

When a meeting is scheduled or moved, one delayed job per reminder is queued for its time. At
that time the job checks the meeting still starts when it was queued for (a moved meeting queued
new jobs; the old ones find a different time and stop) and claims the key (meeting, kind, time)
in the database: however many copies of the job or processes try, one row wins, one reminder
goes out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from core.extensions import db
from core.timeutil import iso, utcnow
from jobs import enqueue, job
from meetings.models import Meeting, MeetingStatus
from notifications.models import CellReminders, ReminderSent

DAY_BEFORE = timedelta(hours=24)
DEFAULT_MINUTES_BEFORE = 30
MAX_MINUTES_BEFORE = 24 * 60


@dataclass(frozen=True)
class ReminderSettings:
    day_before: bool = True
    minutes_before: int = DEFAULT_MINUTES_BEFORE  # 0: off


def plan(scheduled_at: datetime, settings: ReminderSettings, now: datetime):
    """The reminders still to come: [(kind, due_at)], earliest first. A reminder whose time has
    passed when the meeting is (re)scheduled is not sent late."""
    wanted = []
    if settings.day_before:
        wanted.append(("remind_day", scheduled_at - DAY_BEFORE))
    if settings.minutes_before > 0:
        wanted.append(("remind_soon", scheduled_at - timedelta(minutes=settings.minutes_before)))
    return sorted(((kind, due) for kind, due in wanted if due > now), key=lambda kd: kd[1])


def settings_for(cell_id: int) -> ReminderSettings:
    row = db.session.get(CellReminders, cell_id)
    if row is None:
        return ReminderSettings()
    return ReminderSettings(day_before=row.day_before, minutes_before=row.minutes_before)


def save_settings(cell_id: int, settings: ReminderSettings) -> None:
    row = db.session.get(CellReminders, cell_id) or CellReminders(cell_id=cell_id)
    row.day_before, row.minutes_before = settings.day_before, settings.minutes_before
    db.session.add(row)  # the `set_reminders` command commits


def queue_reminders(meeting: Meeting) -> list[tuple[str, datetime]]:
    planned = plan(meeting.scheduled_at, settings_for(meeting.cell_id), utcnow())
    for kind, due in planned:
        enqueue("send_reminder", meeting.id, kind, iso(meeting.scheduled_at), eta=due)
    return planned


def _still_wanted(meeting: Meeting | None, kind: str, scheduled: str) -> bool:
    if meeting is None or meeting.status != MeetingStatus.SCHEDULED:
        return False  # started, ended or cancelled meanwhile
    if iso(meeting.scheduled_at) != scheduled:
        return False  # moved: the jobs for the new time will remind
    settings = settings_for(meeting.cell_id)
    return settings.day_before if kind == "remind_day" else settings.minutes_before > 0


def claim(meeting_id: int, kind: str, scheduled_at: datetime) -> bool:
    """True for the one caller that records this reminder first."""
    db.session.add(ReminderSent(meeting_id=meeting_id, kind=kind, scheduled_at=scheduled_at))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


@job("send_reminder")
def send_reminder(meeting_id: int, kind: str, scheduled: str, task=None) -> int:
    from notifications.service import notify, recipients

    meeting = db.session.get(Meeting, meeting_id)
    if not _still_wanted(meeting, kind, scheduled):
        return 0
    if not claim(meeting.id, kind, meeting.scheduled_at):
        return 0
    minutes = settings_for(meeting.cell_id).minutes_before
    return notify(meeting, kind, recipients(meeting), {"minutes": minutes})
