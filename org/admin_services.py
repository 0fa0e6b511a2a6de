"""What an administrator changes: the committee tree, accounts, memberships, oversight, imports.

Each function validates, writes in one transaction and commits, or raises :class:`AdminError`
(a stable code and parameters; the pages translate it) leaving the database unchanged. Sockets
are closed only after the commit, so a client that reconnects sees the new state.

Rules enforced here (and why):
* The tree: province > district > grassroots > cell, a child strictly below its parent's level;
  a cell has a parent committee and no children. Deleting is not offered: meetings and minutes
  refer to organisations and must be kept.
* At most one secretary per cell (bí thư); posts only for official, non-hosted members.
* A user's *home* is at most one non-hosted membership; any other membership is a hosting
  (sinh hoạt tạm thời), as a member attends one cell and is hosted by others temporarily.
* A membership that is hosted cannot also be transferred out of the host.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from auth.models import LANGUAGES, User
from auth.sessions import disconnect_sockets
from core.extensions import db
from core.vietnamese import matches, name_sort_key, nfc, vi_collation_key
from org import csv_import
from org.csv_import import MemberRow, RowError
from org.models import CellRole, Membership, Organization, OrgKind, Oversight

LEVELS = {OrgKind.PROVINCE: 0, OrgKind.DISTRICT: 1, OrgKind.GRASSROOTS: 2, OrgKind.CELL: 3}


class AdminError(Exception):
    """A refused change; nothing was written. ``field`` names the form field at fault, if any."""

    def __init__(self, code: str, field: str | None = None, **params):
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params


# ---- the tree ----


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
    db.session.commit()
    return org


# ---- accounts ----


def find_user(username: str) -> User | None:
    return db.session.scalar(
        select(User).where(User.username == csv_import.clean_username(username))
    )


def search_users(query: str = "") -> list[User]:
    """Users whose name or username matches ``query`` accent-insensitively, by given name."""
    users = db.session.scalars(select(User)).all()
    found = [u for u in users if matches(query, f"{u.full_name} {u.username}")]
    return sorted(found, key=lambda u: (name_sort_key(u.full_name), u.username))


def _password(password: str | None) -> tuple[str, bool]:
    password = (password or "").strip()
    if not password:
        return csv_import.generate_password(), True
    if len(password) < csv_import.MIN_PASSWORD_LENGTH:
        raise AdminError("password_too_short", "password", min=csv_import.MIN_PASSWORD_LENGTH)
    return password, False


def _new_user(username: str, full_name: str, password: str, language: str = "vi") -> User:
    user = User(username=username, full_name=full_name, language=language)
    user.set_password(password)
    db.session.add(user)
    return user


def create_user(
    *,
    username: str,
    full_name: str,
    password: str | None = None,
    language: str = "vi",
    is_admin: bool = False,
) -> tuple[User, str | None]:
    """Create an account; returns it with the generated password (None when one was given)."""
    username = csv_import.clean_username(username)
    if not csv_import.username_ok(username):
        raise AdminError("bad_username", "username")
    if find_user(username) is not None:
        raise AdminError("username_taken", "username")
    full_name = nfc(full_name)
    if not full_name:
        raise AdminError("required", "full_name")
    if language not in LANGUAGES:
        raise AdminError("bad_language", "language")
    secret, generated = _password(password)
    user = _new_user(username, full_name, secret, language)
    user.is_admin = is_admin
    db.session.commit()
    return user, secret if generated else None


def update_user(user: User, *, full_name: str, language: str, is_admin: bool, acting: User) -> None:
    """Edit name, language and the admin flag; an admin cannot remove their own admin flag."""
    full_name = nfc(full_name)
    if not full_name:
        raise AdminError("required", "full_name")
    if language not in LANGUAGES:
        raise AdminError("bad_language", "language")
    if user.id == acting.id and not is_admin:
        raise AdminError("own_admin", "is_admin")
    user.full_name, user.language, user.is_admin = full_name, language, is_admin
    db.session.commit()


def set_active(user: User, active: bool, *, acting: User) -> None:
    """Deactivate (logs the user out everywhere, closes their sockets) or reactivate."""
    if user.id == acting.id and not active:
        raise AdminError("own_account")
    user.is_active_account = active
    if not active:
        user.rotate_session_token()  # reactivation must not revive cookies issued before
    db.session.commit()
    if not active:
        disconnect_sockets(user.id)


def reset_password(user: User, password: str | None = None) -> str | None:
    """Set a new password; returns it when generated. Old sessions die (token rotated)."""
    secret, generated = _password(password)
    user.set_password(secret)
    db.session.commit()
    disconnect_sockets(user.id)
    return secret if generated else None


# ---- memberships ----


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


def _apply(membership: Membership, flags: MemberFlags) -> None:
    membership.party_status = flags.party_status
    membership.cell_role = flags.cell_role
    membership.is_exempted = flags.exempted
    membership.is_hosted = flags.hosted
    membership.is_transferred_out = flags.transferred_out
    membership.is_suspended = flags.suspended


def add_membership(cell: Organization, user: User, flags: MemberFlags) -> Membership:
    _check_membership(cell, user, flags)
    membership = Membership(user=user, cell=cell)
    _apply(membership, flags)
    db.session.add(membership)
    db.session.commit()
    disconnect_sockets(user.id)  # rooms are joined with the roles of the moment: rejoin fresh
    return membership


def update_membership(membership: Membership, flags: MemberFlags) -> None:
    _check_membership(membership.cell, membership.user, flags, current_id=membership.id)
    _apply(membership, flags)
    db.session.commit()
    disconnect_sockets(membership.user_id)


def remove_membership(membership: Membership) -> None:
    """Remove; the user's sockets are closed, a crude but safe way out of the cell's rooms."""
    user_id = membership.user_id
    db.session.delete(membership)
    db.session.commit()
    disconnect_sockets(user_id)


def cell_members(cell: Organization) -> list[Membership]:
    return sorted(cell.memberships, key=lambda m: name_sort_key(m.user.full_name))


# ---- oversight ----


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


# ---- CSV import ----


@dataclass
class ImportedMember:
    line: int
    username: str
    full_name: str
    created: bool
    password: str | None  # generated, shown once; None when given in the file or user existed


@dataclass
class ImportOutcome:
    errors: list[RowError]
    imported: list[ImportedMember]


def _check_rows(cell: Organization, rows: list[MemberRow]) -> list[RowError]:
    """Problems only the database can reveal. Existing users are added, never modified."""
    errors: list[RowError] = []
    usernames = [r.username for r in rows]
    users = {
        u.username: u for u in db.session.scalars(select(User).where(User.username.in_(usernames)))
    }
    user_ids = [u.id for u in users.values()]
    memberships = (
        db.session.scalars(select(Membership).where(Membership.user_id.in_(user_ids))).all()
        if user_ids
        else []
    )
    by_user: dict[int, list[Membership]] = {}
    for m in memberships:
        by_user.setdefault(m.user_id, []).append(m)
    secretary = next((m for m in cell.memberships if m.cell_role == CellRole.SECRETARY), None)
    for row in rows:
        user = users.get(row.username)
        if row.cell_role == CellRole.SECRETARY and secretary is not None:
            errors.append(
                RowError(
                    row.line, "cell_role", "secretary_exists", {"name": secretary.user.full_name}
                )
            )
        if user is None:
            continue
        if nfc(user.full_name).casefold() != row.full_name.casefold():
            errors.append(
                RowError(row.line, "full_name", "name_mismatch", {"name": user.full_name})
            )
        if row.password:
            errors.append(RowError(row.line, "password", "password_for_existing"))
        own = by_user.get(user.id, [])
        if any(m.cell_id == cell.id for m in own):
            errors.append(RowError(row.line, "username", "already_member"))
            continue
        home = next((m for m in own if not m.is_hosted), None)
        if not row.hosted and home is not None:
            errors.append(RowError(row.line, "hosted", "home_elsewhere", {"cell": home.cell.name}))
    return errors


def import_members(cell: Organization, data: bytes) -> ImportOutcome:
    """Check every row of a CSV member list; import all of them in one transaction, or none."""
    if not cell.is_cell:
        raise AdminError("not_a_cell")
    parsed = csv_import.parse_members_csv(data)
    if not parsed.ok:
        return ImportOutcome(parsed.errors, [])
    errors = _check_rows(cell, parsed.rows)
    if errors:
        return ImportOutcome(sorted(errors, key=lambda e: e.line), [])
    imported: list[ImportedMember] = []
    try:
        for row in parsed.rows:
            user = find_user(row.username)
            created = user is None
            generated = None
            if user is None:
                secret, was_generated = _password(row.password)
                user = _new_user(row.username, row.full_name, secret)
                generated = secret if was_generated else None
            membership = Membership(user=user, cell=cell)
            _apply(
                membership,
                MemberFlags(
                    party_status=row.party_status,
                    cell_role=row.cell_role,
                    exempted=row.exempted,
                    hosted=row.hosted,
                    transferred_out=row.transferred,
                ),
            )
            db.session.add(membership)
            imported.append(
                ImportedMember(row.line, row.username, row.full_name, created, generated)
            )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return ImportOutcome([], imported)
