"""Database questions for the leader's home and the dashboard. The criteria are in `quality`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from auth.models import User
from core.extensions import db
from core.timeutil import VIETNAM
from meetings import roster
from meetings.documents.models import MeetingDocument
from meetings.minutes.models import MinutesVersion, VersionState
from meetings.models import AgendaItem, Meeting, MeetingStatus, ObserverVisit
from meetings.permissions import can_in_cell
from org.models import Membership, Organization, OrgKind
from org.queries import descendants, oversights
from oversight.models import Assignment
from oversight.quality import MeetingRecord, Period


# ---- the tree -------------------------------------------------------------------------------
def led_committees(user: User) -> list[Organization]:
    """Committees the user leads (oversees); for an administrator, the roots of the tree."""
    if user.is_admin:
        return list(
            db.session.scalars(
                select(Organization)
                .where(Organization.parent_id.is_(None))
                .order_by(Organization.name)
            ).all()
        )
    return [o.organization for o in oversights(user)]


@dataclass
class Node:
    org: Organization
    children: list[Node]


def tree(roots: list[Organization]) -> list[Node]:
    """The committee tree below (and including) the given organisations."""
    below = descendants([r.id for r in roots])
    by_parent: dict[int, list[Organization]] = defaultdict(list)
    for org in below:
        by_parent[org.parent_id].append(org)

    def build(org: Organization) -> Node:
        kids = sorted(by_parent.get(org.id, []), key=lambda o: (o.kind == OrgKind.CELL, o.name))
        return Node(org, [build(k) for k in kids])

    return [build(r) for r in roots]


def cells_under(org: Organization) -> list[Organization]:
    if org.is_cell:
        return [org]
    return sorted(
        (o for o in descendants([org.id]) if o.kind == OrgKind.CELL), key=lambda o: o.name
    )


def can_view_quality(user: User, org: Organization) -> bool:
    """Leaders see every unit below their committee; a cell's secretary or deputy sees the cell."""
    if user.is_admin:
        return True
    if org.is_cell:
        return can_in_cell(user, "view_quality", org)
    led = {o.organization_id for o in oversights(user)}
    return any(a.id in led for a in [org, *org.ancestors()])


def quality_units(user: User) -> list[Organization]:
    """Every unit whose dashboard the user may open: led committees and all below, own cells."""
    roots = led_committees(user)
    units = list(roots) + descendants([r.id for r in roots])
    seen = {u.id for u in units}
    for membership in db.session.scalars(select(Membership).where(Membership.user_id == user.id)):
        if membership.leads_cell and membership.cell_id not in seen:
            units.append(membership.cell)
            seen.add(membership.cell_id)
    return units


# ---- meetings for the home page -------------------------------------------------------------
@dataclass
class LiveMeeting:
    meeting: Meeting
    present: int
    members: int
    current_item: str | None


def live_meetings(cell_ids: list[int]) -> list[LiveMeeting]:
    """Meetings in progress in these cells, with present/members and the item under discussion."""
    if not cell_ids:
        return []
    meetings = db.session.scalars(
        select(Meeting)
        .where(Meeting.cell_id.in_(cell_ids), Meeting.status == MeetingStatus.LIVE)
        .order_by(Meeting.started_at)
    ).all()
    result = []
    for meeting in meetings:
        figures = roster.figures(meeting, roster.member_facts(meeting, with_users=False))
        item = (
            db.session.get(AgendaItem, meeting.current_item_id) if meeting.current_item_id else None
        )
        result.append(
            LiveMeeting(
                meeting, figures.present_total, figures.members_total, item.title if item else None
            )
        )
    return result


def scheduled_meetings(cell_ids: list[int], days: int = 60) -> list[Meeting]:
    """Scheduled meetings from the start of today (Vietnam time) for the next `days` days."""
    if not cell_ids:
        return []
    today = datetime.now(VIETNAM).replace(hour=0, minute=0, second=0, microsecond=0)
    return list(
        db.session.scalars(
            select(Meeting)
            .where(
                Meeting.cell_id.in_(cell_ids),
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.scheduled_at >= today,
                Meeting.scheduled_at < today + timedelta(days=days),
            )
            .order_by(Meeting.scheduled_at)
        ).all()
    )


def next_meeting_by_cell(cell_ids: list[int]) -> dict[int, Meeting]:
    found: dict[int, Meeting] = {}
    for meeting in scheduled_meetings(cell_ids, days=366):
        found.setdefault(meeting.cell_id, meeting)
    return found


# ---- records for the criteria ---------------------------------------------------------------
def _sealed_meeting_ids(meeting_ids: list[int]) -> set[int]:
    if not meeting_ids:
        return set()
    return set(
        db.session.scalars(
            select(MinutesVersion.meeting_id).where(
                MinutesVersion.meeting_id.in_(meeting_ids),
                MinutesVersion.state == VersionState.SEALED,
            )
        ).all()
    )


def records(cell_ids: list[int], periods: list[Period]) -> dict[int, list[MeetingRecord]]:
    """Each cell's held meetings from 12 months before the first period to the last one's end."""
    result: dict[int, list[MeetingRecord]] = {cid: [] for cid in cell_ids}
    if not cell_ids or not periods:
        return result
    first = min(p.start for p in periods)
    last = max(p.end for p in periods)
    since = datetime(first.year, first.month, 1, tzinfo=VIETNAM) - timedelta(days=366)
    until = datetime(last.year, last.month, 1, tzinfo=VIETNAM)
    meetings = db.session.scalars(
        select(Meeting).where(
            Meeting.cell_id.in_(cell_ids),
            Meeting.status == MeetingStatus.ENDED,
            Meeting.started_at >= since,
            Meeting.started_at < until,
        )
    ).all()
    ids = [m.id for m in meetings]
    docs: dict[int, list[datetime]] = defaultdict(list)
    if ids:
        for meeting_id, released in db.session.execute(
            select(MeetingDocument.meeting_id, MeetingDocument.released_at).where(
                MeetingDocument.meeting_id.in_(ids), MeetingDocument.released_at.is_not(None)
            )
        ):
            docs[meeting_id].append(released)
    held_with = roster.member_facts_as_held(meetings)
    sealed = _sealed_meeting_ids(ids)
    for meeting in meetings:
        facts = [(m.user_id, m.facts) for m in held_with[meeting.id]]
        result[meeting.cell_id].append(
            MeetingRecord(
                id=meeting.id,
                cell_id=meeting.cell_id,
                kind=meeting.kind,
                started_at=meeting.started_at,
                ended_at=meeting.ended_at,
                attendance=tuple(facts),
                documents_released_at=tuple(docs.get(meeting.id, ())),
                minutes_signed=meeting.id in sealed,
            )
        )
    return result


# ---- assignments ----------------------------------------------------------------------------
def assignments_for_cells(cell_ids: list[int]) -> list[Assignment]:
    if not cell_ids:
        return []
    return list(
        db.session.scalars(select(Assignment).where(Assignment.cell_id.in_(cell_ids))).all()
    )


def assignments_of(user: User) -> list[Assignment]:
    return list(db.session.scalars(select(Assignment).where(Assignment.leader_id == user.id)).all())


def visits(leader_ids: list[int], cell_ids: list[int]) -> list[tuple[int, int, int, datetime]]:
    """(leader, cell, meeting, first joined) for every meeting the leaders joined in these cells."""
    if not leader_ids or not cell_ids:
        return []
    rows = db.session.execute(
        select(ObserverVisit.user_id, Meeting.cell_id, Meeting.id, ObserverVisit.first_joined_at)
        .join(Meeting, Meeting.id == ObserverVisit.meeting_id)
        .where(ObserverVisit.user_id.in_(leader_ids), Meeting.cell_id.in_(cell_ids))
    ).all()
    return [tuple(r) for r in rows]
