"""Memberships of a cell: add, edit, remove, list.

Each writing function validates and writes into the session, or raises
:class:`org.errors.AdminError`; the command path (`admin.commands`) commits, logs, and only then
closes the member's sockets, so a client that reconnects sees the new state.

Rules enforced here (and why):
* At most one secretary per cell (bí thư); posts only for official, non-hosted members.
* A user's *home* is at most one non-hosted membership; any other membership is a hosting
  (sinh hoạt tạm thời), as a member attends one cell and is hosted by others temporarily.
* A membership that is hosted cannot also be transferred out of the host.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from auth.models import User
from core.extensions import db
from core.vietnamese import name_sort_key
from org import csv_import
from org.errors import AdminError
from org.models import CellRole, Membership, Organization


@dataclass(frozen=True)
class MemberFlags:
    party_status: str = "official"
    cell_role: str = CellRole.MEMBER
    exempted: bool = False
    hosted: bool = False
    transferred_out: bool = False
    suspended: bool = False


def _check_membership(cell: Organization, user: User, flags: MemberFlags, current_id=None):
    """Raise AdminError when ``flags`` break a rule for ``user`` in ``cell`` (see module doc)."""
    if not cell.is_cell:
        raise AdminError("not_a_cell")
    if flags.party_status not in csv_import.PARTY_STATUSES:
        raise AdminError("bad_party_status", "party_status")
    if flags.cell_role not in csv_import.CELL_ROLES:
        raise AdminError("bad_cell_role", "cell_role")
    if flags.hosted and flags.transferred_out:
        raise AdminError("hosted_and_transferred", "transferred_out")
    code = csv_import.role_problem(flags.party_status, flags.cell_role, flags.hosted)
    if code:
        raise AdminError(code, "cell_role")
    others = db.session.scalars(
        select(Membership).where(Membership.user_id == user.id, Membership.id != current_id)
    ).all()
    if any(m.cell_id == cell.id for m in others):
        raise AdminError("already_member", "username")
    home = next((m for m in others if not m.is_hosted), None)
    if not flags.hosted and home is not None:
        raise AdminError("home_elsewhere", "hosted", cell=home.cell.name)
    if flags.cell_role == CellRole.SECRETARY:
        secretary = db.session.scalar(
            select(Membership).where(
                Membership.cell_id == cell.id,
                Membership.cell_role == CellRole.SECRETARY,
                Membership.id != current_id,
            )
        )
        if secretary is not None:
            raise AdminError("secretary_exists", "cell_role", name=secretary.user.full_name)


def apply_flags(membership: Membership, flags: MemberFlags) -> None:
    """Copy the flags onto a membership (checked by the caller)."""
    membership.party_status = flags.party_status
    membership.cell_role = flags.cell_role
    membership.is_exempted = flags.exempted
    membership.is_hosted = flags.hosted
    membership.is_transferred_out = flags.transferred_out
    membership.is_suspended = flags.suspended


def add_membership(cell: Organization, user: User, flags: MemberFlags) -> Membership:
    _check_membership(cell, user, flags)
    membership = Membership(user=user, cell=cell)
    apply_flags(membership, flags)
    db.session.add(membership)
    db.session.flush()
    return membership


def update_membership(membership: Membership, flags: MemberFlags) -> None:
    _check_membership(membership.cell, membership.user, flags, current_id=membership.id)
    apply_flags(membership, flags)


def remove_membership(membership: Membership) -> None:
    db.session.delete(membership)


def cell_members(cell: Organization) -> list[Membership]:
    return sorted(cell.memberships, key=lambda m: name_sort_key(m.user.full_name))
