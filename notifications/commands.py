"""The notification side's own changes, through the command path: a member marking their
notifications seen (a site command on their own account), and a cell's reminder settings (an
organisation command of the secretary and the deputy)."""

from __future__ import annotations

from pydantic import Field, StrictBool, StrictInt
from sqlalchemy import update

from core.extensions import db
from core.timeutil import utcnow
from meetings.commands import Effect, OrgContext, Payload, SiteContext, org_command, site_command
from meetings.errors import NotFound
from notifications import reminders, service
from notifications.models import Notification


@site_command("mark_notifications_read", permission="own_account")
def mark_notifications_read(ctx: SiteContext, payload: Payload) -> Effect:
    """Seen: the bell goes back to zero on every page of the member (nothing to do when
    nothing was unread: no write, no log row)."""
    user_id = ctx.actor.id
    if service.unread_count(user_id) == 0:
        return Effect.nothing({})
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    bell = {"id": None, "headline": None, "unread": 0}
    return Effect(private=[(user_id, "notification", bell)])


class Reminders(Payload):
    day_before: StrictBool
    minutes_before: StrictInt = Field(ge=0, le=reminders.MAX_MINUTES_BEFORE)


@org_command("set_reminders", permission="schedule_meeting", payload=Reminders)
def set_reminders(ctx: OrgContext, payload: Reminders) -> Effect:
    """When the cell's members are reminded; it applies to meetings scheduled or moved later."""
    if not ctx.organization.is_cell:
        raise NotFound()
    settings = reminders.ReminderSettings(payload.day_before, payload.minutes_before)
    reminders.save_settings(ctx.organization.id, settings)
    return Effect(audit=payload.model_dump())
