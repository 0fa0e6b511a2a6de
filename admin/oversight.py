"""Oversight: a leader of a committee observes every cell below it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from admin import bp
from admin.forms import ConfirmForm, OversightForm
from admin.helpers import refuse
from admin.messages import message
from core.extensions import db
from domain import labels
from meetings.commands import run_org
from org import accounts, tree
from org import oversights as leaders
from org.errors import AdminError
from org.models import Organization, Oversight


def _actor():
    return current_user._get_current_object()


@bp.route("/oversights", methods=["GET", "POST"])
def oversights():
    form = OversightForm()
    form.organization_id.choices = [
        SelectChoice(o.id, f"{o.name} · {labels.ORG_KINDS[o.kind]}") for o in tree.committees()
    ]
    if request.method == "GET":
        form.organization_id.data = request.args.get("org", type=int)
    if form.validate_on_submit():
        user = accounts.find_user(form.username.data)
        organization = db.session.get(Organization, form.organization_id.data)
        if user is None:
            form.username.errors = [*form.username.errors, message("unknown_user")]
        elif organization is None:
            abort(400)
        else:
            payload = {"user_id": user.id, "office": form.office.data or ""}
            try:
                run_org(_actor(), organization.id, "add_oversight", payload)
            except AdminError as exc:
                refuse(form, exc)
            else:
                flash(
                    _(
                        "%(name)s now oversees %(org)s.",
                        name=user.full_name,
                        org=organization.name,
                    ),
                    "info",
                )
                return redirect(url_for("admin.oversights"))
    return render_template(
        "admin/oversights.html",
        form=form,
        oversights=leaders.all_oversights(),
        confirm=ConfirmForm(),
    )


@bp.route("/oversights/<int:oversight_id>/remove", methods=["POST"])
def remove_oversight(oversight_id: int):
    oversight = db.session.get(Oversight, oversight_id)
    if oversight is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name, org = oversight.user.full_name, oversight.organization.name
    payload = {"oversight_id": oversight.id}
    run_org(_actor(), oversight.organization_id, "remove_oversight", payload)
    flash(_("%(name)s no longer oversees %(org)s.", name=name, org=org), "info")
    return redirect(url_for("admin.oversights"))
