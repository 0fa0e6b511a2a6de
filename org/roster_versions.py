"""Versions of what a meeting's room shows besides the meeting itself: its cell's memberships, and
people's and organisations' names. Commands bump the meeting's own version; these change outside
any meeting (an administrator's edit, a CSV import, a role change), so they are counted here, in the
same transaction as the change, and the room's snapshot cache is keyed on them (read from the
database, so every process sees another's change).

Scopes: `cell:<id>` for a cell's memberships and settings (its vote rules decide the figures'
"can still pass"); `names` for every user's full name and every
organisation (a cell's or its upper committee's name shows in its meetings): renames are rare, so
one counter for all of them is enough.
"""

from __future__ import annotations

from sqlalchemy import String, event, inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from auth.models import User
from core.extensions import db
from org.models import CellSettings, Membership, Organization

NAMES = "names"


class RosterVersion(db.Model):
    __tablename__ = "roster_versions"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)


def cell_scope(cell_id: int) -> str:
    return f"cell:{cell_id}"


def token(cell_id: int) -> str:
    """The roster's version for a cell's meetings, as one opaque string ("<cell>.<names>")."""
    scopes = [cell_scope(cell_id), NAMES]
    found = dict(
        db.session.execute(
            select(RosterVersion.scope, RosterVersion.version).where(
                RosterVersion.scope.in_(scopes)
            )
        ).all()
    )
    return ".".join(str(found.get(scope, 0)) for scope in scopes)


def bump(connection, scopes: set[str]) -> None:
    """Add one to each scope's version (created at 1), in the caller's transaction."""
    if not scopes:
        return
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    table = RosterVersion.__table__
    statement = insert(table).values([{"scope": s, "version": 1} for s in sorted(scopes)])
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.scope], set_={"version": table.c.version + 1}
    )
    connection.execute(statement)


def _changed(obj, names: tuple[str, ...] | None = None) -> bool:
    state = inspect(obj)
    attrs = state.mapper.column_attrs
    keys = names or tuple(attr.key for attr in attrs)
    return any(state.attrs[key].history.has_changes() for key in keys)


def scopes_touched(session: Session) -> set[str]:
    """The scopes a flush changes: any membership row (its cell, and the cell it left), a cell's
    settings, a user's name, any organisation row."""
    scopes: set[str] = set()
    for obj in [*session.new, *session.deleted]:
        if isinstance(obj, (Membership, CellSettings)):
            scopes.add(cell_scope(obj.cell_id))
        elif isinstance(obj, Organization) and obj in session.deleted:
            scopes.add(NAMES)
    for obj in session.dirty:
        if isinstance(obj, Membership) and _changed(obj):
            scopes.add(cell_scope(obj.cell_id))
            for old in inspect(obj).attrs["cell_id"].history.deleted or ():
                scopes.add(cell_scope(old))
        elif isinstance(obj, CellSettings) and _changed(obj):
            scopes.add(cell_scope(obj.cell_id))
        elif isinstance(obj, User) and _changed(obj, ("full_name",)):
            scopes.add(NAMES)
        elif isinstance(obj, Organization) and _changed(obj):
            scopes.add(NAMES)
    return scopes


@event.listens_for(Session, "after_flush")
def _bump_after_flush(session: Session, _context) -> None:
    # after_flush still sees what the flush wrote (new/dirty/deleted and attribute history).
    bump(session.connection(), scopes_touched(session))


@event.listens_for(Session, "do_orm_execute")
def _bump_on_bulk_statement(state) -> None:
    # An UPDATE/DELETE statement on these tables bypasses the flush: which cells it touched is not
    # known, so every meeting's cached roster is dropped (such statements are not used today).
    if (state.is_update or state.is_delete) and state.bind_mapper is not None:
        if state.bind_mapper.class_ in (Membership, CellSettings, User, Organization):
            bump(state.session.connection(), {NAMES})
