"""The meeting's state as JSON: the whole snapshot, and the sections events carry.

Each section here is what one kind of change re-sends, so a client applying events and a client
fetching a fresh snapshot hold the same state (tested the Zulip way).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from core.extensions import db
from core.timeutil import iso
from core.vietnamese import name_sort_key
from domain.rules import Figures, category, needs_settling
from meetings import roster
from meetings.changes import VIEWER_SECTIONS
from meetings.models import AgendaItem, Meeting, ObserverVisit
from meetings.permissions import capabilities
from meetings.roster import MemberAtMeeting


def meeting_section(meeting: Meeting) -> dict:
    cell = meeting.cell
    upper = cell.parent
    return {
        "id": meeting.id,
        "title": meeting.title,
        "kind": meeting.kind,
        "status": meeting.status,
        "scheduled_at": iso(meeting.scheduled_at),
        "started_at": iso(meeting.started_at),
        "ended_at": iso(meeting.ended_at),
        "place": meeting.place,
        "online_url": meeting.online_url,
        "chair": _person(meeting.chair),
        "minute_taker": _person(meeting.minute_taker),
        "cell": {"id": cell.id, "name": cell.name, "upper": upper.name if upper else None},
    }


def agenda_section(meeting: Meeting) -> dict:
    items = db.session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting.id).order_by(AgendaItem.position)
    ).all()
    return {
        "current_item_id": meeting.current_item_id,
        "items": [
            {
                "id": item.id,
                "position": item.position,
                "title": item.title,
                "planned_minutes": item.planned_minutes,
                "started_at": iso(item.started_at),
                "ended_at": iso(item.ended_at),
            }
            for item in items
        ],
    }


def _person(user) -> dict | None:
    return None if user is None else {"id": user.id, "name": user.full_name}


def roster_row(member: MemberAtMeeting) -> dict:
    attendance = member.attendance
    membership = member.membership
    return {
        "user_id": membership.user_id,
        "name": membership.user.full_name,
        "category": category(member.facts),
        "party_status": membership.party_status,
        "role": membership.cell_role,
        "exempted": membership.is_exempted,
        "hosted": membership.is_hosted,
        # The chair must still settle this member's attendance before approval (rules).
        "to_settle": needs_settling(member.facts),
        "attendance": {
            "status": member.facts.attendance.value,
            "arrived_at": iso(attendance.arrived_at) if attendance else None,
            "reason": attendance.reason if attendance else None,
        },
    }


def roster_and_figures(meeting: Meeting) -> tuple[list[dict], Figures]:
    """Every member of the cell with attendance, sorted by given name, and the live figures."""
    members = roster.by_name(roster.member_facts(meeting))
    return [roster_row(m) for m in members], roster.figures(meeting, members)


def attendance_change(meeting: Meeting, user_ids: set[int]) -> dict:
    """The changed members' rows (roster order) and the figures: only those rows are built, the
    figures need every member's facts but no user (a check-in in a 1,000-member meeting used to
    build the whole roster)."""
    members = roster.member_facts(meeting, with_users=False)
    changed = roster.by_name(m for m in members if m.user_id in user_ids)
    return {
        "type": "attendance",
        "data": {
            "rows": [roster_row(m) for m in changed],
            "figures": roster.figures(meeting, members).as_dict(),
        },
    }


def observers_section(meeting: Meeting) -> list[dict]:
    visits = db.session.scalars(
        select(ObserverVisit).where(ObserverVisit.meeting_id == meeting.id)
    ).all()
    visits = sorted(visits, key=lambda v: name_sort_key(v.user.full_name))
    return [{"user_id": v.user_id, "name": v.user.full_name, "office": v.office} for v in visits]


# Features add their own sections (votes, speakers, minutes...): name -> fn(meeting, viewer, roles).
SECTIONS: dict[str, Callable[[Meeting, object, frozenset[str]], object]] = {}


def section(name: str):
    """Register a snapshot section; the same function should build that section's change events."""

    def register(fn):
        SECTIONS[name] = fn
        return fn

    return register


def shared(meeting: Meeting, roster_version: str) -> dict:
    """What every viewer of the meeting sees alike, with the versions it reflects. Built with no
    viewer at all, so nothing of one viewer can end up in what the cache hands to the next."""
    rows, figures = roster_and_figures(meeting)
    extra = {
        name: fn(meeting, None, frozenset())
        for name, fn in SECTIONS.items()
        if name not in VIEWER_SECTIONS
    }
    return extra | {
        "version": meeting.version,
        "tag": meeting.version_tag,
        "roster_version": roster_version,
        "meeting": meeting_section(meeting),
        "agenda": agenda_section(meeting),
        "roster": rows,
        "figures": figures.as_dict(),
        "observers": observers_section(meeting),
    }


def for_viewer(meeting: Meeting, viewer, roles: frozenset[str], online: list[int]) -> dict:
    """The viewer's own sections (`VIEWER_SECTIONS`): who they are and may do, who is online,
    their own votes. Small, and built for every join."""
    extra = {
        name: fn(meeting, viewer, roles) for name, fn in SECTIONS.items() if name in VIEWER_SECTIONS
    }
    return extra | {
        "online": sorted(online),
        "me": {
            "user_id": viewer.id,
            "name": viewer.full_name,
            "roles": sorted(roles),
            "can": capabilities(roles),
        },
    }
