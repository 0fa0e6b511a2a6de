"""The member's private calendar feed (iCalendar, RFC 5545) and the .ics of one meeting.

The feed is fetched by phone and desktop calendars without a session: the secret token in its
address is the only key, so a wrong or reset token answers 404 and nothing else. Each meeting is
one event with a stable UID; SEQUENCE follows the meeting's version, so a moved meeting replaces
the old event and a cancelled one shows as cancelled (STATUS:CANCELLED).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, abort
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from icalendar import Calendar, Event
from sqlalchemy import select

from auth.models import User
from core.extensions import db
from core.timeutil import utcnow
from domain import labels
from meetings.models import Meeting, MeetingStatus
from meetings.permissions import can
from notifications.texts import room_url
from org.profiles import MemberProfile
from org.queries import member_cells

bp = Blueprint("calendar", __name__)

FEED_PAST_DAYS = 90
DEFAULT_LENGTH = timedelta(hours=2)


def _event(meeting: Meeting) -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@chibo")
    event.add("dtstamp", utcnow())
    event.add("sequence", meeting.version)
    event.add("dtstart", meeting.scheduled_at)
    planned = sum(item.planned_minutes for item in meeting.agenda)
    event.add("dtend", meeting.scheduled_at + (timedelta(minutes=planned) or DEFAULT_LENGTH))
    event.add("summary", meeting.title)
    if meeting.place:
        event.add("location", meeting.place)
    url = room_url(meeting.id)
    event.add("url", url)
    lines = [str(labels.MEETING_KINDS.get(meeting.kind, meeting.kind)), meeting.cell.name]
    if meeting.online_url:
        lines.append(f"{_('Video link')}: {meeting.online_url}")
    lines.append(f"{_('Open the meeting')}: {url}")
    event.add("description", "\n".join(lines))
    cancelled = meeting.status == MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def calendar_of(meetings: list[Meeting], name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//chibo//meetings//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for meeting in meetings:
        cal.add_component(_event(meeting))
    return cal.to_ical()


def feed_meetings(user: User) -> list[Meeting]:
    """Every meeting of the member's cells, from a while back on (never another cell's)."""
    cell_ids = [m.cell_id for m in member_cells(user)]
    if not cell_ids:
        return []
    since = utcnow() - timedelta(days=FEED_PAST_DAYS)
    return list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.cell_id.in_(cell_ids), Meeting.scheduled_at >= since)
            .order_by(Meeting.scheduled_at)
        )
    )


def _ics(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/calendar/<token>.ics")
def feed(token: str):
    if not token or len(token) > 64:
        abort(404)
    profile = db.session.scalar(select(MemberProfile).where(MemberProfile.calendar_token == token))
    if profile is None or not profile.user.is_active_account:
        abort(404)
    with force_locale(profile.user.language):  # read by a calendar app: no session, no cookie
        body = calendar_of(feed_meetings(profile.user), "chibo")
    return _ics(body, "chibo.ics")


@bp.route("/meetings/<int:meeting_id>/calendar.ics")
@login_required
def meeting_ics(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    if not can(current_user, "view", meeting):
        abort(403)
    return _ics(calendar_of([meeting], meeting.title), f"meeting-{meeting.id}.ics")
