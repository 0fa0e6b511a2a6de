"""Shared test helpers: find demo objects, run commands, read events (CTFd's gen_* idea)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select

from auth.models import User
from core.extensions import db
from meetings.models import Meeting, MeetingStatus
from org.models import Organization


def cid() -> str:
    return secrets.token_hex(8)


@dataclass
class Demo:
    users: dict[str, User]
    kp1: Organization
    kp2: Organization

    @classmethod
    def load(cls) -> Demo:
        users = {u.username: u for u in db.session.scalars(select(User)).all()}
        cells = {o.name: o for o in db.session.scalars(select(Organization)).all()}
        for cell in cells.values():
            _ = cell.parent  # loaded now: readable after the context closes
        return cls(users, cells["Chi bộ Khu phố 1"], cells["Chi bộ Khu phố 2"])

    def meeting(self, cell: Organization, status: str = MeetingStatus.SCHEDULED) -> Meeting:
        return db.session.scalars(
            select(Meeting)
            .where(Meeting.cell_id == cell.id, Meeting.status == status)
            .order_by(Meeting.scheduled_at)
        ).first()


def upcoming_meeting_id(cell_name: str = "Chi bộ Khu phố 1") -> int:
    cell = db.session.scalar(select(Organization).where(Organization.name == cell_name))
    return db.session.scalars(
        select(Meeting.id)
        .where(Meeting.cell_id == cell.id, Meeting.status == MeetingStatus.SCHEDULED)
        .order_by(Meeting.scheduled_at)  # today's (the demo also has one next week)
    ).first()


def command(client, meeting_id: int, name: str, payload: dict | None = None, command_id=None):
    """Send a command over a Socket.IO test client and return its ack."""
    return client.emit(
        "command",
        {
            "meeting_id": meeting_id,
            "name": name,
            "cid": command_id or cid(),
            "payload": payload or {},
        },
        callback=True,
    )


def events(client, name: str = "changes") -> list[dict]:
    return [e["args"][0] for e in client.get_received() if e["name"] == name]


def settle_attendance(app, client, meeting_id: int) -> None:
    """The chair's one step before approval: everyone without a status is absent without
    reason (the list the server asks for, read from the server)."""
    from meetings.attendance import unsettled

    with app.app_context():
        waiting = unsettled(db.session.get(Meeting, meeting_id))
    if waiting:
        ack = command(client, meeting_id, "settle_attendance", {"user_ids": waiting})
        assert ack["ok"], ack
        client.get_received()


def schedule(actor, cell_id: int, kind: str, when, chair_id, taker_id, agenda, title="Họp") -> int:
    """Schedule a meeting through the organisation command; `when` is Vietnam time (naive or
    aware), `agenda` a list of titles. Returns the new meeting's id."""
    from core.timeutil import VIETNAM
    from meetings.commands import run_org

    local = when.astimezone(VIETNAM) if when.tzinfo else when
    ack = run_org(
        actor,
        cell_id,
        "schedule_meeting",
        {
            "kind": kind,
            "title": title,
            "scheduled_at": local.strftime("%Y-%m-%dT%H:%M"),
            "chair_id": chair_id,
            "minute_taker_id": taker_id,
            "agenda": [{"title": t, "planned_minutes": 10} for t in agenda],
        },
    )
    return ack["result"]["meeting_id"]
