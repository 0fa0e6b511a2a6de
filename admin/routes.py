"""Administration: committees, cells, users, memberships, oversight, CSV import.

Every view of the blueprint is behind :func:`require_admin`. Views only translate forms into
calls of org.admin_services and its errors into messages; the rules live in the services.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from admin.forms import KIND_LABELS, OrganizationForm
from admin.messages import message
from core.extensions import db
from core.vietnamese import vi_collation_key
from org import admin_services as svc
from org.admin_services import AdminError
from org.models import Organization

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


def refuse(form, exc: AdminError) -> None:
    """Show a refused change next to its field when the form has it, else as a flash."""
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


@bp.route("/")
def index():
    return render_template("admin/index.html", tree=svc.org_tree(), kinds=KIND_LABELS)


def _org_form(org: Organization | None) -> OrganizationForm:
    form = OrganizationForm(obj=org if request.method == "GET" else None)
    parents = [o for o in svc.committees() if org is None or o.id != org.id]
    form.parent_id.choices = [SelectChoice(0, _("— none (top of the tree) —"))] + [
        SelectChoice(o.id, f"{o.name} · {KIND_LABELS[o.kind]}") for o in parents
    ]
    if request.method == "GET":
        if org is not None:
            form.parent_id.data = org.parent_id or 0
        else:
            form.parent_id.data = request.args.get("parent", 0, type=int)
            form.kind.data = request.args.get("kind", "cell")
    return form


def _save_org(org: Organization | None):
    form = _org_form(org)
    if form.validate_on_submit():
        try:
            saved = svc.save_organization(
                org,
                name=form.name.data,
                kind=form.kind.data,
                parent_id=form.parent_id.data or None,
                place=form.place.data,
                video_url=form.video_url.data,
            )
        except AdminError as exc:
            db.session.rollback()
            refuse(form, exc)
        else:
            flash(_("“%(name)s” is saved.", name=saved.name), "info")
            return redirect(url_for("admin.organization", org_id=saved.id))
    return render_template("admin/org_form.html", form=form, org=org)


@bp.route("/orgs/new", methods=["GET", "POST"])
def new_organization():
    return _save_org(None)


@bp.route("/orgs/<int:org_id>/edit", methods=["GET", "POST"])
def edit_organization(org_id: int):
    return _save_org(org_or_404(org_id))


@bp.route("/orgs/<int:org_id>")
def organization(org_id: int):
    org = org_or_404(org_id)
    return render_template(
        "admin/organization.html",
        org=org,
        kinds=KIND_LABELS,
        members=svc.cell_members(org) if org.is_cell else [],
        children=sorted(org.children, key=lambda o: vi_collation_key(o.name)),
        oversights=[o for o in svc.all_oversights() if o.organization_id == org.id],
    )


# The other views register themselves on `bp`.
from admin import members, oversight, users, vote_rules  # noqa: E402, F401
