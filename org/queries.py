"""Questions about the organisation tree."""

from __future__ import annotations

from sqlalchemy import select

from core.extensions import db
from org.models import Membership, Organization, OrgKind, Oversight


def descendants(org_ids: list[int]) -> list[Organization]:
    """Every organisation below the given ones (not including them), breadth first."""
    found: list[Organization] = []
    frontier = list(org_ids)
    seen = set(frontier)
    while frontier:
        children = db.session.scalars(
            select(Organization).where(Organization.parent_id.in_(frontier))
        ).all()
        frontier = [c.id for c in children if c.id not in seen]
        seen.update(frontier)
        found.extend(c for c in children if c.id in frontier)
    return found


def taking_part(cell_id: int) -> list[int]:
    """The users who take part in the cell's activities: its members, less those transferred
    out or suspended (they are invited, notified, and may own its tasks)."""
    return list(
        db.session.scalars(
            select(Membership.user_id).where(
                Membership.cell_id == cell_id,
                Membership.is_transferred_out.is_(False),
                Membership.is_suspended.is_(False),
            )
        ).all()
    )


def member_cells(user) -> list[Membership]:
    """The user's memberships of cells where they take part."""
    rows = db.session.scalars(select(Membership).where(Membership.user_id == user.id)).all()
    return [m for m in rows if not (m.is_transferred_out or m.is_suspended)]


def oversights(user) -> list[Oversight]:
    return list(db.session.scalars(select(Oversight).where(Oversight.user_id == user.id)).all())


def observed_cells(user) -> list[Organization]:
    """Cells below the committees the user oversees."""
    roots = [o.organization_id for o in oversights(user)]
    return [org for org in descendants(roots) if org.kind == OrgKind.CELL] if roots else []
