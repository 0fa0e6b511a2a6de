"""Oversight: a leader of a committee observes every cell below it (add, list, remove).

Each function validates, writes in one transaction and commits, or raises
:class:`org.errors.AdminError` leaving the database unchanged. Sockets are closed only after the
commit, so a client that reconnects sees the new state.
"""

from __future__ import annotations

from sqlalchemy import select

from auth.models import User
from auth.sessions import disconnect_sockets
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
    db.session.commit()
    return oversight


def all_oversights() -> list[Oversight]:
    rows = db.session.scalars(select(Oversight)).all()
    return sorted(rows, key=lambda o: (vi_collation_key(o.organization.name), o.user.sort_key))


def remove_oversight(oversight: Oversight) -> None:
    user_id = oversight.user_id
    db.session.delete(oversight)
    db.session.commit()
    disconnect_sockets(user_id)
