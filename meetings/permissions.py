"""Who may do what: one table, asked by name (`can(user, "start", meeting)`).

A user's roles are derived from the database for each question, never taken from the page.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from auth.models import User
from core.extensions import db
from meetings.models import CountingTeamMember
from org.models import CellRole, Membership, Organization, Oversight

LEADS = frozenset({"chair", "secretary", "deputy"})

# action -> roles allowed. Roles: member (active member of the cell, any category), official,
# probationary, hosted, exempted, secretary, deputy, chair, minute_taker, counter (of the
# meeting's counting team), observer, admin.
MEETING_PERMISSIONS: dict[str, frozenset[str]] = {
    "view": frozenset({"member", "observer"}),
    "view_audit": LEADS | {"observer"},
    "check_in": frozenset({"member"}),
    "start_meeting": LEADS,
    "end_meeting": LEADS,
    "set_current_item": LEADS,
    "mark_attendance": LEADS,
    "edit_agenda": LEADS,
    "edit_meeting": frozenset({"secretary", "deputy"}),
    "cancel_meeting": frozenset({"secretary", "deputy"}),
    # Invitations: each member answers their own (sẽ dự / xin vắng); the leaders see all answers.
    "reply_invitation": frozenset({"member"}),
    "view_invitations": LEADS,
    # Votes: who may vote at all is decided per vote by the eligible list fixed at opening
    # (present official members, exempted ones when present; never hosted): this row only
    # keeps out those who never vote (probationary members, observers, outsiders).
    "open_vote": LEADS,
    "close_vote": LEADS,
    "cast_vote": frozenset({"official"}),
    # Hybrid meetings: the chair names the counting team (tổ kiểm phiếu); the chair or a counter
    # enters hands counted in the hall; only the team counts paper ballots, each confirming.
    "set_counting_team": LEADS,
    "record_hall": LEADS | {"counter"},
    "count_paper": frozenset({"counter"}),
    "manage_guests": LEADS,
    # The list of speakers: members and upper-level delegates ask for the floor; the chair runs it.
    "raise_hand": frozenset({"member", "observer"}),
    "lower_hand": frozenset({"member", "observer"}),
    "give_floor": LEADS,
    "end_speech": LEADS,
    "reorder_speakers": LEADS,
    "set_speaking_limit": LEADS,
    # Meeting documents: the cell's leaders attach and release; members and delegates download.
    "upload_documents": frozenset({"secretary", "deputy"}),
    "release_documents": frozenset({"secretary", "deputy"}),
    "download_documents": frozenset({"member", "observer"}),
    # Minutes: the chair and the minute-taker write; the chair records the approval; each of them
    # signs as themself; members and upper-level observers read and download.
    "edit_minutes": frozenset({"chair", "minute_taker"}),
    "approve_minutes": frozenset({"chair"}),
    "sign_minutes": frozenset({"chair", "minute_taker"}),
    "view_minutes": frozenset({"member", "observer", "secretary"}),
    # Conclusions and tasks: the chair and the minute-taker record them; in the next regular
    # meeting the owner or the chair marks each (meetings/tasks checks which); between meetings
    # an owner updates their own.
    "record_tasks": frozenset({"chair", "minute_taker"}),
    "review_tasks": frozenset({"member"}),
    "update_own_task": frozenset({"member"}),
    # The year-end review: each graded member submits their own self-assessment (checked in
    # meetings/review); the chair's side runs the review; grade votes use open_vote. The cell's
    # own written self-assessment is drafted by its leaders (the secretary, usually the chair).
    "self_assess": frozenset({"member"}),
    "run_review": LEADS,
    "draft_cell_report": LEADS,
}

CELL_PERMISSIONS: dict[str, frozenset[str]] = {
    "view_cell": frozenset({"member", "observer"}),
    "schedule_meeting": frozenset({"secretary", "deputy"}),
    # The meeting-quality dashboard: the cell's own leaders, and upper-level leaders above it.
    "view_quality": frozenset({"secretary", "deputy", "observer", "admin"}),
}

# Organisation commands (meetings.commands.org_command): the roles of `organization_roles`.
ORG_PERMISSIONS: dict[str, frozenset[str]] = {
    "schedule_meeting": CELL_PERMISSIONS["schedule_meeting"],
    "set_vote_rules": frozenset({"admin"}),
    # Leaders' attendance assignments: an administrator, or a leader of that very committee.
    "assign_leaders": frozenset({"admin", "leader"}),
    # The administrator's writes to a cell's memberships and to a committee's leaders.
    "manage_members": frozenset({"admin"}),
    "manage_oversight": frozenset({"admin"}),
}

# Site commands (meetings.commands.site_command): not one organisation's, so the roles of
# `site_roles`: accounts, handbook profiles and the committee tree are the administrator's;
# every user changes their own account (password, language, contact, logging out).
SITE_PERMISSIONS: dict[str, frozenset[str]] = {
    "manage_accounts": frozenset({"admin"}),
    "manage_profiles": frozenset({"admin"}),
    "manage_tree": frozenset({"admin"}),
    "own_account": frozenset({"user"}),
}


def membership_of(user: User, cell_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.cell_id == cell_id)
    )


def oversight_of(user: User, cell: Organization) -> Oversight | None:
    """The user's oversight of a committee above this cell, if any (the nearest one)."""
    above = [org.id for org in cell.ancestors()]
    if not above:
        return None
    rows = db.session.scalars(
        select(Oversight).where(Oversight.user_id == user.id, Oversight.organization_id.in_(above))
    ).all()
    by_org = {row.organization_id: row for row in rows}
    return next((by_org[org_id] for org_id in above if org_id in by_org), None)


_LOOK_UP = object()  # "read it from the database" (the caller has not read it already)


def cell_roles(user: User, cell: Organization, membership=_LOOK_UP) -> frozenset[str]:
    """Roles a user holds in a cell, independent of any meeting. `membership`: the user's
    membership of the cell (or None) when the caller read it already (`RoleFacts`)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    roles: set[str] = set()
    if user.is_admin:
        roles.add("admin")
    if membership is _LOOK_UP:
        membership = membership_of(user, cell.id)
    # Members transferred out or suspended do not take part in this cell's activities.
    if membership and not (membership.is_transferred_out or membership.is_suspended):
        roles.update({"member", membership.party_status})
        if membership.is_hosted:
            roles.add("hosted")
        if membership.is_exempted:
            roles.add("exempted")
        if membership.cell_role == CellRole.SECRETARY:
            roles.add("secretary")
        elif membership.cell_role == CellRole.DEPUTY:
            roles.add("deputy")
    elif oversight_of(user, cell) is not None:
        roles.add("observer")
    return frozenset(roles)


def site_roles(user: User) -> frozenset[str]:
    """Roles that belong to no organisation: "user" for anyone logged in (their own account),
    and "admin" for an administrator."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    return frozenset({"user", "admin"}) if user.is_admin else frozenset({"user"})


def organization_roles(user: User, org: Organization) -> frozenset[str]:
    """A cell's roles (`cell_roles`), and "leader" for a leader of that very committee."""
    roles = set(cell_roles(user, org))
    if not org.is_cell and getattr(user, "is_authenticated", False):
        leads = db.session.scalar(
            select(Oversight.id).where(
                Oversight.user_id == user.id, Oversight.organization_id == org.id
            )
        )
        if leads is not None:
            roles.add("leader")
    return frozenset(roles)


class RoleFacts:
    """What `meeting_roles` reads for many users of one meeting, read once: their memberships of
    the cell and the meeting's counting team (a group of ballots, meetings/group_commit.py)."""

    def __init__(self, meeting, user_ids: Iterable[int]) -> None:
        ids = list(user_ids)
        rows = db.session.scalars(
            select(Membership).where(
                Membership.cell_id == meeting.cell_id, Membership.user_id.in_(ids)
            )
        )
        self.memberships = {row.user_id: row for row in rows}
        self.counters = set(
            db.session.scalars(
                select(CountingTeamMember.user_id).where(
                    CountingTeamMember.meeting_id == meeting.id,
                    CountingTeamMember.user_id.in_(ids),
                )
            )
        )


def meeting_roles(user: User, meeting, facts: RoleFacts | None = None) -> frozenset[str]:
    membership = facts.memberships.get(user.id) if facts else _LOOK_UP
    roles = set(cell_roles(user, meeting.cell, membership))
    if "member" in roles:
        if meeting.chair_id == user.id:
            roles.add("chair")
        if meeting.minute_taker_id == user.id:
            roles.add("minute_taker")
        if (
            user.id in facts.counters
            if facts
            else db.session.get(CountingTeamMember, (meeting.id, user.id)) is not None
        ):
            roles.add("counter")
    return frozenset(roles)


def allowed(roles: Iterable[str], action: str, table: dict[str, frozenset[str]]) -> bool:
    return bool(table[action] & frozenset(roles))


def can(user: User, action: str, meeting) -> bool:
    return allowed(meeting_roles(user, meeting), action, MEETING_PERMISSIONS)


def can_in_cell(user: User, action: str, cell: Organization) -> bool:
    return allowed(cell_roles(user, cell), action, CELL_PERMISSIONS)


def capabilities(roles: frozenset[str]) -> dict[str, bool]:
    """What the page may offer; the server still checks every action."""
    return {action: allowed(roles, action, MEETING_PERMISSIONS) for action in MEETING_PERMISSIONS}
