"""The committee tree: province > district > grassroots > cell, read and edited by an admin.

`save_organization` validates and writes into the session, or raises
:class:`org.errors.AdminError`; the administrator's commands (`admin.commands`) call it, log and
commit once.

A child sits strictly below its parent's level; a cell has a parent committee and no children.
Deleting is not offered: meetings and minutes refer to organisations and must be kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from core.extensions import db
from core.vietnamese import nfc, vi_collation_key
from org.errors import AdminError
from org.models import Membership, Organization, OrgKind

LEVELS = {OrgKind.PROVINCE: 0, OrgKind.DISTRICT: 1, OrgKind.GRASSROOTS: 2, OrgKind.CELL: 3}


@dataclass
class TreeNode:
    org: Organization
    children: list[TreeNode]
    member_count: int


def org_tree() -> list[TreeNode]:
    """Every organisation as a forest, children sorted by name, with member counts of cells."""
    orgs = db.session.scalars(select(Organization)).all()
    counts = dict(
        db.session.execute(
            select(Membership.cell_id, func.count(Membership.id)).group_by(Membership.cell_id)
        ).all()
    )
    nodes = {o.id: TreeNode(o, [], counts.get(o.id, 0)) for o in orgs}
    roots: list[TreeNode] = []
    for org in orgs:
        parent = nodes.get(org.parent_id) if org.parent_id else None
        (parent.children if parent else roots).append(nodes[org.id])
    for node in nodes.values():
        node.children.sort(key=lambda n: vi_collation_key(n.org.name))
    return sorted(roots, key=lambda n: vi_collation_key(n.org.name))


def committees() -> list[Organization]:
    """Organisations that can have children or be overseen (every kind but cell), tree order."""
    out: list[Organization] = []

    def walk(nodes: list[TreeNode], depth: int) -> None:
        for node in nodes:
            if not node.org.is_cell:
                out.append(node.org)
                walk(node.children, depth + 1)

    walk(org_tree(), 0)
    return out


def _check_placement(org: Organization | None, kind: str, parent: Organization | None) -> None:
    if kind not in LEVELS:
        raise AdminError("bad_kind", "kind")
    if parent is None:
        if kind == OrgKind.CELL:
            raise AdminError("cell_needs_parent", "parent_id")
    else:
        if parent.is_cell:
            raise AdminError("parent_is_cell", "parent_id")
        if LEVELS[OrgKind(parent.kind)] >= LEVELS[OrgKind(kind)]:
            raise AdminError("parent_level", "parent_id")
        if org is not None and (parent.id == org.id or org in parent.ancestors()):
            raise AdminError("parent_cycle", "parent_id")
    if org is None:
        return
    for child in org.children:
        if kind == OrgKind.CELL or LEVELS[OrgKind(child.kind)] <= LEVELS[OrgKind(kind)]:
            raise AdminError("kind_has_children", "kind")
    if org.is_cell and kind != OrgKind.CELL and org.memberships:
        raise AdminError("cell_has_members", "kind")


def save_organization(
    org: Organization | None,
    *,
    name: str,
    kind: str,
    parent_id: int | None,
    place: str | None = None,
    video_url: str | None = None,
) -> Organization:
    """Create (``org=None``) or edit an organisation; place and video link are kept for cells."""
    name = nfc(name)
    if not name:
        raise AdminError("required", "name")
    parent = db.session.get(Organization, parent_id) if parent_id else None
    if parent_id and parent is None:
        raise AdminError("not_found", "parent_id")
    _check_placement(org, kind, parent)
    if org is None:
        org = Organization()
        db.session.add(org)
    org.name, org.kind, org.parent = name, kind, parent
    is_cell = kind == OrgKind.CELL
    org.place = (nfc(place) or None) if is_cell else None
    org.video_url = ((video_url or "").strip() or None) if is_cell else None
    db.session.flush()  # the command's result names a new organisation
    return org
