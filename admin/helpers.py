"""Shared by the admin views: lookups that answer 404, and showing a refused change."""

from __future__ import annotations

from flask import abort, flash

from admin.messages import message
from core.extensions import db
from meetings.errors import CommandError
from org.errors import AdminError
from org.models import Organization

# What a command run by an admin view may refuse with: a rule of `org` (a code to translate),
# or the command path itself (a payload it cannot take).
REFUSED = (AdminError, CommandError)


def refuse(form, exc: AdminError | CommandError) -> None:
    """Show a refused change next to its field when the form has it, else as a flash."""
    if isinstance(exc, CommandError):
        flash(str(exc.message), "error")
        return
    text = message(exc.code, exc.params)
    field = getattr(form, exc.field, None) if exc.field and form is not None else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, text]
    else:
        flash(text, "error")


def org_or_404(org_id: int) -> Organization:
    org = db.session.get(Organization, org_id)
    if org is None:
        abort(404)
    return org


def cell_or_404(cell_id: int) -> Organization:
    cell = org_or_404(cell_id)
    if not cell.is_cell:
        abort(404)
    return cell
