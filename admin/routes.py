"""The committee tree: list it, create and edit organisations (committees and cells)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from admin import bp
from admin.forms import OrganizationForm
from admin.helpers import REFUSED, org_or_404, refuse
from core.extensions import db
from core.vietnamese import vi_collation_key
from domain import labels
from meetings.commands import run_site
from notifications import mail
from org import memberships, oversights, tree
from org.models import Organization


@bp.route("/")
def index():
    return render_template(
        "admin/index.html", tree=tree.org_tree(), kinds=labels.ORG_KINDS, email=mail.status()
    )


def _org_form(org: Organization | None) -> OrganizationForm:
    form = OrganizationForm(obj=org if request.method == "GET" else None)
    parents = [o for o in tree.committees() if org is None or o.id != org.id]
    form.parent_id.choices = [SelectChoice(0, _("— none (top of the tree) —"))] + [
        SelectChoice(o.id, f"{o.name} · {labels.ORG_KINDS[o.kind]}") for o in parents
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
        details = {
            "name": form.name.data,
            "kind": form.kind.data,
            "parent_id": form.parent_id.data or None,
            "place": form.place.data or None,
            "video_url": form.video_url.data or None,
        }
        actor = current_user._get_current_object()
        try:
            if org is None:
                result = run_site(actor, "create_organization", details)["result"]
                org_id = result["organization_id"]
            else:
                run_site(actor, "edit_organization", details | {"organization_id": org.id})
                org_id = org.id
        except REFUSED as exc:
            refuse(form, exc)
        else:
            saved = db.session.get(Organization, org_id)
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
        kinds=labels.ORG_KINDS,
        members=memberships.cell_members(org) if org.is_cell else [],
        children=sorted(org.children, key=lambda o: vi_collation_key(o.name)),
        oversights=[o for o in oversights.all_oversights() if o.organization_id == org.id],
    )
