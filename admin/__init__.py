"""Administration: committees, cells, users, memberships, oversight, CSV import, vote rules.

The blueprint is created here and every view module registers its views on it (microblog's
layout). Every view is behind :func:`require_admin`. Views only translate forms into calls of
the `org` services and their errors into messages; the rules live in the services.

Modules, one job each:
  helpers        lookups that 404 and the display of a refused change, shared by the views
  forms          the admin forms (field-level checks only)
  messages       translated texts for the services' error codes
  routes         the committee tree: list, create, edit organisations
  users          accounts: list, create, edit, deactivate, reset a password
  members        memberships of a cell and the CSV import of a member list
  oversight      leaders who observe the cells below their committee
  vote_rules     a cell's vote thresholds and methods
  profiles       the handbook fields of a member, and their CSV import
"""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user, login_required

bp = Blueprint("admin", __name__)


@bp.before_request
@login_required
def require_admin():
    if not current_user.is_admin:
        abort(403)


@bp.after_request
def no_store(response):
    # Admin pages show member lists and, once, generated passwords: keep them out of caches.
    response.headers["Cache-Control"] = "no-store"
    return response


# The view modules register their views on `bp`; imported last, as they import `bp`.
from admin import members, oversight, profiles, routes, users, vote_rules  # noqa: E402, F401
