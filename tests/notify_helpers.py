"""Helpers for the notification tests: schedule through the form, read notifications, run jobs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from core.extensions import db
from jobs import jobs
from notifications.models import Notification

FORM_AGENDA = {
    "agenda-0-title": "Phần mở đầu",
    "agenda-0-planned_minutes": "30",
    "agenda-1-title": "Thảo luận",
    "agenda-1-planned_minutes": "60",
}


def meeting_form(
    demo, title: str, when: str, place: str = "Nhà văn hóa khu phố 1", **extra
) -> dict:
    return {
        "kind": "regular",
        "title": title,
        "scheduled_at": when,
        "place": place,
        "online_url": extra.pop("online_url", ""),
        "chair_id": str(demo.users["bithu"].id),
        "minute_taker_id": str(demo.users["dangvien1"].id),
        **FORM_AGENDA,
        **extra,
    }


def schedule(client, demo, title: str, when: str, **extra) -> int:
    response = client.post(
        f"/cells/{demo.kp1.id}/meetings/new", data=meeting_form(demo, title, when, **extra)
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def notifications(app, meeting_id: int, kind: str | None = None) -> list[Notification]:
    with app.app_context():
        query = select(Notification).where(Notification.meeting_id == meeting_id)
        if kind:
            query = query.where(Notification.kind == kind)
        rows = db.session.scalars(query.order_by(Notification.id)).all()
        db.session.expunge_all()
        return list(rows)


def scheduled_jobs(app) -> list:
    """Jobs waiting for their time in huey's in-memory schedule (immediate mode), earliest first."""
    return sorted(jobs(app).huey.scheduled(), key=lambda t: t.eta)


def run_due(app, now: datetime) -> int:
    """Run every scheduled job due by `now` (naive UTC in huey), as huey's scheduler would."""
    huey = jobs(app).huey
    due = huey.read_schedule(now.replace(tzinfo=None))
    for task in due:
        huey.execute(task, now.replace(tzinfo=None))
    return len(due)
