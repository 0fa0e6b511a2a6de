"""Importing a CSV member list into a cell: every row checked, all imported or none.

Reading the file is `org.csv_import`; this module checks the rows against the database and
writes them into the session. The administrator's `import_members` command (`admin.commands`)
commits the whole list once, or refuses it with `RowsRefused`. Existing users are added to the
cell, never modified.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from auth.models import User
from core.extensions import db
from core.vietnamese import nfc
from org import csv_import
from org.accounts import find_user, new_user, password_or_generated
from org.csv_import import MemberRow, RowError
from org.errors import AdminError
from org.memberships import MemberFlags, apply_flags
from org.models import CellRole, Membership, Organization


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


class RowsRefused(AdminError):
    """The list has problems: nothing is imported; `errors` says what to fix, row by row."""

    def __init__(self, errors: list[RowError]):
        super().__init__("rows_refused", count=len(errors))
        self.errors = errors


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
    """Check every row of a CSV member list; write all of them (uncommitted), or none."""
    if not cell.is_cell:
        raise AdminError("not_a_cell")
    parsed = csv_import.parse_members_csv(data)
    if not parsed.ok:
        return ImportOutcome(parsed.errors, [])
    errors = _check_rows(cell, parsed.rows)
    if errors:
        return ImportOutcome(sorted(errors, key=lambda e: e.line), [])
    imported: list[ImportedMember] = []
    for row in parsed.rows:
        user = find_user(row.username)
        created = user is None
        generated = None
        if user is None:
            secret, was_generated = password_or_generated(row.password)
            user = new_user(row.username, row.full_name, secret)
            generated = secret if was_generated else None
        membership = Membership(user=user, cell=cell)
        apply_flags(
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
        imported.append(ImportedMember(row.line, row.username, row.full_name, created, generated))
    db.session.flush()
    return ImportOutcome([], imported)
