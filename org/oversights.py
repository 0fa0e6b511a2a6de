"""Oversight: a leader of a committee observes every cell below it (add, list, remove).

Each writing function validates and writes into the session, or raises
:class:`org.errors.AdminError`; the command path (`admin.commands`) commits, logs, and only then
closes the leader's sockets, so a client that reconnects sees the new state.
"""

from __future__ import annotations

from sqlalchemy import select

from auth.models import User
from core.extensions import db
from core.vietnamese import nfc, vi_collation_key
from org.errors import AdminError
from org.models import Organization, Oversight


def add_oversight(user: User, organization: Organization, office: str) -> Oversight:
    """Make ``user`` an observer of every cell below ``organization`` (a committee)."""
    office = nfc(office)
    if not office:
        raise AdminError("required", "office")
    if organization.is_cell:
        raise AdminError("oversight_of_cell", "organization_id")
    exists = db.session.scalar(
        select(Oversight).where(
            Oversight.user_id == user.id, Oversight.organization_id == organization.id
        )
    )
    if exists is not None:
        raise AdminError("oversight_exists", "username")
    oversight = Oversight(user=user, organization=organization, office=office)
    db.session.add(oversight)
    db.session.flush()
    return oversight


def all_oversights() -> list[Oversight]:
    rows = db.session.scalars(select(Oversight)).all()
    return sorted(rows, key=lambda o: (vi_collation_key(o.organization.name), o.user.sort_key))


def remove_oversight(oversight: Oversight) -> None:
    db.session.delete(oversight)
